//! The operator's views: `/fleet`, `/heatmap` (seed §8.1) and `/provisioning` (§8.2).

use super::ask;
use super::metrics::build_view;
use crate::backend::{Backend, LogSearch};
use crate::caller::Caller;
use crate::error::ApiError;
use crate::params::Params;
use crate::time::{format_ms, format_s, parse_duration};
use crate::views::{
    CompletionView, FailedJobView, Fleet, FleetPlatform, Heatmap, HeatmapCell, Provisioning,
    RunningJobView,
};
use nno_obs_logs::{Level, LogQuery};
use nno_obs_query::questions::{
    BuildList, FailedJobs, FleetOverview, IncidentHeatmap, JobStats, RunningJobs,
};
use nno_obs_query::Bucket;
use nno_obs_store::layout::PlatformId;
use std::collections::BTreeMap;

/// The platforms of the fleet: the Registry's and any with data, in id order.
async fn platforms<B: Backend>(
    backend: &B,
) -> Result<(Vec<PlatformId>, BTreeMap<String, String>), ApiError> {
    let registry = backend.registry().await?;
    let names: BTreeMap<String, String> = registry
        .valid_platforms()
        .into_iter()
        .map(|(id, record)| (id.as_str().to_owned(), record.name.clone()))
        .collect();
    let mut ids: Vec<PlatformId> = registry
        .valid_platforms()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    ids.extend(backend.platforms_with_data().await?);
    ids.sort();
    ids.dedup();
    Ok((ids, names))
}

/// `/fleet?range&until`.
pub(super) async fn fleet<B: Backend>(
    backend: &B,
    caller: &Caller,
    mut params: Params,
    now_ms: u64,
) -> Result<Fleet, ApiError> {
    let range = params.metrics_range("24h", now_ms)?;
    params.finish()?;
    let operator = caller.operator()?;
    let (ids, names) = platforms(backend).await?;
    let engine = backend.engine();
    let rows = ask(&FleetOverview::new(&operator, &ids, range), engine, "range").await?;
    let builds = ask(&BuildList::everywhere(&operator, range), engine, "range").await?;
    let mut last_build = BTreeMap::new();
    for build in &builds {
        last_build.insert(build.platform.as_str(), build); // time order: the last wins
    }
    let by_id: BTreeMap<&str, _> = rows
        .iter()
        .map(|row| (row.platform.as_str(), row))
        .collect();
    Ok(Fleet {
        platforms: ids
            .iter()
            .map(|id| {
                let row = by_id.get(id.as_str());
                FleetPlatform {
                    platform_id: id.to_string(),
                    name: names
                        .get(id.as_str())
                        .cloned()
                        .unwrap_or_else(|| id.to_string()),
                    workers: row.map_or(0, |r| r.workers),
                    requests: row.map_or(0, |r| r.requests),
                    errors: row.map_or(0.0, |r| r.errors),
                    error_rate: row.and_then(|r| r.error_rate),
                    last_build: last_build.get(id.as_str()).map(|b| build_view(b)),
                }
            })
            .collect(),
    })
}

