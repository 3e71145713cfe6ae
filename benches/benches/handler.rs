//! Scenario 2: one request through a handler: `→ request`, `← response` and a perf point.

use nno_obs::{fields, Obs, Telemetry};
use nno_obs_benches::{buffer_telemetry, SharedBuffer};
use std::hint::black_box;

fn main() {
    divan::main();
}

fn request() -> http::Request<()> {
    http::Request::get("/api/report/42")
        .header("x-trace-id", "tr_abc123")
        .header("x-request-id", "req-1")
        .body(())
        .unwrap_or_default()
}

/// Exactly the runtime calls `#[nno_handler(service = "analytics", feature = "analytics",
/// route = "/api/report/:id")]` makes, by hand.
fn handle_by_hand(telemetry: &Telemetry, request: &http::Request<()>) -> http::Response<()> {
    let start = telemetry.clock().now_ms();
    let obs = Obs::from_headers(telemetry.clone(), "analytics", request);
    let method = request.method().as_str();
    let path = request.uri().path();
    obs.info("→ request", fields! { method: method, path: path });
    let mut response = http::Response::new(());
    let status = response.status().as_u16();
    let duration = telemetry.clock().now_ms().saturating_sub(start);
    obs.info(
        "← response",
        fields! { method: method, path: path, status: status, duration: duration },
    );
    obs.record_perf("analytics", "GET /api/report/:id", status, duration);
    obs.echo_ids(response.headers_mut());
    response
}

#[divan::bench]
fn nno_by_hand(bencher: divan::Bencher) {
    let (telemetry, _sink) = buffer_telemetry();
    let request = request();
    bencher.bench_local(|| handle_by_hand(&telemetry, black_box(&request)));
}

fn handle_tracing(request: &http::Request<()>) -> http::Response<()> {
    let trace_id = request
        .headers()
        .get("x-trace-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let method = request.method().as_str();
    let path = request.uri().path();
    let span = tracing::info_span!(
        "request",
        service = "analytics",
        traceId = trace_id,
        requestId = request_id
    );
    let _entered = span.enter();
    tracing::info!(method, path, "→ request");
    let mut response = http::Response::new(());
    let status = response.status().as_u16();
    tracing::info!(method, path, status, duration = 0u64, "← response");
    let headers = response.headers_mut();
    if let Ok(value) = http::HeaderValue::from_str(trace_id) {
        headers.insert("x-trace-id", value);
    }
    if let Ok(value) = http::HeaderValue::from_str(request_id) {
        headers.insert("x-request-id", value);
    }
    response
}

/// tracing + JSON writes the two lines (with the span's fields); it has no data point.
#[divan::bench]
fn tracing_json(bencher: divan::Bencher) {
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_writer(SharedBuffer::default())
        .finish();
    let request = request();
    tracing::subscriber::with_default(subscriber, || {
        bencher.bench_local(|| handle_tracing(black_box(&request)));
    });
}
