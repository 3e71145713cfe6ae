//! The analytics feature Worker of a platform: every route instrumented as `#[nno_handler]`
//! instruments it, and a job of three `#[nno_instrument(span)]` steps, the third failing and
//! rolling back.
//!
//! | route | answers |
//! |---|---|
//! | `GET /api/data` | a small fixed dataset (JSON) |
//! | `GET /api/report/:id` | the report's status (JSON) |
//! | `POST /api/data/export` | `{"format": …, "rows": […]}` → how many rows were exported; a malformed body is an `Err`, i.e. 500 |
//! | `POST /api/jobs` | runs `run-job` = `reserve-quota`, `create-dataset`, `publish-report` (fails), then `rollback`; answers 500 with the job's outcome |
//!
//! Until `nno_obs` re-exports the macros, each route is a thin wrapper calling
//! [`by_hand::handle`] and each step one calling [`by_hand::step`]; the comment above each
//! wrapper gives the attribute that replaces it (see examples/workers/README.md).

use nno_obs::{fields, Obs};
use nno_workers_support::by_hand::{self, Handler};
use serde::{Deserialize, Serialize};
use worker::{event, Context, Env, Request, Response, Result, RouteContext, Router};

/// The service of every line, and the feature of every perf point.
const SERVICE: &str = "analytics";
const FEATURE: &str = "analytics";

/// The body of `GET /api/data` (the hello Worker answers the same bytes, for the latency
/// comparison).
pub const DATA: &str = r#"{"feature":"analytics","rows":[{"day":"2026-11-01","requests":1200,"errors":3},{"day":"2026-11-02","requests":1350,"errors":1},{"day":"2026-11-03","requests":990,"errors":0}]}"#;

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    Router::new()
        .get_async("/api/data", get_data)
        .get_async("/api/report/:id", get_report)
        .post_async("/api/data/export", export_data)
        .post_async("/api/jobs", create_job)
        .run(req, env)
        .await
}

fn route(route: &'static str) -> Handler {
    Handler {
        service: SERVICE,
        feature: FEATURE,
        route: Some(route),
    }
}

// ---------------------------------------------------------------------------------------------
// GET /api/data

// With the macros: #[nno_handler(service = "analytics", feature = "analytics", route = "/api/data")]
// on `get_data_body` renamed `get_data`, and this wrapper deleted.
async fn get_data(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let env = ctx.env.clone();
    by_hand::handle(route("/api/data"), req, &env, ctx, get_data_body).await
}

async fn get_data_body(_req: Request, _ctx: RouteContext<()>, _obs: Obs) -> Result<Response> {
    json_response(DATA)
}

// ---------------------------------------------------------------------------------------------
// GET /api/report/:id

// With the macros: #[nno_handler(service = "analytics", feature = "analytics", route = "/api/report/:id")]
async fn get_report(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let env = ctx.env.clone();
    by_hand::handle(route("/api/report/:id"), req, &env, ctx, get_report_body).await
}

async fn get_report_body(_req: Request, ctx: RouteContext<()>, obs: Obs) -> Result<Response> {
    let id = ctx.param("id").map(String::as_str).unwrap_or("");
    obs.info("report built", fields! { reportId: id, rows: 3 });
    Response::from_json(&Report {
        id,
        status: "ready",
        rows: 3,
    })
}

#[derive(Serialize)]
struct Report<'a> {
    id: &'a str,
    status: &'static str,
    rows: u32,
}

// ---------------------------------------------------------------------------------------------
// POST /api/data/export

// With the macros: #[nno_handler(service = "analytics", feature = "analytics", route = "/api/data/export")]
async fn export_data(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let env = ctx.env.clone();
    by_hand::handle(route("/api/data/export"), req, &env, ctx, export_data_body).await
}

#[derive(Deserialize)]
struct ExportRequest {
    format: ExportFormat,
    rows: Vec<serde_json::Value>,
}

#[derive(Deserialize, Serialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum ExportFormat {
    Csv,
    Ndjson,
}

#[derive(Serialize)]
struct ExportResult {
    exported: usize,
    format: ExportFormat,
}

/// A malformed body is returned as an `Err`: the handler counts it as status 500, and
/// workers-rs answers 500.
async fn export_data_body(mut req: Request, _ctx: RouteContext<()>, obs: Obs) -> Result<Response> {
    let export: ExportRequest = match req.json().await {
        Ok(export) => export,
        Err(error) => {
            // The parser's message names a position, never the body's content.
            let error = error.to_string();
            obs.warn("malformed export body", fields! { error });
            return Err(worker::Error::RustError(format!("malformed export body: {error}")));
        }
    };
    obs.info("export written", fields! { rows: export.rows.len() });
    Response::from_json(&ExportResult {
        exported: export.rows.len(),
        format: export.format,
    })
}

