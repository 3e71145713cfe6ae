//! The analytics feature Worker of a platform: one `#[nno_handler]` on its `#[event(fetch)]`, a
//! workers-rs router, and a job of three `#[nno_instrument(span)]` steps, the third failing and
//! rolling back.
//!
//! | route | answers |
//! |---|---|
//! | `GET /api/data` | a small fixed dataset (JSON) |
//! | `GET /api/report/:id` | the report's status (JSON) |
//! | `POST /api/data/export` | `{"format": …, "rows": […]}` → how many rows were exported; a malformed body is an `Err`, i.e. 500 |
//! | `POST /api/jobs` | runs the job `run-job` (operation `GENERATE_REPORT`) = `reserve-quota`, `create-dataset`, `publish-report` (fails), then `rollback`; answers 500 with the job's outcome |
//!
//! Service, feature and routes are declared once, on `fetch`, so every request is observed —
//! the router's 404s and 405s included (endpoint `METHOD (unmatched)` for a path that matches
//! no route). The route handlers get the request's `Obs` as the router's data
//! (`RouteContext<Obs>`, `ctx.data`); no instrumentation is written by hand.

use nno_obs::{fields, nno_handler, nno_instrument, Obs};
use serde::{Deserialize, Serialize};
use worker::{event, Context, Env, Request, Response, Result, RouteContext, Router};

/// The body of `GET /api/data` (the hello Worker answers the same bytes, for the latency
/// comparison).
pub const DATA: &str = r#"{"feature":"analytics","rows":[{"day":"2026-11-01","requests":1200,"errors":3},{"day":"2026-11-02","requests":1350,"errors":1},{"day":"2026-11-03","requests":990,"errors":0}]}"#;

// The routes of `routes(…)` are the router's, in the same syntax; a path that matches none of
// them is a 404 from the router, counted as `METHOD (unmatched)`.
#[nno_handler(
    service = "analytics",
    feature = "analytics",
    routes("/api/data", "/api/report/:id", "/api/data/export", "/api/jobs")
)]
#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context, obs: Obs) -> Result<Response> {
    Router::with_data(obs)
        .get_async("/api/data", get_data)
        .get_async("/api/report/:id", get_report)
        .post_async("/api/data/export", export_data)
        .post_async("/api/jobs", create_job)
        .run(req, env)
        .await
}

// ---------------------------------------------------------------------------------------------
// GET /api/data

async fn get_data(_req: Request, _ctx: RouteContext<Obs>) -> Result<Response> {
    json_response(DATA)
}

// ---------------------------------------------------------------------------------------------
// GET /api/report/:id

async fn get_report(_req: Request, ctx: RouteContext<Obs>) -> Result<Response> {
    let id = ctx.param("id").map(String::as_str).unwrap_or("");
    ctx.data
        .info("report built", fields! { reportId: id, rows: 3 });
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

/// A malformed body is returned as an `Err`: `#[nno_handler]` writes it on an `unhandled error`
/// line and counts it as status 500, and workers-rs answers 500.
async fn export_data(mut req: Request, ctx: RouteContext<Obs>) -> Result<Response> {
    let obs = &ctx.data;
    let export: ExportRequest = match req.json().await {
        Ok(export) => export,
        Err(error) => {
            // The parser's message names a position, never the body's content.
            let error = error.to_string();
            obs.warn("malformed export body", fields! { error });
            return Err(worker::Error::RustError(format!(
                "malformed export body: {error}"
            )));
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

#[derive(Serialize)]
struct JobOutcome<'a> {
    #[serde(rename = "jobId")]
    job_id: &'a str,
    status: &'static str,
    error: Option<String>,
}

/// The operation of the job `POST /api/jobs` runs (its points' blob9, the job's `nno-core-ops`
/// operation).
pub const JOB_OPERATION: &str = "GENERATE_REPORT";

async fn create_job(_req: Request, ctx: RouteContext<Obs>) -> Result<Response> {
    let job_id = nno_obs::new_uuid();
    match run_job(&ctx.data, &job_id, JOB_OPERATION).await {
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

/// The job: three steps, the third of which fails, then the rollback of the first two. Its
/// span is a child of the request's span and the parent of the steps' spans (inside, `obs` is
/// the child span's context). `job` makes it the job's own span (`nno_obs::job`): its span
/// point is written when it starts (outcome `started`) and when it ends, both carrying the job
/// id and operation (blob8, blob9), which is how the read side's failed-jobs question finds a
/// job (docs/alerts.md). The job's `nno-core-ops` point has no binding in a platform Worker and
/// is not written.
#[nno_instrument(span, job, name = "run-job", fields(job_id, operation))]
async fn run_job(obs: &Obs, job_id: &str, operation: &str) -> std::result::Result<(), JobError> {
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

#[nno_instrument(span, name = "reserve-quota", fields(job_id))]
async fn reserve_quota(obs: &Obs, job_id: &str) -> std::result::Result<u32, JobError> {
    obs.debug("quota reserved", fields! { units: 3 });
    Ok(3)
}

#[nno_instrument(span, name = "create-dataset", fields(job_id))]
async fn create_dataset(obs: &Obs, job_id: &str) -> std::result::Result<Dataset, JobError> {
    let dataset = Dataset {
        name: format!("report-{}", &job_id[..8.min(job_id.len())]),
    };
    obs.info("dataset created", fields! { dataset: dataset.name });
    Ok(dataset)
}

#[nno_instrument(span, name = "publish-report", fields(job_id))]
async fn publish_report(
    obs: &Obs,
    job_id: &str,
    dataset: &Dataset,
) -> std::result::Result<(), JobError> {
    obs.info("publishing", fields! { dataset: dataset.name });
    Err(JobError::Publish("report destination unavailable"))
}

#[nno_instrument(span, name = "rollback", fields(job_id))]
async fn rollback(
    obs: &Obs,
    job_id: &str,
    dataset: &Dataset,
    quota: u32,
) -> std::result::Result<(), JobError> {
    obs.info(
        "rolled back",
        fields! { dataset: dataset.name, releasedQuota: quota },
    );
    Ok(())
}

fn json_response(body: &str) -> Result<Response> {
    let mut response = Response::ok(body)?;
    response
        .headers_mut()
        .set("content-type", "application/json")?;
    Ok(response)
}
