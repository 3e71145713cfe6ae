//! `#[nno_handler]` on native `http` handlers: the exact lines, the perf point, echoed ids,
//! and requests interleaved on one thread that never mix their ids.

use nno_obs::clock::Clock;
use nno_obs::sink::MemorySink;
use nno_obs::{nno_handler, nno_instrument, Obs, Telemetry};
use nno_obs_tests::memory_telemetry;
use std::fmt;

const TS: &str = "2026-02-22T10:34:00.123Z";

fn request(uri: &str, method: &str, trace: &str, telemetry: &Telemetry) -> http::Request<String> {
    let mut req = http::Request::builder()
        .method(method)
        .uri(uri)
        .header("x-trace-id", trace)
        .header("x-request-id", format!("req-{trace}"))
        .body(String::new())
        .unwrap();
    req.extensions_mut().insert(telemetry.clone());
    req
}

fn texts(memory: &MemorySink) -> Vec<String> {
    memory.lines().into_iter().map(|line| line.text).collect()
}

fn line(trace: &str, message: &str, rest: &str) -> String {
    format!(
        r#"{{"timestamp":"{TS}","level":"info","service":"analytics","traceId":"{trace}","requestId":"req-{trace}","message":"{message}"{rest}}}"#
    )
}

thread_local! {
    static CLOCK: std::cell::RefCell<Option<Clock>> = const { std::cell::RefCell::new(None) };
}

fn advance(ms: u64) {
    CLOCK.with(|clock| {
        if let Some(clock) = &*clock.borrow() {
            clock.advance(ms);
        }
    });
}

#[nno_handler(service = "analytics", feature = "analytics")]
async fn get_data(req: http::Request<String>, obs: Obs) -> http::Response<String> {
    obs.info("report built", nno_obs::fields! { rows: 42 });
    advance(45);
    http::Response::new(format!("{} done", req.uri().path()))
}

#[test]
fn a_request_logs_request_and_response_echoes_ids_and_writes_a_perf_point() {
    let (telemetry, memory, clock) = memory_telemetry(Some("k3m9p2xw7q"));
    CLOCK.with(|slot| *slot.borrow_mut() = Some(clock));
    let response = futures::executor::block_on(get_data(request(
        "/api/data/42?x=1",
        "GET",
        "tr_abc123",
        &telemetry,
    )));
    assert_eq!(response.body(), "/api/data/42 done");
    assert_eq!(response.headers()["x-trace-id"], "tr_abc123");
    assert_eq!(response.headers()["x-request-id"], "req-tr_abc123");
    assert_eq!(
        texts(&memory),
        [
            line(
                "tr_abc123",
                "→ request",
                r#","method":"GET","path":"/api/data/42""#
            ),
            line("tr_abc123", "report built", r#","rows":42"#),
            line(
                "tr_abc123",
                "← response",
                r#","method":"GET","path":"/api/data/42","status":200,"duration":45"#
            )
            .replace("00.123Z", "00.168Z"),
        ]
    );
    let perf = memory.points_in("k3m9p2xw7q-perf");
    assert_eq!(perf.len(), 1);
    assert_eq!(perf[0].blobs, ["analytics", "GET /api/data/:id", "200", ""]);
    assert_eq!(perf[0].doubles, [1.0, 45.0, 0.0]);
    assert_eq!(perf[0].index.as_deref(), Some("analytics"));
}

#[derive(Debug, PartialEq)]
struct ApiError(&'static str);

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Sync, a `Result`, a route, entity and platform from the request.
#[nno_handler(
    service = "analytics",
    feature = "data-export",
    route = "/api/data/:id/export",
    entity = req.headers()["x-entity"].to_str().unwrap_or("").to_owned(),
    platform = "k3m9p2xw7q"
)]
fn export(req: http::Request<String>) -> Result<http::Response<String>, ApiError> {
    if req.method() == http::Method::POST {
        return Err(ApiError("export failed"));
    }
    Ok(http::Response::builder()
        .status(202)
        .body(String::new())
        .unwrap())
}

#[test]
fn an_err_counts_as_500_and_is_returned_unchanged() {
    let (telemetry, memory, _clock) = memory_telemetry(Some("k3m9p2xw7q"));
    let mut req = request("/api/data/7/export", "POST", "tr_1", &telemetry);
    req.headers_mut()
        .insert("x-entity", "r8n4t6y1z5".parse().unwrap());
    assert_eq!(export(req).err(), Some(ApiError("export failed")));
    let mut req = request("/api/data/8/export", "GET", "tr_2", &telemetry);
    req.headers_mut()
        .insert("x-entity", "r8n4t6y1z5".parse().unwrap());
    let ok = export(req).unwrap();
    assert_eq!(ok.status(), 202);
    assert_eq!(ok.headers()["x-trace-id"], "tr_2");

    let responses = memory.lines_with_message("← response");
    assert_eq!(responses[0].json()["status"], 500);
    assert_eq!(responses[0].json()["path"], "/api/data/7/export");
    assert_eq!(responses[1].json()["status"], 202);
    let perf = memory.points_in("k3m9p2xw7q-perf");
    assert_eq!(
        perf[0].blobs,
        [
            "data-export",
            "POST /api/data/:id/export",
            "500",
            "r8n4t6y1z5"
        ]
    );
    assert_eq!(perf[0].doubles, [1.0, 0.0, 1.0]);
    assert_eq!(
        perf[1].blobs,
        [
            "data-export",
            "GET /api/data/:id/export",
            "202",
            "r8n4t6y1z5"
        ]
    );
    assert_eq!(perf[1].doubles, [1.0, 0.0, 0.0]);
}

#[nno_handler(service = "registry")]
fn lookup(_: http::Request<()>) -> http::Response<()> {
    http::Response::new(())
}

