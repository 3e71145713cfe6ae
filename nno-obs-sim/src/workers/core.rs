//! NNO's core services: the gateway, the registry, provisioning and the CLI service (seed
//! §1.5's rows). Core services declare no `feature`: they write `nno-core-ops` points.

use super::{plan_of, work, Plan, SimError};
use crate::driver::Driver;
use nno_obs::{
    fields, nno_handler, nno_instrument, Binding, BuildOutcome, BuildRecord, DataPoint, Obs,
};
use std::sync::Arc;

type Response = http::Response<()>;

fn status(code: u16) -> Response {
    let mut response = http::Response::new(());
    *response.status_mut() = http::StatusCode::from_u16(code).unwrap_or(http::StatusCode::OK);
    response
}

fn driver_of(request: &http::Request<()>) -> Option<Arc<Driver>> {
    request.extensions().get::<Arc<Driver>>().cloned()
}

/// The gateway: platform lookups go to the registry, feature activations to provisioning,
/// each call in its own child span. Every core service here works for one platform, and says
/// so (`platform = …`): its core-ops and span points name it (seed §3.2 blob4).
#[nno_handler(
    service = "gateway",
    routes("/api/platforms/:id", "/api/platforms/:id/activate"),
    platform = plan_of(&request).platform_id
)]
pub fn gateway(request: http::Request<()>, obs: Obs) -> Response {
    let plan = plan_of(&request);
    work(&obs, plan.latency_ms);
    if plan.fail {
        // The gateway's own failure (a bad deploy): 502 before any downstream call.
        return status(502);
    }
    let Some(driver) = driver_of(&request) else {
        return status(500);
    };
    let code = if request.uri().path().ends_with("/activate") {
        call_provisioning(&obs, &driver, &plan)
    } else {
        call_registry(&obs, &driver, &plan, request.method().as_str())
    };
    status(code)
}

#[nno_instrument(span, name = "registry", lines = false)]
fn call_registry(obs: &Obs, driver: &Arc<Driver>, plan: &Plan, method: &str) -> u16 {
    let headers = obs.with_trace_headers(http::HeaderMap::new());
    let path = format!("/platforms/{}", plan.platform_id);
    let (code, took) = driver.call_registry(
        obs.telemetry().clock().now_ms(),
        method,
        &path,
        headers,
        plan,
    );
    work(obs, took);
    code
}

#[nno_instrument(span, name = "provisioning", lines = false)]
fn call_provisioning(obs: &Obs, driver: &Arc<Driver>, plan: &Plan) -> u16 {
    let headers = obs.with_trace_headers(http::HeaderMap::new());
    let (code, took) = driver.call_provisioning(obs.telemetry().clock().now_ms(), headers, plan);
    work(obs, took);
    code
}

/// The registry: platform manifests (reads) and resources (writes).
#[nno_handler(
    service = "registry",
    routes("/platforms/:id"),
    platform = plan_of(&request).platform_id
)]
pub fn registry(request: http::Request<()>, obs: Obs) -> Response {
    let plan = plan_of(&request);
    work(&obs, plan.latency_ms);
    let platform = plan.platform_id.as_str();
    if request.method() == http::Method::PUT {
        obs.info(
            "resource updated",
            fields! { resourceType: "platform", resourceId: platform, platformId: platform },
        );
    } else {
        obs.debug(
            "manifest fetched",
            fields! { platformId: platform, featureCount: crate::fleet::FEATURES.len() },
        );
    }
    if plan.latency_ms > 500 {
        obs.warn(
            "query timeout",
            fields! { query: "SELECT manifest FROM platforms WHERE id = ?", durationMs: plan.latency_ms },
        );
    }
    status(200)
}

/// Provisioning: runs the job the request asks for, in the context of the platform it is for
/// (so its span, core-ops and the handler's own points name that platform, seed §3.2 blob4).
#[nno_handler(
    service = "provisioning",
    routes("/jobs"),
    platform = plan_of(&request).platform_id
)]
pub fn provisioning(request: http::Request<()>, obs: Obs) -> Result<Response, SimError> {
    let plan = plan_of(&request);
    let operation = if plan.job_id.starts_with("job-prov") {
        "PROVISION_PLATFORM"
    } else {
        "ACTIVATE_FEATURE"
    };
    let job_id = plan.job_id.as_str();
    let platform = plan.platform_id.as_str();
    obs.info(
        "job created",
        fields! { jobId: job_id, operation: operation, platformId: platform },
    );
    let started = obs.telemetry().clock().now_ms();
    let outcome = run_job(&obs, job_id, operation, &plan);
    let duration = obs.telemetry().clock().now_ms().saturating_sub(started);
    match outcome {
        Ok(()) => {
            obs.info(
                "job completed",
                fields! { jobId: job_id, operation: operation, platformId: platform, durationMs: duration },
            );
            Ok(status(201))
        }
        Err(error) => {
            obs.error(
                "job failed",
                fields! { jobId: job_id, operation: operation, platformId: platform, durationMs: duration, status: "FAILED", error: error.0 },
            );
            Ok(status(502))
        }
    }
}

