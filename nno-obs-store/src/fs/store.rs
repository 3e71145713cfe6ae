//! The store: open files per (area, stem), hour rotation, the `PointSink`.

use super::open_file::OpenFile;
use crate::entry::record_entry_keys;
use crate::layout::{Bucket, DatasetName, DateHour, ObjectKey, ScriptName, POINTS_STEM};
use crate::points;
use crate::record::TraceEventRecord;
use nno_obs::sink::PointSink;
use nno_obs::DataPoint;
use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Which open file a write goes to: a script's file in its bucket, or a dataset's file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Stream {
    Logs(Bucket, String),
    Points(DatasetName),
    /// A dataset's rows of an hour before its open file's: a point's folder is the hour of
    /// its own timestamp ([`crate::points`]), so a late row cannot join the open file the way
    /// a late record does.
    LatePoints(DatasetName),
}

impl Stream {
    fn folder(&self) -> String {
        match self {
            Stream::Logs(bucket, _) => bucket.name(),
            Stream::Points(dataset) | Stream::LatePoints(dataset) => dataset.folder(),
        }
    }

    fn stem(&self) -> &str {
        match self {
            Stream::Logs(_, script) => script,
            Stream::Points(_) | Stream::LatePoints(_) => POINTS_STEM,
        }
    }
}

/// A local store in the production layout (see [`crate::layout`]).
///
/// Safe to share between threads (`Arc<LocalStore>`): one lock orders every append, and every
/// record or row is one `write_all` of one whole line. Each `LocalStore` writes files of its
/// own (a new UUID per file), so two processes never append to the same file.
///
/// ```
/// use nno_obs_store::fs::{EventMeta, Invocation, LocalStore};
/// use nno_obs_store::layout::ScriptName;
/// use nno_obs_store::record::Outcome;
/// use nno_obs::{clock::Clock, Telemetry};
/// use std::sync::Arc;
///
/// let dir = tempfile::tempdir().unwrap();
/// let store = Arc::new(LocalStore::open(dir.path()).unwrap());
/// let clock = Clock::manual(1_771_756_440_000);
///
/// // One invocation of the registry: its Telemetry writes to the capture.
/// let invocation = Invocation::start(store.clone(), clock.clone());
/// let telemetry = Telemetry::builder().log_sink(invocation.clone()).clock(clock).build();
/// telemetry.logger("registry").info("manifest fetched", nno_obs::fields! { featureCount: 3 });
/// let script = ScriptName::parse("nno-registry-prod").unwrap();
/// invocation.finish(&script, Outcome::Ok, EventMeta::fetch("GET", "https://r.example/m", 200)).unwrap();
///
/// store.close().unwrap();
/// let folder = dir.path().join("nno-logs-internal/2026-02-22/10");
/// let names: Vec<_> = std::fs::read_dir(folder).unwrap()
///     .map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
/// assert_eq!(names.len(), 2); // the .json.gz and its .idx
/// ```
#[derive(Debug)]
pub struct LocalStore {
    root: PathBuf,
    open: Mutex<HashMap<Stream, OpenFile>>,
}

impl LocalStore {
    /// Opens (creating if needed) the store at `root`.
    pub fn open(root: impl AsRef<Path>) -> io::Result<Self> {
        let root = root.as_ref().to_path_buf();
        std::fs::create_dir_all(&root)?;
        Ok(Self {
            root,
            open: Mutex::new(HashMap::new()),
        })
    }

    /// The store's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn files(&self) -> MutexGuard<'_, HashMap<Stream, OpenFile>> {
        // A panic while holding the lock leaves whole lines behind; keep going.
        self.open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Appends `record` to the open file of its script in its bucket. A record of a later hour
    /// (by `EventTimestampMs`) than the open file's rotates it and starts a file in its own hour's
    /// folder; a record of the same or an earlier hour joins the open file.
    pub fn append_record(&self, script: &ScriptName, record: &TraceEventRecord) -> io::Result<()> {
        let mut line = serde_json::to_vec(record).map_err(io::Error::other)?;
        line.push(b'\n');
        let entries = record_entry_keys(record);
        let hour = DateHour::of_unix_ms(record.event_timestamp_ms.unwrap_or(0));
        let stream = Stream::Logs(script.bucket(), script.as_str().to_owned());
        self.append(stream, hour, &line, &entries)
    }

