//! `#[nno_handler]` on native `http` handlers: the exact lines, the request's root span, the
//! perf point of a platform feature and the core-ops point of a core service, the error line
//! of an `Err` or a panic, bounded endpoints, echoed ids, and requests interleaved on one
//! thread that never mix their ids.

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

#[nno_handler(
    service = "analytics",
    feature = "analytics",
    routes("/api/data", "/api/data/:id")
)]
async fn get_data(req: http::Request<String>, obs: Obs) -> http::Response<String> {
    obs.info("report built", nno_obs::fields! { rows: 42 });
    advance(45);
    http::Response::new(format!("{} done", req.uri().path()))
}

#[test]
fn a_request_logs_request_and_response_echoes_ids_and_writes_its_span_and_perf_point() {
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
            // Seed §1.3's keys exactly, then §1.5's "Request handled" keys that are known.
            line(
                "tr_abc123",
                "→ request",
                r#","method":"GET","path":"/api/data/42","featureId":"analytics","platformId":"k3m9p2xw7q""#
            ),
            line("tr_abc123", "report built", r#","rows":42"#),
            line(
                "tr_abc123",
                "← response",
                r#","method":"GET","path":"/api/data/42","status":200,"duration":45,"featureId":"analytics","platformId":"k3m9p2xw7q""#
            )
            .replace("00.123Z", "00.168Z"),
        ]
    );
    let perf = memory.points_in("k3m9p2xw7q-perf");
    assert_eq!(perf.len(), 1);
    assert_eq!(perf[0].blobs, ["analytics", "GET /api/data/:id", "200", ""]);
    assert_eq!(perf[0].doubles, [1.0, 45.0, 0.0]);
    assert_eq!(perf[0].index.as_deref(), Some("analytics"));
    // A platform feature writes no core-ops point.
    assert!(memory.points_in("nno-core-ops").is_empty());
    // The request's own span: the root of its trace (no caller), named after the endpoint.
    let spans = memory.points_in("nno-core-ops-spans");
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].blobs[0], "tr_abc123");
    assert_eq!(spans[0].blobs[2], "");
    assert_eq!(
        spans[0].blobs[3..],
        ["analytics", "GET /api/data/:id", "ok", "k3m9p2xw7q"]
    );
    assert_eq!(spans[0].doubles, [45.0, 0.0]);
}

#[test]
fn a_caller_s_traceparent_parents_the_request_span() {
    let (telemetry, memory, _clock) = memory_telemetry(Some("k3m9p2xw7q"));
    let mut req = request(
        "/api/data",
        "GET",
        "4bf92f35-77b3-4da6-a3ce-929d0e0e4736",
        &telemetry,
    );
    req.headers_mut().insert(
        "traceparent",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            .parse()
            .unwrap(),
    );
    futures::executor::block_on(get_data(req));
    let spans = memory.points_in("nno-core-ops-spans");
    assert_eq!(spans[0].blobs[2], "00f067aa0ba902b7");
    assert_eq!(spans[0].blobs[4], "GET /api/data");
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

    // Seed §1.5 "Unhandled error": one error line with the ids, the feature and the error,
    // before `← response`.
    let tr_1: Vec<String> = memory
        .lines_with_trace("tr_1")
        .into_iter()
        .map(|line| line.text)
        .collect();
    assert_eq!(
        tr_1[1],
        r#"{"timestamp":"2026-02-22T10:34:00.123Z","level":"error","service":"analytics","traceId":"tr_1","requestId":"req-tr_1","message":"unhandled error","featureId":"data-export","error":"export failed"}"#
    );
    assert_eq!(
        tr_1[2],
        r#"{"timestamp":"2026-02-22T10:34:00.123Z","level":"info","service":"analytics","traceId":"tr_1","requestId":"req-tr_1","message":"← response","method":"POST","path":"/api/data/7/export","status":500,"duration":0,"featureId":"data-export","platformId":"k3m9p2xw7q","entityId":"r8n4t6y1z5"}"#
    );
    assert_eq!(memory.lines_with_trace("tr_2").len(), 2);
    let responses = memory.lines_with_message("← response");
    assert_eq!(responses[1].json()["status"], 202);
    let outcomes: Vec<_> = memory
        .points_in("nno-core-ops-spans")
        .into_iter()
        .map(|span| span.blobs[5].clone())
        .collect();
    assert_eq!(outcomes, ["error", "ok"]);
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

#[nno_handler(
    service = "registry",
    routes("/platforms/:id", "/platforms/:id/features")
)]
fn lookup(_: http::Request<()>) -> http::Response<()> {
    http::Response::new(())
}

