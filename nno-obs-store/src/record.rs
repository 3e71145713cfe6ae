//! The Workers Trace Events record: what Logpush writes to R2, one JSON object per line, one
//! record per Worker invocation.
//!
//! Field names and types follow Cloudflare's dataset reference, *Workers Trace Events*
//! (`developers.cloudflare.com/logs/reference/log-fields/account/workers_trace_events/`,
//! checked 2026-11-28): `ScriptName` (string), `Outcome` (string; `ok` | `exception`, and the
//! Tail Worker `TraceItem.outcome` values `exceededCpu`, `exceededMemory`, `canceled`,
//! `scriptNotFound`, `responseStreamDisconnected`, `unknown`), `EventTimestampMs` (int),
//! `EventType` (string: `fetch` | `scheduled` | `alarm` | `queue` | `email` | `worker_rpc` |
//! `hibernatable_web_socket`), `Event` (object: for `fetch`, `RayID`, `Request` with `URL` and
//! `Method`, `Response` with `Status`), `Logs` (array of `{Level, Message[], TimestampMs}`),
//! `Exceptions` (array of `{Name, Message, TimestampMs}`). Fields the search does not use
//! (`CPUTimeMs`, `WallTimeMs`, `ScriptTags`, `ScriptVersion`, `DispatchNamespace`,
//! `Entrypoint`) are ignored when read. The seed's example (§2.4) carries the ray id as a
//! top-level `Ray`; today's dataset has it in `Event.RayID`. Both are accepted;
//! [`TraceEventRecord::ray_id`] prefers `Event.RayID`.
//!
//! Reading is lenient (see [`crate::lenient`]): a field of the wrong JSON type is dropped, not
//! the record. Writing is exact: the key order of [`TraceEventRecord`]'s fields, absent
//! optional fields left out.

use crate::lenient;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One invocation of a Worker, as Logpush writes it.
///
/// ```
/// use nno_obs_store::record::{Outcome, TraceEventRecord};
///
/// let line = r#"{"ScriptName":"nno-registry-prod","Outcome":"ok","EventTimestampMs":1771756440123,
///   "Ray":"8b2e4f1a2b3c4d5e","Logs":[{"Level":"log","Message":["hi"],"TimestampMs":1771756440100}]}"#;
/// let record: TraceEventRecord = serde_json::from_str(line).unwrap();
/// assert_eq!(record.outcome, Outcome::Ok);
/// assert_eq!(record.ray_id(), Some("8b2e4f1a2b3c4d5e"));
/// assert_eq!(record.logs[0].message[0], "hi");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TraceEventRecord {
    /// The Worker's script name, e.g. `k3m9p2xw7q-r8n4t6y1z5-analytics-prod`.
    #[serde(
        rename = "ScriptName",
        default,
        deserialize_with = "lenient::opt_string"
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script_name: Option<String>,
    /// How the invocation ended.
    #[serde(rename = "Outcome", default)]
    pub outcome: Outcome,
    /// When the event was received, in milliseconds since the Unix epoch.
    #[serde(
        rename = "EventTimestampMs",
        default,
        deserialize_with = "lenient::opt_ms"
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_timestamp_ms: Option<u64>,
    /// What triggered the invocation (`fetch`, `scheduled`, …).
    #[serde(
        rename = "EventType",
        default,
        deserialize_with = "lenient::opt_string"
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    /// The triggering event; for `fetch`, the request, the response status and the ray id.
    #[serde(rename = "Event", default, deserialize_with = "lenient::opt_object")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<Event>,
    /// The seed's top-level ray id (§2.4); today's records use `Event.RayID`.
    #[serde(rename = "Ray", default, deserialize_with = "lenient::opt_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ray: Option<String>,
    /// The console messages, in order.
    #[serde(rename = "Logs", default, deserialize_with = "lenient::seq_of_objects")]
    pub logs: Vec<TraceLog>,
    /// The uncaught exceptions, in order.
    #[serde(
        rename = "Exceptions",
        default,
        deserialize_with = "lenient::seq_of_objects"
    )]
    pub exceptions: Vec<TraceException>,
}

impl TraceEventRecord {
    /// The ray id: `Event.RayID`, else the seed's top-level `Ray`.
    pub fn ray_id(&self) -> Option<&str> {
        self.event
            .as_ref()
            .and_then(|event| event.ray_id.as_deref())
            .or(self.ray.as_deref())
    }
}

