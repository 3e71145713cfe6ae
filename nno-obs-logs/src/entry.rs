//! The searchable entries of a record, and how each foreign shape is read.
//!
//! Which entries a record has, and their time, trace id and user id, are defined once in
//! [`nno_obs_store::entry`] (the index uses the same definition). This module adds what a
//! person searching sees:
//!
//! | `Logs[i].Message` | entry |
//! |---|---|
//! | `[our LogEntry line, …]` | kind [`EntryKind::Line`]: level, service, ids and message from the line; extra arguments kept as `args` |
//! | `["plain text"]` | [`EntryKind::Text`]: level from the Log's `Level`, the text as message |
//! | several arguments | [`EntryKind::Text`]: the arguments joined by one space, as the console prints them; a non-string argument as its compact JSON |
//! | JSON that is not ours | [`EntryKind::Text`]: the JSON text is the message; no trace or user id |
//! | `[]` or missing | [`EntryKind::Text`] with an empty message |
//!
//! Each `Exceptions[j]` is an [`EntryKind::Exception`] (level `error`, message `Name: Message`),
//! and a record with neither logs nor exceptions whose `Outcome` is not `ok` is one
//! [`EntryKind::Outcome`] entry (level `error`, message `invocation ended: {Outcome}`).
//!
//! The feature is the line's `featureId`, else the one in the script name (seed §2.4); the
//! service is the line's `service`, else a core script's service; the platform is the script
//! name's, else the line's `platformId`.

use crate::level::Level;
use nno_obs_store::entry::{log_entry_time, our_line, EntryKeys};
use nno_obs_store::layout::ScriptName;
use nno_obs_store::record::{TraceEventRecord, TraceLog};
use serde_json::Value;
use std::sync::Arc;

/// What an entry was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// Our `LogEntry` line in `Message[0]`.
    Line,
    /// Any other console message.
    Text,
    /// An uncaught exception.
    Exception,
    /// A silent invocation that did not end `ok`.
    Outcome,
}

/// The record-level facts every entry of a record shares.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecordFacts {
    /// `ScriptName`.
    pub script: Option<String>,
    /// `Outcome`.
    pub outcome: String,
    /// `Event.RayID`, else `Ray`.
    pub ray: Option<String>,
    /// `EventTimestampMs`.
    pub event_timestamp_ms: Option<u64>,
    /// `Event.Request.Method`.
    pub method: Option<String>,
    /// `Event.Request.URL`.
    pub url: Option<String>,
    /// `Event.Response.Status`.
    pub status: Option<u16>,
    /// The trace the invocation belongs to — the `traceId` of the record's first line that
    /// has one — when the record has exceptions: an exception entry carries no trace id of its
    /// own, and a reader of it needs the trace to follow (seed §4.3). `None` otherwise (each
    /// line has its own). A trace search matches an exception by it
    /// ([`Entry::effective_trace_id`]).
    pub trace_id: Option<String>,
    script_feature: Option<String>,
    script_service: Option<String>,
    script_platform: Option<String>,
}

impl RecordFacts {
    fn of(record: &TraceEventRecord, scripts: &mut ScriptCache) -> Self {
        let script = scripts.facts(record.script_name.as_deref());
        let request = record.event.as_ref().and_then(|e| e.request.as_ref());
        Self {
            script: record.script_name.clone(),
            outcome: record.outcome.as_str().to_owned(),
            ray: record.ray_id().map(str::to_owned),
            event_timestamp_ms: record.event_timestamp_ms,
            method: request.and_then(|r| r.method.clone()),
            url: request.and_then(|r| r.url.clone()),
            status: record
                .event
                .as_ref()
                .and_then(|e| e.response.as_ref())
                .and_then(|r| r.status),
            // Only exceptions need it, and only records with exceptions pay for the look.
            trace_id: if record.exceptions.is_empty() {
                None
            } else {
                record
                    .logs
                    .iter()
                    .find_map(|log| our_line(log).and_then(|line| line.trace_id))
            },
            script_feature: script.feature,
            script_service: script.service,
            script_platform: script.platform,
        }
    }
}

/// What a script name says, as the entries use it.
#[derive(Clone, Debug, Default, PartialEq)]
struct ScriptFacts {
    feature: Option<String>,
    service: Option<String>,
    platform: Option<String>,
}

/// The last script name read and what it says: a file holds one script's records (Logpush
/// jobs and the local store write per script), so this saves parsing the name per record.
#[derive(Clone, Debug, Default)]
pub struct ScriptCache {
    last: Option<(String, ScriptFacts)>,
}

