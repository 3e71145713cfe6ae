//! Scenario 3: one log line with three fields — nno-obs vs tracing + JSON vs the serde_json
//! floor (`to_writer` of a struct with the same keys).

use nno_obs::{fields, Obs};
use nno_obs_benches::{buffer_telemetry, SharedBuffer};
use serde::Serialize;
use std::hint::black_box;

fn main() {
    divan::main();
}

#[divan::bench]
fn nno_obs(bencher: divan::Bencher) {
    let (telemetry, _sink) = buffer_telemetry();
    let obs = Obs::from_headers(
        telemetry,
        "provisioning",
        &[("x-trace-id", "tr_abc123"), ("x-request-id", "req-1")],
    );
    bencher.bench_local(|| {
        obs.info(
            black_box("step completed"),
            fields! { jobId: black_box("job-1"), step: black_box("create-d1"), durationMs: black_box(45u64) },
        );
    });
}

#[divan::bench]
fn tracing_json(bencher: divan::Bencher) {
    let buffer = SharedBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_writer(buffer)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        bencher.bench_local(|| {
            tracing::info!(
                service = "provisioning",
                traceId = "tr_abc123",
                requestId = "req-1",
                jobId = black_box("job-1"),
                step = black_box("create-d1"),
                durationMs = black_box(45u64),
                "step completed"
            );
        });
    });
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Line<'a> {
    timestamp: &'a str,
    level: &'a str,
    service: &'a str,
    trace_id: &'a str,
    request_id: &'a str,
    message: &'a str,
    job_id: &'a str,
    step: &'a str,
    duration_ms: u64,
}

/// The floor: the same keys, serialized by serde_json from a struct, with a timestamp already
/// formatted — no clock, no escaping beyond serde_json's, no sink.
#[divan::bench]
fn serde_json_floor(bencher: divan::Bencher) {
    let mut buffer = Vec::with_capacity(1 << 20);
    bencher.bench_local(|| {
        if buffer.len() > 1 << 20 {
            buffer.clear();
        }
        let line = Line {
            timestamp: "2026-02-22T10:34:00.123Z",
            level: "info",
            service: "provisioning",
            trace_id: "tr_abc123",
            request_id: "req-1",
            message: black_box("step completed"),
            job_id: black_box("job-1"),
            step: black_box("create-d1"),
            duration_ms: black_box(45),
        };
        let _ = serde_json::to_writer(&mut buffer, &line);
        buffer.push(b'\n');
    });
}
