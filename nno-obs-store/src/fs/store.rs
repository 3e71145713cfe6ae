//! The store: one open batch per log bucket (as one Logpush job per bucket writes), one open
//! file per dataset and hour for points; rotation; the `PointSink`.

use super::open_file::OpenFile;
use crate::batch::{BatchName, LogpushDate, BATCH_MAX_RECORDS, BATCH_WINDOW_MS};
use crate::entry::{record_entry_keys, EntryKeys};
use crate::layout::{Bucket, DatasetName, DateHour, ObjectKey, ScriptName, POINTS_STEM};
use crate::points;
use crate::record::TraceEventRecord;
use nno_obs::sink::PointSink;
use nno_obs::DataPoint;
use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Which open file a write goes to: a bucket's batch, or a dataset's hour file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Stream {
    /// Every Worker of the bucket, several scripts in one object, as one Logpush job per
    /// bucket delivers them.
    Logs(Bucket),
    Points(DatasetName),
    /// A dataset's rows of an hour before its open file's: a point's folder is the hour of
    /// its own timestamp ([`crate::points`]), so a late row cannot join the open file the way
    /// a late record joins a batch.
    LatePoints(DatasetName),
}

/// An open file and how it will be named when it closes.
#[derive(Debug)]
struct Open {
    file: OpenFile,
    naming: Naming,
}

#[derive(Debug)]
enum Naming {
    /// A points file of one hour (`{DATE}/{HOUR}/points-{uuid}.json` → `.json.gz`).
    Hour { dir: PathBuf, key: ObjectKey },
    /// A log batch (`{DATE}/{start}_open_{random}.json` → `{DATE}/{start}_{end}_{random}.log.gz`);
    /// `last_ms` is the latest arrival, the closed name's `{end}`.
    Batch {
        dir: PathBuf,
        name: BatchName,
        last_ms: u64,
    },
}

impl Open {
    /// Whether a log record arriving at `arrival_ms` no longer joins this batch: the window
    /// since its first record is over, the UTC day turned (so `{DATE}` is the day of both
    /// `{start}` and `{end}`), or it is full.
    fn batch_is_done(&self, arrival_ms: u64) -> bool {
        match &self.naming {
            Naming::Batch { name, .. } => {
                let start_ms = name.start_s() * 1000;
                arrival_ms >= start_ms.saturating_add(BATCH_WINDOW_MS)
                    || LogpushDate::of_unix_ms(arrival_ms) > name.date()
                    || self.file.records() >= BATCH_MAX_RECORDS
            }
            Naming::Hour { .. } => false,
        }
    }

    fn rotate(self) -> io::Result<()> {
        let closed = match &self.naming {
            Naming::Hour { dir, key } => dir.join(key.closed()),
            Naming::Batch { dir, name, last_ms } => dir.join(name.closed(*last_ms).key()),
        };
        self.file.rotate(&closed)
    }
}

/// A local store in the production layout (see [`crate::layout`] and [`crate::batch`]).
///
/// Safe to share between threads (`Arc<LocalStore>`): one lock orders every append, and every
/// record or row is one `write_all` of one whole line. Each `LocalStore` writes files of its
/// own (a new random part per file, created with `create_new`), so two processes never append
/// to the same file.
///
/// Log records are batched per bucket as Logpush batches them: a batch takes every record that
/// arrives within [`BATCH_WINDOW_MS`] of its first (Logpush's largest
/// `max_upload_interval_seconds`), at most [`BATCH_MAX_RECORDS`], within one UTC day; a
/// record's arrival is when its invocation finished (the capture's clock), and a late record —
/// one that happened before the batch started — joins the open batch, as in production. Only
/// the bucket's own arrivals close its batch (writers of other buckets may run on clocks of
/// their own), so a quiet bucket's batch stays open until its next record or
/// [`LocalStore::close`].
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
/// let folder = dir.path().join("nno-logs-internal/20260222");
/// let mut names: Vec<_> = std::fs::read_dir(folder).unwrap()
///     .map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
/// names.sort();
/// // The Logpush-named object and its index: 20260222T103400Z_20260222T103400Z_{random}.log.gz
/// assert_eq!(names.len(), 2);
/// assert!(names[0].starts_with("20260222T103400Z_20260222T103400Z_") && names[0].ends_with(".log.gz"));
/// assert_eq!(names[1], format!("{}.idx", names[0]));
/// ```
#[derive(Debug)]
pub struct LocalStore {
    root: PathBuf,
    open: Mutex<HashMap<Stream, Open>>,
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

    fn files(&self) -> MutexGuard<'_, HashMap<Stream, Open>> {
        // A panic while holding the lock leaves whole lines behind; keep going.
        self.open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Appends `record` to its bucket's open batch, arriving at the latest time it holds
    /// (`EventTimestampMs` or an entry's). See [`LocalStore::append_record_at`].
    pub fn append_record(&self, script: &ScriptName, record: &TraceEventRecord) -> io::Result<()> {
        self.append_record_at(script, record, 0)
    }

