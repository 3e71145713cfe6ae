//! What a store holds, from its folder names alone (no file is opened): which log buckets and
//! datasets, and the hours its data points cover — so a command can say where it looked and
//! tell "no data" from "healthy".

use crate::layout::{Bucket, DatasetName, DateHour, DATASETS_FOLDER};
use std::io;
use std::path::Path;

/// A store's contents, by folder.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoreSummary {
    /// The log buckets present.
    pub buckets: Vec<Bucket>,
    /// The datasets present.
    pub datasets: Vec<DatasetName>,
    /// The start of the first hour with data points, ms.
    pub points_from_ms: Option<u64>,
    /// The end of the last hour with data points, ms (an upper bound of the newest point).
    pub points_until_ms: Option<u64>,
}

impl StoreSummary {
    /// Whether the store holds anything to read.
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty() && self.points_from_ms.is_none()
    }
}

/// The summary of the store at `root`; an error when `root` is not a readable folder.
///
/// ```
/// use nno_obs_store::fs::{summary, LocalStore};
/// use nno_obs_store::layout::DatasetName;
///
/// let dir = tempfile::tempdir().unwrap();
/// assert!(summary(dir.path()).unwrap().is_empty());
/// let store = LocalStore::open(dir.path()).unwrap();
/// let dataset = DatasetName::parse("nno-core-ops").unwrap();
/// store.append_point(&dataset, 1_771_756_440_123, &nno_obs::DataPoint::new().double(1.0)).unwrap();
/// store.close().unwrap();
/// let s = summary(dir.path()).unwrap();
/// assert_eq!((s.points_from_ms, s.points_until_ms), (Some(1_771_754_400_000), Some(1_771_758_000_000)));
/// assert!(summary(&dir.path().join("nothing")).is_err());
/// ```
pub fn summary(root: &Path) -> io::Result<StoreSummary> {
    let mut out = StoreSummary::default();
    for entry in std::fs::read_dir(root)? {
        let entry = entry?;
        if !entry.file_type()?.is_dir() {
            continue;
        }
        if let Some(bucket) = entry
            .file_name()
            .to_str()
            .and_then(|n| Bucket::parse(n).ok())
        {
            out.buckets.push(bucket);
        }
    }
    out.buckets.sort();
    let datasets = root.join(DATASETS_FOLDER);
    let entries = match std::fs::read_dir(&datasets) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(out),
        Err(error) => return Err(error),
    };
    for entry in entries {
        let entry = entry?;
        let Some(name) = entry
            .file_name()
            .to_str()
            .and_then(|n| DatasetName::parse(n).ok())
        else {
            continue;
        };
        for (from, until) in hours(&entry.path())? {
            out.points_from_ms = Some(out.points_from_ms.map_or(from, |f| f.min(from)));
            out.points_until_ms = Some(out.points_until_ms.map_or(until, |u| u.max(until)));
        }
        out.datasets.push(name);
    }
    out.datasets.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    Ok(out)
}

/// The `{DATE}/{HOUR}` folders of one dataset that hold a file, as `[start, end)` ms.
fn hours(dataset: &Path) -> io::Result<Vec<(u64, u64)>> {
    let mut out = Vec::new();
    for date in std::fs::read_dir(dataset)? {
        let date = date?;
        if !date.file_type()?.is_dir() {
            continue;
        }
        let date_name = date.file_name().to_string_lossy().into_owned();
        for hour in std::fs::read_dir(date.path())? {
            let hour = hour?;
            let hour_name = hour.file_name().to_string_lossy().into_owned();
            let Some(at) = DateHour::parse_folder(&date_name, &hour_name) else {
                continue;
            };
            let holds_data = std::fs::read_dir(hour.path())?
                .filter_map(Result::ok)
                .any(|f| f.file_name().to_string_lossy().contains(".json"));
            if holds_data {
                out.push((at.start_ms(), at.end_ms()));
            }
        }
    }
    Ok(out)
}
