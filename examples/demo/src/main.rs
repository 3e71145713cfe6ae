//! A small NNO scenario, instrumented with nno-obs' two macros, in the production shape.
//!
//! A client asks the gateway to provision a platform. The gateway (`#[nno_handler]`, a core
//! service) looks the platform up in the registry and hands the job to provisioning, each call
//! in its own child span carrying the trace headers. Provisioning runs the job as
//! `#[nno_instrument(span)]` steps; the third fails and the job rolls back. No log line, span
//! or data point is written by hand: the macros write the seed's request lines, step lines,
//! error lines, spans and core-ops points.
//!
//! Each service runs as its own Worker invocation: its console lines go to the console and,
//! as Cloudflare's runtime and Logpush would deliver them, into one Workers Trace Events record
//! in the local store (`nno-logs-internal/{DATE}/{HOUR}/nno-{service}-prod-….json`); its points
//! into the store's Analytics Engine datasets. At the end the demo finds the whole trace again
//! with the log search, as `nno-obs logs search --trace-id tr_demo0001` does.
//!
//! ```text
//! cargo run -p nno-obs-demo                  # store in target/nno-obs-store
//! cargo run -p nno-obs-demo -- --store DIR   # store in DIR
//! ```

use nno_obs::clock::Clock;
use nno_obs::sink::{ConsoleSink, Tee};
use nno_obs::{fields, nno_handler, nno_instrument, Obs, Telemetry};
use nno_obs_logs::{LocalSearch, LogQuery};
use nno_obs_store::fs::{EventMeta, Invocation, LocalStore};
use nno_obs_store::layout::ScriptName;
use nno_obs_store::record::Outcome;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

const PLATFORM_ID: &str = "k3m9p2xw7q";
const ENTITY_ID: &str = "r8n4t6y1z5";
const TRACE_ID: &str = "tr_demo0001";

