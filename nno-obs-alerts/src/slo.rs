//! The objectives of seed §5.1–§5.3 as one table: scope, metric, target, alert threshold,
//! window, and the dataset that measures each — or "no data source" and the dataset that
//! would carry it. The query layer (`nno-obs-query`) binds each [`Source::Dataset`] row to its typed
//! query; rows without a source stay in the table and are reported, never dropped.

use crate::burn::BurnRatePolicy;
use crate::category::Severity;
use nno_obs_query::questions::CoreService;

/// Whose objective.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// An NNO core service (§5.1), by name.
    Service(&'static str),
    /// Every platform's Workers, evaluated per platform (§5.2).
    PlatformWorkers,
    /// Every platform's shell, client-facing (§5.3).
    PlatformShell,
}

/// What is compared with the target.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Objective {
    /// A quantile of a duration stays below `ms` (`p99 < 500ms`: quantile 0.99).
    LatencyBelow {
        /// 0.99 for p99, 0.95 for p95, 0.5 for a "typical" value.
        quantile: f64,
        /// The bound, ms.
        ms: f64,
    },
    /// A ratio of bad events stays below `ratio` (`5xx < 0.1%`).
    ErrorRatioBelow {
        /// 0.001 for 0.1 %.
        ratio: f64,
    },
    /// A ratio of good events stays above `ratio` (`success > 99%`).
    SuccessRatioAbove {
        /// 0.99 for 99 %.
        ratio: f64,
    },
}

impl Objective {
    /// The error budget as a ratio of events: `1 - quantile` for latency (p99 < X means at
    /// most 1 % of requests slower than X), the allowed error ratio, `1 - success`.
    pub fn budget(&self) -> f64 {
        match *self {
            Objective::LatencyBelow { quantile, .. } => 1.0 - quantile,
            Objective::ErrorRatioBelow { ratio } => ratio,
            Objective::SuccessRatioAbove { ratio } => 1.0 - ratio,
        }
    }
}

/// Where the measurement comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// An Analytics Engine dataset of seed §3.1 and what to select in it.
    Dataset {
        /// e.g. `nno-core-ops`, `{platformId}-perf`.
        dataset: &'static str,
        /// Which rows and columns.
        selection: &'static str,
    },
    /// No dataset carries it yet.
    NoDataSource {
        /// The dataset that would carry it, and who would write it.
        would_be: &'static str,
    },
}

/// The typed query that measures a row ([`nno_obs_query::questions::Sli`]), and which of
/// its groups: the binding of the table to the query layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Indicator {
    /// A core service as a whole (`nno-core-ops`, `blob1` = service).
    Service(CoreService),
    /// The registry's reads (`GET …` operations) or its writes.
    Registry {
        /// Reads, else writes.
        reads: bool,
    },
    /// Provisioning's jobs: every operation that is not a request (`METHOD route`).
    Jobs,
    /// One operation of a core service (`blob2`).
    Operation(CoreService, &'static str),
    /// Each of a platform's feature Workers but auth (`{platformId}-perf`, per `blob1`).
    Features,
    /// A platform's auth Worker as a whole (feature `auth`).
    AuthWorker,
    /// One endpoint of a platform's auth Worker (`blob2`).
    AuthEndpoint(&'static str),
    /// A platform's Pages builds (`nno-builds`).
    Builds,
    /// Nothing measures it ([`Source::NoDataSource`]).
    Unmeasured,
}

/// One row of seed §5.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Slo {
    /// A stable id, e.g. `gateway-5xx`.
    pub id: &'static str,
    /// Whose.
    pub scope: Scope,
    /// The seed's metric column.
    pub metric: &'static str,
    /// The target as a value.
    pub objective: Objective,
    /// The seed's target column.
    pub target: &'static str,
    /// The seed's "Alert at" column (§5.1 only; §5.2/§5.3 give notes instead).
    pub alert_at: Option<&'static str>,
    /// The alert threshold as a value, comparable with the measured one (ms or ratio): the
    /// "Alert at" column, or for `feature-5xx` §6.2's error spike (> 5 % in a 5-min window),
    /// so that `slo status` is in breach exactly when the spike alert fires.
    pub alert_value: Option<f64>,
    /// The volume an alert threshold needs in the window (the alert rules' floor), if any.
    pub alert_floor: Option<AlertFloor>,
    /// The seed's notes (§5.2, §5.3).
    pub notes: &'static str,
    /// The evaluation window, minutes. The seed gives none in §5; 5 minutes follows §6.2's
    /// "5-min window" for request rates and latencies, 60 for slow, rare events (jobs,
    /// builds, publishes), where 5 minutes would hold one or no sample.
    pub window_minutes: u64,
    /// The period the error budget is counted over, days.
    pub period_days: u64,
    /// What measures it.
    pub source: Source,
    /// Multi-window, multi-burn-rate alerting, where it applies.
    pub burn_rate: Option<BurnRatePolicy>,
    /// The query that measures it.
    pub indicator: Indicator,
}