impl ScriptCache {
    fn facts(&mut self, name: Option<&str>) -> ScriptFacts {
        let Some(name) = name else {
            return ScriptFacts::default();
        };
        if let Some((cached, facts)) = &self.last {
            if cached == name {
                return facts.clone();
            }
        }
        let parsed = ScriptName::parse(name).ok();
        let facts = ScriptFacts {
            feature: parsed.as_ref().and_then(|s| s.feature().map(str::to_owned)),
            service: parsed.as_ref().and_then(|s| s.service().map(str::to_owned)),
            platform: parsed.and_then(|s| s.platform().map(|p| p.as_str().to_owned())),
        };
        self.last = Some((name.to_owned(), facts.clone()));
        facts
    }
}

/// One searchable entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Its time (see [`nno_obs_store::entry`]); `None` when the record gave none.
    pub time_ms: Option<u64>,
    /// Its level.
    pub level: Level,
    /// What it was read from.
    pub kind: EntryKind,
    /// The service.
    pub service: Option<String>,
    /// The feature.
    pub feature: Option<String>,
    /// The platform.
    pub platform: Option<String>,
    /// `traceId` of our line.
    pub trace_id: Option<String>,
    /// `requestId` of our line.
    pub request_id: Option<String>,
    /// `userId` of our line.
    pub user_id: Option<String>,
    /// The message text.
    pub message: String,
    /// Our line as written (`Message[0]`), for output and field search.
    pub line: Option<String>,
    /// Arguments after our line, as a JSON array text.
    pub extra_args: Option<String>,
    /// The record's facts, shared by its entries.
    pub record: Arc<RecordFacts>,
}

impl Entry {
    /// The trace id a trace search matches: our line's `traceId`; for an exception, which has
    /// none of its own, the trace of the invocation it ended ([`RecordFacts::trace_id`], the
    /// record's first line that has one), so `--trace-id` finds the failing request's
    /// exception (seed §4.3: every line of a request carries its trace). Other entries (console
    /// text, a silent outcome) have none.
    ///
    /// ```
    /// use nno_obs_logs::entry::entries_of_record;
    ///
    /// let record = serde_json::from_str(r#"{"ScriptName":"nno-registry-prod","Outcome":"exception",
    ///   "Logs":[{"Level":"log","Message":["plain"]},
    ///     {"Level":"log","Message":["{\"level\":\"info\",\"service\":\"registry\",\"traceId\":\"tr-1\",\"message\":\"start\"}"]}],
    ///   "Exceptions":[{"Name":"TypeError","Message":"x is undefined"}]}"#).unwrap();
    /// let entries = entries_of_record(&record);
    /// assert_eq!(entries[0].effective_trace_id(), None); // console text: no trace
    /// assert_eq!(entries[1].effective_trace_id(), Some("tr-1"));
    /// assert_eq!(entries[2].trace_id, None);
    /// assert_eq!(entries[2].effective_trace_id(), Some("tr-1")); // the exception: its record's
    /// ```
    pub fn effective_trace_id(&self) -> Option<&str> {
        match self.kind {
            EntryKind::Exception => self.record.trace_id.as_deref(),
            _ => self.trace_id.as_deref(),
        }
    }

    /// The index keys of this entry (the same as [`nno_obs_store::entry::record_entry_keys`]).
    pub fn keys(&self) -> EntryKeys {
        EntryKeys {
            time_ms: self.time_ms,
            trace_id: self.trace_id.clone(),
            user_id: self.user_id.clone(),
        }
    }
}