#[test]
fn a_core_service_writes_core_ops_and_unknown_paths_share_one_endpoint() {
    let (telemetry, memory, _clock) = memory_telemetry(Some("k3m9p2xw7q"));
    let paths = [
        ("/platforms/123/features", "GET /platforms/:id/features"),
        (
            "/platforms/4bf92f35-77b3-4da6-a3ce-929d0e0e4736",
            "GET /platforms/:id",
        ),
        // Anything the code does not declare — a scanner, a slug, an e-mail in a path — is
        // one endpoint per method, never the path.
        ("/wp-login.php", "GET (unmatched)"),
        ("/users/jane@example.com", "GET (unmatched)"),
        ("/platforms/1/features/2", "GET (unmatched)"),
        ("/", "GET (unmatched)"),
    ];
    for (path, _) in paths {
        let mut req = http::Request::builder().uri(path).body(()).unwrap();
        req.extensions_mut().insert(telemetry.clone());
        lookup(req);
    }
    let endpoints: Vec<_> = memory
        .points_in("nno-core-ops")
        .into_iter()
        .map(|point| {
            assert_eq!(point.blobs[0], "registry");
            assert_eq!(point.blobs[2], "success");
            assert_eq!(point.blobs[3], "k3m9p2xw7q");
            point.blobs[1].clone()
        })
        .collect();
    let expected: Vec<_> = paths.iter().map(|(_, endpoint)| *endpoint).collect();
    assert_eq!(endpoints, expected);
    // A core service never writes into a platform's perf dataset.
    assert!(memory.points_in("k3m9p2xw7q-perf").is_empty());
    // Fresh ids when the request carries none, and no featureId on the lines.
    let first = &memory.lines()[0].json();
    assert_eq!(first["traceId"].as_str().unwrap().len(), 36);
    assert!(first.get("featureId").is_none());
    assert_eq!(first["platformId"], "k3m9p2xw7q");
}

#[nno_handler(service = "registry", route = "/boom")]
fn boom(_: http::Request<()>) -> http::Response<()> {
    panic!("registry exploded");
}

#[test]
fn a_panicking_handler_still_writes_the_error_line_the_response_and_its_points() {
    let (telemetry, memory, _clock) = memory_telemetry(None);
    let mut req = http::Request::builder()
        .uri("/boom")
        .header("x-trace-id", "tr_panic")
        .body(())
        .unwrap();
    req.extensions_mut().insert(telemetry.clone());
    assert!(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| boom(req))).is_err());
    let messages: Vec<_> = memory
        .lines_with_trace("tr_panic")
        .iter()
        .map(|line| (line.json()["level"].clone(), line.message().unwrap()))
        .collect();
    assert_eq!(
        messages,
        [
            ("info".into(), "→ request".to_owned()),
            ("error".into(), "unhandled error".to_owned()),
            ("info".into(), "← response".to_owned()),
        ]
    );
    assert_eq!(
        memory.lines_with_message("unhandled error")[0].json()["error"],
        "panicked"
    );
    assert_eq!(
        memory.lines_with_message("← response")[0].json()["status"],
        500
    );
    let ops = memory.points_in("nno-core-ops");
    assert_eq!(ops[0].blobs[1..3], ["GET /boom", "error"]);
    assert_eq!(memory.points_in("nno-core-ops-spans")[0].blobs[5], "error");
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
    // Each step's span is a child of its own request's root span.
    let spans = memory.points_in("nno-core-ops-spans");
    assert_eq!(spans.len(), 4);
    for trace in ["tr_a", "tr_b"] {
        let mine: Vec<_> = spans.iter().filter(|span| span.blobs[0] == trace).collect();
        let (steps, roots): (Vec<&&nno_obs::sink::CapturedPoint>, Vec<_>) =
            mine.iter().partition(|span| !span.blobs[2].is_empty());
        assert_eq!((steps.len(), roots.len()), (1, 1), "{trace}");
        assert_eq!(steps[0].blobs[2], roots[0].blobs[1], "{trace}");
        assert_eq!(roots[0].blobs[4], "GET (unmatched)");
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
    assert_eq!(
        memory.points_in("nno-core-ops")[0].blobs[1],
        "PUT (unmatched)"
    );
}
