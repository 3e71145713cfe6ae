//! What the evaluator measured: the one input of the rules. The query layer (`nno-obs-query`)
//! fills it from Analytics Engine; without it `nno-obs alerts check --measurements FILE` reads it as
//! JSON. Every field is a number the rules compare, already reduced over its window.

use serde::{Deserialize, Serialize};

/// One evaluation's measurements.
///
/// ```
/// use nno_obs_alerts::Measurements;
///
/// let m: Measurements = serde_json::from_str(r#"{
///     "atMs": 1771756440000,
///     "platforms": [{
///         "platformId": "k3m9p2xw7q",
///         "platformName": "AcmeCorp",
///         "features": [{ "feature": "analytics", "errorRate": 0.124, "windowMinutes": 5 }]
///     }]
/// }"#).unwrap();
/// assert_eq!(m.platforms[0].features[0].error_rate, 0.124);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Measurements {
    /// When the evaluation ran (the end of every window), ms since the epoch.
    pub at_ms: u64,
    /// Per platform.
    #[serde(default)]
    pub platforms: Vec<PlatformMeasurements>,
    /// NNO's own services.
    #[serde(default)]
    pub nno: NnoMeasurements,
    /// What the usage category compared with: the tier-limit source, or that there is none
    /// (`None`: not reported, as in a hand-written measurements file).
    #[serde(default)]
    pub usage_limits: Option<crate::limits::UsageLimits>,
}

/// One platform's measurements.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlatformMeasurements {
    /// The platform id.
    pub platform_id: String,
    /// Its display name (`AcmeCorp`), from the NNO Registry.
    #[serde(default)]
    pub platform_name: Option<String>,
    /// Feature Workers' 5xx ratios (`{platformId}-perf`).
    #[serde(default)]
    pub features: Vec<FeatureErrors>,
    /// Minutes since the auth Worker's last request (`nno-auth-events`); `None` when not
    /// measured (a platform without an auth Worker yet).
    #[serde(default)]
    pub auth_silent_minutes: Option<u64>,
    /// Auth requests the baseline expected during that silence: the auth Worker's requests
    /// in the hour before the silent stretch, scaled to its length (see
    /// [`observe`](crate::observe)). `None` when not measured or nothing was expected (no
    /// request in the baseline hour): the auth Worker is then not "down", only quiet.
    #[serde(default)]
    pub auth_expected_requests: Option<f64>,
    /// Builds that failed in the lookback (`nno-builds`, outcome `failure`).
    #[serde(default)]
    pub failed_builds: Vec<String>,
    /// Usage as a ratio of the tier's limit (billing metering, `{platformId}-usage`).
    #[serde(default)]
    pub usage_ratio: Option<f64>,
}

/// One feature Worker's 5xx ratio over a window.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FeatureErrors {
    /// The feature (`analytics`).
    pub feature: String,
    /// 5xx responses over responses.
    pub error_rate: f64,
    /// The window, minutes.
    pub window_minutes: u64,
    /// Responses in the window (weighted), when known: a rate over fewer than
    /// [`MIN_REQUESTS`](crate::rules::MIN_REQUESTS) does not alert.
    #[serde(default)]
    pub requests: Option<u64>,
    /// 5xx responses in the window (weighted), when known: fewer than
    /// [`MIN_ERRORS`](crate::rules::MIN_ERRORS) do not alert.
    #[serde(default)]
    pub errors: Option<f64>,
    /// Its endpoints with errors, worst first.
    #[serde(default)]
    pub endpoints: Vec<EndpointErrors>,
    /// A trace id of a recent 5xx, for the message's "Trace a recent error" link.
    #[serde(default)]
    pub recent_error_trace_id: Option<String>,
    /// The p99 duration over the window, ms (the platform latency alert), when measured.
    #[serde(default)]
    pub p99_ms: Option<f64>,
}

/// One endpoint's 5xx ratio.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EndpointErrors {
    /// `METHOD route` (`POST /api/data/export`).
    pub endpoint: String,
    /// 5xx over responses.
    pub error_rate: f64,
}

/// NNO's own services.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NnoMeasurements {
    /// The registry's read p99 (`nno-core-ops`).
    #[serde(default)]
    pub registry_read_p99: Option<WindowValue>,
    /// Stack Registry publishes and their validation failures.
    #[serde(default)]
    pub stack_publishes: Option<PublishCounts>,
    /// Provisioning jobs that failed in the lookback or are still running.
    #[serde(default)]
    pub jobs: Vec<Job>,
    /// NNO's §5.1 objectives that can page ([`crate::slo::OBJECTIVE_PAGES`]).
    #[serde(default)]
    pub objectives: Vec<ObjectiveMeasurement>,
}

/// One §5.1 objective of NNO's services, measured for the `nno-objective` alerts: over the
/// row's window, and its bad-event ratios over the burn-rate windows.
///
/// ```
/// use nno_obs_alerts::measure::ObjectiveMeasurement;
/// let m: ObjectiveMeasurement = serde_json::from_str(
///     r#"{"id":"gateway-5xx","value":0.031,"events":400,"bad":12.4,"windowMinutes":5}"#).unwrap();
/// assert_eq!(m.burn, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObjectiveMeasurement {
    /// The row of [`crate::slo::TABLE`] (`gateway-5xx`).
    pub id: String,
    /// The row's value over its window (ms for a latency, else a ratio); `None` without
    /// events.
    #[serde(default)]
    pub value: Option<f64>,
    /// Events in the window (weighted).
    pub events: u64,
    /// Bad events in the window (weighted): errors or failures, or for a latency row the
    /// events slower than its target.
    pub bad: f64,
    /// The window, minutes.
    pub window_minutes: u64,
    /// Bad-event ratios over the burn-rate windows, for a row with a policy, events in all
    /// four and a bad event in a short one (else no pair can fire: the long windows are not
    /// read).
    #[serde(default)]
    pub burn: Option<crate::burn::WindowRatios>,
}

/// A value over a window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WindowValue {
    /// The value (ms for a latency).
    pub value: f64,
    /// The window, minutes.
    pub window_minutes: u64,
}

/// Publish attempts and validation failures over a window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublishCounts {
    /// Attempts.
    pub attempts: u64,
    /// Of which failed validation.
    pub validation_failures: u64,
    /// The window, minutes.
    pub window_minutes: u64,
}

/// A provisioning job's state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Job {
    /// The job.
    pub job_id: String,
    /// The platform provisioned.
    pub platform_id: String,
    /// `PROVISION_PLATFORM`, `ACTIVATE_FEATURE`, …
    pub operation: String,
    /// Where it is.
    pub state: JobState,
    /// Minutes since it started.
    pub running_minutes: u64,
    /// The failed step, for a FAILED job.
    #[serde(default)]
    pub failed_step: Option<String>,
}

/// The provisioning job states the rules look at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobState {
    /// Still running.
    Running,
    /// Reached FAILED.
    Failed,
    /// Done.
    Completed,
}
