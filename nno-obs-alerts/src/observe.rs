//! Filling [`Measurements`] from the query layer: every field the rules read, asked of an
//! [`Engine`] as typed questions (`nno-obs-query`) with ranges ending at the evaluation time,
//! so an evaluation at `t` sees exactly the points written before `t` — in production the
//! Analytics Engine SQL API, locally the store.
//!
//! | field | question | window ending at `t` |
//! |---|---|---|
//! | a feature's 5xx ratio and p99 | [`FeatureStats`] | [`Windows::error_minutes`] (§6.2: 5) |
//! | its worst endpoints | [`MostErroringEndpoints`] (only for a feature over its threshold) | the same |
//! | a recent failing trace | [`RecentErrorTrace`] (same) | the same |
//! | auth Worker silence | [`RequestsPerMinute`] of feature `auth`: trailing empty minutes | [`Windows::auth_lookback_minutes`] (a longer silence's start: up to [`AUTH_SEARCH_MINUTES`]) |
//! | what auth was expected to serve | [`RequestsPerMinute`] of `auth` before the silence | [`AUTH_BASELINE_MINUTES`] |
//! | NNO's §5.1 objectives | [`crate::objectives::measure_for_alerts`] | each row's window and burn windows |
//! | failed Pages builds | [`FailedBuilds`] | [`Windows::event_minutes`] |
//! | usage ratio | [`UsageTotal`] of invocations ÷ the tier's daily limit ([`TierLimitsSource`]) | 24 hours |
//! | registry read p99 | [`RegistryLatency`], kind `read` | [`Windows::registry_minutes`] (§6.2: 5) |
//! | failed jobs | [`FailedJobs`] | [`Windows::event_minutes`] |
//! | jobs still running | [`RunningJobs`] | [`Windows::job_lookback_minutes`] |
//!
//! A one-off event (a failed job or build) holds its alert for [`Windows::event_minutes`]
//! after it was recorded; the state machine then resolves it. Stack Registry publishes are not
//! written to any dataset yet (seed §3.1 has no column for them), so that field stays empty.
//!
//! A job's id, operation and platform come from its own points (the job extension of the
//! §3.2/§4.2 layouts, `nno_obs::job`): no log line is needed. Only jobs written before that
//! extension ask a [`JobLogs`] (natively the log search, by trace id); without one such a job
//! is named by its trace id.

use crate::category::Thresholds;
use crate::limits::{TierLimitsSource, UsageLimits};
use crate::measure::{
    EndpointErrors, FeatureErrors, Job, JobState, Measurements, PlatformMeasurements, WindowValue,
};
use crate::rules::{Configs, MIN_ERRORS, MIN_REQUESTS};
use nno_obs_query::questions::{
    FailedBuilds, FailedJobs, FeatureStats, MostErroringEndpoints, RecentErrorTrace,
    RegistryLatency, RequestsPerMinute, RunningJobs, UsageTotal,
};
use nno_obs_query::{Engine, OperatorScope, PlatformScope, QueryError, Question, TimeRange};
use nno_obs_store::registry::RegistryFile;
use std::collections::HashMap;

/// The windows the measurements are taken over, in minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Windows {
    /// Feature 5xx ratios (§6.2: "5xx > 5% in 5-min window").
    pub error_minutes: u64,
    /// How far back auth silence is counted; a Worker silent for longer reads as this.
    pub auth_lookback_minutes: u64,
    /// Registry read p99 (§6.2: "> 300ms for 5 min").
    pub registry_minutes: u64,
    /// How long a one-off failure (job, build) keeps its alert.
    pub event_minutes: u64,
    /// How far back running jobs are looked for: a job started earlier and still running is
    /// not seen (jobs written before the job extension: only their last hour).
    pub job_lookback_minutes: u64,
}

impl Windows {
    /// How long after the data starts the windows are full: before that, a window reaching
    /// back before the first point would read missing data as silence (every auth Worker
    /// "down" at the first minute of a store).
    ///
    /// ```
    /// assert_eq!(nno_obs_alerts::observe::Windows::default().warm_up_ms(), 15 * 60_000);
    /// ```
    pub fn warm_up_ms(&self) -> u64 {
        self.error_minutes
            .max(self.auth_lookback_minutes)
            .max(self.registry_minutes)
            * MINUTE_MS
    }
}

