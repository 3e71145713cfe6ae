//! The data point layouts of the seed: spans (§4.2), `{platformId}-perf` and `nno-core-ops`
//! (§3.2), and `record_metric` (§1.4). Golden tests pin each one.

use crate::datapoint::{DataPoint, MAX_BLOBS};

/// The platform id written when an operation belongs to no platform.
pub const NNO_INTERNAL: &str = "nno-internal";

/// How a span ended (seed §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpanOutcome {
    /// `"ok"`.
    Ok,
    /// `"error"`.
    Error,
}

impl SpanOutcome {
    /// The wire text.
    pub const fn as_str(self) -> &'static str {
        match self {
            SpanOutcome::Ok => "ok",
            SpanOutcome::Error => "error",
        }
    }
}

/// A finished span: the argument of the seed's `emitSpan`.
#[derive(Clone, Copy, Debug)]
pub struct SpanRecord<'a> {
    /// The trace the span belongs to.
    pub trace_id: &'a str,
    /// This span's id.
    pub span_id: &'a str,
    /// The parent's id; `None` for a root span (written as `""`).
    pub parent_span_id: Option<&'a str>,
    /// The service that ran the span.
    pub service: &'a str,
    /// What the span did, e.g. `create-d1`.
    pub operation: &'a str,
    /// Start, in ms since the epoch.
    pub start_ms: u64,
    /// End, in ms since the epoch.
    pub end_ms: u64,
    /// How it ended.
    pub outcome: SpanOutcome,
    /// The platform, or `None` for NNO's own work (written as `nno-internal`).
    pub platform_id: Option<&'a str>,
}

impl<'a> DataPoint<'a> {
    /// The span point of seed §4.2: blobs `traceId, spanId, parentSpanId or "", service,
    /// operation, outcome, platformId or "nno-internal"`; doubles `duration ms, error flag`;
    /// index traceId.
    ///
    /// ```
    /// use nno_obs::{DataPoint, SpanOutcome, SpanRecord};
    ///
    /// let point = DataPoint::span(&SpanRecord {
    ///     trace_id: "tr_abc123",
    ///     span_id: "00f067aa0ba902b7",
    ///     parent_span_id: None,
    ///     service: "provisioning",
    ///     operation: "create-d1",
    ///     start_ms: 1_000,
    ///     end_ms: 1_250,
    ///     outcome: SpanOutcome::Error,
    ///     platform_id: None,
    /// });
    /// assert_eq!(point.blobs(), ["tr_abc123", "00f067aa0ba902b7", "", "provisioning", "create-d1", "error", "nno-internal"]);
    /// assert_eq!(point.doubles(), [250.0, 1.0]);
    /// assert_eq!(point.index_value(), Some("tr_abc123"));
    /// ```
    pub fn span(span: &SpanRecord<'a>) -> Self {
        let mut point = DataPoint::new();
        point.push_blob(span.trace_id);
        point.push_blob(span.span_id);
        point.push_blob(span.parent_span_id.unwrap_or(""));
        point.push_blob(span.service);
        point.push_blob(span.operation);
        point.push_blob(span.outcome.as_str());
        point.push_blob(span.platform_id.unwrap_or(NNO_INTERNAL));
        point.push_double(span.end_ms.saturating_sub(span.start_ms) as f64);
        point.push_double(error_flag(span.outcome == SpanOutcome::Error));
        point.set_index(span.trace_id);
        point
    }
}

/// One request handled by a platform feature Worker: a `{platformId}-perf` point (seed §3.2).
#[derive(Clone, Copy, Debug)]
pub struct PerfRecord<'a> {
    /// The feature, e.g. `analytics`.
    pub feature_id: &'a str,
    /// `METHOD route`, e.g. `GET /api/data`.
    pub endpoint: &'a str,
    /// The HTTP status.
    pub status: u16,
    /// The tenant.
    pub entity_id: &'a str,
    /// How long the request took.
    pub duration_ms: u64,
}

impl<'a> DataPoint<'a> {
    /// The `{platformId}-perf` point of seed §3.2: blobs `featureId, endpoint, status,
    /// entityId`; doubles `1, durationMs, status >= 500 ? 1 : 0`; index featureId.
    ///
    /// ```
    /// use nno_obs::{DataPoint, PerfRecord};
    ///
    /// let point = DataPoint::perf(&PerfRecord {
    ///     feature_id: "analytics",
    ///     endpoint: "POST /api/data/export",
    ///     status: 503,
    ///     entity_id: "r8n4t6y1z5",
    ///     duration_ms: 45,
    /// });
    /// assert_eq!(point.blobs(), ["analytics", "POST /api/data/export", "503", "r8n4t6y1z5"]);
    /// assert_eq!(point.doubles(), [1.0, 45.0, 1.0]);
    /// ```
    pub fn perf(record: &PerfRecord<'a>) -> Self {
        let mut point = DataPoint::new();
        point.push_blob(record.feature_id);
        point.push_blob(record.endpoint);
        point.push_blob(status_text(record.status));
        point.push_blob(record.entity_id);
        point.push_double(1.0);
        point.push_double(record.duration_ms as f64);
        point.push_double(error_flag(record.status >= 500));
        point.set_index(record.feature_id);
        point
    }
}

/// How an NNO core operation ended (seed §3.2, `nno-core-ops` blob3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpOutcome {
    /// `"success"`.
    Success,
    /// `"error"`.
    Error,
    /// `"timeout"`.
    Timeout,
}

