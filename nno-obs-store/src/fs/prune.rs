//! Applies the retention table to a local store.

use crate::batch::LogpushDate;
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
    /// Logpush `{DATE}` (`YYYYMMDD`) folders removed.
    pub days_removed: u64,
}

/// Removes every folder past retention at `now_ms` under `root`'s log buckets and dataset
/// folders, by what its name guarantees: a Logpush `{DATE}` folder (`YYYYMMDD`, see
/// [`RetentionClass::is_day_expired`]) or a `{DATE}/{HOUR}` folder (`YYYY-MM-DD/HH`: points,
/// and logs in the seed's layout; see [`RetentionClass::is_expired`]). Never by the records'
/// own times: a late record is in a later folder and stays as long as it.
///
/// Only folders that parse as the layout's are touched; anything else (a stray file, a folder
/// of another name) is left alone. Symbolic links are never followed: a link is not a folder
/// of the store and stays.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let old = dir.path().join("nno-logs-k3m9p2xw7q/20200101");
/// std::fs::create_dir_all(&old).unwrap();
/// std::fs::write(old.join("20200101T000000Z_20200101T000500Z_0f8fad5b.log.gz"), b"...").unwrap();
/// let seed_layout = dir.path().join("nno-logs-k3m9p2xw7q/2020-01-01/00");
/// std::fs::create_dir_all(&seed_layout).unwrap();
/// std::fs::write(seed_layout.join("x.json.gz"), b"...").unwrap();
/// let report = nno_obs_store::fs::prune(dir.path(), 1_771_756_440_000).unwrap();
/// assert_eq!((report.files_removed, report.days_removed, report.hours_removed), (2, 1, 1));
/// assert!(!old.exists() && !seed_layout.exists());
/// ```
pub fn prune(root: &Path, now_ms: u64) -> io::Result<PruneReport> {
    run(root, now_ms, Mode::Remove)
}

/// What [`prune`] would remove at `now_ms`, removing nothing.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let old = dir.path().join("nno-logs-k3m9p2xw7q/20200101");
/// std::fs::create_dir_all(&old).unwrap();
/// std::fs::write(old.join("20200101T000000Z_20200101T000500Z_0f8fad5b.log.gz"), b"...").unwrap();
/// let report = nno_obs_store::fs::prune_dry_run(dir.path(), 1_771_756_440_000).unwrap();
/// assert_eq!((report.files_removed, report.bytes_removed, report.days_removed), (1, 3, 1));
/// assert!(old.exists());
/// ```
pub fn prune_dry_run(root: &Path, now_ms: u64) -> io::Result<PruneReport> {
    run(root, now_ms, Mode::Count)
}

/// Whether a prune removes or only counts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Remove,
    Count,
}

fn run(root: &Path, now_ms: u64, mode: Mode) -> io::Result<PruneReport> {
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
                prune_dated(&dataset, class, now_ms, mode, &mut report)?;
            }
        } else {
            prune_dated(&top, class, now_ms, mode, &mut report)?;
        }
    }
    Ok(report)
}

fn prune_dated(
    folder: &Path,
    class: RetentionClass,
    now_ms: u64,
    mode: Mode,
    report: &mut PruneReport,
) -> io::Result<()> {
    for date in real_dirs(folder)? {
        let Some(date_name) = date.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
            continue;
        };
        if let Some(day) = LogpushDate::parse(&date_name) {
            // Points are never in a Logpush folder; only log buckets have them.
            if class != RetentionClass::AnalyticsEngine && class.is_day_expired(day, now_ms) {
                remove_files(&date, mode, report)?;
                // Fails (and is left) only if something other than files was inside.
                if mode == Mode::Count || fs::remove_dir(&date).is_ok() {
                    report.days_removed += 1;
                }
            }
            continue;
        }
        for hour in real_dirs(&date)? {
            let Some(hour_name) = hour.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let Some(date_hour) = DateHour::parse_folder(&date_name, hour_name) else {
                continue;
            };
            if class.is_expired(date_hour, now_ms) {
                remove_files(&hour, mode, report)?;
                // Fails (and is left) only if something other than files was inside.
                if mode == Mode::Count || fs::remove_dir(&hour).is_ok() {
                    report.hours_removed += 1;
                }
            }
        }
        if mode == Mode::Remove {
            let _ = fs::remove_dir(&date); // only succeeds when empty
        }
    }
    Ok(())
}

/// Removes the files (and links) directly in `dir`, counting them (only counts them in
/// [`Mode::Count`]).
fn remove_files(dir: &Path, mode: Mode, report: &mut PruneReport) -> io::Result<()> {
    for file in fs::read_dir(dir)? {
        let file = file?;
        let kind = file.file_type()?;
        if kind.is_file() || kind.is_symlink() {
            report.bytes_removed += file.metadata().map(|m| m.len()).unwrap_or(0);
            report.files_removed += 1;
            if mode == Mode::Remove {
                fs::remove_file(file.path())?;
            }
        }
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
