//! The per-file index sidecar: `{object}.idx` (`….log.gz.idx` next to a Logpush object,
//! `….json.gz.idx` next to a points file), a small JSON object written when a file rotates (or
//! by `nno-obs logs index` for files that came without one).
//!
//! ```json
//! {"format":2,"dataBytes":48213,"records":120,"entries":360,"untimedEntries":0,
//!  "minMs":1771754400012,"maxMs":1771757999870,"traceIds":["…"],"userIds":["…"]}
//! ```
//!
//! `dataBytes` is the size of the gzip file the index describes: a reader uses the index
//! only when the file still has that size, and reads the file whole otherwise. `minMs`/`maxMs`
//! span the entries' own times (see [`crate::entry`]), never the key's: Logpush objects hold
//! late records (see [`crate::batch`]), so only the index gives a file's earliest time. `traceIds`/`userIds` are every trace and user id of the file's entries.
//! An index therefore never hides a match: a file is skipped only when no entry in it can match.

use crate::entry::EntryKeys;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The index format this crate writes and reads. Format 2: a `LogEntry` line without
/// `timestamp` is ours (its `traceId` and `userId` are indexed); a format 1 sidecar may lack
/// them, so it is not read (the file is read and indexed again).
pub const INDEX_FORMAT: u32 = 2;

/// What a closed file holds, in brief.
///
/// ```
/// use nno_obs_store::entry::EntryKeys;
/// use nno_obs_store::index::FileIndex;
///
/// let mut index = FileIndex::default();
/// index.add_record(&[EntryKeys { time_ms: Some(10), trace_id: Some("t1".into()), user_id: None }]);
/// index.add_record(&[EntryKeys { time_ms: Some(5), ..Default::default() }]);
/// assert_eq!((index.min_ms, index.max_ms), (Some(5), Some(10)));
/// assert!(index.may_hold_time(0, 6));
/// assert!(!index.may_hold_time(11, 20));
/// assert!(index.may_hold_trace("t1") && !index.may_hold_trace("t2"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileIndex {
    /// [`INDEX_FORMAT`].
    pub format: u32,
    /// The size of the described file, in bytes.
    pub data_bytes: u64,
    /// Records in the file.
    pub records: u64,
    /// Entries in the file.
    pub entries: u64,
    /// Entries with no time at all.
    pub untimed_entries: u64,
    /// The earliest entry time.
    pub min_ms: Option<u64>,
    /// The latest entry time.
    pub max_ms: Option<u64>,
    /// Every trace id.
    pub trace_ids: BTreeSet<String>,
    /// Every user id.
    pub user_ids: BTreeSet<String>,
}

impl Default for FileIndex {
    fn default() -> Self {
        Self {
            format: INDEX_FORMAT,
            data_bytes: 0,
            records: 0,
            entries: 0,
            untimed_entries: 0,
            min_ms: None,
            max_ms: None,
            trace_ids: BTreeSet::new(),
            user_ids: BTreeSet::new(),
        }
    }
}

impl FileIndex {
    /// Adds the entries of one record.
    pub fn add_record(&mut self, entries: &[EntryKeys]) {
        self.records += 1;
        for entry in entries {
            self.entries += 1;
            match entry.time_ms {
                Some(ms) => {
                    self.min_ms = Some(self.min_ms.map_or(ms, |min| min.min(ms)));
                    self.max_ms = Some(self.max_ms.map_or(ms, |max| max.max(ms)));
                }
                None => self.untimed_entries += 1,
            }
            if let Some(trace) = &entry.trace_id {
                self.trace_ids.insert(trace.clone());
            }
            if let Some(user) = &entry.user_id {
                self.user_ids.insert(user.clone());
            }
        }
    }

    /// Whether an entry time in `[from_ms, to_ms)` can be in the file.
    pub fn may_hold_time(&self, from_ms: u64, to_ms: u64) -> bool {
        match (self.min_ms, self.max_ms) {
            (Some(min), Some(max)) => max >= from_ms && min < to_ms,
            _ => false,
        }
    }

    /// Whether an entry of trace `trace_id` can be in the file.
    pub fn may_hold_trace(&self, trace_id: &str) -> bool {
        self.trace_ids.contains(trace_id)
    }

    /// Whether an entry of user `user_id` can be in the file.
    pub fn may_hold_user(&self, user_id: &str) -> bool {
        self.user_ids.contains(user_id)
    }

    /// The sidecar's bytes.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads a sidecar; `None` when it is not one of [`INDEX_FORMAT`] (the reader then reads
    /// the data file whole).
    pub fn from_json(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice::<Self>(bytes)
            .ok()
            .filter(|index| index.format == INDEX_FORMAT)
    }
}
