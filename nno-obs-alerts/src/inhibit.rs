//! Inhibition (beyond the seed, as Alertmanager has it): an alert that explains others keeps
//! them from paging while it fires. The inhibited alerts still fire in the book and are listed
//! (`/alerts`, `alerts check`: "inhibited by X"); they page if they still hold once their
//! inhibitor has resolved ([`crate::notify`]).
//!
//! | inhibitor (firing, or clearing within its hold-down) | inhibits |
//! |---|---|
//! | `auth-worker-down/{p}/auth` | `worker-error-spike/{p}/*` of the same platform: with its auth Worker down, a platform's features fail their requests |
//! | a fleet-wide gateway outage: `nno-objective/nno/gateway-5xx` or `…/gateway-p99` (the §5.1 "NNO Gateway" rows: 5xx > 1 %, p99 > 1000 ms) while request alerts of at least [`FLEET_WIDE_PLATFORMS`] platforms are active (one platform failing behind the gateway lifts its rate too: that platform pages) | every platform's request alerts: `worker-error-spike`, `worker-latency`, `auth-worker-down` |
//!
//! Builds, jobs and usage are never inhibited: a gateway outage does not explain them.

use crate::alert::Alert;
use crate::category::Category;
use crate::slo::Indicator;
use nno_obs_query::questions::CoreService;

/// Whether `alert` is a fleet-wide gateway outage: NNO's own objective (`nno-objective`, no
/// platform) on a row measured over the gateway as a whole — §5.1's "NNO Gateway" rows (5xx
/// above 1 %, p99 above 1000 ms). Judged by the alert's category and id (`nno-objective/nno/{row}`)
/// and the SLO table's binding of that row, never by its message's text.
///
/// ```
/// use nno_obs_alerts::alert::alert_id;
/// use nno_obs_alerts::inhibit::is_gateway_outage;
/// use nno_obs_alerts::rules::{evaluate, seed_example};
/// use nno_obs_alerts::Category;
///
/// let (m, c) = seed_example();
/// let mut alert = evaluate(&m, &c).remove(0);
/// assert!(!is_gateway_outage(&alert)); // a platform's own alert
/// alert.category = Category::NnoObjective;
/// alert.platform_id = None;
/// alert.id = alert_id(Category::NnoObjective, None, "gateway-5xx");
/// assert!(is_gateway_outage(&alert));
/// alert.id = alert_id(Category::NnoObjective, None, "registry-write-p99");
/// assert!(!is_gateway_outage(&alert)); // another NNO service
/// ```
pub fn is_gateway_outage(alert: &Alert) -> bool {
    if alert.category != Category::NnoObjective || alert.platform_id.is_some() {
        return false;
    }
    let row = alert.id.rsplit('/').next().unwrap_or_default();
    crate::slo::row(row)
        .is_some_and(|slo| slo.indicator == Indicator::Service(CoreService::Gateway))
}

/// Whether a gateway outage explains `category` on a platform: the categories measured on
/// requests that pass through the gateway.
fn request_driven(category: Category) -> bool {
    matches!(
        category,
        Category::WorkerErrorSpike | Category::WorkerLatency | Category::AuthWorkerDown
    )
}

/// How many platforms must have request alerts at once for a gateway objective alert to be
/// a fleet-wide outage. A gateway's 5xx include what it passes through: one platform's
/// failing Worker alone lifts the gateway's error rate (the end-to-end test's spike does), and
/// that platform's own alert is then the cause to page, not noise to hold back.
pub const FLEET_WIDE_PLATFORMS: usize = 3;

/// Whether `inhibitor` inhibits `alert`; `fleet_wide`: request alerts of at least
/// [`FLEET_WIDE_PLATFORMS`] platforms are active.
fn inhibits(inhibitor: &Alert, alert: &Alert, fleet_wide: bool) -> bool {
    if inhibitor.id == alert.id {
        return false;
    }
    if is_gateway_outage(inhibitor) {
        return fleet_wide && alert.platform_id.is_some() && request_driven(alert.category);
    }
    inhibitor.category == Category::AuthWorkerDown
        && alert.category == Category::WorkerErrorSpike
        && inhibitor.platform_id.is_some()
        && inhibitor.platform_id == alert.platform_id
}

