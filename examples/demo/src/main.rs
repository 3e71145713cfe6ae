//! A small NNO scenario played with the nno-obs runtime alone.
//!
//! A client asks the gateway to provision a platform. The gateway forwards the request to the
//! registry with the trace headers, then hands the job to provisioning, which runs three steps
//! in child spans; the third fails and the job rolls back. Everything goes to the console (as
//! a Worker's `console.log`) and to a local NDJSON store, whose location is printed at the end.
//!
//! ```text
//! cargo run -p nno-obs-demo                  # store in target/nno-obs-store
//! cargo run -p nno-obs-demo -- --store DIR   # store in DIR
//! ```

use nno_obs::sink::NdjsonStore;
use nno_obs::{fields, Obs, OpOutcome, SpanOutcome, Telemetry};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

const PLATFORM_ID: &str = "k3m9p2xw7q";
const ENTITY_ID: &str = "r8n4t6y1z5";

fn main() {
    let store_dir = store_dir_from_args();
    let _ = std::fs::create_dir_all(&store_dir);
    let store_dir = std::fs::canonicalize(&store_dir).unwrap_or(store_dir);
    let store = match NdjsonStore::open(&store_dir) {
        Ok(store) => Arc::new(store),
        Err(error) => {
            eprintln!(
                "nno-obs demo: cannot open the store in {}: {error}",
                store_dir.display()
            );
            std::process::exit(1);
        }
    };
    let telemetry = Telemetry::local_store(store.clone())
        .platform_id(PLATFORM_ID)
        .entity_id(ENTITY_ID)
        .build();

    // The NNO CLI sends its own trace id; the gateway keeps it for the whole trace.
    let request = http::Request::post(format!("/api/platforms/{PLATFORM_ID}/provision"))
        .header("x-trace-id", "tr_demo0001")
        .body(())
        .unwrap_or_default();
    let response = gateway(&telemetry, &request);

    let stats = telemetry.stats();
    println!();
    println!(
        "nno-obs demo: gateway answered {} for trace tr_demo0001; {} lines and {} data points written",
        response.status(),
        stats.lines_written,
        stats.points_written
    );
    println!("nno-obs demo: local store in {}", store.dir().display());
    println!("  logs:   {}", store.log_path().display());
    for dataset in ["nno-core-ops", "nno-core-ops-spans", "nno_metrics"] {
        println!("  points: {}", store.dataset_path(dataset).display());
    }
}

fn store_dir_from_args() -> PathBuf {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (Some("--store"), Some(dir)) => PathBuf::from(dir),
        _ => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../target/nno-obs-store"
        )),
    }
}

/// The gateway: logs the request as the seed's `requestLogger`, forwards to the registry and
/// provisioning with the trace headers, and records its own `nno-core-ops` point.
fn gateway(telemetry: &Telemetry, request: &http::Request<()>) -> http::Response<()> {
    let start = telemetry.clock().now_ms();
    let obs = Obs::from_headers(telemetry.clone(), "gateway", request);
    let (method, path) = (request.method().as_str(), request.uri().path());
    obs.info("→ request", fields! { method, path });

    let lookup = obs.with_trace_headers(
        http::Request::get(format!("/platforms/{PLATFORM_ID}"))
            .body(())
            .unwrap_or_default(),
    );
    let found = registry(telemetry, &lookup);

    let status = if found.status().is_success() {
        let job = obs.with_trace_headers(http::Request::post("/jobs").body(()).unwrap_or_default());
        provisioning(telemetry, &job).status()
    } else {
        found.status()
    };

    let duration = telemetry.clock().now_ms().saturating_sub(start);
    let code = status.as_u16();
    obs.info(
        "← response",
        fields! { method, path, status: code, duration },
    );
    let outcome = if status.is_server_error() {
        OpOutcome::Error
    } else {
        OpOutcome::Success
    };
    obs.record_core_op("POST /api/platforms/:id/provision", outcome, duration);
    obs.record_metric("gateway.request.count", 1.0, &[("status", status.as_str())]);
    let mut response = http::Response::new(());
    *response.status_mut() = status;
    obs.echo_ids(response.headers_mut());
    response
}

/// The registry: a lookup, continuing the trace it was sent.
fn registry(telemetry: &Telemetry, request: &http::Request<()>) -> http::Response<()> {
    let start = telemetry.clock().now_ms();
    let obs = Obs::from_headers(telemetry.clone(), "registry", request);
    obs.debug(
        "manifest fetched",
        fields! { platformId: PLATFORM_ID, entityId: ENTITY_ID, featureCount: 3 },
    );
    std::thread::sleep(Duration::from_millis(4));
    let duration = telemetry.clock().now_ms().saturating_sub(start);
    obs.record_core_op("GET /platforms/:id", OpOutcome::Success, duration);
    http::Response::new(())
}

/// Why a step failed.
#[derive(Debug)]
struct StepError(&'static str);

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Provisioning: one job of three steps in child spans; the third fails and the job rolls back.
fn provisioning(telemetry: &Telemetry, request: &http::Request<()>) -> http::Response<()> {
    let obs = Obs::from_headers(telemetry.clone(), "provisioning", request);
    let job_id = "job-0001";
    obs.info(
        "job created",
        fields! { jobId: job_id, operation: "PROVISION_PLATFORM", platformId: PLATFORM_ID },
    );
    let job = obs.child("PROVISION_PLATFORM").start_span();

    let steps: [(&str, Result<(), StepError>); 3] = [
        ("create-d1", Ok(())),
        ("deploy-worker", Ok(())),
        (
            "configure-dns",
            Err(StepError("CF API returned 429 after 3 retries")),
        ),
    ];
    let mut completed = 0;
    let mut failure = None;
    for (step, result) in steps {
        let span = job.obs().child(step).start_span();
        span.obs()
            .info("step started", fields! { jobId: job_id, step });
        std::thread::sleep(Duration::from_millis(3));
        let duration_ms = span.elapsed_ms();
        match result {
            Ok(()) => {
                span.obs().info(
                    "step completed",
                    fields! { jobId: job_id, step, durationMs: duration_ms },
                );
                span.end(SpanOutcome::Ok);
                completed += 1;
            }
            Err(error) => {
                let error = error.to_string();
                span.obs().error(
                    "step failed",
                    fields! { jobId: job_id, step, error, willRollback: true, durationMs: duration_ms },
                );
                span.end(SpanOutcome::Error);
                failure = Some(step);
                break;
            }
        }
    }

    let status = match failure {
        Some(_) => {
            obs.warn(
                "rollback started",
                fields! { jobId: job_id, stepsToRollback: completed },
            );
            obs.warn(
                "rollback completed",
                fields! { jobId: job_id, stepsToRollback: completed },
            );
            let elapsed = job.elapsed_ms();
            job.end(SpanOutcome::Error);
            obs.record_core_op("PROVISION_PLATFORM", OpOutcome::Error, elapsed);
            http::StatusCode::BAD_GATEWAY
        }
        None => {
            let elapsed = job.elapsed_ms();
            job.end(SpanOutcome::Ok);
            obs.record_core_op("PROVISION_PLATFORM", OpOutcome::Success, elapsed);
            http::StatusCode::OK
        }
    };
    let mut response = http::Response::new(());
    *response.status_mut() = status;
    response
}
