//! Scenario 2: one request through a handler: `→ request`, `← response` and a perf point.
//!
//! Requests are built outside the timed part (divan's `with_inputs`), with the telemetry in
//! their extensions, as a native server would hand them over.

use nno_obs::clock::Clock;
use nno_obs::sink::MemorySink;
use nno_obs::{fields, nno_handler, Binding, DataPoint, Obs, SpanOutcome, SpanRecord, Telemetry};
use nno_obs_benches::{buffer_telemetry, SharedBuffer};
use std::hint::black_box;

fn main() {
    check_by_hand_writes_what_the_macro_writes();
    divan::main();
}

/// What a handler wrote: its lines, and its points with the (random) span ids masked.
fn written(handler: fn(http::Request<()>) -> http::Response<()>) -> (Vec<String>, Vec<String>) {
    let memory = MemorySink::new();
    let telemetry = Telemetry::builder()
        .log_sink(memory.clone())
        .all_datasets(memory.clone())
        .platform_id("k3m9p2xw7q")
        .entity_id("r8n4t6y1z5")
        .clock(Clock::manual(1_771_756_440_123))
        .build();
    let response = handler(request(&telemetry));
    let echoed = |name: &str| response.headers().get(name).map(|v| v.as_bytes().to_vec());
    assert_eq!(echoed("x-trace-id").as_deref(), Some(&b"tr_abc123"[..]));
    assert_eq!(echoed("x-request-id").as_deref(), Some(&b"req-1"[..]));
    let lines = memory.lines().into_iter().map(|line| line.text).collect();
    let points = memory
        .points()
        .into_iter()
        .map(|mut point| {
            if point.dataset.ends_with("-spans") {
                point.blobs[1] = "<span id>".to_owned();
            }
            format!(
                "{} {} {:?} {:?} {:?}",
                point.dataset, point.timestamp_ms, point.index, point.blobs, point.doubles
            )
        })
        .collect();
    (lines, points)
}

/// The "same calls by hand" row measures the same work as the macro's: the same two lines,
/// byte for byte, and the same span and perf points (span ids aside), every iteration.
fn check_by_hand_writes_what_the_macro_writes() {
    let (macro_lines, macro_points) = written(handle_macro);
    assert_eq!(macro_lines.len(), 2, "{macro_lines:#?}");
    assert_eq!(macro_points.len(), 2, "{macro_points:#?}");
    let (hand_lines, hand_points) = written(handle_by_hand);
    assert_eq!(hand_lines, macro_lines, "the lines by hand");
    assert_eq!(hand_points, macro_points, "the points by hand");
    // And in the benches' own telemetry, each of many iterations writes them.
    let (telemetry, sink) = buffer_telemetry();
    for round in 1..=1_000u64 {
        for handler in [handle_macro, handle_by_hand] {
            let before = telemetry.stats();
            handler(request(&telemetry));
            let after = telemetry.stats();
            assert_eq!(
                after.lines_written - before.lines_written,
                2,
                "round {round}"
            );
            assert_eq!(
                after.points_written - before.points_written,
                2,
                "round {round}"
            );
        }
    }
    assert!(!sink.is_empty());
    // The tracing row writes its two lines, with the request's ids from its span.
    let buffer = SharedBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_writer(buffer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let response = handle_tracing(request(&telemetry));
        assert_eq!(
            response.headers().get("x-trace-id").map(|v| v.as_bytes()),
            Some(&b"tr_abc123"[..])
        );
    });
    let bytes = buffer.0.lock().map(|b| b.clone()).unwrap_or_default();
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&bytes)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    let messages: Vec<&str> = lines
        .iter()
        .map(|line| line["fields"]["message"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(messages, ["→ request", "← response"]);
    assert!(lines
        .iter()
        .all(|line| line["span"]["traceId"] == "tr_abc123"));
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
    // The request's root span, named after its endpoint (known only at the end).
    let span_id = obs.span_id().to_hex();
    let parent = obs.parent_span_id().map(nno_obs::SpanId::to_hex);
    obs.write_point(
        Binding::Spans,
        &DataPoint::span(&SpanRecord {
            trace_id: obs.trace_id(),
            span_id: span_id.as_str(),
            parent_span_id: parent.as_ref().map(|hex| hex.as_str()),
            service: obs.service(),
            operation: "GET /api/report/:id",
            start_ms: start,
            end_ms: start + duration,
            outcome: SpanOutcome::Ok,
            platform_id: obs.platform_id(),
            job: None,
        }),
    );
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
