//! One Worker invocation's console output, captured and finished as one Trace Events record:
//! what Cloudflare's runtime does for Logpush, done locally.

use super::LocalStore;
use crate::layout::ScriptName;
use crate::record::{
    Event, EventRequest, EventResponse, Outcome, TraceEventRecord, TraceException, TraceLog,
};
use nno_obs::clock::Clock;
use nno_obs::sink::{LogLine, LogSink};
use nno_obs::LogLevel;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};

/// The triggering event of an invocation, as the record's `EventType` and `Event`.
///
/// ```
/// use nno_obs_store::fs::EventMeta;
///
/// let meta = EventMeta::fetch("GET", "https://a.example/x", 200).with_ray_id("8b2e4f1a2b3c4d5e");
/// assert_eq!(meta.ray_id.as_deref(), Some("8b2e4f1a2b3c4d5e"));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventMeta {
    /// `EventType`, e.g. `fetch` or `scheduled`.
    pub event_type: String,
    /// `Event.Request.Method`.
    pub method: Option<String>,
    /// `Event.Request.URL`.
    pub url: Option<String>,
    /// `Event.Response.Status`.
    pub status: Option<u16>,
    /// `Event.RayID`; a random 16-hex-digit one when not given.
    pub ray_id: Option<String>,
}

impl EventMeta {
    /// A `fetch` event.
    pub fn fetch(method: &str, url: &str, status: u16) -> Self {
        Self {
            event_type: "fetch".to_owned(),
            method: Some(method.to_owned()),
            url: Some(url.to_owned()),
            status: Some(status),
            ray_id: None,
        }
    }

    /// A `scheduled` event (cron), which has no request.
    pub fn scheduled() -> Self {
        Self {
            event_type: "scheduled".to_owned(),
            ..Self::default()
        }
    }

    /// Sets the ray id.
    pub fn with_ray_id(mut self, ray_id: &str) -> Self {
        self.ray_id = Some(ray_id.to_owned());
        self
    }
}

/// Captures the console output of one invocation; a [`LogSink`] for a per-invocation
/// `Telemetry::builder().log_sink(invocation.clone())`.
///
/// As in Workers, `error` lines are `console.error` (`Level` `error`) and the rest
/// `console.log` (`Level` `log`); `TimestampMs` is the clock's time at the call. See
/// [`LocalStore`] for an example.
#[derive(Debug)]
pub struct Invocation {
    store: Arc<LocalStore>,
    clock: Clock,
    started_ms: u64,
    captured: Mutex<Captured>,
}

#[derive(Debug, Default)]
struct Captured {
    logs: Vec<TraceLog>,
    exceptions: Vec<TraceException>,
}

impl Invocation {
    /// Starts an invocation now (by `clock`).
    pub fn start(store: Arc<LocalStore>, clock: Clock) -> Arc<Self> {
        let started_ms = clock.now_ms();
        Arc::new(Self {
            store,
            clock,
            started_ms,
            captured: Mutex::new(Captured::default()),
        })
    }

    fn captured(&self) -> MutexGuard<'_, Captured> {
        self.captured
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records an uncaught exception (`Exceptions[]`), e.g. a handler's panic or `Err`.
    pub fn exception(&self, name: &str, message: &str) {
        let timestamp_ms = Some(self.clock.now_ms());
        self.captured().exceptions.push(TraceException {
            name: Some(name.to_owned()),
            message: Some(message.to_owned()),
            timestamp_ms,
        });
    }

    /// Ends the invocation: appends one record with everything captured so far to its bucket's
    /// open batch, arriving now by the clock (the capture is emptied, so a second `finish`
    /// writes a record with no logs).
    pub fn finish(&self, script: &ScriptName, outcome: Outcome, meta: EventMeta) -> io::Result<()> {
        let captured = std::mem::take(&mut *self.captured());
        let ray_id = meta.ray_id.unwrap_or_else(random_ray_id);
        let request = (meta.method.is_some() || meta.url.is_some()).then_some(EventRequest {
            url: meta.url,
            method: meta.method,
        });
        let record = TraceEventRecord {
            script_name: Some(script.as_str().to_owned()),
            outcome,
            event_timestamp_ms: Some(self.started_ms),
            event_type: Some(meta.event_type),
            event: Some(Event {
                ray_id: Some(ray_id),
                request,
                response: meta.status.map(|status| EventResponse {
                    status: Some(status),
                }),
            }),
            ray: None,
            logs: captured.logs,
            exceptions: captured.exceptions,
        };
        // It arrives when it finishes, as Logpush receives an invocation's record at its end.
        self.store
            .append_record_at(script, &record, self.clock.now_ms())
    }
}

fn random_ray_id() -> String {
    let uuid = uuid::Uuid::new_v4();
    uuid.simple().to_string()[..16].to_owned()
}

impl LogSink for Invocation {
    fn write_line(&self, level: LogLevel, line: LogLine<'_>) -> io::Result<()> {
        let console_level = if level.is_stderr() { "error" } else { "log" };
        let log = TraceLog {
            level: Some(console_level.to_owned()),
            message: vec![serde_json::Value::String(line.without_newline().to_owned())],
            timestamp_ms: Some(self.clock.now_ms()),
        };
        self.captured().logs.push(log);
        Ok(())
    }
}
