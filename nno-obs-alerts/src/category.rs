//! The eight alert categories of seed §6.2 as data — trigger, severity, default recipients, and
//! the default thresholds a platform's [`AlertConfig`](crate::AlertConfig) overrides — and one
//! documented extension: a platform Worker's p99 above the `latencyP99ThresholdMs` of §6.1.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Severity, from seed §6.2's column (Info … Critical).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational (usage at 50 %).
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// `Info`, `Low`, … as the seed's table writes them.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "Info",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }

    /// PagerDuty's `payload.severity` (it has four levels for our five): Critical →
    /// `critical`, High → `error`, Medium → `warning`, Low and Info → `info` (a Low alert is
    /// for the next working hour, never a page).
    ///
    /// ```
    /// use nno_obs_alerts::Severity;
    /// assert_eq!(Severity::High.pagerduty(), "error");
    /// ```
    pub const fn pagerduty(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low | Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who an alert goes to by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recipient {
    /// The platform's admin: [`AlertConfig`](crate::AlertConfig)'s email, Slack, PagerDuty.
    PlatformAdmin,
    /// NNO's operators: `ALERT_EMAIL`, `ALERT_SLACK_WEBHOOK`, `PAGERDUTY_KEY` (seed §10).
    NnoOps,
}

/// The eight categories of seed §6.2, then the extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Platform Worker error spike.
    WorkerErrorSpike,
    /// Auth Worker down.
    AuthWorkerDown,
    /// CF Pages build failure.
    PagesBuildFailure,
    /// Provisioning job failed.
    ProvisioningJobFailed,
    /// Provisioning job timeout.
    ProvisioningJobTimeout,
    /// Registry D1 latency.
    RegistryLatency,
    /// Stack Registry validation failure rate.
    StackValidationFailures,
    /// Usage threshold.
    UsageThreshold,
    /// Platform Worker latency: an extension of §6.2 that puts §6.1's
    /// `latencyP99ThresholdMs` to use (no seed category reads it).
    WorkerLatency,
    /// NNO's own objectives: a §5.1 row past its "Alert at" column, or burning its error
    /// budget on a multi-window pair ([`crate::slo::OBJECTIVE_PAGES`]). An extension: §6.2
    /// pages only the registry's read p99 of those rows.
    NnoObjective,
}

/// One row of seed §6.2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CategorySpec {
    /// The category.
    pub category: Category,
    /// Its name in the seed's table.
    pub name: &'static str,
    /// The trigger, as the seed's table words it.
    pub trigger: &'static str,
    /// The severity; for usage, the one at 100 % ([`usage_severity`] gives each level's).
    pub severity: Severity,
    /// The seed's "Info → Critical" for usage; otherwise the severity's name.
    pub severity_text: &'static str,
    /// Default recipients.
    pub recipients: &'static [Recipient],
}

use Recipient::{NnoOps, PlatformAdmin};

/// Seed §6.2, row for row, then the extensions (the last two rows).
///
/// ```
/// use nno_obs_alerts::category::{Category, TABLE};
/// assert_eq!(TABLE.len(), 10);
/// assert_eq!(TABLE[1].name, "Auth Worker down");
/// assert_eq!(Category::AuthWorkerDown.spec().recipients.len(), 2);
/// ```
pub const TABLE: [CategorySpec; 10] = [
    CategorySpec {
        category: Category::WorkerErrorSpike,
        name: "Platform Worker error spike",
        trigger: "Feature Worker 5xx rate > 5% in 5-min window",
        severity: Severity::High,
        severity_text: "High",
        recipients: &[PlatformAdmin],
    },
    CategorySpec {
        category: Category::AuthWorkerDown,
        name: "Auth Worker down",
        trigger: "Auth Worker returning 0 requests for 2 min",
        severity: Severity::Critical,
        severity_text: "Critical",
        recipients: &[PlatformAdmin, NnoOps],
    },
    CategorySpec {
        category: Category::PagesBuildFailure,
        name: "CF Pages build failure",
        trigger: "Build exits non-zero",
        severity: Severity::Medium,
        severity_text: "Medium",
        recipients: &[PlatformAdmin],
    },
    CategorySpec {
        category: Category::ProvisioningJobFailed,
        name: "Provisioning job failed",
        trigger: "Job reaches FAILED state",
        severity: Severity::High,
        severity_text: "High",
        recipients: &[NnoOps],
    },
    CategorySpec {
        category: Category::ProvisioningJobTimeout,
        name: "Provisioning job timeout",
        trigger: "Job running > 10 min",
        severity: Severity::Medium,
        severity_text: "Medium",
        recipients: &[NnoOps],
    },
    CategorySpec {
        category: Category::RegistryLatency,
        name: "Registry D1 latency",
        trigger: "p99 read > 300ms for 5 min",
        severity: Severity::High,
        severity_text: "High",
        recipients: &[NnoOps],
    },
    CategorySpec {
        category: Category::StackValidationFailures,
        name: "Stack Registry validation failure rate",
        trigger: "> 20% of publish attempts in 1 hour",
        severity: Severity::Low,
        severity_text: "Low",
        recipients: &[NnoOps],
    },
    CategorySpec {
        category: Category::UsageThreshold,
        name: "Usage threshold",
        trigger: "50% / 75% / 90% / 100% of tier limit",
        severity: Severity::Critical,
        severity_text: "Info → Critical",
        recipients: &[PlatformAdmin],
    },
    // Extension: §6.1's `latencyP99ThresholdMs`, over §6.2's 5-minute window.
    CategorySpec {
        category: Category::WorkerLatency,
        name: "Platform Worker latency",
        trigger: "Feature Worker p99 > latencyP99ThresholdMs in 5-min window",
        severity: Severity::Medium,
        severity_text: "Medium",
        recipients: &[PlatformAdmin],
    },
    // Extension: seed §5.1's "Alert at" column and the burn-rate pairs, paging NNO ops.
    CategorySpec {
        category: Category::NnoObjective,
        name: "NNO objective",
        trigger: "§5.1 row past its Alert at, or burning its budget (1 h & 5 min ≥ 14.4×, 6 h & 30 min ≥ 6×)",
        severity: Severity::High,
        severity_text: "Low → High, per row",
        recipients: &[NnoOps],
    },
];