#[test]
fn without_route_id_like_segments_become_id_and_feature_defaults_to_the_service() {
    let (telemetry, memory, _clock) = memory_telemetry(None);
    let paths = [
        ("/platforms/123/features", "GET /platforms/:id/features"),
        (
            "/platforms/4bf92f35-77b3-4da6-a3ce-929d0e0e4736",
            "GET /platforms/:id",
        ),
        ("/blobs/00f067aa0ba902b7cafe", "GET /blobs/:id"),
        // Short hex and words stay: they are routes, not ids.
        ("/beef/k3m9p2xw7q/v2", "GET /beef/k3m9p2xw7q/v2"),
        ("/", "GET /"),
    ];
    for (path, _) in paths {
        let mut req = http::Request::builder().uri(path).body(()).unwrap();
        req.extensions_mut().insert(telemetry.clone());
        lookup(req);
    }
    let endpoints: Vec<_> = memory
        .points_in("nno-internal-perf")
        .into_iter()
        .map(|point| (point.blobs[0].clone(), point.blobs[1].clone()))
        .collect();
    let expected: Vec<_> = paths
        .iter()
        .map(|(_, endpoint)| ("registry".to_owned(), endpoint.to_string()))
        .collect();
    assert_eq!(endpoints, expected);
    // Fresh ids when the request carries none, echoed on lines.
    let first = &memory.lines()[0].json();
    assert_eq!(first["traceId"].as_str().unwrap().len(), 36);
}

/// A step called from a handler: the handler's ids, a child span.
#[nno_instrument(span, service = "provisioning", fields(job_id))]
async fn provision_step(obs: &Obs, job_id: &str) -> Result<(), ApiError> {
    futures::pending_once().await;
    obs.info("provisioning", &[]);
    Ok(())
}

#[nno_handler(service = "analytics")]
async fn interleaved(req: http::Request<String>, obs: Obs) -> http::Response<String> {
    let job = req.uri().path().trim_start_matches('/').to_owned();
    futures::pending_once().await;
    obs.info("between awaits", &[]);
    provision_step(&obs, &job).await.unwrap();
    futures::pending_once().await;
    http::Response::new(job)
}

/// Yields once: `Pending` the first time, so `join!` switches to the other request.
mod futures {
    pub use ::futures::*;

    pub async fn pending_once() {
        let mut yielded = false;
        ::futures::future::poll_fn(|cx| {
            if yielded {
                std::task::Poll::Ready(())
            } else {
                yielded = true;
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
        })
        .await
    }
}

#[test]
fn two_requests_interleaved_on_one_thread_never_mix_their_ids() {
    let (telemetry, memory, _clock) = memory_telemetry(Some("k3m9p2xw7q"));
    let mut pool = futures::executor::LocalPool::new();
    let (a, b) = pool.run_until(async {
        futures::join!(
            interleaved(request("/job-a", "GET", "tr_a", &telemetry)),
            interleaved(request("/job-b", "GET", "tr_b", &telemetry)),
        )
    });
    assert_eq!(a.headers()["x-trace-id"], "tr_a");
    assert_eq!(b.headers()["x-trace-id"], "tr_b");
    let lines = memory.lines();
    // Interleaved: the two requests' lines alternate, not one request after the other.
    let traces: Vec<String> = lines
        .iter()
        .map(|line| line.json()["traceId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(traces.len(), 12);
    assert!(traces.windows(2).any(|pair| pair[0] != pair[1]));
    assert_ne!(traces[..6].iter().filter(|t| *t == "tr_a").count(), 6);
    for line in &lines {
        let json = line.json();
        let trace = json["traceId"].as_str().unwrap();
        assert_eq!(json["requestId"], format!("req-{trace}"), "{}", line.text);
        if json["message"] == "step started" || json["message"] == "step completed" {
            let job = if trace == "tr_a" { "job-a" } else { "job-b" };
            assert_eq!(json["jobId"], job, "{}", line.text);
        }
    }
    for (trace, path) in [("tr_a", "/job-a"), ("tr_b", "/job-b")] {
        let mine = memory.lines_with_trace(trace);
        let messages: Vec<_> = mine.iter().map(|l| l.message().unwrap()).collect();
        assert_eq!(
            messages,
            [
                "→ request",
                "between awaits",
                "step started",
                "provisioning",
                "step completed",
                "← response",
            ]
        );
        assert!(mine
            .iter()
            .all(|l| l.json()["path"].is_null() || l.json()["path"] == path));
    }
    // Each step's span is a child of a span of its own trace.
    let spans = memory.points_in("nno-core-ops-spans");
    assert_eq!(spans.len(), 2);
    for span in spans {
        assert_ne!(span.blobs[2], "");
        let trace = &span.blobs[0];
        assert!(trace == "tr_a" || trace == "tr_b");
    }
}

#[nno_handler(service = "analytics")]
async fn send_handler(req: http::Request<String>, obs: &Obs) -> http::Response<String> {
    tokio::task::yield_now().await;
    provision_step(obs, "job-s").await.unwrap();
    http::Response::new(req.into_body())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_future_is_send_and_runs_on_tokio_spawn() {
    let (telemetry, memory, _clock) = memory_telemetry(Some("k3m9p2xw7q"));
    let req = request("/x", "PUT", "tr_send", &telemetry);
    let response = tokio::spawn(send_handler(req)).await.unwrap();
    assert_eq!(response.headers()["x-trace-id"], "tr_send");
    assert_eq!(memory.lines_with_trace("tr_send").len(), 5);
    assert_eq!(memory.points_in("k3m9p2xw7q-perf")[0].blobs[1], "PUT /x");
}
