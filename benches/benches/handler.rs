//! Scenario 2: one request through a handler: `→ request`, `← response` and a perf point.
//!
//! Requests are built outside the timed part (divan's `with_inputs`), with the telemetry in
//! their extensions, as a native server would hand them over.

use nno_obs::{fields, nno_handler, Obs, Telemetry};
use nno_obs_benches::{buffer_telemetry, SharedBuffer};
use std::hint::black_box;

fn main() {
    divan::main();
}

fn request(telemetry: &Telemetry) -> http::Request<()> {
    let mut request = http::Request::get("/api/report/42")
        .header("x-trace-id", "tr_abc123")
        .header("x-request-id", "req-1")
        .body(())
        .unwrap_or_default();
    request.extensions_mut().insert(telemetry.clone());
    request
}

#[nno_handler(
    service = "analytics",
    feature = "analytics",
    route = "/api/report/:id"
)]
fn handle_macro(request: http::Request<()>) -> http::Response<()> {
    let _ = request;
    http::Response::new(())
}

#[divan::bench]
fn nno_macro(bencher: divan::Bencher) {
    let (telemetry, _sink) = buffer_telemetry();
    bencher
        .with_inputs(|| request(&telemetry))
        .bench_local_values(handle_macro);
}

/// Exactly the runtime calls `#[nno_handler(service = "analytics", feature = "analytics",
/// route = "/api/report/:id")]` makes, by hand: the two lines with the seed's keys and the
/// known featureId/platformId/entityId, the request's root span point and the perf point.
fn handle_by_hand(request: http::Request<()>) -> http::Response<()> {
    let Some(telemetry) = request.extensions().get::<Telemetry>() else {
        return http::Response::new(());
    };
    let start = telemetry.clock().now_ms();
    let obs = Obs::from_headers(telemetry.clone(), "analytics", &request);
    let method = request.method().as_str();
    let path = request.uri().path();
    let platform = telemetry.platform_id().unwrap_or("");
    let entity = telemetry.entity_id().unwrap_or("");
    obs.info(
        "→ request",
        fields! { method: method, path: path, featureId: "analytics", platformId: platform, entityId: entity },
    );
    let mut response = http::Response::new(());
    let status = response.status().as_u16();
    let duration = telemetry.clock().now_ms().saturating_sub(start);
    obs.info(
        "← response",
        fields! { method: method, path: path, status: status, duration: duration, featureId: "analytics", platformId: platform, entityId: entity },
    );
    let span = obs.clone().start_span();
    span.end(nno_obs::SpanOutcome::Ok);
    obs.record_perf("analytics", "GET /api/report/:id", status, duration);
    obs.echo_ids(response.headers_mut());
    response
}

#[divan::bench]
fn nno_by_hand(bencher: divan::Bencher) {
    let (telemetry, _sink) = buffer_telemetry();
    bencher
        .with_inputs(|| request(&telemetry))
        .bench_local_values(handle_by_hand);
}

fn handle_tracing(request: http::Request<()>) -> http::Response<()> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let (trace_id, request_id) = (header("x-trace-id"), header("x-request-id"));
    let method = request.method().as_str();
    let path = request.uri().path();
    let span = tracing::info_span!(
        "request",
        service = "analytics",
        traceId = trace_id.as_str(),
        requestId = request_id.as_str()
    );
    let _entered = span.enter();
    tracing::info!(method, path, "→ request");
    let mut response = http::Response::new(());
    let status = response.status().as_u16();
    tracing::info!(method, path, status, duration = 0u64, "← response");
    let headers = response.headers_mut();
    if let Ok(value) = http::HeaderValue::from_str(&trace_id) {
        headers.insert("x-trace-id", value);
    }
    if let Ok(value) = http::HeaderValue::from_str(&request_id) {
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
    let (telemetry, _sink) = buffer_telemetry();
    tracing::subscriber::with_default(subscriber, || {
        bencher
            .with_inputs(|| request(&telemetry))
            .bench_local_values(|request| handle_tracing(black_box(request)));
    });
}
