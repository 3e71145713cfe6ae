//! Scenario 1: an async job step with two fields that produces `step started`,
//! `step completed` and a span data point, all serialized into an in-memory buffer.
//!
//! Every iteration gets a fresh request context, made outside the timed part (divan's
//! `with_inputs`): a context allows 250 data points per invocation, so reusing one would stop
//! writing the span point after 250 iterations and the figure would leave it out. `main`
//! checks that each of 1,000 iterations writes its point before measuring anything.

use nno_obs::{fields, nno_instrument, Obs, SpanOutcome};
use nno_obs_benches::{buffer_telemetry, run_ready, SharedBuffer};
use std::fmt;
use std::hint::black_box;

fn main() {
    check_every_iteration_writes_its_point();
    check_the_tracing_and_fastrace_rows();
    divan::main();
}

/// The JSON lines in `buffer`.
fn json_lines(buffer: &SharedBuffer) -> Vec<serde_json::Value> {
    let bytes = buffer.0.lock().map(|b| b.clone()).unwrap_or_default();
    String::from_utf8_lossy(&bytes)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

/// The comparison rows measure what their table says too: tracing + JSON writes the two lines
/// and the span's close event (with its fields) per step; fastrace records the one span.
fn check_the_tracing_and_fastrace_rows() {
    let buffer = SharedBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(buffer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        for round in 1..=100usize {
            let result = run_ready(step_tracing("job-1", 3));
            assert!(matches!(result, Some(Ok(4))), "round {round}");
            assert_eq!(json_lines(&buffer).len(), 3 * round, "round {round}");
        }
    });
    let lines = json_lines(&buffer);
    let messages: Vec<&str> = lines[..3]
        .iter()
        .map(|line| line["fields"]["message"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(messages, ["step started", "step completed", "close"]);
    assert!(lines[..3]
        .iter()
        .all(|line| line["span"]["job_id"] == "job-1" && line["span"]["count"] == 3));

    for round in 1..=100u32 {
        let collector = fastrace::local::LocalCollector::start();
        let result = run_ready(step_fastrace("job-1", 3));
        assert!(matches!(result, Some(Ok(4))), "round {round}");
        let spans = collector
            .collect()
            .to_span_records(fastrace::collector::SpanContext::random());
        let names: Vec<&str> = spans.iter().map(|span| span.name.as_ref()).collect();
        assert_eq!(names, ["create-d1"], "round {round}");
    }
}

/// The bench measures what its table says: two lines and one span point per step, for every
/// iteration, past the 250-point budget of one context.
fn check_every_iteration_writes_its_point() {
    let (telemetry, _sink) = buffer_telemetry();
    for round in 1..=1_000u64 {
        let obs = request_obs_in(&telemetry);
        for step in [step_macro_once, step_by_hand_once] {
            let before = telemetry.stats();
            step(&obs);
            let after = telemetry.stats();
            assert_eq!(
                after.points_written - before.points_written,
                1,
                "round {round}"
            );
            assert_eq!(
                after.lines_written - before.lines_written,
                2,
                "round {round}"
            );
        }
    }
}

fn step_macro_once(obs: &Obs) {
    run_ready(step_macro(obs, "job-1", 3));
}

fn step_by_hand_once(obs: &Obs) {
    run_ready(step_by_hand(obs, "job-1", 3));
}

#[derive(Debug)]
struct StepError;

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("step error")
    }
}

fn request_obs_in(telemetry: &nno_obs::Telemetry) -> Obs {
    Obs::from_headers(
        telemetry.clone(),
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
    let (telemetry, _sink) = buffer_telemetry();
    bencher
        .with_inputs(|| request_obs_in(&telemetry))
        .bench_local_refs(|obs| run_ready(step_macro(obs, black_box("job-1"), black_box(3))));
}

#[divan::bench]
fn nno_by_hand(bencher: divan::Bencher) {
    let (telemetry, _sink) = buffer_telemetry();
    bencher
        .with_inputs(|| request_obs_in(&telemetry))
        .bench_local_refs(|obs| run_ready(step_by_hand(obs, black_box("job-1"), black_box(3))));
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