    /// Appends `record` to its bucket's open batch as arriving at `arrival_ms` (when its
    /// invocation finished; never taken as earlier than the latest time the record holds, so
    /// that a batch's `{end}` bounds every entry in it). An arrival that ends the bucket's batch
    /// closes it and opens a new one; a quiet bucket's batch stays open (and readable) until
    /// its next record, [`LocalStore::close`] or drop.
    pub fn append_record_at(
        &self,
        script: &ScriptName,
        record: &TraceEventRecord,
        arrival_ms: u64,
    ) -> io::Result<()> {
        let mut line = serde_json::to_vec(record).map_err(io::Error::other)?;
        line.push(b'\n');
        let entries = record_entry_keys(record);
        let arrival_ms = entries
            .iter()
            .filter_map(|e| e.time_ms)
            .chain(record.event_timestamp_ms)
            .fold(arrival_ms, u64::max);
        let bucket = script.bucket();
        // Batches are taken out under the lock and rotated after it is released: compressing
        // and syncing a batch takes milliseconds, and every other writer would wait for it.
        let (appended, finished) = {
            let mut files = self.files();
            let stream = Stream::Logs(bucket.clone());
            // Only the bucket's own arrivals close its batch: writers of other buckets may run
            // on clocks of their own (the simulator's threads), ahead of this one.
            let finished: Vec<Open> = match files.get(&stream) {
                Some(open) if open.batch_is_done(arrival_ms) => {
                    files.remove(&stream).into_iter().collect()
                }
                _ => Vec::new(),
            };
            let open = match files.entry(stream) {
                std::collections::hash_map::Entry::Occupied(open) => Ok(open.into_mut()),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    let dir = self.root.join(bucket.name());
                    let random = crate::batch::random_hex(uuid::Uuid::new_v4().as_u128() as u32);
                    let name = BatchName::open(arrival_ms, &random);
                    OpenFile::create(dir.join(name.key()), false).map(|file| {
                        slot.insert(Open {
                            file,
                            naming: Naming::Batch {
                                dir,
                                name,
                                last_ms: arrival_ms,
                            },
                        })
                    })
                }
            };
            let appended = open.and_then(|open| {
                if let Naming::Batch { last_ms, .. } = &mut open.naming {
                    *last_ms = (*last_ms).max(arrival_ms);
                }
                open.file.append(&line, &entries)
            });
            (appended, finished)
        };
        let rotated = rotate_all(finished);
        appended.and(rotated)
    }

    /// Appends one points row of `dataset` (see [`crate::points`]) to the file of its hour:
    /// `analytics-engine/{dataset}/{DATE}/{HOUR}/points-{uuid}.json`, rotated to `.json.gz`
    /// when a later hour's row arrives.
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
        let entries = [EntryKeys {
            time_ms: Some(timestamp_ms),
            ..Default::default()
        }];
        let hour = DateHour::of_unix_ms(timestamp_ms);
        let (appended, finished) = {
            let mut files = self.files();
            let hour_of = |files: &HashMap<Stream, Open>, stream: &Stream| match files.get(stream) {
                Some(Open {
                    naming: Naming::Hour { key, .. },
                    ..
                }) => Some(key.hour()),
                _ => None,
            };
            // A point older than its dataset's open file goes to a file of its own hour (a
            // request that ended after the hour turned wrote ahead of its peers).
            let current = Stream::Points(dataset.clone());
            let stream = match hour_of(&files, &current) {
                Some(open_hour) if hour < open_hour => Stream::LatePoints(dataset.clone()),
                _ => current,
            };
            let stale = hour_of(&files, &stream).is_some_and(|open_hour| match stream {
                Stream::LatePoints(_) => open_hour != hour,
                _ => open_hour < hour,
            });
            let finished: Vec<Open> = if stale {
                files.remove(&stream).into_iter().collect()
            } else {
                Vec::new()
            };
            let open = match files.entry(stream) {
                std::collections::hash_map::Entry::Occupied(open) => Ok(open.into_mut()),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    let dir = self.root.join(dataset.folder());
                    let uuid = uuid::Uuid::new_v4().hyphenated().to_string();
                    let key = ObjectKey::new(hour, POINTS_STEM, &uuid);
                    OpenFile::create(dir.join(key.open()), true).map(|file| {
                        slot.insert(Open {
                            file,
                            naming: Naming::Hour { dir, key },
                        })
                    })
                }
            };
            (
                open.and_then(|open| open.file.append(&line, &entries)),
                finished,
            )
        };
        let rotated = rotate_all(finished);
        appended.and(rotated)
    }

    /// Closes every open file: log batches become `{start}_{end}_{random}.log.gz`, points files
    /// `.json.gz`, each with its index. The store stays usable: later writes open new files.
    /// Every file is tried; the first error is returned.
    pub fn close(&self) -> io::Result<()> {
        let open: Vec<Open> = self.files().drain().map(|(_, open)| open).collect();
        rotate_all(open)
    }
}

/// Rotates every file; the first error is returned.
fn rotate_all(files: Vec<Open>) -> io::Result<()> {
    let mut result = Ok(());
    for open in files {
        let rotated = open.rotate();
        if result.is_ok() {
            result = rotated;
        }
    }
    result
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
