//! The span point of seed §4.2 (`nno-core-ops-spans`).

use super::job::JobRef;
use super::{error_flag, NNO_INTERNAL};
use crate::datapoint::DataPoint;
use nno_obs_schema::spans;

/// How a span ended (seed §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpanOutcome {
    /// `"ok"`.
    Ok,
    /// `"error"`.
    Error,
    /// `"started"`: the point a job writes when it starts (an extension of §4.2, see
    /// [`job`](crate::job)); never the outcome of a finished span.
    Started,
}

impl SpanOutcome {
    /// The wire text.
    pub const fn as_str(self) -> &'static str {
        match self {
            SpanOutcome::Ok => "ok",
            SpanOutcome::Error => "error",
            SpanOutcome::Started => super::job::JOB_STARTED,
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
    /// The job, for a job's own span: appended as blob8 (id) and blob9 (operation), see
    /// [`job`](crate::job). `None` writes the seed's seven blobs.
    pub job: Option<JobRef<'a>>,
}

impl<'a> DataPoint<'a> {
    /// The span point of seed §4.2: blobs `traceId, spanId, parentSpanId or "", service,
    /// operation, outcome, platformId or "nno-internal"`, then for a job's own span `jobId, job
    /// operation` (see [`job`](crate::job)); doubles `duration ms, error flag`;
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
    ///     job: None,
    /// });
    /// assert_eq!(point.blobs(), ["tr_abc123", "00f067aa0ba902b7", "", "provisioning", "create-d1", "error", "nno-internal"]);
    /// assert_eq!(point.doubles(), [250.0, 1.0]);
    /// assert_eq!(point.index_value(), Some("tr_abc123"));
    /// ```
    pub fn span(span: &SpanRecord<'a>) -> Self {
        let mut blobs = [""; spans::BLOBS];
        blobs[spans::TRACE_ID.slot()] = span.trace_id;
        blobs[spans::SPAN_ID.slot()] = span.span_id;
        blobs[spans::PARENT_SPAN_ID.slot()] = span.parent_span_id.unwrap_or("");
        blobs[spans::SERVICE.slot()] = span.service;
        blobs[spans::OPERATION.slot()] = span.operation;
        blobs[spans::OUTCOME.slot()] = span.outcome.as_str();
        blobs[spans::PLATFORM_ID.slot()] = span.platform_id.unwrap_or(NNO_INTERNAL);
        let mut doubles = [0.0; spans::DOUBLES];
        doubles[spans::DURATION_MS.slot()] = span.end_ms.saturating_sub(span.start_ms) as f64;
        doubles[spans::ERROR.slot()] = error_flag(span.outcome == SpanOutcome::Error);
        let mut point = DataPoint::from_layout(blobs, doubles, span.trace_id);
        // The job extension appends right after the seed's blobs (checked below at compile
        // time), so a span without a job keeps the seed's bytes.
        const _: () = assert!(
            spans::JOB_ID.slot() == spans::BLOBS && spans::JOB_OPERATION.slot() == spans::BLOBS + 1
        );
        if let Some(job) = span.job {
            point.push_blob(job.job_id);
            point.push_blob(job.operation);
        }
        point
    }
}
