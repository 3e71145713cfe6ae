//! Applies the retention table to a local store.

use crate::layout::DateHour;
use crate::retention::RetentionClass;
use std::fs;
use std::io;
use std::path::Path;

/// What a prune removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PruneReport {
    /// Files removed.
    pub files_removed: u64,
    /// Bytes freed.
    pub bytes_removed: u64,
    /// `{HOUR}` folders removed (with their `{DATE}` folder when it became empty).
    pub hours_removed: u64,
}

/// Removes every `{DATE}/{HOUR}` folder past retention at `now_ms` (see
/// [`RetentionClass::is_expired`]) under `root`'s log buckets and dataset folders.
///
/// Only folders that parse as the layout's are touched; anything else (a stray file, a folder
/// of another name) is left alone. Symbolic links are never followed: a link is not a folder
/// of the store and stays.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let old = dir.path().join("nno-logs-k3m9p2xw7q/2020-01-01/00");
/// std::fs::create_dir_all(&old).unwrap();
/// std::fs::write(old.join("x.json.gz"), b"...").unwrap();
/// let report = nno_obs_store::fs::prune(dir.path(), 1_771_756_440_000).unwrap();
/// assert_eq!(report.files_removed, 1);
/// assert!(!old.exists());
/// ```
pub fn prune(root: &Path, now_ms: u64) -> io::Result<PruneReport> {
    let mut report = PruneReport::default();
    for top in real_dirs(root)? {
        let Some(name) = top.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(class) = RetentionClass::of_top_folder(name) else {
            continue;
        };
        if class == RetentionClass::AnalyticsEngine {
            for dataset in real_dirs(&top)? {
                prune_dated(&dataset, class, now_ms, &mut report)?;
            }
        } else {
            prune_dated(&top, class, now_ms, &mut report)?;
        }
    }
    Ok(report)
}

fn prune_dated(
    folder: &Path,
    class: RetentionClass,
    now_ms: u64,
    report: &mut PruneReport,
) -> io::Result<()> {
    for date in real_dirs(folder)? {
        let Some(date_name) = date.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
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
                for file in fs::read_dir(&hour)? {
                    let file = file?;
                    let kind = file.file_type()?;
                    if kind.is_file() || kind.is_symlink() {
                        report.bytes_removed += file.metadata().map(|m| m.len()).unwrap_or(0);
                        report.files_removed += 1;
                        fs::remove_file(file.path())?;
                    }
                }
                // Fails (and is left) only if something other than files was inside.
                if fs::remove_dir(&hour).is_ok() {
                    report.hours_removed += 1;
                }
            }
        }
        let _ = fs::remove_dir(&date); // only succeeds when empty
    }
    Ok(())
}

/// The sub-directories of `dir` that are real directories (not symbolic links).
fn real_dirs(dir: &Path) -> io::Result<Vec<std::path::PathBuf>> {
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
