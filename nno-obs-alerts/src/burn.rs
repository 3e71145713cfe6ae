//! Multi-window, multi-burn-rate alerting (Google SRE workbook, "Alerting on SLOs"): alert when
//! the error budget burns fast over a long window *and* is still burning over a short one, so
//! that a short spike and a slow burn are both caught, and an alert resolves soon after the
//! burning stops (the short window empties first).
//!
//! The inputs — error ratios over each window — come from the query layer.

/// One (long window, short window, factor) pair.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BurnWindow {
    /// The long window, minutes (60 for the fast pair).
    pub long_minutes: u64,
    /// The short window, minutes (5 for the fast pair: 1/12 of the long one).
    pub short_minutes: u64,
    /// The burn rate that must be reached in both (14.4: 2 % of a 30-day budget in 1 h).
    pub factor: f64,
}

/// The pairs evaluated for one objective.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BurnRatePolicy {
    /// The fast pair (pages on a spike).
    pub fast: BurnWindow,
    /// The slow pair (pages on a slow burn).
    pub slow: BurnWindow,
}

impl BurnRatePolicy {
    /// The SRE workbook's page-level pairs for a 30-day period: 1 h / 5 min at 14.4× (2 % of
    /// the budget in an hour) and 6 h / 30 min at 6× (5 % in six hours).
    pub const SRE_WORKBOOK: Self = Self {
        fast: BurnWindow {
            long_minutes: 60,
            short_minutes: 5,
            factor: 14.4,
        },
        slow: BurnWindow {
            long_minutes: 360,
            short_minutes: 30,
            factor: 6.0,
        },
    };
}

/// How fast the budget burns: the bad-event ratio over the budget ratio (1.0 spends exactly
/// the budget over the period). `None` for a budget that is not a ratio in (0, 1] or a
/// ratio that is not finite or negative.
///
/// ```
/// use nno_obs_alerts::burn::burn_rate;
/// // 1.44 % errors against a 0.1 % budget burns 14.4 times too fast.
/// assert!((burn_rate(0.0144, 0.001).unwrap() - 14.4).abs() < 1e-9);
/// ```
pub fn burn_rate(error_ratio: f64, budget: f64) -> Option<f64> {
    let usable = budget.is_finite()
        && budget > 0.0
        && budget <= 1.0
        && error_ratio.is_finite()
        && error_ratio >= 0.0;
    if !usable {
        return None;
    }
    Some(error_ratio / budget)
}

/// The bad-event ratios the query layer measured over the four windows of a policy.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WindowRatios {
    /// Over the fast pair's long window (1 h).
    pub fast_long: f64,
    /// Over its short window (5 min).
    pub fast_short: f64,
    /// Over the slow pair's long window (6 h).
    pub slow_long: f64,
    /// Over its short window (30 min).
    pub slow_short: f64,
}

/// Which pair fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BurnAlert {
    /// Neither.
    None,
    /// The fast pair (a spike).
    Fast,
    /// The slow pair only (a slow burn).
    Slow,
}

/// Evaluates a policy. A pair fires when both its windows burn at least its factor; the fast
/// pair wins when both fire. Unusable inputs fire nothing.
///
/// ```
/// use nno_obs_alerts::burn::{evaluate, BurnAlert, BurnRatePolicy, WindowRatios};
/// let spike = WindowRatios { fast_long: 0.02, fast_short: 0.05, slow_long: 0.004, slow_short: 0.01 };
/// assert_eq!(evaluate(&BurnRatePolicy::SRE_WORKBOOK, 0.001, &spike), BurnAlert::Fast);
/// ```
pub fn evaluate(policy: &BurnRatePolicy, budget: f64, ratios: &WindowRatios) -> BurnAlert {
    // A ratio exactly at the factor must fire: 0.0144 / 0.001 is 14.399999999999999 in
    // binary floating point, so compare with a relative tolerance far below any real signal.
    let reaches = |rate: f64, factor: f64| rate >= factor * (1.0 - 1e-9);
    let fires = |window: &BurnWindow, long: f64, short: f64| {
        matches!(
            (burn_rate(long, budget), burn_rate(short, budget)),
            (Some(l), Some(s)) if reaches(l, window.factor) && reaches(s, window.factor)
        )
    };
    if fires(&policy.fast, ratios.fast_long, ratios.fast_short) {
        BurnAlert::Fast
    } else if fires(&policy.slow, ratios.slow_long, ratios.slow_short) {
        BurnAlert::Slow
    } else {
        BurnAlert::None
    }
}

