//! Spans: timing a piece of work and emitting its span point (seed §4.2).

use crate::ids::SpanId;
use crate::obs::Obs;
use crate::schema::{CoreOpRecord, JobRef, OpOutcome, SpanOutcome, SpanRecord};
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
            job: None,
        }
    }

    /// Starts timing the current span as job `job_id`'s own span (a provisioning job, seed
    /// §6.2/§8.2): its points carry the job (see [`job`](crate::job)). It writes the span
    /// point with outcome `started` now, so a job stuck in its first step is seen running; on
    /// [`ActiveSpan::end`], the span point with the job's id and operation, and the job's
    /// `nno-core-ops` point (operation `operation`, the context's platform, blob5 the job id)
    /// — what seed §3.3's job success rate counts.
    ///
    /// ```
    /// use nno_obs::{Obs, SpanOutcome, Telemetry};
    ///
    /// let (telemetry, memory) = Telemetry::in_memory();
    /// let obs = Obs::detached(telemetry, "provisioning").with_platform_id("k3m9p2xw7q");
    /// let job = obs.child("run-job").start_job("job-prov-0001", "PROVISION_PLATFORM");
    /// job.end(SpanOutcome::Error);
    /// let spans = memory.points_in("nno-core-ops-spans");
    /// assert_eq!(spans[0].blobs[5..], ["started", "k3m9p2xw7q", "job-prov-0001", "PROVISION_PLATFORM"]);
    /// assert_eq!(spans[1].blobs[5..], ["error", "k3m9p2xw7q", "job-prov-0001", "PROVISION_PLATFORM"]);
    /// let ops = memory.points_in("nno-core-ops");
    /// assert_eq!(ops[0].blobs, ["provisioning", "PROVISION_PLATFORM", "error", "k3m9p2xw7q", "job-prov-0001"]);
    /// ```
    pub fn start_job(self, job_id: impl Into<String>, operation: impl Into<String>) -> ActiveSpan {
        let job = Box::new(OwnedJob {
            job_id: job_id.into(),
            operation: operation.into(),
        });
        let mut span = self.start_span();
        let now = span.start_ms;
        span.obs.emit_span_as(
            span.obs.operation(),
            now,
            now,
            SpanOutcome::Started,
            Some(job.as_ref().as_ref()),
        );
        span.job = Some(job);
        span
    }

    /// Emits the span point of the current span, which ran from `start_ms` to now, and for a
    /// job's span the job's `nno-core-ops` point.
    fn emit_span(&self, start_ms: u64, outcome: SpanOutcome, job: Option<&OwnedJob>) -> bool {
        let end_ms = self.telemetry().clock().now_ms();
        let job = job.map(OwnedJob::as_ref);
        let written = self.emit_span_as(self.operation(), start_ms, end_ms, outcome, job);
        if let Some(job) = job {
            let record = CoreOpRecord {
                service: self.service(),
                operation: job.operation,
                outcome: if outcome == SpanOutcome::Error {
                    OpOutcome::Error
                } else {
                    OpOutcome::Success
                },
                platform_id: self.platform_id(),
                duration_ms: end_ms.saturating_sub(start_ms),
                job_id: Some(job.job_id),
            };
            self.write_point(Binding::Analytics, &DataPoint::core_op(&record));
        }
        written
    }

    /// Emits the span point of the current span under `operation` (a request's root span is
    /// named after its endpoint, known only at the end).
    pub(crate) fn emit_span_as(
        &self,
        operation: &str,
        start_ms: u64,
        end_ms: u64,
        outcome: SpanOutcome,
        job: Option<JobRef<'_>>,
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
            job,
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
    /// The job, for a job's own span ([`Obs::start_job`]); boxed: most spans have none.
    job: Option<Box<OwnedJob>>,
}

/// A job's id and operation, kept by its span until it ends.
#[derive(Debug)]
struct OwnedJob {
    job_id: String,
    operation: String,
}

impl OwnedJob {
    fn as_ref(&self) -> JobRef<'_> {
        JobRef {
            job_id: &self.job_id,
            operation: &self.operation,
        }
    }
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

    /// Ends the span and emits its point. [`SpanOutcome::Started`] is not an end: it ends the
    /// span as `ok`.
    pub fn end(mut self, outcome: SpanOutcome) {
        self.ended = true;
        let outcome = match outcome {
            SpanOutcome::Started => SpanOutcome::Ok,
            ended => ended,
        };
        self.obs
            .emit_span(self.start_ms, outcome, self.job.as_deref());
    }
}

impl Drop for ActiveSpan {
    fn drop(&mut self) {
        if !self.ended {
            self.obs
                .emit_span(self.start_ms, SpanOutcome::Error, self.job.as_deref());
        }
    }
}
