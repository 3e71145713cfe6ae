//! A directory of NDJSON files: the local store of native runs.

use super::{LogLine, LogSink, PointSink};
use crate::{DataPoint, LogLevel};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The file log lines are appended to.
pub const LOG_FILE: &str = "logs.ndjson";

/// Appends log lines to `logs.ndjson` and each dataset's points to `<dataset>.ndjson` in one
/// directory.
///
/// Every line is written with a single `write_all` on a file opened for appending, under a
/// lock, and nothing is held back in a buffer: a second process can read the files while this
/// one runs, a crash never leaves a torn line behind (short of the kernel dying mid-write), and
/// dropping the store loses nothing.
///
/// A point line is `{"timestamp":"…","dataset":"…","blobs":[…],"doubles":[…],"indexes":[…]}`.
/// Dataset names become file names with every byte outside `[A-Za-z0-9_.-]` replaced by `_`.
///
/// ```
/// use nno_obs::sink::{LogLine, LogSink, NdjsonStore};
/// use nno_obs::LogLevel;
///
/// let dir = std::env::temp_dir().join(format!("nno-obs-doc-{}", std::process::id()));
/// let store = NdjsonStore::open(&dir).unwrap();
/// store.write_line(LogLevel::Info, LogLine::new("{\"message\":\"hi\"}\n")).unwrap();
/// let text = std::fs::read_to_string(store.log_path()).unwrap();
/// assert!(text.ends_with("{\"message\":\"hi\"}\n"));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Debug)]
pub struct NdjsonStore {
    dir: PathBuf,
    log: Mutex<File>,
    datasets: Mutex<HashMap<String, File>>,
}

impl NdjsonStore {
    /// Opens (creating if needed) the store in `dir`.
    pub fn open(dir: impl AsRef<Path>) -> io::Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir)?;
        let log = append(&dir.join(LOG_FILE))?;
        Ok(Self {
            dir,
            log: Mutex::new(log),
            datasets: Mutex::new(HashMap::new()),
        })
    }

    /// The store's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file log lines go to.
    pub fn log_path(&self) -> PathBuf {
        self.dir.join(LOG_FILE)
    }

    /// The file `dataset`'s points go to.
    pub fn dataset_path(&self, dataset: &str) -> PathBuf {
        self.dir.join(dataset_file_name(dataset))
    }
}

fn append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

fn dataset_file_name(dataset: &str) -> String {
    let mut name: String = dataset
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // Never `..` or a hidden file, never the log file.
    if name.starts_with('.') || name.is_empty() {
        name.insert(0, '_');
    }
    name.push_str(".ndjson");
    if name == LOG_FILE {
        name.insert(0, '_');
    }
    name
}

impl LogSink for NdjsonStore {
    fn write_line(&self, _level: LogLevel, line: LogLine<'_>) -> io::Result<()> {
        let mut file = self
            .log
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        file.write_all(line.as_bytes())
    }
}

impl PointSink for NdjsonStore {
    fn write_point(
        &self,
        dataset: &str,
        timestamp_ms: u64,
        point: &DataPoint<'_>,
    ) -> io::Result<()> {
        crate::entry::with_line_buffer(|line| {
            write_point_line(line, dataset, timestamp_ms, point);
            let mut files = self
                .datasets
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let file = match files.get_mut(dataset) {
                Some(file) => file,
                None => {
                    let file = append(&self.dataset_path(dataset))?;
                    files.entry(dataset.to_owned()).or_insert(file)
                }
            };
            file.write_all(line)
        })
    }
}

/// Appends a point as the line the store keeps:
/// `{"timestamp":"…","dataset":"…","blobs":[…],"doubles":[…],"indexes":[…]}\n`.
pub(crate) fn write_point_line(
    out: &mut Vec<u8>,
    dataset: &str,
    timestamp_ms: u64,
    point: &DataPoint<'_>,
) {
    out.extend_from_slice(b"{\"timestamp\":\"");
    out.extend_from_slice(
        crate::clock::Timestamp::from_unix_ms(timestamp_ms)
            .as_str()
            .as_bytes(),
    );
    out.extend_from_slice(b"\",\"dataset\":");
    crate::json::write_str(out, dataset);
    out.push(b',');
    point.write_json_members(out);
    out.extend_from_slice(b"}\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dataset_names_become_safe_file_names() {
        assert_eq!(dataset_file_name("nno-core-ops"), "nno-core-ops.ndjson");
        assert_eq!(dataset_file_name("k3m9-perf"), "k3m9-perf.ndjson");
        assert_eq!(dataset_file_name("../etc/passwd"), "_.._etc_passwd.ndjson");
        assert_eq!(dataset_file_name(""), "_.ndjson");
        assert_eq!(dataset_file_name("logs"), "_logs.ndjson");
        assert_eq!(dataset_file_name("a b/c\n"), "a_b_c_.ndjson");
    }
}
