//! What an entry of a record is, and the keys the index and the search share.
//!
//! One definition, used by the writer's index (this crate) and by the search (`nno-obs-logs`),
//! so the index can never disagree with the scan about an entry's time, trace id or user id.
//!
//! # The entries of a record
//!
//! - every `Logs[i]` is one entry;
//! - every `Exceptions[j]` is one entry (level `error`);
//! - a record with neither, whose `Outcome` is not `ok`, is one entry (level `error`), so an
//!   invocation that died silently (`exceededCpu`, `canceled`) can still be found;
//! - a record with neither and `Outcome` `ok` has no entries.
//!
//! # Keys
//!
//! An entry's time is the `LogEntry` `timestamp` (when `Message[0]` is our line and it has a
//! timestamp that parses), else its own `TimestampMs`, else the record's `EventTimestampMs`; an entry
//! with none of them has no time and matches only queries without a time bound. Trace and user
//! ids come from our line's `traceId` and `userId` only: a line that is not ours has neither.

use crate::record::{TraceEventRecord, TraceLog};
use serde::Deserialize;

/// The members of a `LogEntry` line that decide whether it is ours, and the keys.
///
/// ```
/// use nno_obs_store::entry::LineKeys;
///
/// let line = r#"{"timestamp":"2026-02-22T10:34:00.123Z","level":"info","service":"auth","traceId":"t1","message":"login","userId":"u1"}"#;
/// let keys = LineKeys::parse(line).unwrap();
/// assert_eq!(keys.timestamp_ms(), Some(1_771_756_440_123));
/// assert_eq!(keys.user_id.as_deref(), Some("u1"));
/// assert!(LineKeys::parse(r#"{"level":"info"}"#).is_none()); // JSON, but not ours
/// assert!(LineKeys::parse("GET /x 200").is_none());
///
/// // Seed §2.4's example line has no timestamp: still ours, timed by its log.
/// let seed = r#"{"traceId":"abc","service":"analytics","level":"info","message":"GET /api/data 200","http":{"durationMs":45}}"#;
/// let keys = LineKeys::parse(seed).unwrap();
/// assert_eq!(keys.timestamp_ms(), None);
/// assert_eq!(keys.trace_id.as_deref(), Some("abc"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct LineKeys {
    /// `timestamp` (ISO 8601, as `toISOString()`), when the line has one: seed §1.1 writes it
    /// on every line, but seed §2.4's example line has none, so a line without it is still
    /// ours (timed by its log's `TimestampMs`). Present, it must be a string (or `null`).
    #[serde(default)]
    pub timestamp: Option<String>,
    /// `level`: `debug`, `info`, `warn` or `error`.
    pub level: String,
    /// `service`.
    pub service: String,
    /// `message`.
    pub message: String,
    /// `traceId`, when a string.
    #[serde(
        rename = "traceId",
        default,
        deserialize_with = "crate::lenient::opt_string"
    )]
    pub trace_id: Option<String>,
    /// `requestId`, when a string.
    #[serde(
        rename = "requestId",
        default,
        deserialize_with = "crate::lenient::opt_string"
    )]
    pub request_id: Option<String>,
    /// `userId`, when a string.
    #[serde(
        rename = "userId",
        default,
        deserialize_with = "crate::lenient::opt_string"
    )]
    pub user_id: Option<String>,
    /// `featureId`, when a string.
    #[serde(
        rename = "featureId",
        default,
        deserialize_with = "crate::lenient::opt_string"
    )]
    pub feature_id: Option<String>,
    /// `platformId`, when a string.
    #[serde(
        rename = "platformId",
        default,
        deserialize_with = "crate::lenient::opt_string"
    )]
    pub platform_id: Option<String>,
}

impl LineKeys {
    /// `Some` when `text` is one of our `LogEntry` lines: a JSON object whose `level`,
    /// `service` and `message` are strings, whose `level` is one of the four, and whose
    /// `timestamp` is a string, `null` or absent.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim_end_matches(['\n', '\r']);
        if !text.starts_with('{') {
            return None;
        }
        let keys: LineKeys = serde_json::from_str(text).ok()?;
        matches!(keys.level.as_str(), "debug" | "info" | "warn" | "error").then_some(keys)
    }

    /// `timestamp` in milliseconds, when it is an RFC 3339 time at or after 1970.
    pub fn timestamp_ms(&self) -> Option<u64> {
        self.timestamp.as_deref().and_then(parse_rfc3339_ms)
    }
}

pub use crate::time::parse_rfc3339_ms;

/// Our line in `Message[0]`, if it is one.
pub fn our_line(log: &TraceLog) -> Option<LineKeys> {
    log.message
        .first()
        .and_then(|first| first.as_str())
        .and_then(LineKeys::parse)
}

/// The time of a log entry (see the module docs).
pub fn log_entry_time(
    line: Option<&LineKeys>,
    log: &TraceLog,
    record: &TraceEventRecord,
) -> Option<u64> {
    line.and_then(LineKeys::timestamp_ms)
        .or(log.timestamp_ms)
        .or(record.event_timestamp_ms)
}

/// The keys of one entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntryKeys {
    /// Its time, if any.
    pub time_ms: Option<u64>,
    /// Its trace id, if ours and set.
    pub trace_id: Option<String>,
    /// Its user id, if ours and set.
    pub user_id: Option<String>,
}

/// The keys of every entry of `record`, in entry order.
///
/// ```
/// use nno_obs_store::entry::record_entry_keys;
/// use nno_obs_store::record::TraceEventRecord;
///
/// let record: TraceEventRecord = serde_json::from_str(
///     r#"{"Outcome":"exceededCpu","EventTimestampMs":5,"Logs":[],"Exceptions":[]}"#).unwrap();
/// let keys = record_entry_keys(&record);
/// assert_eq!(keys.len(), 1);
/// assert_eq!(keys[0].time_ms, Some(5));
/// ```
pub fn record_entry_keys(record: &TraceEventRecord) -> Vec<EntryKeys> {
    let mut keys = Vec::with_capacity(record.logs.len() + record.exceptions.len());
    for log in &record.logs {
        let line = our_line(log);
        keys.push(EntryKeys {
            time_ms: log_entry_time(line.as_ref(), log, record),
            trace_id: line.as_ref().and_then(|l| l.trace_id.clone()),
            user_id: line.and_then(|l| l.user_id),
        });
    }
    for exception in &record.exceptions {
        keys.push(EntryKeys {
            time_ms: exception.timestamp_ms.or(record.event_timestamp_ms),
            ..EntryKeys::default()
        });
    }
    if keys.is_empty() && !record.outcome.is_ok() {
        keys.push(EntryKeys {
            time_ms: record.event_timestamp_ms,
            ..EntryKeys::default()
        });
    }
    keys
}