/// The fewest events, and bad events, in the window for a row's alert threshold to count —
/// the same floor as the alert rule it mirrors ([`MIN_REQUESTS`](crate::rules::MIN_REQUESTS),
/// [`MIN_ERRORS`](crate::rules::MIN_ERRORS) for the error spike).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AlertFloor {
    /// Events (weighted).
    pub min_events: u64,
    /// Bad events (weighted).
    pub min_bad: f64,
}

impl AlertFloor {
    /// Whether `events` with `bad` of them bad are enough.
    ///
    /// ```
    /// use nno_obs_alerts::slo::AlertFloor;
    /// let floor = AlertFloor { min_events: 20, min_bad: 5.0 };
    /// assert!(floor.met(20, 5.0));
    /// assert!(!floor.met(19, 5.0) && !floor.met(20, 4.0));
    /// ```
    pub fn met(&self, events: u64, bad: f64) -> bool {
        events >= self.min_events && bad >= self.min_bad
    }
}

/// §6.2's error spike as the `feature-5xx` row's alert threshold: above 5 % over the row's
/// 5-minute window, with the rule's volume floor.
const fn with_error_spike_alert(slo: Slo) -> Slo {
    Slo {
        alert_value: Some(crate::category::ERROR_SPIKE_RATE),
        alert_floor: Some(AlertFloor {
            min_events: crate::rules::MIN_REQUESTS,
            min_bad: crate::rules::MIN_ERRORS,
        }),
        ..slo
    }
}

const CORE_OPS: &str = nno_obs_query::schema::core_ops::DATASET;
const PERF: &str = "{platformId}-perf";
const BUILDS: &str = nno_obs_query::schema::builds::DATASET;

// One row of a table, positional like the seed's columns: a struct literal per row would
// triple the table's length.
#[allow(clippy::too_many_arguments)]
const fn core(
    id: &'static str,
    service: &'static str,
    metric: &'static str,
    objective: Objective,
    target: &'static str,
    alert_at: &'static str,
    alert_value: f64,
    window_minutes: u64,
    selection: &'static str,
    burn_rate: Option<BurnRatePolicy>,
    indicator: Indicator,
) -> Slo {
    Slo {
        id,
        scope: Scope::Service(service),
        metric,
        objective,
        target,
        alert_at: Some(alert_at),
        alert_value: Some(alert_value),
        alert_floor: None,
        notes: "",
        window_minutes,
        period_days: 30,
        source: Source::Dataset {
            dataset: CORE_OPS,
            selection,
        },
        burn_rate,
        indicator,
    }
}

#[allow(clippy::too_many_arguments)]
const fn platform(
    id: &'static str,
    scope: Scope,
    metric: &'static str,
    objective: Objective,
    target: &'static str,
    notes: &'static str,
    window_minutes: u64,
    source: Source,
    burn_rate: Option<BurnRatePolicy>,
    indicator: Indicator,
) -> Slo {
    Slo {
        id,
        scope,
        metric,
        objective,
        target,
        alert_at: None,
        alert_value: None,
        alert_floor: None,
        notes,
        window_minutes,
        period_days: 30,
        source,
        burn_rate,
        indicator,
    }
}

