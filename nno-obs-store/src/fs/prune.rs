//! Applies the retention table to the local store's Analytics Engine datasets.
//!
//! Only the datasets: the log buckets are pruned over the object seam
//! (`nno_obs_logs::retention`), as any bucket is, local or in R2. Points have no bucket
//! counterpart — Analytics Engine keeps its own rows and its own limit, never in R2 — so their
//! local folders are pruned here, on the filesystem.

use crate::layout::{DateHour, DATASETS_FOLDER};
use crate::retention::{PruneMode, PruneReport, RetentionClass};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Removes (or, in [`PruneMode::Count`], counts) every `{DATE}/{HOUR}` folder
/// (`YYYY-MM-DD/HH`) of the datasets under `{root}/analytics-engine/` past retention at
/// `now_ms` (see [`RetentionClass::is_expired`]), by what its name guarantees, never by the
/// rows' own times: a late row is in a later folder and stays as long as it.
///
/// Only folders that parse as the layout's are touched; anything else (a stray file, a folder
/// of another name) is left alone. Symbolic links are never followed: a link is not a folder
/// of the store and stays. The log buckets (`nno-logs-…`) are not touched here.
///
/// ```
/// use nno_obs_store::retention::PruneMode;
///
/// let dir = tempfile::tempdir().unwrap();
/// let old = dir.path().join("analytics-engine/nno-core-ops/2020-01-01/00");
/// std::fs::create_dir_all(&old).unwrap();
/// std::fs::write(old.join("points-0f8fad5b.json.gz"), b"...").unwrap();
/// let now = 1_771_756_440_000;
/// let plan = nno_obs_store::fs::prune_datasets(dir.path(), now, PruneMode::Count).unwrap();
/// assert_eq!((plan.files_removed, plan.bytes_removed, plan.hours_removed), (1, 3, 1));
/// assert!(old.exists());
/// let report = nno_obs_store::fs::prune_datasets(dir.path(), now, PruneMode::Remove).unwrap();
/// assert_eq!(report, plan);
/// assert!(!old.exists());
/// ```
pub fn prune_datasets(root: &Path, now_ms: u64, mode: PruneMode) -> io::Result<PruneReport> {
    let mut report = PruneReport::default();
    let class = RetentionClass::AnalyticsEngine;
    for dataset in real_dirs(&root.join(DATASETS_FOLDER))? {
        for date in real_dirs(&dataset)? {
            let Some(date_name) = date.file_name().and_then(|n| n.to_str()).map(str::to_owned)
            else {
                continue;
            };
            for hour in real_dirs(&date)? {
                let Some(hour_name) = hour.file_name().and_then(|n| n.to_str()) else {
                    continue;
                };
                let Some(date_hour) = DateHour::parse_folder(&date_name, hour_name) else {
                    continue;
                };
                if class.is_expired(date_hour, now_ms) {
                    remove_files(&hour, mode, &mut report)?;
                    // Fails (and is left) only if something other than files was inside.
                    if mode == PruneMode::Count || fs::remove_dir(&hour).is_ok() {
                        report.hours_removed += 1;
                    }
                }
            }
            if mode == PruneMode::Remove && DateHour::parse_folder(&date_name, "00").is_some() {
                let _ = fs::remove_dir(&date); // only succeeds when empty
            }
        }
    }
    Ok(report)
}

/// Removes the files (and links) directly in `dir`, counting them (only counts them in
/// [`PruneMode::Count`]).
fn remove_files(dir: &Path, mode: PruneMode, report: &mut PruneReport) -> io::Result<()> {
    for file in fs::read_dir(dir)? {
        let file = file?;
        let kind = file.file_type()?;
        if kind.is_file() || kind.is_symlink() {
            report.bytes_removed += file.metadata().map(|m| m.len()).unwrap_or(0);
            report.files_removed += 1;
            if mode == PruneMode::Remove {
                fs::remove_file(file.path())?;
            }
        }
    }
    Ok(())
}

/// The sub-directories of `dir` that are real directories (not symbolic links).
fn real_dirs(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut dirs = Vec::new();
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(dirs),
        Err(error) => return Err(error),
    };
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            dirs.push(entry.path());
        }
    }
    dirs.sort();
    Ok(dirs)
}
