//! `/slo` (seed §5): every objective measured at `until`, as `nno-obs slo status` measures it
//! (the same library call).

use super::engine_error;
use crate::backend::Backend;
use crate::caller::{Caller, Target};
use crate::error::ApiError;
use crate::params::Params;
use crate::views::{ObjectiveView, Slo};
use nno_obs_alerts::limits::{TierLimitsSource, UsageLimits};
use nno_obs_alerts::objectives::{measure_objectives, Selection, SloReport};

/// `/slo?platformId&until`.
pub(super) async fn slo<B: Backend>(
    backend: &B,
    caller: &Caller,
    mut params: Params,
    now_ms: u64,
) -> Result<Slo, ApiError> {
    let platform = params.platform_id()?;
    let until_ms = params.until_s(now_ms)? as u64 * 1000;
    params.finish()?;
    let target = caller.target(platform.as_ref())?;
    let registry = backend.registry().await?;
    let selection = match &target {
        Target::Platform(scope) => Selection::Platform(scope),
        Target::Everything(operator) => Selection::Everything(operator),
    };
    let reports = measure_objectives(backend.engine(), &registry, selection, until_ms)
        .await
        .map_err(|e| engine_error("until", e))?;
    let limits = backend.tier_limits().await?;
    let platforms: Vec<String> = match &target {
        Target::Platform(scope) => vec![scope.platform().as_str().to_owned()],
        Target::Everything(_) => registry
            .valid_platforms()
            .into_iter()
            .map(|(id, _)| id.as_str().to_owned())
            .collect(),
    };
    let ids: Vec<&str> = platforms.iter().map(String::as_str).collect();
    Ok(Slo {
        objectives: reports.iter().map(objective_view).collect(),
        usage_limits: UsageLimits::of(limits.as_ref().map(|l| l as &dyn TierLimitsSource), &ids),
    })
}

/// The API's view of one measured objective.
pub fn objective_view(report: &SloReport) -> ObjectiveView {
    ObjectiveView {
        objective: report.id.to_owned(),
        subject: report.subject.clone(),
        platform_id: report.platform_id.clone(),
        target: report.target.to_owned(),
        value: report.value,
        events: report.events,
        budget_left: report.budget_remaining,
        burn_rate: report.burn.map(str::to_owned),
        status: match report.verdict() {
            "no data source" => "no_data_source",
            "no data" => "no_data",
            "breach" => "breach",
            "missed" => "missed",
            _ => "ok",
        }
        .to_owned(),
    }
}