const fn lat(quantile: f64, ms: f64) -> Objective {
    Objective::LatencyBelow { quantile, ms }
}

const SRE: Option<BurnRatePolicy> = Some(BurnRatePolicy::SRE_WORKBOOK);

/// Every row of seed §5.1, §5.2 and §5.3, in the seed's order.
///
/// ```
/// use nno_obs_alerts::slo::{Source, TABLE};
/// assert_eq!(TABLE.len(), 19);
/// let missing: Vec<_> = TABLE.iter().filter(|s| matches!(s.source, Source::NoDataSource { .. })).map(|s| s.id).collect();
/// assert_eq!(missing, ["shell-ttfb", "feature-registry-init", "remote-manifest-fetch"]);
/// ```
pub const TABLE: [Slo; 19] = [
    // §5.1 NNO core services
    core("gateway-5xx", "NNO Gateway", "Request error rate (5xx)", Objective::ErrorRatioBelow { ratio: 0.001 }, "< 0.1%", "> 1%", 0.01, 5,
        "blob1 = 'gateway': SUM(double3 × _sample_interval) / SUM(_sample_interval)", SRE, Indicator::Service(CoreService::Gateway)),
    core("gateway-p99", "NNO Gateway", "p99 latency", lat(0.99, 500.0), "< 500ms", "> 1000ms", 1000.0, 5,
        "blob1 = 'gateway': quantileExactWeighted(0.99)(double2, _sample_interval)", SRE, Indicator::Service(CoreService::Gateway)),
    core("registry-read-p99", "NNO Registry", "Read p99 latency", lat(0.99, 100.0), "< 100ms", "> 300ms", 300.0, 5,
        "blob1 = 'registry' AND blob2 LIKE 'GET %': p99 of double2", SRE, Indicator::Registry { reads: true }),
    core("registry-write-p99", "NNO Registry", "Write p99 latency", lat(0.99, 200.0), "< 200ms", "> 500ms", 500.0, 5,
        "blob1 = 'registry' AND blob2 NOT LIKE 'GET %': p99 of double2", SRE, Indicator::Registry { reads: false }),
    core("provisioning-job-success", "NNO Provisioning", "Job success rate", Objective::SuccessRatioAbove { ratio: 0.99 }, "> 99%", "< 97%", 0.97, 60,
        "blob1 = 'provisioning', job operations (not `METHOD route`): 1 - failures / jobs", SRE, Indicator::Jobs),
    core("provision-platform-duration", "NNO Provisioning", "PROVISION_PLATFORM duration", lat(0.5, 120_000.0), "< 120s", "> 300s", 300_000.0, 60,
        "blob1 = 'provisioning' AND blob2 = 'PROVISION_PLATFORM': median of double2", None, Indicator::Operation(CoreService::Provisioning, "PROVISION_PLATFORM")),
    core("activate-feature-duration", "NNO Provisioning", "ACTIVATE_FEATURE duration", lat(0.5, 60_000.0), "< 60s", "> 180s", 180_000.0, 60,
        "blob1 = 'provisioning' AND blob2 = 'ACTIVATE_FEATURE': median of double2", None, Indicator::Operation(CoreService::Provisioning, "ACTIVATE_FEATURE")),
    core("cli-activation-commit", "NNO CLI Service", "Feature activation commit time", lat(0.5, 10_000.0), "< 10s", "> 30s", 30_000.0, 60,
        "blob1 = 'cli' AND blob2 = 'COMMIT_ACTIVATION': median of double2", None, Indicator::Operation(CoreService::Cli, "COMMIT_ACTIVATION")),
    core("template-publish-p95", "Stack Registry", "Template publish p95", lat(0.95, 5_000.0), "< 5s", "> 15s", 15_000.0, 60,
        "blob1 = 'stack-registry' AND blob2 = 'PUBLISH_TEMPLATE': p95 of double2", None, Indicator::Operation(CoreService::StackRegistry, "PUBLISH_TEMPLATE")),
    core("version-validation-duration", "Stack Registry", "Version validation duration", lat(0.5, 60_000.0), "< 60s", "> 300s", 300_000.0, 60,
        "blob1 = 'stack-registry' AND blob2 = 'VALIDATE_VERSION': median of double2", None, Indicator::Operation(CoreService::StackRegistry, "VALIDATE_VERSION")),
    // §5.2 platform Workers, per platform
    platform("auth-p95", Scope::PlatformWorkers, "Auth Worker p95 latency", lat(0.95, 200.0), "< 200ms", "Login, session validation", 5,
        Source::Dataset { dataset: PERF, selection: "blob1 = 'auth' (the auth Worker's requests): p95 of double2" }, SRE, Indicator::AuthWorker),
    platform("feature-p95", Scope::PlatformWorkers, "Feature Worker p95 latency", lat(0.95, 300.0), "< 300ms", "Per activated feature", 5,
        Source::Dataset { dataset: PERF, selection: "per blob1 (feature, auth aside): quantileExactWeighted(0.95)(double2, _sample_interval)" }, SRE, Indicator::Features),
    with_error_spike_alert(platform("feature-5xx", Scope::PlatformWorkers, "Feature Worker error rate", Objective::ErrorRatioBelow { ratio: 0.005 }, "< 0.5%", "5xx responses", 5,
        Source::Dataset { dataset: PERF, selection: "per blob1 (feature, auth aside): SUM(double3 × _sample_interval) / SUM(_sample_interval)" }, SRE, Indicator::Features)),
    platform("pages-build-success", Scope::PlatformWorkers, "CF Pages build success rate", Objective::SuccessRatioAbove { ratio: 0.98 }, "> 98%", "Platform shell rebuild", 60,
        Source::Dataset { dataset: BUILDS, selection: "blob1 = platform: 1 - failures / builds" }, None, Indicator::Builds),
    platform("pages-build-duration", Scope::PlatformWorkers, "CF Pages build duration", lat(0.5, 120_000.0), "< 120s", "Typical pnpm install + build", 60,
        Source::Dataset { dataset: BUILDS, selection: "blob1 = platform: median of double2" }, None, Indicator::Builds),
    // §5.3 platform shell, client-facing
    platform("shell-ttfb", Scope::PlatformShell, "Shell TTFB (CF Pages CDN)", lat(0.5, 50.0), "< 50ms", "Static asset, fully cached", 5,
        Source::NoDataSource { would_be: "{platformId}-shell: a browser beacon (or Cloudflare Web Analytics) from the shell; no Worker serves a cached asset" }, None, Indicator::Unmeasured),
    platform("auth-session-check", Scope::PlatformShell, "Auth session check latency", lat(0.5, 100.0), "< 100ms", "Cookie cache hit", 5,
        Source::Dataset { dataset: PERF, selection: "blob1 = 'auth' AND blob2 = 'GET /session': median of double2" }, None, Indicator::AuthEndpoint("GET /session")),
    platform("feature-registry-init", Scope::PlatformShell, "Feature registry init time", lat(0.5, 50.0), "< 50ms", "Static imports, no network", 5,
        Source::NoDataSource { would_be: "{platformId}-shell: measured in the browser (no request is made), sent by a beacon" }, None, Indicator::Unmeasured),
    platform("remote-manifest-fetch", Scope::PlatformShell, "Remote manifest fetch (Phase 2)", lat(0.5, 30.0), "< 30ms", "CDN-cached KV read", 5,
        Source::NoDataSource { would_be: "{platformId}-shell: a browser beacon; a cached KV read runs no instrumented Worker code" }, None, Indicator::Unmeasured),
];

