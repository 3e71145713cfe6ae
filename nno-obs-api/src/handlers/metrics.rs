//! A platform's dashboards: `/overview` (seed §7.1) and `/features` (§7.2), from its
//! `{platformId}-perf` points and the `nno-builds` dataset.

use super::ask;
use crate::backend::Backend;
use crate::caller::Caller;
use crate::error::ApiError;
use crate::params::Params;
use crate::time::format_s;
use crate::views::{
    BuildView, ErroringEndpoint, FeatureHours, FeatureView, Features, HourErrors, HourRequests,
    Overview, SlowEndpoint, WorkerLight,
};
use nno_obs_query::questions::{
    BuildEvent, BuildList, ErrorRatePerFeatureHour, FeatureStats, Health, MostErroringEndpoints,
    SlowestEndpoints, WorkerHealth,
};
use nno_obs_query::time_range::Bucket;
use std::collections::BTreeMap;

/// The window a Worker's light is judged on: the error-spike alert's 5 minutes (seed §6.2),
/// so a light and the alert never disagree about the same minutes.
pub const LIGHT_WINDOW_S: i64 = 300;

/// `/overview?platformId&range=24h&until`.
pub(super) async fn overview<B: Backend>(
    backend: &B,
    caller: &Caller,
    mut params: Params,
    now_ms: u64,
) -> Result<Overview, ApiError> {
    let platform = params.required_platform_id()?;
    let range = params.metrics_range("24h", now_ms)?;
    params.finish()?;
    let scope = caller.platform_scope(&platform)?;
    let engine = backend.engine();
    let lights = ask(
        &WorkerHealth::new(&scope, range, LIGHT_WINDOW_S),
        engine,
        "platformId",
    )
    .await?;
    let feature_hours = ask(
        &ErrorRatePerFeatureHour::new(&scope, range),
        engine,
        "range",
    )
    .await?;
    let builds = ask(&BuildList::of_platform(&scope, range), engine, "range").await?;

    let workers = lights
        .into_iter()
        .map(|row| WorkerLight {
            script: None,
            feature: row.worker,
            health: match row.health {
                Health::Ok => "ok",
                Health::Degraded => "degraded",
                Health::Failing => "failing",
                Health::Silent => "no_data",
            }
            .to_owned(),
            requests: row.recent_requests,
            error_rate: row.recent_error_rate,
        })
        .collect();
    // The platform's requests per hour are the sum of its features' (same dataset, range and
    // counts, one key less): summed here rather than asked again as `RequestsPerHour` — one
    // statement fewer, and the two charts cannot disagree. Every hour of the range, zeros
    // included, as `RequestsPerHour` answers.
    let hours = Bucket::HOUR.starts(&range);
    let mut totals: BTreeMap<i64, u64> = BTreeMap::new();
    let mut by_feature: BTreeMap<String, BTreeMap<i64, (u64, f64)>> = BTreeMap::new();
    for row in feature_hours {
        *totals.entry(row.hour).or_default() += row.requests;
        by_feature
            .entry(row.feature)
            .or_default()
            .insert(row.hour, (row.requests, row.errors));
    }
    let error_rate_per_feature = by_feature
        .into_iter()
        .map(|(feature, seen)| FeatureHours {
            feature,
            hours: hours
                .iter()
                .map(|&hour| {
                    let (requests, errors) = seen.get(&hour).copied().unwrap_or((0, 0.0));
                    HourErrors {
                        hour: format_s(hour),
                        requests,
                        errors,
                        error_rate: (requests > 0).then(|| errors / requests as f64),
                    }
                })
                .collect(),
        })
        .collect();
    Ok(Overview {
        workers,
        requests_per_hour: hours
            .iter()
            .map(|&hour| HourRequests {
                hour: format_s(hour),
                requests: totals.get(&hour).copied().unwrap_or(0),
            })
            .collect(),
        error_rate_per_feature,
        latest_build: builds.last().map(build_view),
    })
}

/// The view of a build.
pub(super) fn build_view(build: &BuildEvent) -> BuildView {
    BuildView {
        build_id: build.build_id.clone(),
        status: build.outcome.clone(),
        finished_at: format_s(build.at),
        duration_ms: build.duration_ms,
    }
}

/// `/features?platformId&range=24h&until`.
pub(super) async fn features<B: Backend>(
    backend: &B,
    caller: &Caller,
    mut params: Params,
    now_ms: u64,
) -> Result<Features, ApiError> {
    let platform = params.required_platform_id()?;
    let range = params.metrics_range("24h", now_ms)?;
    params.finish()?;
    let scope = caller.platform_scope(&platform)?;
    let engine = backend.engine();
    let stats = ask(&FeatureStats::new(&scope, range), engine, "range").await?;
    let slowest = ask(&SlowestEndpoints::new(&scope, range), engine, "range").await?;
    let erroring = ask(&MostErroringEndpoints::new(&scope, range), engine, "range").await?;
    Ok(Features {
        features: stats
            .into_iter()
            .map(|row| FeatureView {
                feature: row.feature,
                requests: row.requests,
                requests_per_minute: row.req_per_min,
                errors: row.errors,
                error_rate: row.error_rate,
                p50_ms: row.p50_ms,
                p95_ms: row.p95_ms,
                p99_ms: row.p99_ms,
            })
            .collect(),
        slowest_endpoints: slowest
            .into_iter()
            .take(10)
            .map(|row| SlowEndpoint {
                feature: row.feature,
                endpoint: row.endpoint,
                requests: row.requests,
                p95_ms: row.p95_ms,
            })
            .collect(),
        erroring_endpoints: erroring
            .into_iter()
            .take(10)
            .map(|row| ErroringEndpoint {
                feature: row.feature,
                endpoint: row.endpoint,
                requests: row.requests,
                errors: row.errors,
                error_rate: row.error_rate,
            })
            .collect(),
    })
}