impl OpOutcome {
    /// The wire text.
    pub const fn as_str(self) -> &'static str {
        match self {
            OpOutcome::Success => "success",
            OpOutcome::Error => "error",
            OpOutcome::Timeout => "timeout",
        }
    }
}

/// One operation of an NNO core service: an `nno-core-ops` point (seed §3.2).
#[derive(Clone, Copy, Debug)]
pub struct CoreOpRecord<'a> {
    /// The service, e.g. `registry`.
    pub service: &'a str,
    /// The operation, e.g. `GET /platforms`.
    pub operation: &'a str,
    /// How it ended.
    pub outcome: OpOutcome,
    /// The platform it was for, or `None` (written as `nno-internal`).
    pub platform_id: Option<&'a str>,
    /// How long it took.
    pub duration_ms: u64,
}

impl<'a> DataPoint<'a> {
    /// The `nno-core-ops` point of seed §3.2: blobs `service, operation, outcome, platformId
    /// or "nno-internal"`; doubles `1, durationMs, error flag`; index service. The error flag is
    /// 1 for `error` and `timeout`.
    ///
    /// ```
    /// use nno_obs::{CoreOpRecord, DataPoint, OpOutcome};
    ///
    /// let point = DataPoint::core_op(&CoreOpRecord {
    ///     service: "registry",
    ///     operation: "GET /platforms",
    ///     outcome: OpOutcome::Success,
    ///     platform_id: Some("k3m9p2xw7q"),
    ///     duration_ms: 12,
    /// });
    /// assert_eq!(point.blobs(), ["registry", "GET /platforms", "success", "k3m9p2xw7q"]);
    /// assert_eq!(point.doubles(), [1.0, 12.0, 0.0]);
    /// assert_eq!(point.index_value(), Some("registry"));
    /// ```
    pub fn core_op(record: &CoreOpRecord<'a>) -> Self {
        let mut point = DataPoint::new();
        point.push_blob(record.service);
        point.push_blob(record.operation);
        point.push_blob(record.outcome.as_str());
        point.push_blob(record.platform_id.unwrap_or(NNO_INTERNAL));
        point.push_double(1.0);
        point.push_double(record.duration_ms as f64);
        point.push_double(error_flag(record.outcome != OpOutcome::Success));
        point.set_index(record.service);
        point
    }

    /// The `record_metric` point of seed §1.4: blobs the metric name, then the label values
    /// **sorted by label key** (so a label's position does not depend on the order a call site
    /// wrote them in); doubles the value; index the name. At most 19 labels fit beside the name;
    /// further ones are dropped and counted as truncation.
    ///
    /// ```
    /// use nno_obs::DataPoint;
    ///
    /// let point = DataPoint::metric("gateway.request.count", 1.0, &[("route", "/a"), ("method", "GET")]);
    /// assert_eq!(point.blobs(), ["gateway.request.count", "GET", "/a"]);
    /// assert_eq!(point.doubles(), [1.0]);
    /// assert_eq!(point.index_value(), Some("gateway.request.count"));
    /// ```
    pub fn metric(name: &'a str, value: f64, labels: &[(&'a str, &'a str)]) -> Self {
        let mut point = DataPoint::new();
        point.push_blob(name);
        // Sort label references on the stack: no allocation for the ≤ 19 that can fit.
        let mut sorted: [(&str, &str); MAX_BLOBS - 1] = [("", ""); MAX_BLOBS - 1];
        let kept = labels.len().min(sorted.len());
        sorted[..kept].copy_from_slice(&labels[..kept]);
        // Stable, so equal keys keep their call-site order.
        sorted[..kept].sort_by(|a, b| a.0.cmp(b.0));
        for (_, value) in &sorted[..kept] {
            point.push_blob(value);
        }
        for (_, value) in &labels[kept..] {
            point.push_blob(value);
        }
        point.push_double(value);
        point.set_index(name);
        point
    }
}

fn error_flag(is_error: bool) -> f64 {
    if is_error {
        1.0
    } else {
        0.0
    }
}

/// The three digits of every status code, so a status becomes a `&'static str` blob.
static STATUS_DIGITS: [[u8; 3]; 1000] = status_digits();

const fn status_digits() -> [[u8; 3]; 1000] {
    let mut table = [[0u8; 3]; 1000];
    let mut code = 0;
    while code < 1000 {
        table[code] = [
            b'0' + (code / 100) as u8,
            b'0' + (code / 10 % 10) as u8,
            b'0' + (code % 10) as u8,
        ];
        code += 1;
    }
    table
}

/// `String(status)` without allocating; values outside 100..=999 (not HTTP statuses) are
/// written as `"000"`.
pub(crate) fn status_text(status: u16) -> &'static str {
    let digits = match STATUS_DIGITS.get(usize::from(status)) {
        Some(digits) if status >= 100 => digits,
        _ => &STATUS_DIGITS[0],
    };
    std::str::from_utf8(digits).unwrap_or("000")
}

#[cfg(test)]
mod tests {
    use super::status_text;

    #[test]
    fn statuses_are_three_digits() {
        assert_eq!(status_text(200), "200");
        assert_eq!(status_text(503), "503");
        assert_eq!(status_text(999), "999");
        assert_eq!(status_text(99), "000");
        assert_eq!(status_text(1000), "000");
    }
}