impl Category {
    /// Its row of [`TABLE`].
    pub fn spec(self) -> &'static CategorySpec {
        // TABLE is in declaration order; the test `table_is_in_enum_order` pins it.
        &TABLE[self as usize]
    }

    /// A short stable name, used in alert ids and `dedup_key`s.
    pub const fn slug(self) -> &'static str {
        match self {
            Category::WorkerErrorSpike => "worker-error-spike",
            Category::AuthWorkerDown => "auth-worker-down",
            Category::PagesBuildFailure => "pages-build-failure",
            Category::ProvisioningJobFailed => "provisioning-job-failed",
            Category::ProvisioningJobTimeout => "provisioning-job-timeout",
            Category::RegistryLatency => "registry-latency",
            Category::StackValidationFailures => "stack-validation-failures",
            Category::UsageThreshold => "usage-threshold",
            Category::WorkerLatency => "worker-latency",
            Category::NnoObjective => "nno-objective",
        }
    }
}

/// Seed §6.2's error spike: "Feature Worker 5xx rate > 5% in 5-min window".
pub const ERROR_SPIKE_RATE: f64 = 0.05;

/// The expectation added to §6.2's "Auth Worker returning 0 requests for 2 min": the auth
/// Worker's rate in the hour before the silent stretch must have expected at least this many
/// requests during it (the rate of the hour before, over at most the next 30 minutes of
/// silence: [`observe::AUTH_HORIZON_MINUTES`](crate::observe::AUTH_HORIZON_MINUTES)).
/// Arrivals are roughly Poisson, so a Worker that is up stays silent
/// through a stretch expecting `n` requests with probability e^-n; minute by minute there are
/// ~1440 such stretches a day per platform, so 10 expected (e^-10 ≈ 4.5e-5) would still page
/// ~0.07 times a day per quiet platform — a fleet of 100 small platforms, every day or so —
/// while 20 (e^-20 ≈ 2e-9) pages falsely about once in a million platform-days. The cost: a
/// platform doing one login a minute pages after 20 silent minutes instead of 10, one doing
/// fewer than 40 an hour never pages, one doing ten a minute or more still pages at the
/// seed's 2 minutes.
pub const AUTH_MIN_EXPECTED: f64 = 20.0;

/// The usage levels of seed §6.2, in percent of the tier limit.
pub const USAGE_LEVELS: [u32; 4] = [50, 75, 90, 100];

/// The severity at a usage level, "Info → Critical" in four steps: 50 % Info, 75 % Medium,
/// 90 % High, 100 % Critical (the seed names only the ends; Low is left out because 75 % of a
/// limit already wants a decision this week).
///
/// ```
/// use nno_obs_alerts::{category::usage_severity, Severity};
/// assert_eq!(usage_severity(90), Severity::High);
/// ```
pub const fn usage_severity(level: u32) -> Severity {
    match level {
        0..=74 => Severity::Info,
        75..=89 => Severity::Medium,
        90..=99 => Severity::High,
        _ => Severity::Critical,
    }
}

