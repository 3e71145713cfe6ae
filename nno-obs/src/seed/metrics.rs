//! `record_metric` (seed §1.4) and `emit_span` (seed §4.2).

use crate::clock::Timestamp;
use crate::schema::SpanRecord;
use crate::telemetry::{Dataset, Telemetry};
use crate::{DataPoint, LogLevel};

/// Records one metric value.
///
/// With a dataset (production: the `NNO_METRICS` binding, `nno_metrics`) it writes the point
/// of [`DataPoint::metric`] — name, then label values in the order given; the value; the name
/// as index — and never fails: a sink error is swallowed and counted. Without one it writes the
/// development line `{"metric":…,"value":…,"labels":{…},"timestamp":…}` through the
/// [process default](Telemetry::process_default) telemetry's log sink (the console unless
/// configured otherwise), labels in the order given, `timestamp` as in log lines.
///
/// ```
/// use nno_obs::record_metric;
///
/// // No binding: prints {"metric":"gateway.request.count","value":1,"labels":{"route":"/api/data"},"timestamp":"…"}
/// record_metric("gateway.request.count", 1.0, &[("route", "/api/data")], None);
/// ```
pub fn record_metric(name: &str, value: f64, labels: &[(&str, &str)], dataset: Option<&Dataset>) {
    match dataset {
        Some(dataset) => {
            dataset.write(&DataPoint::metric(name, value, labels));
        }
        None => {
            let telemetry = Telemetry::process_default();
            crate::entry::with_line_buffer(|line| {
                write_metric_fallback(line, name, value, labels, telemetry.clock().now_ms());
                telemetry.write_raw_line(LogLevel::Info, line);
            });
        }
    }
}

/// Appends the development line of `record_metric`, with its `\n`.
pub(crate) fn write_metric_fallback(
    out: &mut Vec<u8>,
    name: &str,
    value: f64,
    labels: &[(&str, &str)],
    timestamp_ms: u64,
) {
    out.extend_from_slice(b"{\"metric\":");
    crate::json::write_str(out, name);
    out.extend_from_slice(b",\"value\":");
    crate::json::write_f64(out, value);
    out.extend_from_slice(b",\"labels\":{");
    for (position, (key, label)) in labels.iter().enumerate() {
        if position > 0 {
            out.push(b',');
        }
        crate::json::write_str(out, key);
        out.push(b':');
        crate::json::write_str(out, label);
    }
    out.extend_from_slice(b"},\"timestamp\":\"");
    out.extend_from_slice(Timestamp::from_unix_ms(timestamp_ms).as_str().as_bytes());
    out.extend_from_slice(b"\"}\n");
}

/// Writes the span point of seed §4.2 to `dataset` (production: the `SPANS` binding,
/// `nno-core-ops-spans`); never fails. Request contexts emit their spans themselves
/// ([`Obs::start_span`](crate::Obs::start_span)); this is the seed's free function.
///
/// ```
/// use nno_obs::{emit_span, sink::MemorySink, Dataset, SpanOutcome, SpanRecord};
///
/// let memory = MemorySink::new();
/// let spans = Dataset::new("nno-core-ops-spans", memory.clone());
/// emit_span(&spans, &SpanRecord {
///     trace_id: "tr_abc123",
///     span_id: "00f067aa0ba902b7",
///     parent_span_id: None,
///     service: "provisioning",
///     operation: "create-d1",
///     start_ms: 0,
///     end_ms: 12,
///     outcome: SpanOutcome::Ok,
///     platform_id: Some("k3m9p2xw7q"),
///     job: None,
/// });
/// assert_eq!(memory.points()[0].blobs[6], "k3m9p2xw7q");
/// ```
pub fn emit_span(dataset: &Dataset, span: &SpanRecord<'_>) {
    dataset.write(&DataPoint::span(span));
}