/// The entries of `record`, in order (logs, then exceptions, then the outcome entry).
///
/// ```
/// use nno_obs_logs::entry::{entries_of_record, EntryKind};
///
/// let record = serde_json::from_str(r#"{"ScriptName":"nno-registry-prod","Outcome":"exception",
///   "EventTimestampMs":1000,
///   "Logs":[{"Level":"warn","Message":["slow", 300],"TimestampMs":1001}],
///   "Exceptions":[{"Name":"TypeError","Message":"x is undefined","TimestampMs":1002}]}"#).unwrap();
/// let entries = entries_of_record(&record);
/// assert_eq!(entries[0].kind, EntryKind::Text);
/// assert_eq!(entries[0].message, "slow 300");
/// assert_eq!(entries[0].service.as_deref(), Some("registry"));
/// assert_eq!(entries[1].message, "TypeError: x is undefined");
/// assert_eq!(entries[1].trace_id, None); // an exception has no trace id of its own…
///
/// let record = serde_json::from_str(r#"{"ScriptName":"nno-registry-prod","Outcome":"exception",
///   "Logs":[{"Level":"log","Message":["{\"level\":\"error\",\"service\":\"registry\",\"traceId\":\"tr-1\",\"message\":\"boom\"}"]}],
///   "Exceptions":[{"Name":"TypeError","Message":"x is undefined"}]}"#).unwrap();
/// let entries = entries_of_record(&record);
/// assert_eq!(entries[1].record.trace_id.as_deref(), Some("tr-1")); // …its record has its trace
/// ```
pub fn entries_of_record(record: &TraceEventRecord) -> Vec<Entry> {
    entries_of_owned_record(record.clone(), &mut ScriptCache::default())
}

/// [`entries_of_record`] taking the record, so our lines move into their entries uncopied,
/// with a [`ScriptCache`] kept across a file's records.
pub fn entries_of_owned_record(
    mut record: TraceEventRecord,
    scripts: &mut ScriptCache,
) -> Vec<Entry> {
    let facts = Arc::new(RecordFacts::of(&record, scripts));
    let mut entries = Vec::with_capacity(record.logs.len() + record.exceptions.len());
    let logs = std::mem::take(&mut record.logs);
    for log in logs {
        entries.push(log_entry(&record, log, &facts));
    }
    for exception in &record.exceptions {
        let message = match (&exception.name, &exception.message) {
            (Some(name), Some(message)) => format!("{name}: {message}"),
            (Some(name), None) => name.clone(),
            (None, Some(message)) => message.clone(),
            (None, None) => String::new(),
        };
        entries.push(plain(
            &facts,
            exception.timestamp_ms.or(record.event_timestamp_ms),
            Level::Error,
            EntryKind::Exception,
            message,
        ));
    }
    if entries.is_empty() && !record.outcome.is_ok() {
        entries.push(plain(
            &facts,
            record.event_timestamp_ms,
            Level::Error,
            EntryKind::Outcome,
            format!("invocation ended: {}", record.outcome),
        ));
    }
    entries
}

fn plain(
    facts: &Arc<RecordFacts>,
    time_ms: Option<u64>,
    level: Level,
    kind: EntryKind,
    message: String,
) -> Entry {
    Entry {
        time_ms,
        level,
        kind,
        service: facts.script_service.clone(),
        feature: facts.script_feature.clone(),
        platform: facts.script_platform.clone(),
        trace_id: None,
        request_id: None,
        user_id: None,
        message,
        line: None,
        extra_args: None,
        record: facts.clone(),
    }
}

fn log_entry(record: &TraceEventRecord, log: TraceLog, facts: &Arc<RecordFacts>) -> Entry {
    let line = our_line(&log);
    let time_ms = log_entry_time(line.as_ref(), &log, record);
    match line {
        Some(line) => {
            let mut arguments = log.message.into_iter();
            let raw = match arguments.next() {
                Some(Value::String(mut text)) => {
                    let kept = text.trim_end_matches(['\n', '\r']).len();
                    text.truncate(kept);
                    Some(text)
                }
                _ => None,
            };
            let rest: Vec<Value> = arguments.collect();
            let extra_args = (!rest.is_empty()).then(|| Value::Array(rest).to_string());
            Entry {
                time_ms,
                level: line.level.parse().unwrap_or(Level::Info),
                kind: EntryKind::Line,
                service: Some(line.service),
                feature: line.feature_id.or_else(|| facts.script_feature.clone()),
                platform: facts.script_platform.clone().or(line.platform_id),
                trace_id: line.trace_id,
                request_id: line.request_id,
                user_id: line.user_id,
                message: line.message,
                line: raw,
                extra_args,
                record: facts.clone(),
            }
        }
        None => plain(
            facts,
            time_ms,
            Level::from_console(log.level.as_deref()),
            EntryKind::Text,
            console_text(&log.message),
        ),
    }
}

/// The arguments of a console call joined by one space; strings as they are, anything else as
/// its compact JSON.
pub fn console_text(arguments: &[Value]) -> String {
    let mut text = String::new();
    for (position, argument) in arguments.iter().enumerate() {
        if position > 0 {
            text.push(' ');
        }
        match argument {
            Value::String(s) => text.push_str(s),
            other => text.push_str(&other.to_string()),
        }
    }
    text
}