/// The thresholds the rules compare measurements with: seed §6.2's defaults, overridden per
/// platform by [`AlertConfig`](crate::AlertConfig).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    /// Feature Worker 5xx ratio (default 0.05, `alerts.errorRateThreshold`).
    pub error_rate: f64,
    /// The error-rate window in minutes (5).
    pub error_window_minutes: u64,
    /// Minutes of zero auth requests (2).
    pub auth_silent_minutes: u64,
    /// Fewest auth requests the baseline must have expected during the silence for it to be
    /// an outage ([`AUTH_MIN_EXPECTED`]).
    pub auth_min_expected: f64,
    /// Minutes a provisioning job may run (10).
    pub job_timeout_minutes: u64,
    /// Registry read p99 in ms (300) …
    pub registry_read_p99_ms: f64,
    /// … for this many minutes (5).
    pub registry_window_minutes: u64,
    /// Stack Registry validation failure ratio (0.20) …
    pub stack_validation_failure_rate: f64,
    /// … over this many minutes (60).
    pub stack_validation_window_minutes: u64,
    /// Raise build failures (`alerts.buildFailureAlert`).
    pub build_failure_alert: bool,
    /// Raise provisioning failures and timeouts (`alerts.provisioningFailureAlert`).
    pub provisioning_failure_alert: bool,
    /// Raise usage alerts (`alerts.usageAlerts`).
    pub usage_alerts: bool,
    /// A feature Worker's p99 above this pages its admin (`alerts.latencyP99ThresholdMs`,
    /// the extension category [`Category::WorkerLatency`]); `None` without a configuration:
    /// the seed sets no default.
    pub latency_p99_ms: Option<f64>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            error_rate: ERROR_SPIKE_RATE,
            error_window_minutes: 5,
            auth_silent_minutes: 2,
            auth_min_expected: AUTH_MIN_EXPECTED,
            job_timeout_minutes: 10,
            registry_read_p99_ms: 300.0,
            registry_window_minutes: 5,
            stack_validation_failure_rate: 0.20,
            stack_validation_window_minutes: 60,
            build_failure_alert: true,
            provisioning_failure_alert: true,
            usage_alerts: true,
            latency_p99_ms: None,
        }
    }
}

impl Thresholds {
    /// The defaults with a platform's overrides; `latencyP99ThresholdMs` turns on the
    /// platform's latency alert ([`Category::WorkerLatency`]).
    ///
    /// ```
    /// use nno_obs_alerts::{AlertConfig, category::Thresholds};
    /// let mut config = AlertConfig::example();
    /// config.alerts.error_rate_threshold = 0.02;
    /// assert_eq!(Thresholds::for_platform(&config).error_rate, 0.02);
    /// assert_eq!(Thresholds::for_platform(&config).latency_p99_ms, Some(1000.0));
    /// assert_eq!(Thresholds::default().latency_p99_ms, None);
    /// ```
    pub fn for_platform(config: &crate::AlertConfig) -> Self {
        Self {
            error_rate: config.alerts.error_rate_threshold,
            build_failure_alert: config.alerts.build_failure_alert,
            provisioning_failure_alert: config.alerts.provisioning_failure_alert,
            usage_alerts: config.alerts.usage_alerts,
            latency_p99_ms: Some(config.alerts.latency_p99_threshold_ms),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_enum_order() {
        for (at, row) in TABLE.iter().enumerate() {
            assert_eq!(row.category as usize, at);
            assert_eq!(row.category.spec(), row);
        }
    }

    #[test]
    fn table_is_the_seeds() {
        let rows: Vec<_> = TABLE[..8]
            .iter()
            .map(|r| {
                let recipients: Vec<_> = r
                    .recipients
                    .iter()
                    .map(|r| match r {
                        PlatformAdmin => "Platform admin",
                        NnoOps => "NNO ops team",
                    })
                    .collect();
                format!(
                    "| {} | {} | {} | {} |",
                    r.name,
                    r.trigger,
                    r.severity_text,
                    recipients.join(" + ")
                )
            })
            .collect();
        // Seed §6.2 (its "Platform admin + NNO ops" row writes "NNO ops"; the others "NNO ops team").
        assert_eq!(
            rows.join("\n").replace("Platform admin + NNO ops team", "Platform admin + NNO ops"),
            "\
| Platform Worker error spike | Feature Worker 5xx rate > 5% in 5-min window | High | Platform admin |
| Auth Worker down | Auth Worker returning 0 requests for 2 min | Critical | Platform admin + NNO ops |
| CF Pages build failure | Build exits non-zero | Medium | Platform admin |
| Provisioning job failed | Job reaches FAILED state | High | NNO ops team |
| Provisioning job timeout | Job running > 10 min | Medium | NNO ops team |
| Registry D1 latency | p99 read > 300ms for 5 min | High | NNO ops team |
| Stack Registry validation failure rate | > 20% of publish attempts in 1 hour | Low | NNO ops team |
| Usage threshold | 50% / 75% / 90% / 100% of tier limit | Info → Critical | Platform admin |"
        );
    }

    #[test]
    fn usage_climbs_from_info_to_critical() {
        let severities: Vec<_> = USAGE_LEVELS.iter().map(|l| usage_severity(*l)).collect();
        assert_eq!(
            severities,
            [
                Severity::Info,
                Severity::Medium,
                Severity::High,
                Severity::Critical
            ]
        );
    }

    #[test]
    fn pagerduty_severities_are_the_four_it_accepts() {
        for row in &TABLE {
            assert!(["critical", "error", "warning", "info"].contains(&row.severity.pagerduty()));
        }
    }

    #[test]
    fn overrides() {
        let mut config = crate::AlertConfig::example();
        config.alerts.build_failure_alert = false;
        config.alerts.error_rate_threshold = 0.1;
        let t = Thresholds::for_platform(&config);
        assert!(!t.build_failure_alert);
        assert_eq!(t.error_rate, 0.1);
        assert_eq!(t.registry_read_p99_ms, 300.0);
    }
}