impl Default for Windows {
    /// 5, 15, 5, 15 minutes and a day.
    fn default() -> Self {
        Self {
            error_minutes: 5,
            auth_lookback_minutes: 15,
            registry_minutes: 5,
            event_minutes: 15,
            job_lookback_minutes: 24 * 60,
        }
    }
}

/// What a job's logs say: its id, operation and platform (the provisioning service's `job
/// created` line carries them, with the job's trace id). Only a job written before the job
/// extension needs them: its span points name neither the job nor, for NNO's own work, its
/// platform (`nno-internal`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobFacts {
    /// `job-prov-0001`.
    pub job_id: String,
    /// `PROVISION_PLATFORM`.
    pub operation: String,
    /// The platform provisioned, when the line names it.
    pub platform_id: Option<String>,
}

/// Looks a job up by its trace id.
pub trait JobLogs {
    /// The job of `trace_id`, if its logs name it; `range` bounds the search.
    fn job(&self, trace_id: &str, range: TimeRange) -> Option<JobFacts>;
}

/// No logs: jobs are named by their trace id.
pub struct NoJobLogs;

impl JobLogs for NoJobLogs {
    fn job(&self, _trace_id: &str, _range: TimeRange) -> Option<JobFacts> {
        None
    }
}

const MINUTE_MS: u64 = 60_000;

/// The `minutes` before `at_ms` (whole seconds, as every question's range): the window of a
/// measurement taken at `at_ms`.
pub(crate) fn minutes_ending(at_ms: u64, minutes: u64) -> Result<TimeRange, QueryError> {
    ms_range(at_ms.saturating_sub(minutes * MINUTE_MS), at_ms)
}

/// `[from_ms, until_ms)` in whole seconds.
fn ms_range(from_ms: u64, until_ms: u64) -> Result<TimeRange, QueryError> {
    TimeRange::new((from_ms / 1000) as i64, (until_ms / 1000) as i64)
}

/// The measurements at `at_ms` of the Registry's platforms (`registry`), with each platform's
/// thresholds from `configs` deciding which features need their endpoints and trace looked up.
/// One evaluation; for many in a row, keep an [`Observer`].
///
/// ```
/// use nno_obs_alerts::limits::FileLimits;
/// use nno_obs_alerts::observe::{measure, NoJobLogs, Windows};
/// use nno_obs_alerts::rules::Configs;
/// use nno_obs_query::memory::MemoryEngine;
/// use nno_obs_store::registry::{RegistryFile, RegistryPlatform};
///
/// let store = tempfile::tempdir().unwrap();
/// let registry = RegistryFile { platforms: vec![RegistryPlatform {
///     platform_id: "k3m9p2xw7q".into(), name: "AcmeCorp".into(), daily_invocation_limit: Some(1000),
/// }]};
/// let engine = MemoryEngine::new(store.path());
/// let limits = FileLimits::from_json(r#"{"platforms":[{"platformId":"k3m9p2xw7q","dailyInvocations":1000}]}"#).unwrap();
/// let operator = nno_obs_access::local::operator(store.path()).unwrap();
/// let m = pollster::block_on(measure(&engine, &operator, &registry, &Configs::new(), &NoJobLogs,
///                 Some(&limits), 1_771_756_440_000, &Windows::default())).unwrap();
/// // An empty store: the auth Worker has been silent for the whole lookback, and nothing
/// // was expected of it.
/// assert_eq!(m.platforms[0].auth_silent_minutes, Some(15));
/// assert_eq!(m.platforms[0].auth_expected_requests, None);
/// assert_eq!(m.platforms[0].usage_ratio, Some(0.0));
/// // Without a tier-limit source, no usage ratio — and the measurements say why.
/// let m = pollster::block_on(measure(&engine, &operator, &registry, &Configs::new(), &NoJobLogs,
///                 None, 1_771_756_440_000, &Windows::default())).unwrap();
/// assert_eq!(m.platforms[0].usage_ratio, None);
/// assert_eq!(m.usage_limits.unwrap().source, None);
/// ```
#[allow(clippy::too_many_arguments)] // each is one input of the measurement, named
pub async fn measure(
    engine: &dyn Engine,
    operator: &OperatorScope,
    registry: &RegistryFile,
    configs: &Configs,
    jobs: &dyn JobLogs,
    limits: Option<&dyn TierLimitsSource>,
    at_ms: u64,
    windows: &Windows,
) -> Result<Measurements, QueryError> {
    Observer::new(*windows)
        .measure(engine, operator, registry, configs, jobs, limits, at_ms)
        .await
}

