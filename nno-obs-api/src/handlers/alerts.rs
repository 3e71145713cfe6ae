//! `/alerts` (seed §6): what is firing and what resolved in the last 24 hours, from the alert
//! state the evaluator persists (`nno-obs alerts check`, the Worker's cron).

use crate::backend::Backend;
use crate::caller::{Caller, Target};
use crate::error::ApiError;
use crate::params::Params;
use crate::time::format_ms;
use crate::views::{AlertView, Alerts};
use nno_obs_alerts::alert::Alert;
use nno_obs_alerts::outbox::RESOLVED_KEPT_MS;
use nno_obs_alerts::state::Phase;

/// `/alerts?platformId`.
pub(super) async fn alerts<B: Backend>(
    backend: &B,
    caller: &Caller,
    mut params: Params,
    now_ms: u64,
) -> Result<Alerts, ApiError> {
    let platform = params.platform_id()?;
    params.finish()?;
    let target = caller.target(platform.as_ref())?;
    let concerns = |alert: &Alert| match &target {
        Target::Platform(scope) => alert.platform_id.as_deref() == Some(scope.platform().as_str()),
        Target::Everything(_) => true,
    };
    let state = backend.alert_state().await?;
    let firing = state
        .book
        .alerts
        .values()
        .filter(|tracked| concerns(&tracked.alert))
        .filter_map(|tracked| match tracked.phase {
            Phase::Firing { fired_ms } | Phase::Clearing { fired_ms, .. } => {
                Some(view(&tracked.alert, fired_ms, None))
            }
            Phase::Pending { .. } => None,
        })
        .collect();
    let mut resolved: Vec<AlertView> = state
        .resolved
        .iter()
        .filter(|r| r.resolved_ms.saturating_add(RESOLVED_KEPT_MS) > now_ms && concerns(&r.alert))
        .map(|r| view(&r.alert, r.fired_ms, Some(r.resolved_ms)))
        .collect();
    resolved.reverse(); // newest first
    Ok(Alerts { firing, resolved })
}

fn view(alert: &Alert, fired_ms: u64, resolved_ms: Option<u64>) -> AlertView {
    AlertView {
        id: alert.id.clone(),
        category: alert.category.slug().to_owned(),
        severity: alert.severity.as_str().to_owned(),
        subject: alert.message.headline.clone(),
        platform_id: alert.platform_id.clone(),
        fired_at: format_ms(fired_ms),
        resolved_at: resolved_ms.map(format_ms),
        message: match resolved_ms {
            Some(at) => alert.message.resolved(at),
            None => alert.message.firing(),
        },
    }
}
