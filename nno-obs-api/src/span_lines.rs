//! Where a span's own log lines say it started (seed §4.1's lines, §4.2's spans).
//!
//! A span point carries its end cut to the second (seed §4.2), so a waterfall drawn from it
//! alone places steps that ran one after another up to a second off, overlapping. The trace's
//! log lines are timed to the millisecond, and a span's first line is its start. The lines
//! carry no span id, so a line belongs to a span when it comes from the span's service and
//! names its operation:
//!
//! - a provisioning step's lines carry `"step": OPERATION` (`step started`, …);
//! - a request's `→ request` line carries `method` and `path`, which match the span's
//!   `METHOD /route/:param` operation.
//!
//! [`nno_obs_query::questions::Trace::with_starts`] takes the earliest of these that agrees
//! with the span point's end second, and keeps the estimate where there is none.

use nno_obs_logs::entry::Entry;
use nno_obs_query::questions::Span;

/// The facts of one line that can tie it to a span.
#[derive(Clone, Debug, PartialEq)]
struct LineFacts {
    time_ms: u64,
    service: String,
    step: Option<String>,
    method: Option<String>,
    path: Option<String>,
}

/// The trace's lines, ready to be asked which of them are a span's.
///
/// ```
/// use nno_obs_api::span_lines::SpanLines;
/// use nno_obs_logs::entry::entries_of_record;
///
/// let record = serde_json::from_str(r#"{"ScriptName":"nno-provisioning-prod","Outcome":"ok",
///   "EventTimestampMs":1771756440000,
///   "Logs":[{"Level":"log","TimestampMs":1771756440412,"Message":["{\"timestamp\":\"2026-02-22T10:34:00.412Z\",\"level\":\"info\",\"service\":\"provisioning\",\"traceId\":\"t1\",\"message\":\"step started\",\"step\":\"deploy-worker\"}"]}]}"#).unwrap();
/// let lines = SpanLines::new(&entries_of_record(&record));
/// assert_eq!(lines.len(), 1);
/// ```
#[derive(Clone, Debug, Default)]
pub struct SpanLines {
    lines: Vec<LineFacts>,
}

impl SpanLines {
    /// Reads the facts of `entries` (a trace's log lines); an entry without a time, a service
    /// or a JSON line of ours ties to no span.
    pub fn new<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Self {
        let lines = entries
            .into_iter()
            .filter_map(|entry| {
                let time_ms = entry.time_ms?;
                let service = entry.service.clone()?;
                let line: serde_json::Value = serde_json::from_str(entry.line.as_deref()?).ok()?;
                let text = |name: &str| line.get(name)?.as_str().map(str::to_owned);
                Some(LineFacts {
                    time_ms,
                    service,
                    step: text("step"),
                    method: text("method"),
                    path: text("path"),
                })
            })
            .collect();
        Self { lines }
    }

    /// How many lines can tie to a span.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether none can.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The times of `span`'s own lines, ms since the epoch, in the order read.
    pub fn times_of(&self, span: &Span) -> Vec<f64> {
        self.lines
            .iter()
            .filter(|line| line.service == span.service && is_of(line, &span.operation))
            .map(|line| line.time_ms as f64)
            .collect()
    }
}

/// Whether `line` names `operation`: as its step, or as its request (`METHOD /route`).
fn is_of(line: &LineFacts, operation: &str) -> bool {
    if line.step.as_deref() == Some(operation) {
        return true;
    }
    match (&line.method, &line.path, operation.split_once(' ')) {
        (Some(method), Some(path), Some((op_method, route))) => {
            method.eq_ignore_ascii_case(op_method) && route_matches(route, path)
        }
        _ => false,
    }
}

/// Whether `path` (its query string ignored) is an instance of `route`: a `:name` segment
/// matches any one non-empty segment, a `*name` segment the rest.
///
/// ```
/// use nno_obs_api::span_lines::route_matches;
/// assert!(route_matches("/api/platforms/:id/activate", "/api/platforms/k3m9p2xw7q/activate"));
/// assert!(route_matches("/api/*rest", "/api/a/b?x=1"));
/// assert!(!route_matches("/jobs", "/jobs/1") && !route_matches("/api/:id", "/api/"));
/// ```
pub fn route_matches(route: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let mut want = route.split('/');
    let mut have = path.split('/');
    loop {
        match (want.next(), have.next()) {
            (None, None) => return true,
            (Some(w), _) if w.starts_with('*') => return true,
            (Some(w), Some(h)) if w.starts_with(':') && w.len() > 1 => {
                if h.is_empty() {
                    return false;
                }
            }
            (Some(w), Some(h)) if w == h => {}
            _ => return false,
        }
    }
}