/// The usage period: invocations of the last 24 hours against the daily limit.
const USAGE_PERIOD_MS: u64 = 24 * 60 * MINUTE_MS;

/// How long a usage total is carried forward by differences before it is asked whole again
/// (with fractional units, differences could drift in the last bits; with whole units, the
/// sums are exact either way).
const USAGE_REANCHOR_MS: u64 = 60 * MINUTE_MS;

/// Measures evaluation after evaluation. It carries each platform's 24-hour usage total
/// forward — the last total, plus the units of the minutes that entered the period, minus
/// those that left it — instead of summing a whole day of points every minute; the answer is
/// the same sum (checked in the tests against asking whole).
pub struct Observer {
    windows: Windows,
    /// Per platform: (total at, total, last whole query at).
    usage: HashMap<String, (u64, f64, u64)>,
    /// Per platform: its auth Worker's current silent stretch and baseline.
    silences: HashMap<String, Silence>,
}

/// A silent stretch of an auth Worker, remembered so that its baseline is asked once.
#[derive(Clone, Copy, Debug)]
struct Silence {
    /// The first silent minute.
    start_ms: u64,
    /// Auth requests in the [`AUTH_BASELINE_MINUTES`] before it.
    baseline: u64,
    /// The last evaluation that saw the stretch still silent.
    seen_ms: u64,
}

/// What an auth Worker's silence is measured as.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AuthSilence {
    /// Trailing whole minutes without a request.
    pub silent_minutes: u64,
    /// Requests the baseline expected over them, when the silence is long enough to matter
    /// and the baseline hour had any.
    pub expected: Option<f64>,
}

/// The baseline of an auth Worker's expected traffic: its requests in the hour before the
/// silent stretch. A fixed hour before the silence, not a trailing one, so that the
/// expectation grows with the silence and a firing alert holds while it lasts.
pub const AUTH_BASELINE_MINUTES: u64 = 60;

/// How far the baseline hour predicts: a silence is expected to hold at most this many
/// minutes of the baseline's rate. Without the cap, any platform would page once its silence
/// was long enough — a small platform doing four logins an hour by day, silent all night,
/// "expects" 20 requests after five hours. With it, only an auth Worker that served at least
/// 40 requests in the hour before can page (20 expected over 30 minutes), and one serving ten
/// a minute still pages at §6.2's 2 minutes. The expectation never falls while the silence
/// lasts, so a firing alert holds.
pub const AUTH_HORIZON_MINUTES: u64 = 30;

/// How far back the start of a long silence is looked for. An auth Worker silent for longer
/// than a day has no baseline left: its alert (firing for that day) resolves — it is no
/// longer an outage to be paged about but a Worker to be decommissioned or rebuilt.
pub const AUTH_SEARCH_MINUTES: u64 = 24 * 60;

impl Observer {
    /// An observer with no history.
    pub fn new(windows: Windows) -> Self {
        Self {
            windows,
            usage: HashMap::new(),
            silences: HashMap::new(),
        }
    }

    /// Its windows.
    pub fn windows(&self) -> &Windows {
        &self.windows
    }

