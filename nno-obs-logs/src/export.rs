//! An entry written back as a record: what `nno-obs logs export` writes, so that a search over
//! the export (or anything else that reads Workers Trace Events, seed §2.4) finds the same
//! entries, at the same times, by the same filters.
//!
//! Each entry becomes a one-entry record of the store's own format: its `ScriptName`,
//! `Outcome`, `EventTimestampMs` and `Event` (ray id, request, status) from the record it came
//! from, and
//!
//! | entry | written as |
//! |---|---|
//! | our line | `Logs: [{Level, Message: [the line as written, extra arguments…], TimestampMs}]` |
//! | console text | `Logs: [{Level, Message: [the text], TimestampMs}]` |
//! | exception | `Exceptions: [{Message: "Name: Message", TimestampMs}]` |
//! | outcome | no logs, no exceptions: the record itself says `invocation ended: {Outcome}` |
//!
//! Reading the record gives back the entry (`entries_of_record(&record_of(&e)) == [e]`): the
//! time, level, trace, user and request ids, service, feature and platform a search matches by
//! are read from the same line and script name. Two console arguments joined into one text
//! read back as that text.

use crate::entry::{Entry, EntryKind};
use nno_obs_store::record::{
    Event, EventRequest, EventResponse, Outcome, TraceEventRecord, TraceException, TraceLog,
};
use serde_json::Value;

/// `entry` as a one-entry record that reads back as `entry`.
///
/// ```
/// use nno_obs_logs::entry::entries_of_record;
/// use nno_obs_logs::export::record_of;
///
/// let record = serde_json::from_str(r#"{"ScriptName":"nno-registry-prod","Outcome":"ok",
///   "EventTimestampMs":1771756440000,
///   "Logs":[{"Level":"log","Message":["{\"timestamp\":\"2026-02-22T10:34:00.123Z\",\"level\":\"warn\",\"service\":\"registry\",\"traceId\":\"t1\",\"message\":\"slow query\"}"],"TimestampMs":1771756440123},
///           {"Level":"warn","Message":["plain", 2],"TimestampMs":1771756440200}]}"#).unwrap();
/// for entry in entries_of_record(&record) {
///     assert_eq!(entries_of_record(&record_of(&entry)), [entry]);
/// }
/// ```
pub fn record_of(entry: &Entry) -> TraceEventRecord {
    let facts = &entry.record;
    let request = (facts.method.is_some() || facts.url.is_some()).then(|| EventRequest {
        url: facts.url.clone(),
        method: facts.method.clone(),
    });
    let response = facts.status.map(|status| EventResponse {
        status: Some(status),
    });
    let event = (facts.ray.is_some() || request.is_some() || response.is_some()).then(|| Event {
        ray_id: facts.ray.clone(),
        request,
        response,
    });
    let mut record = TraceEventRecord {
        script_name: facts.script.clone(),
        outcome: Outcome::parse(&facts.outcome),
        event_timestamp_ms: facts.event_timestamp_ms,
        event,
        ..TraceEventRecord::default()
    };
    // The console method that reads back as the entry's level (`Level::from_console`).
    let level = Some(entry.level.as_str().to_owned());
    match entry.kind {
        EntryKind::Line => {
            let mut message = vec![Value::String(
                entry.line.clone().unwrap_or_else(|| entry.message.clone()),
            )];
            if let Some(Ok(Value::Array(rest))) =
                entry.extra_args.as_deref().map(serde_json::from_str)
            {
                message.extend(rest);
            }
            record.logs.push(TraceLog {
                level,
                message,
                timestamp_ms: entry.time_ms,
            });
        }
        EntryKind::Text => record.logs.push(TraceLog {
            level,
            message: vec![Value::String(entry.message.clone())],
            timestamp_ms: entry.time_ms,
        }),
        EntryKind::Exception => record.exceptions.push(TraceException {
            name: None,
            message: Some(entry.message.clone()),
            timestamp_ms: entry.time_ms,
        }),
        EntryKind::Outcome => {}
    }
    record
}