fn main() {
    let store_dir = store_dir_from_args();
    let store = match LocalStore::open(&store_dir) {
        Ok(store) => Arc::new(store),
        Err(error) => {
            eprintln!(
                "nno-obs demo: cannot open the store in {}: {error}",
                store_dir.display()
            );
            std::process::exit(1);
        }
    };
    let store_dir = std::fs::canonicalize(&store_dir).unwrap_or(store_dir);

    // The NNO CLI sends its own trace id; every service keeps it for the whole trace.
    let request = http::Request::post(format!("/api/platforms/{PLATFORM_ID}/provision"))
        .header("x-trace-id", TRACE_ID)
        .body(())
        .unwrap_or_default();
    let (status, _) = invoke(&store, "gateway", request, gateway);
    // Close the open files: they become .json.gz with their index, as Logpush delivers them.
    if let Err(error) = store.close() {
        eprintln!("nno-obs demo: closing the store: {error}");
    }

    println!();
    println!("nno-obs demo: the gateway answered {status} for trace {TRACE_ID}");
    println!("nno-obs demo: local store in {}", store_dir.display());
    print_trace(&store_dir);
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

/// The trace, found again through the log search over the store.
fn print_trace(store_dir: &std::path::Path) {
    // The demo reads the store it wrote: the local store's check gives it the operator's view.
    let operator = match nno_obs_access::local::operator(store_dir) {
        Ok(operator) => operator,
        Err(error) => {
            eprintln!("nno-obs demo: cannot read the store: {error}");
            return;
        }
    };
    let search = match LocalSearch::store(store_dir, &operator) {
        Ok(search) => search,
        Err(error) => {
            eprintln!("nno-obs demo: cannot search the store: {error}");
            return;
        }
    };
    let query = LogQuery {
        trace_id: Some(TRACE_ID.to_owned()),
        ..LogQuery::default()
    };
    let page = search.run(&query, None, 1_000);
    println!(
        "nno-obs demo: the log search finds {} lines of trace {TRACE_ID} in {} Logpush object{}:",
        page.hits.len(),
        page.files_read,
        if page.files_read == 1 { "" } else { "s" }
    );
    for hit in &page.hits {
        let entry = &hit.entry;
        println!(
            "  {:<13} {:<5}  {}",
            entry.service.as_deref().unwrap_or("-"),
            entry.level.as_str(),
            entry.message
        );
    }
    println!(
        "  (the same: cargo run -q -p nno-obs-cli -- logs search --trace-id {TRACE_ID} --since 1h)"
    );
}

/// Runs `handler` as one invocation of the core service `service`'s Worker: a context of its
/// own (console and the invocation's record for lines, the store for points), then one trace
/// event record appended to the store. Returns the status and the time it took.
fn invoke(
    store: &Arc<LocalStore>,
    service: &str,
    mut request: http::Request<()>,
    handler: fn(http::Request<()>) -> http::Response<()>,
) -> (http::StatusCode, u64) {
    let clock = Clock::system();
    let started = clock.now_ms();
    let capture = Invocation::start(store.clone(), clock.clone());
    let telemetry = Telemetry::builder()
        .log_sink(Tee(ConsoleSink, capture.clone()))
        .all_datasets(store.clone())
        .clock(clock.clone())
        .build();
    let method = request.method().as_str().to_owned();
    let url = format!(
        "https://nno-{service}-prod.workers.dev{}",
        request.uri().path()
    );
    request.extensions_mut().insert(telemetry);
    request.extensions_mut().insert(store.clone());
    let response = handler(request);
    let status = response.status();
    if let Ok(script) = ScriptName::parse(&format!("nno-{service}-prod")) {
        let meta = EventMeta::fetch(&method, &url, status.as_u16());
        if let Err(error) = capture.finish(&script, Outcome::Ok, meta) {
            eprintln!("nno-obs demo: writing the record: {error}");
        }
    }
    (status, clock.now_ms().saturating_sub(started))
}

/// The store the current invocation writes into (every request the demo makes carries it).
fn store_of(request: &http::Request<()>) -> Option<Arc<LocalStore>> {
    request.extensions().get::<Arc<LocalStore>>().cloned()
}

// ---------------------------------------------------------------------------------------------
// The gateway: a core service (no `feature`), so one nno-core-ops point per request.

#[nno_handler(
    service = "gateway",
    routes("/api/platforms/:id/provision"),
    platform = PLATFORM_ID
)]
fn gateway(request: http::Request<()>, obs: Obs) -> http::Response<()> {
    let status = match lookup_platform(&obs, &request, PLATFORM_ID) {
        Ok(()) => start_job(&obs, &request),
        Err(status) => status,
    };
    obs.record_metric("gateway.request.count", 1.0, &[("status", status.as_str())]);
    let mut response = http::Response::new(());
    *response.status_mut() = status;
    response
}

/// `GET /platforms/:id` on the registry Worker, in its own span: the registry's request span
/// is a child of this one (its `traceparent` names it).
#[nno_instrument(span, name = "GET registry", fields(platform_id))]
fn lookup_platform(
    obs: &Obs,
    incoming: &http::Request<()>,
    platform_id: &str,
) -> Result<(), http::StatusCode> {
    let call = http::Request::get(format!("/platforms/{platform_id}")).body(());
    let status = call_worker(
        incoming,
        "registry",
        call.unwrap_or_default(),
        obs,
        registry,
    );
    if status.is_success() {
        Ok(())
    } else {
        Err(status)
    }
}

/// `POST /jobs` on the provisioning Worker, in its own span.
#[nno_instrument(span, name = "POST provisioning", lines = false)]
fn start_job(obs: &Obs, incoming: &http::Request<()>) -> http::StatusCode {
    let call = http::Request::post("/jobs").body(()).unwrap_or_default();
    call_worker(incoming, "provisioning", call, obs, provisioning)
}