/// The row of [`TABLE`] with id `id`.
///
/// ```
/// assert_eq!(nno_obs_alerts::slo::row("gateway-p99").unwrap().target, "< 500ms");
/// assert!(nno_obs_alerts::slo::row("nope").is_none());
/// ```
pub fn row(id: &str) -> Option<&'static Slo> {
    TABLE.iter().find(|slo| slo.id == id)
}

/// How a §5.1 row pages NNO ops (the `nno-objective` category): its severity and the volume
/// its window must hold before either its "Alert at" threshold or a burn-rate pair counts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ObjectivePage {
    /// The row of [`TABLE`].
    pub id: &'static str,
    /// The alert's severity.
    pub severity: Severity,
    /// The volume floor over the row's window (bad events: errors, failures, or events
    /// slower than the row's target).
    pub floor: AlertFloor,
    /// Why this severity and this floor.
    pub why: &'static str,
}

const fn page(
    id: &'static str,
    severity: Severity,
    min_events: u64,
    min_bad: f64,
    why: &'static str,
) -> ObjectivePage {
    ObjectivePage {
        id,
        severity,
        floor: AlertFloor {
            min_events,
            min_bad,
        },
        why,
    }
}

/// Every §5.1 row with an "Alert at" column that pages NNO ops as an `nno-objective` alert —
/// all but `registry-read-p99`, which §6.2 pages itself ("Registry D1 latency"). A row pages
/// when its window meets the floor and its value is past "Alert at" or a burn-rate pair of
/// its policy fires. Rows no service writes yet (CLI commit, template publish, version
/// validation) are measured as "no data" and never page until a writer exists.
///
/// ```
/// use nno_obs_alerts::slo::{OBJECTIVE_PAGES, TABLE};
/// let with_alert_at = TABLE.iter().filter(|s| s.alert_at.is_some()).count();
/// assert_eq!(OBJECTIVE_PAGES.len(), with_alert_at - 1);
/// ```
pub const OBJECTIVE_PAGES: [ObjectivePage; 9] = [
    page("gateway-5xx", Severity::High, 20, 5.0,
        "every portal and CLI call crosses the gateway; 20 requests and 5 5xx in 5 minutes, the error spike's floor: one 5xx in a quiet minute is not 1 %"),
    page("gateway-p99", Severity::Medium, 20, 5.0,
        "slow, not failing; a p99 of a few requests is their slowest one (one 4-second activation among 60 lookups), so 20 requests and 5 above the 500 ms target"),
    page("registry-write-p99", Severity::Medium, 20, 5.0,
        "writes are a fifth of registry calls; 20 writes and 5 above the 200 ms target in 5 minutes, or one slow commit pages"),
    page("provisioning-job-success", Severity::High, 20, 2.0,
        "a single failed job is its own §6.2 alert (Provisioning job failed); the rate adds a page only when many jobs fail: 20 jobs and 2 failures in the hour"),
    page("provision-platform-duration", Severity::Medium, 5, 3.0,
        "a median of a few jobs is those jobs, each over 10 minutes already its own page (Provisioning job timeout): the simulated hour with three stuck jobs paged a fourth time at 3; 5 jobs, 3 over the 120 s target"),
    page("activate-feature-duration", Severity::Medium, 5, 3.0,
        "as PROVISION_PLATFORM: 5 activations, 3 over the 60 s target"),
    page("cli-activation-commit", Severity::Medium, 5, 3.0,
        "no writer yet (no data: never pages); then 5 commits, 3 over the 10 s target"),
    page("template-publish-p95", Severity::Low, 20, 2.0,
        "a p95 needs 20 publishes to be one; a slow publish delays a template author, not a platform: Low (no writer yet)"),
    page("version-validation-duration", Severity::Low, 5, 3.0,
        "no writer yet; 5 validations, 3 over the 60 s target; Low, as publishing"),
];