    /// The measurements at `at_ms` (see [`measure`]).
    #[allow(clippy::too_many_arguments)] // each is one input of the measurement, named
    pub async fn measure(
        &mut self,
        engine: &dyn Engine,
        operator: &OperatorScope,
        registry: &RegistryFile,
        configs: &Configs,
        jobs: &dyn JobLogs,
        limits: Option<&dyn TierLimitsSource>,
        at_ms: u64,
    ) -> Result<Measurements, QueryError> {
        let windows = self.windows;
        let event_range = minutes_ending(at_ms, windows.event_minutes)?;
        let failed_builds = FailedBuilds::everywhere(operator, event_range)
            .ask(engine)
            .await?;
        let mut platforms = Vec::new();
        for (id, record) in registry.valid_platforms() {
            let scope = operator.platform(id.clone());
            let thresholds = configs
                .get(id.as_str())
                .map(Thresholds::for_platform)
                .unwrap_or_default();
            let usage = self.usage(engine, &scope, at_ms).await?;
            let auth = self.auth(engine, &scope, &thresholds, at_ms).await?;
            platforms.push(PlatformMeasurements {
                platform_id: id.as_str().to_owned(),
                platform_name: Some(record.name.clone()),
                features: feature_errors(engine, &scope, &thresholds, at_ms, &windows).await?,
                auth_silent_minutes: Some(auth.silent_minutes),
                auth_expected_requests: auth.expected,
                failed_builds: failed_builds
                    .iter()
                    .filter(|b| b.platform == id.as_str())
                    .map(|b| b.build_id.clone())
                    .collect(),
                usage_ratio: limits
                    .and_then(|source| source.limits(id.as_str()))
                    .and_then(|l| l.daily_invocations)
                    .filter(|limit| *limit > 0)
                    .map(|limit| usage / limit as f64),
            });
        }
        let registry_range = minutes_ending(at_ms, windows.registry_minutes)?;
        let registry_read_p99 = RegistryLatency::new(operator, registry_range)
            .ask(engine)
            .await?
            .into_iter()
            .find(|row| row.kind == "read" && row.requests > 0)
            .and_then(|row| row.p99_ms)
            .map(|value| WindowValue {
                value,
                window_minutes: windows.registry_minutes,
            });
        let mut nno_jobs = Vec::new();
        let job_range = minutes_ending(at_ms, windows.job_lookback_minutes)?;
        for failed in FailedJobs::new(operator, event_range).ask(engine).await? {
            let facts = facts_of(failed.job_id.clone(), failed.operation.clone(), || {
                jobs.job(&failed.trace_id, job_range)
            });
            nno_jobs.push(job(
                facts,
                &failed.trace_id,
                failed.platform.clone(),
                JobState::Failed,
                at_ms.saturating_sub(failed.end_s.max(0) as u64 * 1000) / MINUTE_MS,
                failed.failed_step().map(str::to_owned),
            ));
        }
        for running in RunningJobs::new(operator, job_range).ask(engine).await? {
            let facts = facts_of(running.job_id.clone(), running.operation.clone(), || {
                jobs.job(&running.trace_id, job_range)
            });
            let minutes = at_ms.saturating_sub(running.started_ms.max(0) as u64) / MINUTE_MS;
            nno_jobs.push(job(
                facts,
                &running.trace_id,
                running.platform,
                JobState::Running,
                minutes,
                None,
            ));
        }
        let ids: Vec<&str> = platforms.iter().map(|p| p.platform_id.as_str()).collect();
        let usage_limits = Some(UsageLimits::of(limits, &ids));
        Ok(Measurements {
            at_ms,
            usage_limits,
            platforms,
            nno: crate::measure::NnoMeasurements {
                registry_read_p99,
                stack_publishes: None,
                jobs: nno_jobs,
                objectives: crate::objectives::measure_for_alerts(engine, operator, at_ms).await?,
            },
        })
    }