/// `/heatmap?range&until&bucket=1h`.
pub(super) async fn heatmap<B: Backend>(
    backend: &B,
    caller: &Caller,
    mut params: Params,
    now_ms: u64,
) -> Result<Heatmap, ApiError> {
    let range = params.metrics_range("24h", now_ms)?;
    let bucket_text = params.take("bucket");
    let bucket_s = parse_duration("bucket", bucket_text.as_deref().unwrap_or("1h"), 60, 86_400)?;
    let bucket = Bucket::new(bucket_s).map_err(|_| {
        ApiError::bad_param(
            "bucket",
            "must divide a day: 1m, 5m, 10m, 15m, 30m, 1h, 2h, 3h, 4h, 6h, 12h or 24h",
        )
    })?;
    // A grid of at most 10 000 buckets a row: a 90-day range in minutes is refused.
    if range.seconds() / bucket_s > 10_000 {
        return Err(ApiError::bad_param(
            "bucket",
            "too small for the range (more than 10000 buckets)",
        ));
    }
    params.finish()?;
    let operator = caller.operator()?;
    let (ids, _) = platforms(backend).await?;
    let cells = ask(
        &IncidentHeatmap::new(&operator, &ids, range, bucket),
        backend.engine(),
        "range",
    )
    .await?;
    let first = bucket.start_of(range.from_s());
    let buckets = (0..)
        .map(|n| first + n * bucket_s)
        .take_while(|start| *start < range.until_s())
        .map(format_s)
        .collect();
    Ok(Heatmap {
        buckets,
        cells: cells
            .into_iter()
            .map(|cell| HeatmapCell {
                platform_id: cell.platform,
                bucket: format_s(cell.bucket),
                requests: cell.requests,
                errors: cell.errors,
                error_rate: cell.error_rate,
            })
            .collect(),
    })
}

/// `/provisioning?range=7d&until`.
pub(super) async fn provisioning<B: Backend>(
    backend: &B,
    caller: &Caller,
    mut params: Params,
    now_ms: u64,
) -> Result<Provisioning, ApiError> {
    let range = params.metrics_range("7d", now_ms)?;
    params.finish()?;
    let operator = caller.operator()?;
    let engine = backend.engine();
    let running = ask(&RunningJobs::new(&operator, range), engine, "range").await?;
    let failed = ask(&FailedJobs::new(&operator, range), engine, "range").await?;
    let completion = ask(&JobStats::new(&operator, range), engine, "range").await?;
    let mut errors = Vec::with_capacity(failed.len());
    for job in &failed {
        errors.push(job_error(backend, &job.trace_id).await?);
    }
    Ok(Provisioning {
        running: running
            .into_iter()
            .map(|job| RunningJobView {
                job_id: job.job_id,
                operation: job.operation,
                platform_id: job.platform,
                trace_id: job.trace_id,
                started_at: format_ms(u64::try_from(job.started_ms).unwrap_or(0)),
                current_step: job.steps_done.last().cloned(),
            })
            .collect(),
        failed: failed
            .into_iter()
            .zip(errors)
            .map(|(job, error)| FailedJobView {
                failed_step: job.failed_step().map(str::to_owned),
                rolled_back: job.steps.iter().any(|s| s.operation == "rollback"),
                job_id: job.job_id,
                operation: job.operation,
                platform_id: job.platform,
                trace_id: job.trace_id,
                failed_at: format_s(job.end_s),
                error,
            })
            .collect(),
        completion: completion
            .into_iter()
            .map(|row| CompletionView {
                operation: row.operation,
                jobs: row.jobs,
                p50_ms: row.p50_ms,
                p95_ms: row.p95_ms,
            })
            .collect(),
    })
}

/// Log lines of a job's trace read for its error: its few provisioning lines, with room.
const JOB_LINES: usize = 200;

/// A failed job's error: the `error` of the first `error` line of the provisioning service in
/// its trace (the failing step's `step failed`, seed §1.5) — the points carry no error text;
/// `None` when no line says (logs not pushed yet, or expired).
async fn job_error<B: Backend>(backend: &B, trace_id: &str) -> Result<Option<String>, ApiError> {
    let query = LogQuery {
        trace_id: Some(trace_id.to_owned()),
        service: Some("provisioning".to_owned()),
        min_level: Some(Level::Error),
        ..LogQuery::default()
    };
    let found = backend
        .search_logs(LogSearch {
            bucket: None,
            query: &query,
            after: None,
            known: &[],
            limit: JOB_LINES,
        })
        .await?;
    Ok(found.hits.iter().find_map(|hit| {
        let line = hit.entry.line.as_deref()?;
        let fields: serde_json::Value = serde_json::from_str(line).ok()?;
        fields.get("error")?.as_str().map(str::to_owned)
    }))
}