// ---------------------------------------------------------------------------------------------
// POST /api/jobs

// With the macros: #[nno_handler(service = "analytics", feature = "analytics", route = "/api/jobs")]
async fn create_job(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let env = ctx.env.clone();
    by_hand::handle(route("/api/jobs"), req, &env, ctx, create_job_body).await
}

#[derive(Serialize)]
struct JobOutcome<'a> {
    #[serde(rename = "jobId")]
    job_id: &'a str,
    status: &'static str,
    error: Option<String>,
}

async fn create_job_body(_req: Request, _ctx: RouteContext<()>, obs: Obs) -> Result<Response> {
    let job_id = nno_obs::new_uuid();
    match run_job(&obs, &job_id).await {
        Ok(()) => Response::from_json(&JobOutcome {
            job_id: &job_id,
            status: "completed",
            error: None,
        }),
        Err(error) => Ok(Response::from_json(&JobOutcome {
            job_id: &job_id,
            status: "rolled-back",
            error: Some(error.to_string()),
        })?
        .with_status(500)),
    }
}

/// Why a job step failed.
#[derive(Debug)]
pub enum JobError {
    /// The report destination refused the report (always, in this example).
    Publish(&'static str),
}

impl std::fmt::Display for JobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JobError::Publish(why) => write!(f, "publish failed: {why}"),
        }
    }
}

/// The dataset `create-dataset` made, undone by `rollback`.
struct Dataset {
    name: String,
}

// With the macros: #[nno_instrument(span, name = "run-job", fields(job_id))] on `run_job_body`
// renamed `run_job` (its `obs` is then the child span's context).
async fn run_job(obs: &Obs, job_id: &str) -> std::result::Result<(), JobError> {
    by_hand::step(obs, "run-job", fields! { jobId: job_id }, |obs| async move {
        run_job_body(&obs, job_id).await
    })
    .await
}

async fn run_job_body(obs: &Obs, job_id: &str) -> std::result::Result<(), JobError> {
    let quota = reserve_quota(obs, job_id).await?;
    let dataset = create_dataset(obs, job_id).await?;
    if let Err(error) = publish_report(obs, job_id, &dataset).await {
        // Undo the two steps that succeeded; the job still fails with the original error.
        if rollback(obs, job_id, &dataset, quota).await.is_err() {
            obs.error("rollback incomplete", fields! { jobId: job_id });
        }
        return Err(error);
    }
    Ok(())
}

// With the macros: #[nno_instrument(span, name = "reserve-quota", fields(job_id))]
async fn reserve_quota(obs: &Obs, job_id: &str) -> std::result::Result<u32, JobError> {
    by_hand::step(obs, "reserve-quota", fields! { jobId: job_id }, |_obs| async move {
        Ok(3)
    })
    .await
}

// With the macros: #[nno_instrument(span, name = "create-dataset", fields(job_id))]
async fn create_dataset(obs: &Obs, job_id: &str) -> std::result::Result<Dataset, JobError> {
    by_hand::step(obs, "create-dataset", fields! { jobId: job_id }, |obs| async move {
        let dataset = Dataset {
            name: format!("report-{}", &job_id[..8.min(job_id.len())]),
        };
        obs.info("dataset created", fields! { dataset: dataset.name });
        Ok(dataset)
    })
    .await
}

// With the macros: #[nno_instrument(span, name = "publish-report", fields(job_id))]
async fn publish_report(
    obs: &Obs,
    job_id: &str,
    dataset: &Dataset,
) -> std::result::Result<(), JobError> {
    by_hand::step(obs, "publish-report", fields! { jobId: job_id }, |obs| async move {
        obs.info("publishing", fields! { dataset: dataset.name });
        Err(JobError::Publish("report destination unavailable"))
    })
    .await
}

// With the macros: #[nno_instrument(span, name = "rollback", fields(job_id))]
async fn rollback(
    obs: &Obs,
    job_id: &str,
    dataset: &Dataset,
    quota: u32,
) -> std::result::Result<(), JobError> {
    by_hand::step(obs, "rollback", fields! { jobId: job_id }, |obs| async move {
        obs.info(
            "rolled back",
            fields! { dataset: dataset.name, releasedQuota: quota },
        );
        Ok(())
    })
    .await
}

fn json_response(body: &str) -> Result<Response> {
    let mut response = Response::ok(body)?;
    response
        .headers_mut()
        .set("content-type", "application/json")?;
    Ok(response)
}