    /// The auth Worker's silence at `at_ms` and what its baseline expected over it.
    ///
    /// Whole minutes only (a partial current minute would read as silent). The trailing
    /// silence is counted over [`Windows::auth_lookback_minutes`]; once it reaches
    /// `thresholds.auth_silent_minutes`, the stretch's first minute is found (looking back up
    /// to [`AUTH_SEARCH_MINUTES`] when the whole lookback is silent) and the auth requests of
    /// the [`AUTH_BASELINE_MINUTES`] before it are the baseline: expected = baseline ×
    /// min(silent minutes, [`AUTH_HORIZON_MINUTES`]) ÷ 60. Both are remembered for the stretch, so a long silence is looked
    /// up once, not every minute.
    pub async fn auth(
        &mut self,
        engine: &dyn Engine,
        scope: &PlatformScope,
        thresholds: &Thresholds,
        at_ms: u64,
    ) -> Result<AuthSilence, QueryError> {
        let at_ms = at_ms - at_ms % MINUTE_MS;
        let key = scope.platform().as_str();
        let lookback = self.windows.auth_lookback_minutes.max(1);
        let rows = auth_requests(engine, scope, minutes_ending(at_ms, lookback)?).await?;
        let silent = trailing_silence(&rows);
        if silent < thresholds.auth_silent_minutes.max(1) {
            self.silences.remove(key);
            return Ok(AuthSilence {
                silent_minutes: silent,
                expected: None,
            });
        }
        let lookback_ms = lookback * MINUTE_MS;
        // The stretch's start, when the lookback shows it.
        let seen_start = (silent < lookback).then(|| at_ms - silent * MINUTE_MS);
        let remembered = self
            .silences
            .get(key)
            .copied()
            .filter(|s| match seen_start {
                Some(start) => s.start_ms == start,
                // The whole lookback is silent: the remembered stretch goes on if it was silent
                // at an evaluation inside the lookback.
                None => s.start_ms + lookback_ms <= at_ms && s.seen_ms + lookback_ms >= at_ms,
            });
        let silence = match remembered {
            Some(silence) => silence,
            None => {
                let start = match seen_start {
                    Some(start) => Some(start),
                    None => {
                        let from = at_ms.saturating_sub(AUTH_SEARCH_MINUTES * MINUTE_MS);
                        let before = auth_requests(
                            engine,
                            scope,
                            ms_range(from, at_ms.saturating_sub(lookback_ms))?,
                        )
                        .await?;
                        let quiet = trailing_silence(&before);
                        (quiet < before.len() as u64)
                            .then(|| at_ms - lookback_ms - quiet * MINUTE_MS)
                    }
                };
                let Some(start_ms) = start else {
                    // Silent for the whole search: no baseline, nothing expected.
                    self.silences.remove(key);
                    return Ok(AuthSilence {
                        silent_minutes: silent,
                        expected: None,
                    });
                };
                let from = start_ms.saturating_sub(AUTH_BASELINE_MINUTES * MINUTE_MS);
                let baseline = auth_requests(engine, scope, ms_range(from, start_ms)?)
                    .await?
                    .iter()
                    .map(|m| m.requests)
                    .sum();
                Silence {
                    start_ms,
                    baseline,
                    seen_ms: at_ms,
                }
            }
        };
        self.silences.insert(
            key.to_owned(),
            Silence {
                seen_ms: at_ms,
                ..silence
            },
        );
        let silent_minutes = (at_ms - silence.start_ms) / MINUTE_MS;
        let expected = silence.baseline as f64 * silent_minutes.min(AUTH_HORIZON_MINUTES) as f64
            / AUTH_BASELINE_MINUTES as f64;
        Ok(AuthSilence {
            silent_minutes,
            expected: (silence.baseline > 0).then_some(expected),
        })
    }

    /// Invocations of `scope`'s platform in the 24 hours before `at_ms`.
    async fn usage(
        &mut self,
        engine: &dyn Engine,
        scope: &PlatformScope,
        at_ms: u64,
    ) -> Result<f64, QueryError> {
        let key = scope.platform().as_str().to_owned();
        let sum = async |from_ms: u64, until_ms: u64| -> Result<f64, QueryError> {
            UsageTotal::invocations(scope, ms_range(from_ms, until_ms)?)
                .ask(engine)
                .await
        };
        let total = match self.usage.get(&key) {
            Some(&(last_ms, total, anchored_ms))
                if last_ms <= at_ms && at_ms - anchored_ms < USAGE_REANCHOR_MS =>
            {
                let entered = sum(last_ms, at_ms).await?;
                let left = sum(
                    last_ms.saturating_sub(USAGE_PERIOD_MS),
                    at_ms.saturating_sub(USAGE_PERIOD_MS),
                )
                .await?;
                self.usage
                    .insert(key, (at_ms, total + entered - left, anchored_ms));
                total + entered - left
            }
            _ => {
                let total = sum(at_ms.saturating_sub(USAGE_PERIOD_MS), at_ms).await?;
                self.usage.insert(key, (at_ms, total, at_ms));
                total
            }
        };
        Ok(total)
    }
}