/// The share of the period's error budget left after a period-to-date bad ratio: `1 -
/// ratio / budget`, negative when overspent. `None` for unusable inputs.
///
/// ```
/// use nno_obs_alerts::burn::budget_remaining;
/// // 0.025 % errors so far against a 0.1 % budget: three quarters left.
/// assert!((budget_remaining(0.00025, 0.001).unwrap() - 0.75).abs() < 1e-9);
/// ```
pub fn budget_remaining(period_ratio: f64, budget: f64) -> Option<f64> {
    burn_rate(period_ratio, budget).map(|spent| 1.0 - spent)
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: BurnRatePolicy = BurnRatePolicy::SRE_WORKBOOK;
    const BUDGET: f64 = 0.001; // a 99.9 % objective

    fn ratios(fast_long: f64, fast_short: f64, slow_long: f64, slow_short: f64) -> WindowRatios {
        WindowRatios {
            fast_long,
            fast_short,
            slow_long,
            slow_short,
        }
    }

    #[test]
    fn workbook_parameters() {
        assert_eq!(
            (P.fast.long_minutes, P.fast.short_minutes, P.fast.factor),
            (60, 5, 14.4)
        );
        assert_eq!(
            (P.slow.long_minutes, P.slow.short_minutes, P.slow.factor),
            (360, 30, 6.0)
        );
        // 14.4× over 1 h spends 2 % of a 30-day budget; 6× over 6 h, 5 %.
        assert!((14.4_f64 / (30.0 * 24.0) - 0.02).abs() < 1e-12);
        assert!((6.0_f64 * 6.0 / (30.0 * 24.0) - 0.05).abs() < 1e-12);
    }

    #[test]
    fn a_spike_fires_the_fast_pair() {
        assert_eq!(
            evaluate(&P, BUDGET, &ratios(0.0150, 0.0300, 0.0030, 0.0050)),
            BurnAlert::Fast
        );
    }

    #[test]
    fn a_slow_burn_fires_the_slow_pair_only() {
        // 0.7 % errors for hours: 7×, under 14.4×, over 6×.
        assert_eq!(
            evaluate(&P, BUDGET, &ratios(0.007, 0.007, 0.007, 0.007)),
            BurnAlert::Slow
        );
    }

    #[test]
    fn a_spike_that_ended_stops_firing_before_the_long_window_empties() {
        // The last hour still burned 20×, but the last 5 minutes are clean.
        assert_eq!(
            evaluate(&P, BUDGET, &ratios(0.020, 0.0, 0.004, 0.001)),
            BurnAlert::None
        );
    }

    #[test]
    fn exactly_at_the_factor_fires() {
        assert_eq!(
            evaluate(&P, BUDGET, &ratios(0.0144, 0.0144, 0.0, 0.0)),
            BurnAlert::Fast
        );
        assert_eq!(
            evaluate(&P, BUDGET, &ratios(0.0143, 0.0144, 0.0, 0.0)),
            BurnAlert::None
        );
    }

    #[test]
    fn unusable_inputs_fire_nothing() {
        for bad in [f64::NAN, -0.1, f64::INFINITY] {
            assert_eq!(
                evaluate(&P, BUDGET, &ratios(bad, bad, bad, bad)),
                BurnAlert::None
            );
        }
        assert_eq!(
            evaluate(&P, 0.0, &ratios(1.0, 1.0, 1.0, 1.0)),
            BurnAlert::None
        );
        assert_eq!(burn_rate(0.5, 1.5), None);
    }

    #[test]
    fn budget_remaining_overspent_is_negative() {
        assert!((budget_remaining(0.002, BUDGET).unwrap() + 1.0).abs() < 1e-9);
        assert_eq!(budget_remaining(0.0, BUDGET), Some(1.0));
    }
}