/// The paging of `id`, if its row pages as an `nno-objective` alert.
pub fn objective_page(id: &str) -> Option<&'static ObjectivePage> {
    OBJECTIVE_PAGES.iter().find(|page| page.id == id)
}

/// Whether `measured` is past the row's alert threshold (`alert_value`): above it for
/// latencies and error ratios, below it for success ratios. `None` without a threshold or
/// for a non-finite measurement.
///
/// ```
/// use nno_obs_alerts::slo::{alert_crossed, TABLE};
/// let gateway_5xx = &TABLE[0];
/// assert_eq!(alert_crossed(gateway_5xx, 0.012), Some(true));
/// let job_success = &TABLE[4];
/// assert_eq!(alert_crossed(job_success, 0.98), Some(false));
/// ```
pub fn alert_crossed(slo: &Slo, measured: f64) -> Option<bool> {
    let threshold = slo.alert_value?;
    if !measured.is_finite() {
        return None;
    }
    Some(match slo.objective {
        Objective::SuccessRatioAbove { .. } => measured < threshold,
        _ => measured > threshold,
    })
}

/// Whether `measured` meets the target.
///
/// ```
/// use nno_obs_alerts::slo::{target_met, TABLE};
/// assert_eq!(target_met(&TABLE[1], 420.0), Some(true)); // gateway p99 420 ms < 500 ms
/// ```
pub fn target_met(slo: &Slo, measured: f64) -> Option<bool> {
    if !measured.is_finite() {
        return None;
    }
    Some(match slo.objective {
        Objective::LatencyBelow { ms, .. } => measured < ms,
        Objective::ErrorRatioBelow { ratio } => measured < ratio,
        Objective::SuccessRatioAbove { ratio } => measured > ratio,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique() {
        let mut ids: Vec<_> = TABLE.iter().map(|s| s.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), TABLE.len());
    }

    #[test]
    fn section_5_1_alert_column() {
        let alert_at: Vec<_> = TABLE.iter().filter_map(|s| s.alert_at).collect();
        assert_eq!(
            alert_at,
            [
                "> 1%", "> 1000ms", "> 300ms", "> 500ms", "< 97%", "> 300s", "> 180s", "> 30s",
                "> 15s", "> 300s"
            ]
        );
    }

    #[test]
    fn feature_errors_cross_at_the_error_spike_threshold_with_its_floor() {
        let row = TABLE.iter().find(|s| s.id == "feature-5xx").unwrap();
        assert_eq!(row.alert_at, None, "§5.2 has no Alert at column");
        // "> 5%": exactly 5 % is not a spike, just above is.
        assert_eq!(alert_crossed(row, 0.05), Some(false));
        assert_eq!(alert_crossed(row, 0.050_001), Some(true));
        assert_eq!(alert_crossed(row, 0.049_999), Some(false));
        let floor = row.alert_floor.unwrap();
        assert!(floor.met(crate::rules::MIN_REQUESTS, crate::rules::MIN_ERRORS));
        assert!(!floor.met(crate::rules::MIN_REQUESTS - 1, crate::rules::MIN_ERRORS));
        assert!(!floor.met(crate::rules::MIN_REQUESTS, crate::rules::MIN_ERRORS - 1.0));
        // No other row has a floor.
        assert_eq!(TABLE.iter().filter(|s| s.alert_floor.is_some()).count(), 1);
    }

    #[test]
    fn budgets() {
        assert!((TABLE[0].objective.budget() - 0.001).abs() < 1e-12);
        assert!((TABLE[1].objective.budget() - 0.01).abs() < 1e-12);
        assert!((TABLE[4].objective.budget() - 0.01).abs() < 1e-12);
    }

    #[test]
    fn every_target_is_consistent_with_its_alert() {
        for slo in TABLE.iter().filter(|s| s.alert_value.is_some()) {
            let at = slo.alert_value.unwrap();
            // The alert threshold itself is not a breach of the alert, but misses the target.
            assert_eq!(alert_crossed(slo, at), Some(false), "{}", slo.id);
            assert_eq!(target_met(slo, at), Some(false), "{}", slo.id);
        }
        assert_eq!(alert_crossed(&TABLE[0], f64::NAN), None);
    }

    #[test]
    fn every_alert_at_row_pages_ops_once() {
        for slo in TABLE.iter().filter(|s| s.alert_at.is_some()) {
            // registry-read-p99 is §6.2's "Registry D1 latency"; the others page here.
            let pages = objective_page(slo.id).is_some();
            assert_eq!(pages, slo.id != "registry-read-p99", "{}", slo.id);
        }
        for page in &OBJECTIVE_PAGES {
            let slo = row(page.id).unwrap();
            assert!(slo.alert_at.is_some() && matches!(slo.scope, Scope::Service(_)));
            assert!(
                page.floor.min_events > 0 && page.floor.min_bad >= 1.0,
                "{}",
                page.id
            );
        }
    }
}