/// A job's facts from its points when they name it; the logs only for a job written before
/// the job extension (the platform then comes from the points too).
fn facts_of(
    job_id: Option<String>,
    operation: Option<String>,
    logs: impl FnOnce() -> Option<JobFacts>,
) -> Option<JobFacts> {
    match job_id {
        Some(job_id) => Some(JobFacts {
            job_id,
            operation: operation.unwrap_or_else(|| "provisioning job".to_owned()),
            platform_id: None,
        }),
        None => logs(),
    }
}

fn job(
    facts: Option<JobFacts>,
    trace_id: &str,
    platform_id: String,
    state: JobState,
    running_minutes: u64,
    failed_step: Option<String>,
) -> Job {
    let (job_id, operation, platform_id) = match facts {
        Some(facts) => (
            facts.job_id,
            facts.operation,
            facts.platform_id.unwrap_or(platform_id),
        ),
        None => (
            trace_id.to_owned(),
            "provisioning job".to_owned(),
            platform_id,
        ),
    };
    Job {
        job_id,
        platform_id,
        operation,
        state,
        running_minutes,
        failed_step,
    }
}

async fn feature_errors(
    engine: &dyn Engine,
    scope: &PlatformScope,
    thresholds: &Thresholds,
    at_ms: u64,
    windows: &Windows,
) -> Result<Vec<FeatureErrors>, QueryError> {
    let range = minutes_ending(at_ms, windows.error_minutes)?;
    let mut out = Vec::new();
    let mut endpoints = None;
    for row in FeatureStats::new(scope, range).ask(engine).await? {
        let Some(rate) = row.error_rate else { continue };
        let mut feature = FeatureErrors {
            feature: row.feature.clone(),
            error_rate: rate,
            window_minutes: windows.error_minutes,
            requests: Some(row.requests),
            errors: Some(row.errors),
            p99_ms: row.p99_ms,
            ..FeatureErrors::default()
        };
        // Only an alert's message needs these: ask for them only then.
        let alerting = row.requests >= MIN_REQUESTS && row.errors >= MIN_ERRORS;
        if alerting && rate > thresholds.error_rate {
            let all = match endpoints.take() {
                Some(all) => all,
                None => MostErroringEndpoints::new(scope, range).ask(engine).await?,
            };
            feature.endpoints = all
                .iter()
                .filter(|e| e.feature == row.feature && e.errors > 0.0)
                .filter_map(|e| {
                    e.error_rate.map(|error_rate| EndpointErrors {
                        endpoint: e.endpoint.clone(),
                        error_rate,
                    })
                })
                .collect();
            endpoints = Some(all);
            feature.recent_error_trace_id = RecentErrorTrace::new(scope, &row.feature, range)?
                .ask(engine)
                .await?;
        }
        out.push(feature);
    }
    Ok(out)
}

/// Trailing minutes without a request among `rows` (oldest first).
fn trailing_silence(rows: &[nno_obs_query::questions::MinuteRow]) -> u64 {
    rows.iter().rev().take_while(|m| m.requests == 0).count() as u64
}

/// Auth requests of `scope`'s platform over `range`.
async fn auth_requests(
    engine: &dyn Engine,
    scope: &PlatformScope,
    range: TimeRange,
) -> Result<Vec<nno_obs_query::questions::MinuteRow>, QueryError> {
    RequestsPerMinute::new(scope, "auth", range)?
        .ask(engine)
        .await
}
