//! One objective's status over a window, from what the query layer measured: current value,
//! target met, alert threshold crossed, error budget remaining, burn-rate alert. Rows without a
//! data source report it instead of a value — never silently dropped.

use crate::burn::{self, BurnAlert, WindowRatios};
use crate::slo::{alert_crossed, target_met, Slo, Source};

/// What the query layer measured for one objective.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SloInput {
    /// The value over the row's window (ms for a latency, a ratio otherwise).
    pub value: f64,
    /// The bad-event ratio over the budget period so far (for the budget remaining).
    pub period_bad_ratio: Option<f64>,
    /// Bad-event ratios over the burn-rate windows, for rows with a policy.
    pub burn: Option<WindowRatios>,
}

/// The status of one objective.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SloStatus {
    /// The row.
    pub id: &'static str,
    /// The measured value, if any.
    pub value: Option<f64>,
    /// Target met.
    pub target_met: Option<bool>,
    /// The seed's alert threshold crossed (§5.1 rows).
    pub alert_crossed: Option<bool>,
    /// Share of the period's error budget left (negative when overspent).
    pub budget_remaining: Option<f64>,
    /// The burn-rate pairs' verdict, for rows with a policy and ratios.
    pub burn: Option<BurnAlert>,
    /// For rows no dataset carries: the dataset that would.
    pub no_data_source: Option<&'static str>,
}

impl SloStatus {
    /// In breach: the seed's alert threshold is crossed, or a burn-rate pair fires — or, for
    /// an objective without burn-rate alerting, its target is missed over the window. With
    /// burn rates, a target missed in one short window is not a breach by itself: one 5xx
    /// among a hundred requests misses a 0.5 % target for five minutes and spends almost no
    /// budget; the burn rates say when the budget is really going.
    pub fn in_breach(&self) -> bool {
        let target_missed = self.target_met == Some(false) && self.burn.is_none();
        target_missed
            || self.alert_crossed == Some(true)
            || matches!(self.burn, Some(BurnAlert::Fast | BurnAlert::Slow))
    }
}

/// The status of `slo` given what was measured (`None`: nothing measured).
///
/// ```
/// use nno_obs_alerts::slo::TABLE;
/// use nno_obs_alerts::status::{status, SloInput};
///
/// // Gateway 5xx at 1.2 % over the window, 0.05 % over the month so far.
/// let s = status(&TABLE[0], Some(&SloInput { value: 0.012, period_bad_ratio: Some(0.0005), burn: None }));
/// assert_eq!((s.target_met, s.alert_crossed), (Some(false), Some(true)));
/// assert!((s.budget_remaining.unwrap() - 0.5).abs() < 1e-9);
/// assert!(s.in_breach());
///
/// let ttfb = TABLE.iter().find(|s| s.id == "shell-ttfb").unwrap();
/// assert!(status(ttfb, None).no_data_source.is_some());
/// ```
pub fn status(slo: &Slo, input: Option<&SloInput>) -> SloStatus {
    let mut out = SloStatus {
        id: slo.id,
        value: None,
        target_met: None,
        alert_crossed: None,
        budget_remaining: None,
        burn: None,
        no_data_source: None,
    };
    if let Source::NoDataSource { would_be } = slo.source {
        out.no_data_source = Some(would_be);
        return out;
    }
    let Some(input) = input else { return out };
    let budget = slo.objective.budget();
    out.value = input.value.is_finite().then_some(input.value);
    out.target_met = target_met(slo, input.value);
    out.alert_crossed = alert_crossed(slo, input.value);
    out.budget_remaining = input
        .period_bad_ratio
        .and_then(|ratio| burn::budget_remaining(ratio, budget));
    out.burn = match (slo.burn_rate, input.burn) {
        (Some(policy), Some(ratios)) => Some(burn::evaluate(&policy, budget, &ratios)),
        _ => None,
    };
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slo::TABLE;

    #[test]
    fn every_row_has_a_status_and_the_sourceless_ones_say_so() {
        let statuses: Vec<_> = TABLE.iter().map(|slo| status(slo, None)).collect();
        assert_eq!(statuses.len(), TABLE.len());
        let without: Vec<_> = statuses
            .iter()
            .filter(|s| s.no_data_source.is_some())
            .map(|s| s.id)
            .collect();
        assert_eq!(
            without,
            [
                "shell-ttfb",
                "feature-registry-init",
                "remote-manifest-fetch"
            ]
        );
        assert!(statuses.iter().all(|s| !s.in_breach()));
    }

    #[test]
    fn a_fast_burn_is_a_breach_even_under_the_alert_threshold() {
        let feature_5xx = TABLE.iter().find(|s| s.id == "feature-5xx").unwrap();
        let ratios = WindowRatios {
            fast_long: 0.08,
            fast_short: 0.1,
            slow_long: 0.02,
            slow_short: 0.03,
        };
        let s = status(
            feature_5xx,
            Some(&SloInput {
                value: 0.004,
                period_bad_ratio: None,
                burn: Some(ratios),
            }),
        );
        assert_eq!(s.target_met, Some(true));
        assert_eq!(s.burn, Some(BurnAlert::Fast));
        assert!(s.in_breach());
    }

    #[test]
    fn a_short_miss_that_burns_little_budget_is_not_a_breach() {
        let feature_5xx = TABLE.iter().find(|s| s.id == "feature-5xx").unwrap();
        let calm = WindowRatios {
            fast_long: 0.001,
            fast_short: 0.01,
            slow_long: 0.001,
            slow_short: 0.002,
        };
        let s = status(
            feature_5xx,
            Some(&SloInput {
                value: 0.01, // one 5xx in a hundred requests over five minutes
                period_bad_ratio: Some(0.001),
                burn: Some(calm),
            }),
        );
        assert_eq!((s.target_met, s.burn), (Some(false), Some(BurnAlert::None)));
        assert!(!s.in_breach());
        // Without burn-rate data the miss itself is the breach.
        let s = status(
            feature_5xx,
            Some(&SloInput {
                value: 0.01,
                period_bad_ratio: None,
                burn: None,
            }),
        );
        assert!(s.in_breach());
    }

    #[test]
    fn a_success_ratio_below_its_alert() {
        let jobs = TABLE
            .iter()
            .find(|s| s.id == "provisioning-job-success")
            .unwrap();
        let s = status(
            jobs,
            Some(&SloInput {
                value: 0.96,
                period_bad_ratio: Some(0.02),
                burn: None,
            }),
        );
        assert_eq!((s.target_met, s.alert_crossed), (Some(false), Some(true)));
        assert!(
            (s.budget_remaining.unwrap() + 1.0).abs() < 1e-9,
            "2 % failed against a 1 % budget"
        );
    }
}
