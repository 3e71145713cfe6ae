//! Steady-state logging and data points allocate nothing: counted by a global allocator.
//!
//! Counting is per thread, so whatever the test harness does on other threads is not counted.

use nno_obs::sink::NullSink;
use nno_obs::{fields, Binding, DataPoint, LogEntry, LogLevel, Obs, SpanOutcome, Telemetry};
use nno_obs_tests::{allocations_on_this_thread, CountingAllocator};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Allocations made by `work` on this thread, after one warm-up call.
fn allocations(mut work: impl FnMut()) -> u64 {
    work();
    let before = allocations_on_this_thread();
    for _ in 0..100 {
        work();
    }
    allocations_on_this_thread() - before
}

fn null_telemetry() -> Telemetry {
    Telemetry::builder()
        .log_sink(NullSink)
        .all_datasets(NullSink)
        .platform_id("k3m9p2xw7q")
        .build()
}

#[test]
fn steady_state_is_allocation_free() {
    let telemetry = null_telemetry();
    let obs = Obs::from_headers(telemetry, "provisioning", &[("x-trace-id", "tr_abc123")]);
    let job_id = "job-1";

    let log_line = allocations(|| {
        obs.info(
            "step completed",
            fields! { jobId: job_id, step: "create-d1", durationMs: 45u64 },
        );
    });
    assert_eq!(log_line, 0, "a log line with three fields");

    let error_line = allocations(|| {
        obs.error(
            "step failed",
            fields! { error: "boom", retry: Some(2), ratio: 0.5 },
        );
    });
    assert_eq!(error_line, 0, "an error line");

    let perf_point = allocations(|| {
        obs.record_perf("analytics", "GET /api/data", 200, 12);
    });
    assert_eq!(perf_point, 0, "a perf data point");

    let child_span = allocations(|| {
        let span = obs.child("create-d1").start_span();
        span.obs().info("step started", fields! { jobId: job_id });
        span.end(SpanOutcome::Ok);
    });
    assert_eq!(child_span, 0, "a child span with its line and span point");

    let metric = allocations(|| {
        obs.write_point(
            Binding::Metrics,
            &DataPoint::metric("gateway.request.count", 1.0, &[("route", "/a")]),
        );
    });
    assert_eq!(metric, 0, "a metric point");

    let mut buffer = Vec::with_capacity(512);
    let entry_alone = allocations(|| {
        buffer.clear();
        LogEntry {
            timestamp_ms: 1_771_756_440_123,
            level: LogLevel::Info,
            service: "registry",
            trace_id: Some("tr_abc123"),
            request_id: Some("req-1"),
            message: "resource created",
            fields: fields! { resourceType: "platform", count: 3 },
        }
        .write_ndjson(&mut buffer);
    });
    assert_eq!(entry_alone, 0, "formatting a LogEntry into a reused buffer");
}

#[test]
fn the_counter_does_count() {
    // Guards the guard: an allocation is seen.
    let boxed = allocations(|| {
        std::hint::black_box(Box::new(7u64));
    });
    assert_eq!(boxed, 100);
}

#[test]
fn a_w3c_context_costs_an_allocation_only_for_a_tracestate() {
    const TP: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let telemetry = null_telemetry();
    let context = |headers: &[(&str, &str)]| {
        let telemetry = telemetry.clone();
        allocations(|| {
            let _ = std::hint::black_box(Obs::from_headers(telemetry.clone(), "gateway", headers));
        })
    };
    let ids_only = context(&[("x-trace-id", "tr_abc123"), ("x-request-id", "req-1")]);
    let with_traceparent = context(&[
        ("x-trace-id", "tr_abc123"),
        ("x-request-id", "req-1"),
        ("traceparent", TP),
    ]);
    let with_tracestate = context(&[
        ("x-trace-id", "tr_abc123"),
        ("x-request-id", "req-1"),
        ("traceparent", TP),
        ("tracestate", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"),
    ]);
    assert_eq!(with_traceparent, ids_only, "a traceparent is kept inline");
    assert_eq!(
        with_tracestate,
        ids_only + 100,
        "one tracestate box per request"
    );
}
