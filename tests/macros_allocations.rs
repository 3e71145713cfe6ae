//! The code the macros generate allocates no more than the same calls written by hand:
//! counted by a global allocator (its own test binary).
//!
//! Counting is per thread, so whatever the test harness does on other threads is not counted.

use nno_obs::sink::NullSink;
use nno_obs::{fields, nno_handler, nno_instrument, Obs, SpanOutcome, Telemetry};
use nno_obs_tests::{allocations_on_this_thread, CountingAllocator};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn counted(work: impl FnOnce()) -> u64 {
    let before = allocations_on_this_thread();
    work();
    allocations_on_this_thread() - before
}

fn null_telemetry() -> Telemetry {
    Telemetry::builder()
        .log_sink(NullSink)
        .all_datasets(NullSink)
        .platform_id("k3m9p2xw7q")
        .build()
}

#[derive(Debug)]
struct StepError;

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("D1 quota exceeded")
    }
}

#[nno_instrument(service = "provisioning", name = "create-d1", span, fields(job_id, count = items.len()))]
fn create_d1(obs: &Obs, job_id: &str, items: &[u8], fail: bool) -> Result<(), StepError> {
    obs.info("creating", &[]);
    if fail {
        Err(StepError)
    } else {
        Ok(())
    }
}

#[nno_instrument(fields(job_id))]
fn plain_step(obs: Obs, job_id: &str) -> usize {
    obs.info("working", &[]);
    job_id.len()
}

#[test]
fn a_step_allocates_nothing_in_steady_state() {
    let obs = Obs::from_headers(null_telemetry(), "gateway", &[("x-trace-id", "tr_abc123")]);
    let items = [1u8, 2, 3];
    // Warm up: the per-call-site service name, the thread's line buffer.
    let _ = create_d1(&obs, "job-1", &items, false);
    let _ = create_d1(&obs, "job-1", &items, true);
    let _ = plain_step(obs.clone(), "job-1");
    let steps = counted(|| {
        for round in 0..100 {
            let _ = create_d1(&obs, "job-1", &items, round % 2 == 0);
        }
    });
    assert_eq!(
        steps, 0,
        "a span step with two fields, succeeding or failing"
    );
    let plain = counted(|| {
        for _ in 0..100 {
            let _ = plain_step(obs.clone(), "job-1");
        }
    });
    assert_eq!(plain, 0, "a step without span, context by value");
}

#[nno_handler(service = "analytics", feature = "analytics")]
fn generated(req: http::Request<()>, obs: Obs) -> http::Response<()> {
    obs.info("report built", fields! { rows: 42 });
    drop(req);
    http::Response::new(())
}

/// What a careful hand-written handler does for the same lines, point and headers.
fn by_hand(req: http::Request<()>) -> http::Response<()> {
    let telemetry = req
        .extensions()
        .get::<Telemetry>()
        .cloned()
        .unwrap_or_else(|| Telemetry::process_default().clone());
    let start = telemetry.clock().now_ms();
    let obs = Obs::from_headers(telemetry, "analytics", req.headers());
    // The body consumes the request: keep what the response line needs.
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    obs.info("→ request", fields! { method: method.as_str(), path: path });
    obs.info("report built", fields! { rows: 42 });
    drop(req);
    let mut response = http::Response::new(());
    let status = response.status().as_u16();
    obs.echo_ids(response.headers_mut());
    let duration = obs.telemetry().clock().now_ms() - start;
    obs.info(
        "← response",
        fields! { method: method.as_str(), path: path, status: status, duration: duration },
    );
    let endpoint = format!("{} {}", method, path);
    obs.record_perf("analytics", &endpoint, status, duration);
    response
}

fn requests(telemetry: &Telemetry, count: usize) -> Vec<http::Request<()>> {
    (0..count)
        .map(|_| {
            let mut req = http::Request::builder()
                .uri("/api/data/42")
                .header("x-trace-id", "tr_abc123")
                .header("x-request-id", "req-1")
                .body(())
                .unwrap();
            req.extensions_mut().insert(telemetry.clone());
            req
        })
        .collect()
}

#[test]
fn a_handler_allocates_no_more_than_the_same_calls_by_hand() {
    let telemetry = null_telemetry();
    let _ = generated(requests(&telemetry, 1).remove(0));
    let _ = by_hand(requests(&telemetry, 1).remove(0));
    let mut batch = requests(&telemetry, 100);
    let macro_made = counted(|| {
        for req in batch.drain(..) {
            std::hint::black_box(generated(req));
        }
    });
    let mut batch = requests(&telemetry, 100);
    let hand_made = counted(|| {
        for req in batch.drain(..) {
            std::hint::black_box(by_hand(req));
        }
    });
    assert!(
        macro_made <= hand_made,
        "generated: {macro_made} allocations per 100 requests, by hand: {hand_made}"
    );
    // The generated handler's own allocations are the request context's (ids, scope) and the
    // echoed headers: nothing per line, field or point.
    println!("per 100 requests: generated {macro_made}, by hand {hand_made}");
}

#[test]
fn the_counter_does_count() {
    let boxed = counted(|| {
        std::hint::black_box(Box::new(7u64));
    });
    assert_eq!(boxed, 1);
    let _ = SpanOutcome::Ok;
}