/// The triggering event of a `fetch` invocation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The Cloudflare ray id of the request.
    #[serde(rename = "RayID", default, deserialize_with = "lenient::opt_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ray_id: Option<String>,
    /// The request.
    #[serde(rename = "Request", default, deserialize_with = "lenient::opt_object")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<EventRequest>,
    /// The response.
    #[serde(rename = "Response", default, deserialize_with = "lenient::opt_object")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<EventResponse>,
}

/// `Event.Request`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EventRequest {
    /// The URL (Cloudflare redacts parts of it by default).
    #[serde(rename = "URL", default, deserialize_with = "lenient::opt_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The HTTP method.
    #[serde(rename = "Method", default, deserialize_with = "lenient::opt_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

/// `Event.Response`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EventResponse {
    /// The HTTP status.
    #[serde(rename = "Status", default, deserialize_with = "lenient::opt_status")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

/// One `console.*` call: `Logs[i]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TraceLog {
    /// The console method: `log`, `debug`, `info`, `warn` or `error`.
    #[serde(rename = "Level", default, deserialize_with = "lenient::opt_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// The arguments of the call; our `LogEntry` line is `Message[0]`.
    #[serde(
        rename = "Message",
        default,
        deserialize_with = "lenient::seq_of_values"
    )]
    pub message: Vec<serde_json::Value>,
    /// When the call was made.
    #[serde(rename = "TimestampMs", default, deserialize_with = "lenient::opt_ms")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp_ms: Option<u64>,
}

/// One uncaught exception: `Exceptions[i]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TraceException {
    /// The error type, e.g. `TypeError`.
    #[serde(rename = "Name", default, deserialize_with = "lenient::opt_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The error message.
    #[serde(rename = "Message", default, deserialize_with = "lenient::opt_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When it was thrown.
    #[serde(rename = "TimestampMs", default, deserialize_with = "lenient::opt_ms")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp_ms: Option<u64>,
}

/// How an invocation ended (`Outcome`). Values this crate does not know are kept as written.
///
/// ```
/// use nno_obs_store::record::Outcome;
///
/// assert_eq!(Outcome::parse("exceededCpu"), Outcome::ExceededCpu);
/// assert_eq!(Outcome::parse("somethingNew").as_str(), "somethingNew");
/// assert!(Outcome::Ok.is_ok());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "LenientText", into = "String")]
pub enum Outcome {
    /// `ok`.
    Ok,
    /// `exception`.
    Exception,
    /// `exceededCpu`.
    ExceededCpu,
    /// `exceededMemory`.
    ExceededMemory,
    /// `canceled`.
    Canceled,
    /// `scriptNotFound`.
    ScriptNotFound,
    /// `responseStreamDisconnected`.
    ResponseStreamDisconnected,
    /// `unknown`, or an `Outcome` that was missing or not a string.
    #[default]
    Unknown,
    /// Any other value, as written.
    Other(String),
}

