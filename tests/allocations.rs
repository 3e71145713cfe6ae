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

/// What one measured call must write: log lines and data points.
#[derive(Clone, Copy)]
struct Writes {
    lines: u64,
    points: u64,
}

/// [`allocations`] of `work`, each of whose 101 calls (the warm-up included) must write exactly
/// `writes` through `telemetry`: an allocation count measured on calls that wrote nothing
/// (a point over the request's budget, a filtered line) would measure a no-op.
fn allocations_writing(telemetry: &Telemetry, writes: Writes, mut work: impl FnMut()) -> u64 {
    let mut calls = 0u64;
    let mut wrong = 0u64;
    let count = allocations(|| {
        let before = telemetry.stats();
        work();
        let after = telemetry.stats();
        calls += 1;
        if after.lines_written - before.lines_written != writes.lines
            || after.points_written - before.points_written != writes.points
        {
            wrong += 1;
        }
    });
    assert_eq!(calls, 101);
    assert_eq!(
        wrong, 0,
        "{wrong} of the {calls} calls did not write {} line(s) and {} point(s)",
        writes.lines, writes.points
    );
    count
}

/// A fresh request context: each block has its own 250-point budget, so none of its 101
/// calls runs past it.
fn request_obs(telemetry: &Telemetry) -> Obs {
    Obs::from_headers(
        telemetry.clone(),
        "provisioning",
        &[("x-trace-id", "tr_abc123")],
    )
}

#[test]
fn steady_state_is_allocation_free() {
    let telemetry = null_telemetry();
    let job_id = "job-1";
    let line = Writes {
        lines: 1,
        points: 0,
    };
    let point = Writes {
        lines: 0,
        points: 1,
    };

    let obs = request_obs(&telemetry);
    let log_line = allocations_writing(&telemetry, line, || {
        obs.info(
            "step completed",
            fields! { jobId: job_id, step: "create-d1", durationMs: 45u64 },
        );
    });
    assert_eq!(log_line, 0, "a log line with three fields");

    let obs = request_obs(&telemetry);
    let error_line = allocations_writing(&telemetry, line, || {
        obs.error(
            "step failed",
            fields! { error: "boom", retry: Some(2), ratio: 0.5 },
        );
    });
    assert_eq!(error_line, 0, "an error line");

    let obs = request_obs(&telemetry);
    let perf_point = allocations_writing(&telemetry, point, || {
        obs.record_perf("analytics", "GET /api/data", 200, 12);
    });
    assert_eq!(perf_point, 0, "a perf data point");

    let obs = request_obs(&telemetry);
    let child_span = allocations_writing(
        &telemetry,
        Writes {
            lines: 1,
            points: 1,
        },
        || {
            let span = obs.child("create-d1").start_span();
            span.obs().info("step started", fields! { jobId: job_id });
            span.end(SpanOutcome::Ok);
        },
    );
    assert_eq!(child_span, 0, "a child span with its line and span point");

    let obs = request_obs(&telemetry);
    let metric = allocations_writing(&telemetry, point, || {
        obs.write_point(
            Binding::Metrics,
            &DataPoint::metric("gateway.request.count", 1.0, &[("route", "/a")]),
        );
    });
    assert_eq!(metric, 0, "a metric point");

    let mut buffer = Vec::with_capacity(512);
    let mut empty = 0u64;
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
        if !buffer.ends_with(b"}\n") {
            empty += 1;
        }
    });
    assert_eq!(empty, 0, "every call formatted its line");
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
