//! Spans: timing a piece of work and emitting its span point (seed §4.2).

use crate::ids::SpanId;
use crate::obs::Obs;
use crate::schema::{SpanOutcome, SpanRecord};
use crate::telemetry::Binding;
use crate::DataPoint;

impl Obs {
    /// Starts timing the current span; [`ActiveSpan::end`] emits its point.
    ///
    /// ```
    /// use nno_obs::{Obs, SpanOutcome, Telemetry};
    ///
    /// let (telemetry, memory) = Telemetry::in_memory();
    /// let obs = Obs::detached(telemetry, "provisioning");
    /// let step = obs.child("create-d1").start_span();
    /// step.obs().info("creating", &[]);
    /// step.end(SpanOutcome::Ok);
    /// assert_eq!(memory.points_in("nno-core-ops-spans")[0].blobs[4], "create-d1");
    /// ```
    pub fn start_span(self) -> ActiveSpan {
        let start_ms = self.telemetry().clock().now_ms();
        ActiveSpan {
            obs: self,
            start_ms,
            ended: false,
        }
    }

    /// Emits the span point of the current span, which ran from `start_ms` to now.
    pub(crate) fn emit_span(&self, start_ms: u64, outcome: SpanOutcome) -> bool {
        let end_ms = self.telemetry().clock().now_ms();
        self.emit_span_as(self.operation(), start_ms, end_ms, outcome)
    }

    /// Emits the span point of the current span under `operation` (a request's root span is
    /// named after its endpoint, known only at the end).
    pub(crate) fn emit_span_as(
        &self,
        operation: &str,
        start_ms: u64,
        end_ms: u64,
        outcome: SpanOutcome,
    ) -> bool {
        let span_id = self.span_id().to_hex();
        let parent = self.parent_span_id().map(SpanId::to_hex);
        let record = SpanRecord {
            trace_id: self.trace_id(),
            span_id: span_id.as_str(),
            parent_span_id: parent.as_ref().map(|hex| hex.as_str()),
            service: self.service(),
            operation,
            start_ms,
            end_ms,
            outcome,
            platform_id: self.platform_id(),
            job: None,
        };
        self.write_point(Binding::Spans, &DataPoint::span(&record))
    }
}

/// A span being timed; [`ActiveSpan::end`] emits its point.
///
/// Dropped without `end` (a cancelled future, a panic unwinding), it emits the point with
/// outcome `error`, so the trace tree never has a hole where work started.
#[derive(Debug)]
#[must_use = "a span is timed until `end` is called (dropping it ends it as an error)"]
pub struct ActiveSpan {
    obs: Obs,
    start_ms: u64,
    ended: bool,
}

impl ActiveSpan {
    /// The span's context, to pass to the work it times.
    pub fn obs(&self) -> &Obs {
        &self.obs
    }

    /// When the span started.
    pub fn start_ms(&self) -> u64 {
        self.start_ms
    }

    /// Milliseconds since the span started.
    pub fn elapsed_ms(&self) -> u64 {
        self.obs
            .telemetry()
            .clock()
            .now_ms()
            .saturating_sub(self.start_ms)
    }

    /// Ends the span and emits its point.
    pub fn end(mut self, outcome: SpanOutcome) {
        self.ended = true;
        self.obs.emit_span(self.start_ms, outcome);
    }
}

impl Drop for ActiveSpan {
    fn drop(&mut self) {
        if !self.ended {
            self.obs.emit_span(self.start_ms, SpanOutcome::Error);
        }
    }
}