    /// Appends one points row of `dataset` (see [`crate::points`]); files rotate as for
    /// records.
    pub fn append_point(
        &self,
        dataset: &DatasetName,
        timestamp_ms: u64,
        point: &DataPoint<'_>,
    ) -> io::Result<()> {
        let mut line = Vec::with_capacity(512);
        points::write_row(
            &mut line,
            timestamp_ms,
            point.index_value(),
            point.blobs(),
            point.doubles(),
        );
        let entries = [crate::entry::EntryKeys {
            time_ms: Some(timestamp_ms),
            ..Default::default()
        }];
        self.append(
            Stream::Points(dataset.clone()),
            DateHour::of_unix_ms(timestamp_ms),
            &line,
            &entries,
        )
    }

    fn append(
        &self,
        stream: Stream,
        hour: DateHour,
        line: &[u8],
        entries: &[crate::entry::EntryKeys],
    ) -> io::Result<()> {
        // A later hour rotates the open file; a record of an earlier hour (a late one) joins
        // the open file, as Logpush files hold records by delivery, not by their own time
        // (the index keeps the real time range). The finished file is taken out under the
        // lock and rotated after it is released: compressing and syncing an hour of records
        // takes milliseconds, and every other writer of the process would wait for it.
        let (appended, finished) = {
            let mut files = self.files();
            // A point older than its dataset's open file goes to a file of its own hour (a
            // request that ended after the hour turned wrote ahead of its peers).
            let stream = match stream {
                Stream::Points(dataset)
                    if files
                        .get(&Stream::Points(dataset.clone()))
                        .is_some_and(|file| hour < file.key.hour()) =>
                {
                    Stream::LatePoints(dataset)
                }
                other => other,
            };
            let stale = files.get(&stream).is_some_and(|file| match stream {
                Stream::LatePoints(_) => file.key.hour() != hour,
                _ => file.key.hour() < hour,
            });
            let finished = if stale { files.remove(&stream) } else { None };
            let file = match files.entry(stream) {
                std::collections::hash_map::Entry::Occupied(open) => Ok(open.into_mut()),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    let stream = slot.key();
                    let dir = self.root.join(stream.folder());
                    let uuid = uuid::Uuid::new_v4().hyphenated().to_string();
                    let key = ObjectKey::new(hour, stream.stem(), &uuid);
                    OpenFile::create(&dir, key).map(|file| slot.insert(file))
                }
            };
            (file.and_then(|file| file.append(line, entries)), finished)
        };
        let rotated = finished.map_or(Ok(()), OpenFile::rotate);
        appended.and(rotated)
    }

    /// Rotates every open file to `.json.gz` with its index. The store stays usable: later
    /// writes open new files. Every file is tried; the first error is returned.
    pub fn close(&self) -> io::Result<()> {
        let open: Vec<OpenFile> = self.files().drain().map(|(_, file)| file).collect();
        let mut result = Ok(());
        for file in open {
            let rotated = file.rotate();
            if result.is_ok() {
                result = rotated;
            }
        }
        result
    }
}

impl Drop for LocalStore {
    fn drop(&mut self) {
        // Nothing to report to from a drop; an unrotated file stays a readable `.json`.
        let _ = self.close();
    }
}

impl PointSink for LocalStore {
    fn write_point(
        &self,
        dataset: &str,
        timestamp_ms: u64,
        point: &DataPoint<'_>,
    ) -> io::Result<()> {
        let dataset = DatasetName::parse(dataset)
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
        self.append_point(&dataset, timestamp_ms, point)
    }
}