/// A step of a job: what it takes and whether it fails.
type Step = fn(&Obs, &str, u64, bool) -> Result<(), SimError>;

/// The job: its span is the parent of its steps' spans. `job` makes it the job's own span:
/// its points carry the job id and operation, and the job's `nno-core-ops` point is written
/// when it ends (seed §3.3's job success rate).
#[nno_instrument(span, job, name = "run-job", fields(job_id, operation))]
fn run_job(obs: &Obs, job_id: &str, operation: &str, plan: &Plan) -> Result<(), SimError> {
    let steps: [(&str, Step); 3] = [
        ("create-d1", create_d1),
        ("deploy-worker", deploy_worker),
        ("configure-dns", configure_dns),
    ];
    for (done, (name, step)) in (0u32..).zip(steps) {
        let will_fail = plan.failing_step == Some(name);
        // The stall goes to the plan's step, by default the middle one, which waits on
        // Cloudflare.
        let stall = if name == plan.stall_step.unwrap_or("deploy-worker") {
            plan.stall_ms
        } else {
            0
        };
        if let Err(error) = step(obs, job_id, plan.latency_ms + stall, will_fail) {
            obs.warn(
                "rollback started",
                fields! { jobId: job_id, stepsToRollback: done },
            );
            rollback(obs, job_id, done)?;
            obs.warn(
                "rollback completed",
                fields! { jobId: job_id, stepsToRollback: done },
            );
            return Err(error);
        }
    }
    Ok(())
}

#[nno_instrument(span, name = "create-d1", fields(job_id))]
fn create_d1(obs: &Obs, job_id: &str, took_ms: u64, fail: bool) -> Result<(), SimError> {
    cloudflare_call(obs, "create-d1", "/d1/database", took_ms, fail)
}

#[nno_instrument(span, name = "deploy-worker", fields(job_id))]
fn deploy_worker(obs: &Obs, job_id: &str, took_ms: u64, fail: bool) -> Result<(), SimError> {
    cloudflare_call(
        obs,
        "deploy-worker",
        "/workers/scripts/:name",
        took_ms,
        fail,
    )
}

#[nno_instrument(span, name = "configure-dns", fields(job_id, will_rollback = fail))]
fn configure_dns(obs: &Obs, job_id: &str, took_ms: u64, fail: bool) -> Result<(), SimError> {
    cloudflare_call(
        obs,
        "configure-dns",
        "/zones/:id/dns_records",
        took_ms,
        fail,
    )
}

/// One Cloudflare API call of a step (seed §1.5: "CF API call", "CF API rate limit hit").
fn cloudflare_call(
    obs: &Obs,
    step: &str,
    endpoint: &str,
    took_ms: u64,
    fail: bool,
) -> Result<(), SimError> {
    work(obs, took_ms);
    let code: u16 = if fail { 429 } else { 200 };
    obs.debug(
        "CF API call",
        fields! { method: "POST", endpoint: endpoint, status: code, durationMs: took_ms },
    );
    if fail {
        obs.warn(
            "CF API rate limit hit",
            fields! { endpoint: endpoint, retryAfterMs: 60_000 },
        );
        return Err(SimError(format!(
            "{step}: CF API returned 429 after 3 retries"
        )));
    }
    Ok(())
}

#[nno_instrument(span, name = "rollback", fields(job_id, steps_to_rollback = steps), level = "warn")]
fn rollback(obs: &Obs, job_id: &str, steps: u32) -> Result<(), SimError> {
    work(obs, 40 * u64::from(steps));
    Ok(())
}

/// The CLI service: the outcome of a platform shell's Cloudflare Pages build.
#[nno_handler(
    service = "cli",
    routes("/platforms/:id/builds"),
    platform = plan_of(&request).platform_id
)]
pub fn cli(request: http::Request<()>, obs: Obs) -> Response {
    let plan = plan_of(&request);
    let platform = plan.platform_id.as_str();
    let build = plan.job_id.as_str();
    obs.info(
        "CF Pages build triggered",
        fields! { platformId: platform, buildId: build },
    );
    let outcome = if plan.fail {
        obs.error(
            "CF Pages build failed",
            fields! { platformId: platform, buildId: build, error: "pnpm build exited with code 1" },
        );
        BuildOutcome::Failure
    } else {
        BuildOutcome::Success
    };
    let record = BuildRecord {
        platform_id: platform,
        build_id: build,
        outcome,
        trigger: "feature-activation",
        duration_ms: plan.latency_ms,
    };
    obs.write_point(Binding::Builds, &DataPoint::build(&record));
    status(202)
}
