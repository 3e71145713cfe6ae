//! `/alerts` (seed §6): what is firing and what resolved in the last 24 hours, from the alert
//! state the evaluator persists (`nno-obs alerts check`, the Worker's cron).

use crate::backend::Backend;
use crate::caller::{Caller, Target};
use crate::error::ApiError;
use crate::params::Params;
use crate::time::format_ms;
use crate::views::{AlertView, Alerts};
use nno_obs_alerts::alert::Alert;
use nno_obs_alerts::notify::Mute;
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
            Phase::Firing { fired_ms } | Phase::Clearing { fired_ms, .. } => Some(with_mute(
                alert_view(&tracked.alert, fired_ms, None),
                state.held.get(&tracked.alert.id),
                now_ms,
            )),
            Phase::Pending { .. } => None,
        })
        .collect();
    let mut resolved: Vec<AlertView> = state
        .resolved
        .iter()
        .filter(|r| r.resolved_ms.saturating_add(RESOLVED_KEPT_MS) > now_ms && concerns(&r.alert))
        .map(|r| alert_view(&r.alert, r.fired_ms, Some(r.resolved_ms)))
        .collect();
    resolved.reverse(); // newest first
    Ok(Alerts { firing, resolved })
}

/// The API's view of an alert that fired at `fired_ms` (and resolved at `resolved_ms`): its
/// message is the one sent then (seed §6.3), the resolve message once resolved.
///
/// ```
/// use nno_obs_alerts::rules::{evaluate, seed_example};
/// use nno_obs_api::handlers::alerts::alert_view;
///
/// let (measurements, configs) = seed_example();
/// let alert = &evaluate(&measurements, &configs)[0];
/// let view = alert_view(alert, 1_771_756_440_000, None);
/// assert_eq!(view.fired_at, "2026-02-22T10:34:00.000Z");
/// assert!(view.resolved_at.is_none());
/// ```
pub fn alert_view(alert: &Alert, fired_ms: u64, resolved_ms: Option<u64>) -> AlertView {
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
        silenced_by: None,
        silenced_until: None,
        inhibited_by: None,
    }
}

/// `view` with why its alert was not sent (`silencedBy`/`silencedUntil`, `inhibitedBy`), when
/// the alert state holds it back at `now_ms` (a silence that has ended by then no longer
/// shows).
///
/// ```
/// use nno_obs_alerts::notify::Mute;
/// use nno_obs_alerts::rules::{evaluate, seed_example};
/// use nno_obs_api::handlers::alerts::{alert_view, with_mute};
///
/// let (m, c) = seed_example();
/// let view = alert_view(&evaluate(&m, &c)[0], m.at_ms, None);
/// let mute = Mute::Silenced { silence: "s-1".into(), until_ms: m.at_ms + 3_600_000 };
/// let held = with_mute(view.clone(), Some(&mute), m.at_ms);
/// assert_eq!(held.silenced_until.as_deref(), Some("2026-02-22T11:34:00.000Z"));
/// assert_eq!(with_mute(view.clone(), Some(&mute), m.at_ms + 3_600_000), view);
/// ```
pub fn with_mute(mut view: AlertView, mute: Option<&Mute>, now_ms: u64) -> AlertView {
    match mute {
        Some(Mute::Silenced { silence, until_ms }) if *until_ms > now_ms => {
            view.silenced_by = Some(silence.clone());
            view.silenced_until = Some(format_ms(*until_ms));
        }
        Some(Mute::Inhibited { by }) => view.inhibited_by = Some(by.clone()),
        _ => {}
    }
    view
}