/// Calls another service's Worker with the trace headers of `obs` (a service binding in
/// production; here another invocation in the same process).
fn call_worker(
    incoming: &http::Request<()>,
    service: &str,
    call: http::Request<()>,
    obs: &Obs,
    handler: fn(http::Request<()>) -> http::Response<()>,
) -> http::StatusCode {
    match store_of(incoming) {
        Some(store) => invoke(&store, service, obs.with_trace_headers(call), handler).0,
        None => http::StatusCode::INTERNAL_SERVER_ERROR,
    }
}

// ---------------------------------------------------------------------------------------------
// The registry.

#[nno_handler(service = "registry", routes("/platforms/:id"), platform = PLATFORM_ID)]
fn registry(_request: http::Request<()>, obs: Obs) -> http::Response<()> {
    std::thread::sleep(Duration::from_millis(4));
    obs.debug(
        "manifest fetched",
        fields! { platformId: PLATFORM_ID, entityId: ENTITY_ID, featureCount: 3 },
    );
    http::Response::new(())
}

// ---------------------------------------------------------------------------------------------
// Provisioning: one job of three steps in child spans; the third fails and the job rolls back.

#[nno_handler(service = "provisioning", routes("/jobs"), platform = PLATFORM_ID)]
fn provisioning(_request: http::Request<()>, obs: Obs) -> http::Response<()> {
    let job_id = "job-0001";
    obs.info(
        "job created",
        fields! { jobId: job_id, operation: "PROVISION_PLATFORM", platformId: PLATFORM_ID },
    );
    let status = match provision_platform(&obs, job_id) {
        Ok(()) => http::StatusCode::OK,
        Err(_) => http::StatusCode::BAD_GATEWAY,
    };
    let mut response = http::Response::new(());
    *response.status_mut() = status;
    response
}

/// Why a step failed.
#[derive(Debug)]
struct StepError(&'static str);

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// The job: its span is the parent of the steps' spans. `job` makes it the job's own span:
/// its span points (at its start and end) and its `nno-core-ops` point name the job.
#[nno_instrument(
    span,
    job,
    name = "PROVISION_PLATFORM",
    fields(job_id, operation = "PROVISION_PLATFORM")
)]
fn provision_platform(obs: &Obs, job_id: &str) -> Result<(), StepError> {
    create_d1(obs, job_id)?;
    deploy_worker(obs, job_id)?;
    if let Err(error) = configure_dns(obs, job_id) {
        obs.warn(
            "rollback started",
            fields! { jobId: job_id, stepsToRollback: 2 },
        );
        rollback(obs, job_id, 2)?;
        return Err(error);
    }
    Ok(())
}

#[nno_instrument(span, name = "create-d1", fields(job_id))]
fn create_d1(obs: &Obs, job_id: &str) -> Result<(), StepError> {
    std::thread::sleep(Duration::from_millis(3));
    obs.debug(
        "CF API call",
        fields! { method: "POST", endpoint: "/d1/database", status: 200, durationMs: 3 },
    );
    Ok(())
}

#[nno_instrument(span, name = "deploy-worker", fields(job_id))]
fn deploy_worker(obs: &Obs, job_id: &str) -> Result<(), StepError> {
    std::thread::sleep(Duration::from_millis(3));
    obs.debug(
        "CF API call",
        fields! { method: "PUT", endpoint: "/workers/scripts/:name", status: 200, durationMs: 3 },
    );
    Ok(())
}

#[nno_instrument(span, name = "configure-dns", fields(job_id, will_rollback = true))]
fn configure_dns(obs: &Obs, job_id: &str) -> Result<(), StepError> {
    std::thread::sleep(Duration::from_millis(3));
    obs.warn(
        "CF API rate limit hit",
        fields! { endpoint: "/zones/:id/dns_records", retryAfterMs: 1000 },
    );
    Err(StepError("CF API returned 429 after 3 retries"))
}

#[nno_instrument(span, name = "rollback", fields(job_id, steps_to_rollback = steps), level = "warn")]
fn rollback(obs: &Obs, job_id: &str, steps: u32) -> Result<(), StepError> {
    obs.info("deleted", fields! { resources: steps });
    Ok(())
}