/// The id of the first of `active` (alerts firing now) that inhibits `alert`, if any. A
/// gateway outage is preferred over a platform's auth Worker: it is the wider cause.
///
/// ```
/// use nno_obs_alerts::inhibit::inhibitor;
/// use nno_obs_alerts::{Alert, Category};
/// use nno_obs_alerts::rules::{evaluate, seed_example};
///
/// let (m, c) = seed_example();
/// let spike = evaluate(&m, &c).remove(0); // worker-error-spike/k3m9p2xw7q/analytics
/// let mut auth = spike.clone();
/// auth.category = Category::AuthWorkerDown;
/// auth.id = "auth-worker-down/k3m9p2xw7q/auth".into();
/// assert_eq!(inhibitor(&spike, &[&auth, &spike]), Some(auth.id.as_str()));
/// assert_eq!(inhibitor(&auth, &[&auth, &spike]), None);
/// ```
pub fn inhibitor<'a>(alert: &Alert, active: &[&'a Alert]) -> Option<&'a str> {
    let mut failing: Vec<&str> = active
        .iter()
        .filter(|a| request_driven(a.category))
        .filter_map(|a| a.platform_id.as_deref())
        .collect();
    failing.sort_unstable();
    failing.dedup();
    let fleet_wide = failing.len() >= FLEET_WIDE_PLATFORMS;
    active
        .iter()
        .filter(|candidate| inhibits(candidate, alert, fleet_wide))
        .min_by_key(|candidate| (!is_gateway_outage(candidate), candidate.id.as_str()))
        .map(|candidate| candidate.id.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{evaluate, seed_example};

    fn alert(category: Category, platform: Option<&str>, subject: &str) -> Alert {
        let (m, c) = seed_example();
        let mut alert = evaluate(&m, &c).remove(0);
        alert.category = category;
        alert.platform_id = platform.map(str::to_owned);
        alert.id = crate::alert::alert_id(category, platform, subject);
        alert.message.subjects = match platform {
            Some(_) => vec![("Feature".into(), subject.into())],
            None => vec![("Service".into(), subject.into())],
        };
        alert
    }

    const P: &str = "k3m9p2xw7q";
    const Q: &str = "r8n4t6y1z5";
    const R: &str = "a1b2c3d4e5";

    #[test]
    fn auth_down_inhibits_its_own_platforms_error_spikes_only() {
        let auth = alert(Category::AuthWorkerDown, Some(P), "auth");
        let spike = alert(Category::WorkerErrorSpike, Some(P), "analytics");
        let other = alert(Category::WorkerErrorSpike, Some(Q), "analytics");
        let slow = alert(Category::WorkerLatency, Some(P), "analytics");
        let build = alert(Category::PagesBuildFailure, Some(P), "b1");
        let active = [&auth, &spike, &other, &slow, &build];
        assert_eq!(inhibitor(&spike, &active), Some(auth.id.as_str()));
        assert_eq!(inhibitor(&other, &active), None, "another platform");
        assert_eq!(inhibitor(&slow, &active), None, "latency is not a 5xx");
        assert_eq!(inhibitor(&build, &active), None);
        assert_eq!(inhibitor(&auth, &active), None, "never itself");
        // Without the auth alert firing, the spike pages.
        assert_eq!(inhibitor(&spike, &[&spike, &other]), None);
    }

    #[test]
    fn a_gateway_outage_inhibits_every_platforms_request_alerts() {
        let gateway = alert(Category::NnoObjective, None, "gateway-5xx");
        let registry = alert(Category::NnoObjective, None, "registry-write-p99");
        let auth = alert(Category::AuthWorkerDown, Some(P), "auth");
        let spike = alert(Category::WorkerErrorSpike, Some(P), "analytics");
        let slow = alert(Category::WorkerLatency, Some(Q), "analytics");
        let job = alert(Category::ProvisioningJobFailed, Some(Q), "job-1");
        let usage = alert(Category::UsageThreshold, Some(Q), "90");
        let third = alert(Category::WorkerErrorSpike, Some(R), "reports");
        let active = [
            &gateway, &registry, &auth, &spike, &slow, &job, &usage, &third,
        ];
        for inhibited in [&auth, &spike, &slow, &third] {
            assert_eq!(inhibitor(inhibited, &active), Some(gateway.id.as_str()));
        }
        for not in [&job, &usage, &registry, &gateway] {
            assert_eq!(inhibitor(not, &active), None, "{}", not.id);
        }
        // Another NNO service's alert is no fleet outage.
        assert_eq!(inhibitor(&slow, &[&registry, &slow]), None);
    }

    #[test]
    fn a_gateway_alert_is_fleet_wide_from_three_failing_platforms() {
        let gateway = alert(Category::NnoObjective, None, "gateway-5xx");
        let spike = alert(Category::WorkerErrorSpike, Some(P), "analytics");
        let slow = alert(Category::WorkerLatency, Some(Q), "analytics");
        let third = alert(Category::WorkerErrorSpike, Some(R), "reports");
        // One platform failing behind the gateway lifts the gateway's rate: it pages.
        assert_eq!(inhibitor(&spike, &[&gateway, &spike]), None);
        // Two platforms (just below): still their own causes.
        assert_eq!(inhibitor(&spike, &[&gateway, &spike, &slow]), None);
        // Three (exactly at): a fleet-wide outage.
        assert_eq!(
            inhibitor(&spike, &[&gateway, &spike, &slow, &third]),
            Some(gateway.id.as_str())
        );
        // Two alerts of one platform count once.
        let other_feature = alert(Category::WorkerErrorSpike, Some(P), "reports");
        assert_eq!(
            inhibitor(&spike, &[&gateway, &spike, &other_feature, &slow]),
            None
        );
    }
}
