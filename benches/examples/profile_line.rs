//! A loop of log lines and job steps to profile with callgrind (instruction counts are stable
//! on a noisy machine):
//!
//! ```text
//! CARGO_PROFILE_RELEASE_DEBUG=true cargo build --release -p nno-obs-benches --example profile_line
//! valgrind --tool=callgrind target/release/examples/profile_line [line|step|handler] 100000
//! callgrind_annotate --inclusive=yes callgrind.out.<pid>
//! ```

use nno_obs::{fields, nno_handler, Obs, SpanOutcome};
use nno_obs_benches::buffer_telemetry;
use std::hint::black_box;

fn main() {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_else(|| "line".to_owned());
    let count: u32 = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let (telemetry, sink) = buffer_telemetry();
    let obs = Obs::from_headers(
        telemetry,
        "provisioning",
        &[("x-trace-id", "tr_abc123"), ("x-request-id", "req-1")],
    );
    for _ in 0..count {
        match what.as_str() {
            "handler" => {
                let mut request = http::Request::get("/api/report/42")
                    .header("x-trace-id", "tr_abc123")
                    .header("x-request-id", "req-1")
                    .body(())
                    .unwrap_or_default();
                request.extensions_mut().insert(obs.telemetry().clone());
                black_box(report(request));
            }
            "step" => {
                let span = obs.child("create-d1").start_span();
                span.obs().info("step started", fields! { jobId: black_box("job-1"), count: 3 });
                span.obs().info("step completed", fields! { jobId: black_box("job-1"), count: 3, durationMs: span.elapsed_ms() });
                span.end(SpanOutcome::Ok);
            }
            _ => obs.info(
                black_box("step completed"),
                fields! { jobId: black_box("job-1"), step: black_box("create-d1"), durationMs: black_box(45u64) },
            ),
        }
    }
    eprintln!("{} bytes buffered", sink.len());
}

#[nno_handler(
    service = "analytics",
    feature = "analytics",
    route = "/api/report/:id"
)]
fn report(request: http::Request<()>) -> http::Response<()> {
    let _ = request;
    http::Response::new(())
}