impl Outcome {
    /// The value of a record's `Outcome` field.
    pub fn parse(text: &str) -> Self {
        match text {
            "ok" => Outcome::Ok,
            "exception" => Outcome::Exception,
            "exceededCpu" => Outcome::ExceededCpu,
            "exceededMemory" => Outcome::ExceededMemory,
            "canceled" => Outcome::Canceled,
            "scriptNotFound" => Outcome::ScriptNotFound,
            "responseStreamDisconnected" => Outcome::ResponseStreamDisconnected,
            "unknown" => Outcome::Unknown,
            other => Outcome::Other(other.to_owned()),
        }
    }

    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Exception => "exception",
            Outcome::ExceededCpu => "exceededCpu",
            Outcome::ExceededMemory => "exceededMemory",
            Outcome::Canceled => "canceled",
            Outcome::ScriptNotFound => "scriptNotFound",
            Outcome::ResponseStreamDisconnected => "responseStreamDisconnected",
            Outcome::Unknown => "unknown",
            Outcome::Other(text) => text,
        }
    }

    /// Whether the invocation ended normally.
    pub fn is_ok(&self) -> bool {
        *self == Outcome::Ok
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<Outcome> for String {
    fn from(outcome: Outcome) -> String {
        match outcome {
            Outcome::Other(text) => text,
            known => known.as_str().to_owned(),
        }
    }
}

/// A string if the JSON value was one; the carrier of [`Outcome`]'s lenient reading.
#[derive(Deserialize)]
#[serde(transparent)]
struct LenientText(#[serde(deserialize_with = "lenient::opt_string")] Option<String>);

impl From<LenientText> for Outcome {
    fn from(text: LenientText) -> Self {
        match text.0 {
            Some(text) => Outcome::parse(&text),
            None => Outcome::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_records_have_the_documented_key_order() {
        let record = TraceEventRecord {
            script_name: Some("k3m9p2xw7q-r8n4t6y1z5-analytics-prod".into()),
            outcome: Outcome::Ok,
            event_timestamp_ms: Some(1_771_756_440_123),
            event_type: Some("fetch".into()),
            event: Some(Event {
                ray_id: Some("8b2e4f1a2b3c4d5e".into()),
                request: Some(EventRequest {
                    url: Some("https://a.example/api/data".into()),
                    method: Some("GET".into()),
                }),
                response: Some(EventResponse { status: Some(200) }),
            }),
            ray: None,
            logs: vec![TraceLog {
                level: Some("log".into()),
                message: vec![serde_json::Value::String("{\"level\":\"info\"}".into())],
                timestamp_ms: Some(1_771_756_440_100),
            }],
            exceptions: vec![],
        };
        let line = serde_json::to_string(&record).unwrap();
        assert_eq!(
            line,
            concat!(
                r#"{"ScriptName":"k3m9p2xw7q-r8n4t6y1z5-analytics-prod","Outcome":"ok","#,
                r#""EventTimestampMs":1771756440123,"EventType":"fetch","#,
                r#""Event":{"RayID":"8b2e4f1a2b3c4d5e","Request":{"URL":"https://a.example/api/data","Method":"GET"},"Response":{"Status":200}},"#,
                r#""Logs":[{"Level":"log","Message":["{\"level\":\"info\"}"],"TimestampMs":1771756440100}],"#,
                r#""Exceptions":[]}"#
            )
        );
        let back: TraceEventRecord = serde_json::from_str(&line).unwrap();
        assert_eq!(back, record);
    }

    #[test]
    fn the_seeds_example_record_reads() {
        let seed = r#"{
          "ScriptName": "k3m9p2xw7q-r8n4t6y1z5-analytics-prod",
          "Ray": "8b2e4f1a2b3c4d5e",
          "Outcome": "ok",
          "EventTimestampMs": 1740220440123,
          "Logs": [{"Level": "log", "Message": ["{\"traceId\":\"abc\"}"], "TimestampMs": 1740220440100}]
        }"#;
        let record: TraceEventRecord = serde_json::from_str(seed).unwrap();
        assert_eq!(record.ray_id(), Some("8b2e4f1a2b3c4d5e"));
        assert_eq!(record.logs.len(), 1);
        assert!(record.exceptions.is_empty());
    }

    #[test]
    fn event_ray_id_wins_over_the_seeds_ray() {
        let record: TraceEventRecord =
            serde_json::from_str(r#"{"Ray":"seed","Event":{"RayID":"today"}}"#).unwrap();
        assert_eq!(record.ray_id(), Some("today"));
    }

    #[test]
    fn fields_of_the_wrong_type_are_dropped_not_the_record() {
        let line = r#"{"ScriptName":7,"Outcome":{"x":1},"EventTimestampMs":"1771756440123",
            "Event":"nope","Ray":[1,2],
            "Logs":[1,"x",{"Level":3,"Message":"not a list","TimestampMs":-5},
                    {"Level":"warn","Message":["a",{"b":1}],"TimestampMs":1.5e12}],
            "Exceptions":{"Name":"x"}}"#;
        let record: TraceEventRecord = serde_json::from_str(line).unwrap();
        assert_eq!(record.script_name, None);
        assert_eq!(record.outcome, Outcome::Unknown);
        assert_eq!(record.event_timestamp_ms, Some(1_771_756_440_123));
        assert_eq!(record.event, None);
        assert_eq!(record.ray, None);
        assert_eq!(record.logs.len(), 2);
        assert_eq!(record.logs[0], TraceLog::default());
        assert_eq!(record.logs[1].level.as_deref(), Some("warn"));
        assert_eq!(record.logs[1].message.len(), 2);
        assert_eq!(record.logs[1].timestamp_ms, Some(1_500_000_000_000));
        assert!(record.exceptions.is_empty());
    }

    #[test]
    fn unknown_outcomes_are_kept() {
        let record: TraceEventRecord =
            serde_json::from_str(r#"{"Outcome":"exceededWallTime"}"#).unwrap();
        assert_eq!(record.outcome.as_str(), "exceededWallTime");
        assert_eq!(
            serde_json::to_string(&record).unwrap(),
            r#"{"Outcome":"exceededWallTime","Logs":[],"Exceptions":[]}"#
        );
    }
}
