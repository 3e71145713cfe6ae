//! Scenario 1: an async job step with two fields that produces `step started`,
//! `step completed` and a span data point, all serialized into an in-memory buffer.

use nno_obs::{fields, nno_instrument, Obs, SpanOutcome};
use nno_obs_benches::{buffer_telemetry, run_ready, SharedBuffer};
use std::fmt;
use std::hint::black_box;

fn main() {
    divan::main();
}

#[derive(Debug)]
struct StepError;

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("step error")
    }
}

fn request_obs() -> Obs {
    let (telemetry, _sink) = buffer_telemetry();
    Obs::from_headers(
        telemetry,
        "provisioning",
        &[("x-trace-id", "tr_abc123"), ("x-request-id", "req-1")],
    )
}

/// Exactly the runtime calls `#[nno_instrument(span, fields(job_id, count))]` makes, by hand.
async fn step_by_hand(obs: &Obs, job_id: &str, count: u32) -> Result<u32, StepError> {
    let span = obs.child("create-d1").start_span();
    let obs = span.obs();
    obs.info(
        "step started",
        fields! { jobId: job_id, count: count, step: "create-d1" },
    );
    let result: Result<u32, StepError> = async { Ok(count + 1) }.await;
    let duration_ms = span.elapsed_ms();
    match &result {
        Ok(_) => {
            obs.info(
                "step completed",
                fields! { jobId: job_id, count: count, step: "create-d1", durationMs: duration_ms },
            );
            span.end(SpanOutcome::Ok);
        }
        Err(error) => {
            obs.error(
                "step failed",
                fields! { jobId: job_id, count: count, step: "create-d1", durationMs: duration_ms, error: error.to_string() },
            );
            span.end(SpanOutcome::Error);
        }
    }
    result
}

/// The same step, instrumented by the macro.
#[nno_instrument(name = "create-d1", span, fields(job_id, count))]
async fn step_macro(obs: &Obs, job_id: &str, count: u32) -> Result<u32, StepError> {
    let _ = obs;
    async { Ok(count + 1) }.await
}

#[divan::bench]
fn nno_macro(bencher: divan::Bencher) {
    let obs = request_obs();
    bencher.bench_local(|| run_ready(step_macro(&obs, black_box("job-1"), black_box(3))));
}

#[divan::bench]
fn nno_by_hand(bencher: divan::Bencher) {
    let obs = request_obs();
    bencher.bench_local(|| run_ready(step_by_hand(&obs, black_box("job-1"), black_box(3))));
}

#[tracing::instrument(name = "create-d1", skip_all, fields(job_id = job_id, count = count))]
async fn step_tracing(job_id: &str, count: u32) -> Result<u32, StepError> {
    tracing::info!("step started");
    let result: Result<u32, StepError> = async { Ok(count + 1) }.await;
    tracing::info!("step completed");
    result
}

#[divan::bench]
fn tracing_json(bencher: divan::Bencher) {
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(SharedBuffer::default())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        bencher.bench_local(|| run_ready(step_tracing(black_box("job-1"), black_box(3))));
    });
}

#[fastrace::trace(name = "create-d1", enter_on_poll = true)]
async fn step_fastrace(_job_id: &str, count: u32) -> Result<u32, StepError> {
    async { Ok(count + 1) }.await
}

/// fastrace records the span only: it writes no log line at all.
#[divan::bench]
fn fastrace_span_only(bencher: divan::Bencher) {
    bencher.bench_local(|| {
        let collector = fastrace::local::LocalCollector::start();
        let result = run_ready(step_fastrace(black_box("job-1"), black_box(3)));
        black_box(collector.collect());
        result
    });
}
