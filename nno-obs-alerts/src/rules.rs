//! The rules: [`Measurements`] and the platforms' [`AlertConfig`]s in, the alerts that hold
//! now out — one per category and subject, each with its seed §6.3 message.

use crate::alert::{alert_id, Alert};
use crate::burn::{self, BurnAlert};
#[cfg(doc)]
use crate::category::AUTH_MIN_EXPECTED;
use crate::category::{usage_severity, Category, Severity, Thresholds, USAGE_LEVELS};
use crate::config::{is_platform_id, AlertConfig};
use crate::measure::{
    FeatureErrors, JobState, Measurements, ObjectiveMeasurement, PlatformMeasurements,
};
use crate::message::{Details, Message, PlatformRef, DASH};
use crate::slo;
use crate::text::{minutes, one_line, percent};
use std::collections::BTreeMap;

/// Where the messages' links point.
pub const PORTAL: &str = "https://portal.nno.app";

/// The most endpoints listed under "Affected endpoints:" (the worst first).
pub const MAX_ENDPOINTS: usize = 5;

/// Fewest responses in the window for a feature's 5xx ratio to alert: at night a feature may
/// answer a handful of requests in five minutes, and one 5xx among them is not a 33 % spike.
pub const MIN_REQUESTS: u64 = 20;

/// Fewest 5xx responses in the window for a feature's ratio to alert (with [`MIN_REQUESTS`]:
/// the usual volume floor of rate alerts, so that two unlucky errors among 30 requests at
/// night — 6.7 % — do not page anyone).
pub const MIN_ERRORS: f64 = 5.0;

/// The platforms' configurations, by platform id. A platform without one is evaluated with
/// the defaults of seed §6.2.
pub type Configs = BTreeMap<String, AlertConfig>;

/// Every alert that holds in `measurements`, ordered by id. Platforms whose id is not valid
/// are skipped (their id could not be put in a link or an alert id safely).
///
/// ```
/// use nno_obs_alerts::rules::{evaluate, Configs};
/// use nno_obs_alerts::measure::{FeatureErrors, Measurements, PlatformMeasurements};
///
/// let m = Measurements {
///     at_ms: 1_771_756_440_000,
///     platforms: vec![PlatformMeasurements {
///         platform_id: "k3m9p2xw7q".into(),
///         features: vec![FeatureErrors { feature: "analytics".into(), error_rate: 0.124, window_minutes: 5, ..Default::default() }],
///         ..Default::default()
///     }],
///     ..Default::default()
/// };
/// let alerts = evaluate(&m, &Configs::new());
/// assert_eq!(alerts[0].id, "worker-error-spike/k3m9p2xw7q/analytics");
/// ```
pub fn evaluate(measurements: &Measurements, configs: &Configs) -> Vec<Alert> {
    let at = measurements.at_ms;
    let mut alerts = Vec::new();
    for platform in &measurements.platforms {
        if !is_platform_id(&platform.platform_id) {
            continue;
        }
        let thresholds = configs
            .get(&platform.platform_id)
            .map(Thresholds::for_platform)
            .unwrap_or_default();
        platform_alerts(platform, &thresholds, at, &mut alerts);
    }
    nno_alerts(measurements, configs, at, &mut alerts);
    alerts.sort_by(|a, b| a.id.cmp(&b.id));
    alerts.dedup_by(|a, b| a.id == b.id);
    alerts
}

fn platform_ref(platform: &PlatformMeasurements) -> PlatformRef {
    let name = platform
        .platform_name
        .as_deref()
        .map(one_line)
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| platform.platform_id.clone());
    PlatformRef {
        id: platform.platform_id.clone(),
        name,
    }
}

fn observability(platform_id: &str) -> String {
    format!("Review logs at {PORTAL}/platforms/{platform_id}/observability")
}

fn alert(
    category: Category,
    severity: Severity,
    platform: Option<&str>,
    subject: &str,
    message: Message,
) -> Alert {
    Alert {
        id: alert_id(category, platform, subject),
        category,
        severity,
        platform_id: platform.map(str::to_owned),
        recipients: category.spec().recipients.to_vec(),
        message,
    }
}

fn platform_alerts(
    platform: &PlatformMeasurements,
    t: &Thresholds,
    at: u64,
    alerts: &mut Vec<Alert>,
) {
    let id = platform.platform_id.as_str();
    for feature in &platform.features {
        let enough = feature.requests.is_none_or(|n| n >= MIN_REQUESTS)
            && feature.errors.is_none_or(|n| n >= MIN_ERRORS);
        if enough && feature.error_rate.is_finite() && feature.error_rate > t.error_rate {
            alerts.push(error_spike(platform, feature, t, at));
        }
        if let Some(alert) = slow_worker(platform, feature, t, at) {
            alerts.push(alert);
        }
    }
    if let Some((silent, expected)) = auth_down(platform, t) {
        let message = Message {
            platform: Some(platform_ref(platform)),
            headline: "auth Worker down".to_owned(),
            subjects: vec![("Feature".to_owned(), "auth".to_owned())],
            alert: "Auth Worker returning 0 requests".to_owned(),
            threshold: format!(
                "0 requests for {} (when {} or more were expected)",
                minutes(t.auth_silent_minutes),
                t.auth_min_expected
            ),
            current: format!(
                "0 requests (over last {}; {} expected)",
                minutes(silent),
                expected.round()
            ),
            time_ms: at,
            details: None,
            action: observability(id),
            trace_url: None,
        };
        let a = alert(
            Category::AuthWorkerDown,
            Severity::Critical,
            Some(id),
            "auth",
            message,
        );
        alerts.push(a);
    }
    if t.build_failure_alert {
        for build in &platform.failed_builds {
            let build = one_line(build);
            let message = Message {
                platform: Some(platform_ref(platform)),
                headline: "CF Pages build failed".to_owned(),
                subjects: vec![("Build".to_owned(), build.clone())],
                alert: "CF Pages build exited non-zero".to_owned(),
                threshold: "any failed build".to_owned(),
                current: "1 failed build".to_owned(),
                time_ms: at,
                details: None,
                action: observability(id),
                trace_url: None,
            };
            alerts.push(alert(
                Category::PagesBuildFailure,
                Severity::Medium,
                Some(id),
                &build,
                message,
            ));
        }
    }
    if t.usage_alerts {
        if let Some(ratio) = platform.usage_ratio.filter(|r| r.is_finite()) {
            // Only the highest level crossed holds: crossing 90 % ends the 75 % alert.
            let crossed = USAGE_LEVELS
                .iter()
                .rev()
                .find(|level| ratio * 100.0 >= f64::from(**level));
            if let Some(level) = crossed {
                let severity = usage_severity(*level);
                let message = Message {
                    platform: Some(platform_ref(platform)),
                    headline: format!("usage at {level}% of tier limit"),
                    subjects: Vec::new(),
                    alert: format!("Usage reached {level}% of the tier limit"),
                    threshold: format!("{level}%"),
                    current: format!("{} of the tier limit", percent(ratio)),
                    time_ms: at,
                    details: None,
                    action: format!("Review usage at {PORTAL}/platforms/{id}/observability"),
                    trace_url: None,
                };
                let subject = format!("{level}");
                alerts.push(alert(
                    Category::UsageThreshold,
                    severity,
                    Some(id),
                    &subject,
                    message,
                ));
            }
        }
    }
}

/// The auth Worker is down — §6.2's "0 requests for 2 min" — only when traffic was expected:
/// silent for at least `t.auth_silent_minutes` while the baseline expected at least
/// `t.auth_min_expected` requests over the silence ([`AUTH_MIN_EXPECTED`]). A small platform
/// quiet at night and a platform with no history expect little or nothing and never page.
/// The baseline is fixed before the silence, so the expectation grows with it: once firing,
/// the alert holds while the silence lasts. Returns (silent minutes, expected requests).
fn auth_down(platform: &PlatformMeasurements, t: &Thresholds) -> Option<(u64, f64)> {
    let silent = platform.auth_silent_minutes?;
    let expected = platform.auth_expected_requests.filter(|e| e.is_finite())?;
    (silent >= t.auth_silent_minutes && expected >= t.auth_min_expected)
        .then_some((silent, expected))
}

fn error_spike(
    platform: &PlatformMeasurements,
    feature: &FeatureErrors,
    t: &Thresholds,
    at: u64,
) -> Alert {
    let id = platform.platform_id.as_str();
    let name = one_line(&feature.feature);
    let mut endpoints: Vec<_> = feature
        .endpoints
        .iter()
        .filter(|e| e.error_rate.is_finite())
        .collect();
    endpoints.sort_by(|a, b| b.error_rate.total_cmp(&a.error_rate));
    let items: Vec<String> = endpoints
        .iter()
        .take(MAX_ENDPOINTS)
        .map(|e| {
            format!(
                "{} {DASH} {} error rate",
                one_line(&e.endpoint),
                percent(e.error_rate)
            )
        })
        .collect();
    let trace_url = feature
        .recent_error_trace_id
        .as_deref()
        .filter(|trace| nno_obs::trace::is_valid_id(trace.as_bytes()))
        .map(|trace| format!("{PORTAL}/platforms/{id}/logs?traceId={trace}"));
    let message = Message {
        platform: Some(platform_ref(platform)),
        headline: format!("{name} Worker error rate critical"),
        subjects: vec![("Feature".to_owned(), name.clone())],
        alert: "Worker error rate exceeded threshold".to_owned(),
        threshold: percent(t.error_rate),
        current: format!(
            "{} (over last {})",
            percent(feature.error_rate),
            minutes(feature.window_minutes)
        ),
        time_ms: at,
        details: (!items.is_empty()).then(|| Details {
            heading: "Affected endpoints".to_owned(),
            items,
        }),
        action: observability(id),
        trace_url,
    };
    alert(
        Category::WorkerErrorSpike,
        Severity::High,
        Some(id),
        &feature.feature,
        message,
    )
}

/// The platform latency alert (an extension of §6.2 for §6.1's `latencyP99ThresholdMs`): a
/// feature Worker's p99 above the platform's threshold over the window, with at least
/// [`MIN_REQUESTS`] responses (a p99 of a handful of requests is one slow request).
fn slow_worker(
    platform: &PlatformMeasurements,
    feature: &FeatureErrors,
    t: &Thresholds,
    at: u64,
) -> Option<Alert> {
    let threshold = t.latency_p99_ms.filter(|ms| ms.is_finite())?;
    let p99 = feature.p99_ms.filter(|ms| ms.is_finite())?;
    let enough = feature.requests.is_none_or(|n| n >= MIN_REQUESTS);
    if !enough || p99 <= threshold {
        return None;
    }
    let id = platform.platform_id.as_str();
    let name = one_line(&feature.feature);
    let message = Message {
        platform: Some(platform_ref(platform)),
        headline: format!("{name} Worker p99 latency high"),
        subjects: vec![("Feature".to_owned(), name)],
        alert: "Worker p99 latency exceeded threshold".to_owned(),
        threshold: format!("{}ms", threshold.round()),
        current: format!(
            "{}ms (over last {})",
            p99.round(),
            minutes(feature.window_minutes)
        ),
        time_ms: at,
        details: None,
        action: observability(id),
        trace_url: None,
    };
    Some(alert(
        Category::WorkerLatency,
        Severity::Medium,
        Some(id),
        &feature.feature,
        message,
    ))
}

fn nno_alerts(measurements: &Measurements, _configs: &Configs, at: u64, alerts: &mut Vec<Alert>) {
    let defaults = Thresholds::default();
    let nno = &measurements.nno;
    if let Some(p99) = nno.registry_read_p99 {
        if p99.value.is_finite()
            && p99.value > defaults.registry_read_p99_ms
            && p99.window_minutes >= defaults.registry_window_minutes
        {
            let message = Message {
                platform: None,
                headline: "Registry D1 read latency high".to_owned(),
                subjects: vec![("Service".to_owned(), "registry".to_owned())],
                alert: "Registry read p99 latency exceeded threshold".to_owned(),
                threshold: format!("{}ms", defaults.registry_read_p99_ms),
                current: format!(
                    "{}ms (over last {})",
                    p99.value.round(),
                    minutes(p99.window_minutes)
                ),
                time_ms: at,
                details: None,
                action: format!(
                    "Review the registry at {PORTAL}/operator/observability?service=registry"
                ),
                trace_url: None,
            };
            alerts.push(alert(
                Category::RegistryLatency,
                Severity::High,
                None,
                "registry-read-p99",
                message,
            ));
        }
    }
    if let Some(p) = nno.stack_publishes {
        let ratio = if p.attempts == 0 {
            0.0
        } else {
            p.validation_failures as f64 / p.attempts as f64
        };
        if ratio > defaults.stack_validation_failure_rate {
            let message = Message {
                platform: None,
                headline: "Stack Registry validation failure rate high".to_owned(),
                subjects: vec![("Service".to_owned(), "stack-registry".to_owned())],
                alert: "Template validation failure rate exceeded threshold".to_owned(),
                threshold: percent(defaults.stack_validation_failure_rate),
                current: format!(
                    "{} ({} of {} publish attempts over last {})",
                    percent(ratio),
                    p.validation_failures,
                    p.attempts,
                    minutes(p.window_minutes)
                ),
                time_ms: at,
                details: None,
                action: format!("Review publishes at {PORTAL}/operator/stack-registry"),
                trace_url: None,
            };
            alerts.push(alert(
                Category::StackValidationFailures,
                Severity::Low,
                None,
                "validation",
                message,
            ));
        }
    }
    objective_alerts(&nno.objectives, at, alerts);
    for job in &nno.jobs {
        if !is_platform_id(&job.platform_id) {
            continue;
        }
        // `provisioningFailureAlert` is not read here: it decides whether the platform's
        // admin gets a copy (`route::Destinations::recipients`), never whether NNO ops are paged.
        let pid = job.platform_id.as_str();
        let job_name = one_line(&job.job_id);
        let platform = PlatformRef {
            id: job.platform_id.clone(),
            name: measurements
                .platforms
                .iter()
                .find(|p| p.platform_id == job.platform_id)
                .map(|p| platform_ref(p).name)
                .unwrap_or_else(|| job.platform_id.clone()),
        };
        let subjects = vec![
            ("Job".to_owned(), job_name.clone()),
            ("Operation".to_owned(), one_line(&job.operation)),
        ];
        let action = format!(
            "Review the job at {PORTAL}/operator/provisioning?jobId={}",
            url_safe(&job.job_id)
        );
        match job.state {
            JobState::Failed => {
                let current = match &job.failed_step {
                    Some(step) => format!("FAILED at step {}", one_line(step)),
                    None => "FAILED".to_owned(),
                };
                let message = Message {
                    platform: Some(platform),
                    headline: format!("provisioning job {job_name} failed"),
                    subjects,
                    alert: "Provisioning job reached FAILED state".to_owned(),
                    threshold: "FAILED state".to_owned(),
                    current,
                    time_ms: at,
                    details: None,
                    action,
                    trace_url: None,
                };
                alerts.push(alert(
                    Category::ProvisioningJobFailed,
                    Severity::High,
                    Some(pid),
                    &job.job_id,
                    message,
                ));
            }
            JobState::Running if job.running_minutes > defaults.job_timeout_minutes => {
                let message = Message {
                    platform: Some(platform),
                    headline: format!("provisioning job {job_name} running too long"),
                    subjects,
                    alert: "Provisioning job running longer than allowed".to_owned(),
                    threshold: minutes(defaults.job_timeout_minutes),
                    current: format!("running for {}", minutes(job.running_minutes)),
                    time_ms: at,
                    details: None,
                    action,
                    trace_url: None,
                };
                alerts.push(alert(
                    Category::ProvisioningJobTimeout,
                    Severity::Medium,
                    Some(pid),
                    &job.job_id,
                    message,
                ));
            }
            _ => {}
        }
    }
}

/// The `nno-objective` alerts: each §5.1 row of [`crate::slo::OBJECTIVE_PAGES`] whose window
/// meets its volume floor and whose value is past "Alert at" (exactly at it is not) or whose
/// burn-rate pair fires. A row without events ("no data") never pages.
fn objective_alerts(measured: &[ObjectiveMeasurement], at: u64, alerts: &mut Vec<Alert>) {
    for m in measured {
        let (Some(slo), Some(page)) = (slo::row(&m.id), slo::objective_page(&m.id)) else {
            continue;
        };
        if !m.bad.is_finite() || !page.floor.met(m.events, m.bad) {
            continue;
        }
        let crossed = m
            .value
            .and_then(|value| slo::alert_crossed(slo, value))
            .unwrap_or(false);
        let burn = match (slo.burn_rate, m.burn) {
            (Some(policy), Some(ratios)) => {
                burn::evaluate(&policy, slo.objective.budget(), &ratios)
            }
            _ => BurnAlert::None,
        };
        if !crossed && burn == BurnAlert::None {
            continue;
        }
        let service = match slo.scope {
            slo::Scope::Service(name) => name,
            _ => "NNO",
        };
        let latency = matches!(slo.objective, slo::Objective::LatencyBelow { .. });
        let shown = |value: f64| {
            if !latency {
                percent(value)
            } else if value >= 10_000.0 {
                format!("{}s", (value / 1000.0).round())
            } else {
                format!("{}ms", value.round())
            }
        };
        let alert_at = slo.alert_at.unwrap_or("-");
        let (alert_text, threshold) = match (crossed, burn, slo.burn_rate) {
            (true, _, _) | (_, BurnAlert::None, _) | (_, _, None) => (
                format!(
                    "{} crossed its alert threshold (target {})",
                    slo.metric, slo.target
                ),
                alert_at.to_owned(),
            ),
            (false, BurnAlert::Fast, Some(policy)) => (
                format!(
                    "{} burning its error budget (target {})",
                    slo.metric, slo.target
                ),
                format!(
                    "{}x budget burn over {} and {}",
                    policy.fast.factor,
                    minutes(policy.fast.long_minutes),
                    minutes(policy.fast.short_minutes)
                ),
            ),
            (false, BurnAlert::Slow, Some(policy)) => (
                format!(
                    "{} burning its error budget (target {})",
                    slo.metric, slo.target
                ),
                format!(
                    "{}x budget burn over {} and {}",
                    policy.slow.factor,
                    minutes(policy.slow.long_minutes),
                    minutes(policy.slow.short_minutes)
                ),
            ),
        };
        let mut current = match m.value {
            Some(value) => format!(
                "{} (over last {}, {} events",
                shown(value),
                minutes(m.window_minutes),
                m.events
            ),
            None => format!("no value (over last {}", minutes(m.window_minutes)),
        };
        let budget = slo.objective.budget();
        let rate = |ratio: f64| {
            let r = burn::burn_rate(ratio, budget).unwrap_or(0.0);
            format!("{}x", (r * 10.0).round() / 10.0)
        };
        match (crossed, burn, slo.burn_rate, m.burn) {
            (false, BurnAlert::Fast, Some(p), Some(r)) => current.push_str(&format!(
                "; burning {} over {}, {} over {}",
                rate(r.fast_long),
                minutes(p.fast.long_minutes),
                rate(r.fast_short),
                minutes(p.fast.short_minutes)
            )),
            (false, BurnAlert::Slow, Some(p), Some(r)) => current.push_str(&format!(
                "; burning {} over {}, {} over {}",
                rate(r.slow_long),
                minutes(p.slow.long_minutes),
                rate(r.slow_short),
                minutes(p.slow.short_minutes)
            )),
            _ => {}
        }
        current.push(')');
        let message = Message {
            platform: None,
            headline: format!("{service} objective at risk: {}", slo.metric),
            subjects: vec![
                ("Service".to_owned(), service.to_owned()),
                ("Objective".to_owned(), slo.id.to_owned()),
            ],
            alert: alert_text,
            threshold,
            current,
            time_ms: at,
            details: None,
            action: format!(
                "Review the objective at {PORTAL}/operator/observability?objective={}",
                slo.id
            ),
            trace_url: None,
        };
        alerts.push(alert(
            Category::NnoObjective,
            page.severity,
            None,
            slo.id,
            message,
        ));
    }
}

/// `text` if it is URL-safe as a query value (`[A-Za-z0-9_.:-]`), else `invalid-id`: a link
/// must not be steerable by a hostile job id.
fn url_safe(text: &str) -> &str {
    if nno_obs::trace::is_valid_id(text.as_bytes()) {
        text
    } else {
        "invalid-id"
    }
}

/// The measurements and configuration of seed §6.3's example: AcmeCorp (`k3m9p2xw7q`),
/// `analytics` at 12.4 % 5xx over 5 minutes against 5 %, at 2026-02-22 10:34:00 UTC.
///
/// ```
/// use nno_obs_alerts::rules::{evaluate, seed_example};
///
/// let (measurements, configs) = seed_example();
/// let alerts = evaluate(&measurements, &configs);
/// assert_eq!(alerts[0].message.current, "12.4% (over last 5 minutes)");
/// ```
pub fn seed_example() -> (Measurements, Configs) {
    use crate::measure::EndpointErrors;
    let measurements = Measurements {
        at_ms: 1_771_756_440_000,
        platforms: vec![PlatformMeasurements {
            platform_id: "k3m9p2xw7q".to_owned(),
            platform_name: Some("AcmeCorp".to_owned()),
            features: vec![FeatureErrors {
                feature: "analytics".to_owned(),
                error_rate: 0.124,
                window_minutes: 5,
                endpoints: vec![
                    EndpointErrors {
                        endpoint: "GET /api/report".to_owned(),
                        error_rate: 0.08,
                    },
                    EndpointErrors {
                        endpoint: "POST /api/data/export".to_owned(),
                        error_rate: 0.45,
                    },
                ],
                recent_error_trace_id: Some("tr_abc123".to_owned()),
                ..Default::default()
            }],
            ..Default::default()
        }],
        ..Default::default()
    };
    let mut configs = Configs::new();
    configs.insert("k3m9p2xw7q".to_owned(), AlertConfig::example());
    (measurements, configs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AlertConfig;

    /// One platform whose analytics Worker answered `requests` with a p99 of `p99_ms`.
    fn slow(p99_ms: f64, requests: u64) -> Measurements {
        Measurements {
            at_ms: 1_771_756_440_000,
            platforms: vec![PlatformMeasurements {
                platform_id: "k3m9p2xw7q".into(),
                features: vec![FeatureErrors {
                    feature: "analytics".into(),
                    error_rate: 0.0,
                    window_minutes: 5,
                    requests: Some(requests),
                    errors: Some(0.0),
                    p99_ms: Some(p99_ms),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    /// The example configuration: `latencyP99ThresholdMs` 1000.
    fn configured() -> Configs {
        let mut configs = Configs::new();
        configs.insert("k3m9p2xw7q".into(), AlertConfig::example());
        configs
    }

    fn latency_alerts(m: &Measurements, configs: &Configs) -> Vec<String> {
        evaluate(m, configs)
            .into_iter()
            .filter(|a| a.category == Category::WorkerLatency)
            .map(|a| a.id)
            .collect()
    }

    #[test]
    fn latency_pages_above_the_configured_p99_only() {
        let configs = configured();
        let id = "worker-latency/k3m9p2xw7q/analytics";
        // "> threshold": exactly at it is not a page; just above and above are.
        assert!(latency_alerts(&slow(1000.0, 100), &configs).is_empty());
        assert_eq!(latency_alerts(&slow(1000.5, 100), &configs), [id]);
        assert_eq!(latency_alerts(&slow(1450.0, 100), &configs), [id]);
        assert!(latency_alerts(&slow(999.0, 100), &configs).is_empty());
    }

    #[test]
    fn latency_needs_the_volume_floor_and_a_configuration() {
        let configs = configured();
        assert!(latency_alerts(&slow(5000.0, MIN_REQUESTS - 1), &configs).is_empty());
        assert_eq!(
            latency_alerts(&slow(5000.0, MIN_REQUESTS), &configs).len(),
            1
        );
        // Without an AlertConfig the seed sets no latency threshold: no page.
        assert!(latency_alerts(&slow(5000.0, 100), &Configs::new()).is_empty());
        // A p99 that is not a number is no page.
        assert!(latency_alerts(&slow(f64::NAN, 100), &configs).is_empty());
    }

    #[test]
    fn the_latency_message_names_threshold_and_current() {
        let alert = evaluate(&slow(1450.4, 100), &configured()).remove(0);
        let text = alert.message.firing();
        assert!(
            text.starts_with(
                "[NNO ALERT] Platform k3m9p2xw7q — analytics Worker p99 latency high\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("\nThreshold: 1000ms\nCurrent: 1450ms (over last 5 minutes)\n"),
            "{text}"
        );
        assert_eq!(alert.severity, Severity::Medium);
        assert_eq!(alert.recipients, [crate::Recipient::PlatformAdmin]);
    }

    /// One platform whose auth Worker has been silent `silent` minutes while its baseline
    /// expected `expected` requests.
    fn silent(silent: u64, expected: Option<f64>) -> Measurements {
        Measurements {
            at_ms: 1_771_756_440_000,
            platforms: vec![PlatformMeasurements {
                platform_id: "k3m9p2xw7q".into(),
                auth_silent_minutes: Some(silent),
                auth_expected_requests: expected,
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    fn auth_alerts(m: &Measurements) -> Vec<Alert> {
        evaluate(m, &Configs::new())
            .into_iter()
            .filter(|a| a.category == Category::AuthWorkerDown)
            .collect()
    }

    #[test]
    fn auth_down_needs_the_expectation_exactly_at_it_and_above() {
        let min = crate::category::AUTH_MIN_EXPECTED;
        // "≥ 20 expected": exactly at it pages, just above pages, just below does not.
        assert_eq!(auth_alerts(&silent(2, Some(min))).len(), 1);
        assert_eq!(auth_alerts(&silent(2, Some(min + 0.01))).len(), 1);
        assert!(auth_alerts(&silent(2, Some(min - 0.01))).is_empty());
        // No baseline (a new platform, or none in the hour before): never.
        assert!(auth_alerts(&silent(30, None)).is_empty());
        assert!(auth_alerts(&silent(30, Some(f64::NAN))).is_empty());
    }

    #[test]
    fn auth_down_keeps_the_seeds_two_minutes() {
        // Exactly 2 minutes pages, 1 minute does not, however busy the Worker was.
        assert_eq!(auth_alerts(&silent(2, Some(500.0))).len(), 1);
        assert_eq!(auth_alerts(&silent(3, Some(500.0))).len(), 1);
        assert!(auth_alerts(&silent(1, Some(500.0))).is_empty());
    }

    #[test]
    fn the_auth_message_says_what_was_expected() {
        let alert = auth_alerts(&silent(3, Some(57.4))).remove(0);
        let text = alert.message.firing();
        assert!(
            text.contains(
                "\nThreshold: 0 requests for 2 minutes (when 20 or more were expected)\nCurrent: 0 requests (over last 3 minutes; 57 expected)\n"
            ),
            "{text}"
        );
        assert_eq!(alert.severity, Severity::Critical);
    }

    fn objective(id: &str, value: f64, events: u64, bad: f64) -> ObjectiveMeasurement {
        ObjectiveMeasurement {
            id: id.into(),
            value: Some(value),
            events,
            bad,
            window_minutes: slo::row(id).map(|s| s.window_minutes).unwrap_or(5),
            burn: None,
        }
    }

    fn objective_alerts_of(measured: Vec<ObjectiveMeasurement>) -> Vec<(String, Severity)> {
        let m = Measurements {
            at_ms: 1_771_756_440_000,
            nno: crate::measure::NnoMeasurements {
                objectives: measured,
                ..Default::default()
            },
            ..Default::default()
        };
        evaluate(&m, &Configs::new())
            .into_iter()
            .filter(|a| a.category == Category::NnoObjective)
            .map(|a| (a.id, a.severity))
            .collect()
    }

    #[test]
    fn an_objective_pages_past_its_alert_at_only() {
        let id = || vec![("nno-objective/nno/gateway-5xx".to_owned(), Severity::High)];
        // "> 1%": exactly at it is no page, just above is.
        assert!(objective_alerts_of(vec![objective("gateway-5xx", 0.01, 1000, 10.0)]).is_empty());
        assert_eq!(
            objective_alerts_of(vec![objective("gateway-5xx", 0.0101, 1000, 10.1)]),
            id()
        );
        assert!(objective_alerts_of(vec![objective("gateway-5xx", 0.0099, 1000, 9.9)]).is_empty());
        // "< 97%" for jobs: below pages, exactly at does not.
        let jobs = |v: f64| {
            objective_alerts_of(vec![objective(
                "provisioning-job-success",
                v,
                100,
                (1.0 - v) * 100.0,
            )])
        };
        assert!(jobs(0.97).is_empty());
        assert_eq!(jobs(0.96).len(), 1);
        // Latency in ms: "> 500ms" for registry writes.
        let writes =
            |v: f64| objective_alerts_of(vec![objective("registry-write-p99", v, 100, 6.0)]);
        assert!(writes(500.0).is_empty());
        assert_eq!(
            writes(500.5),
            vec![(
                "nno-objective/nno/registry-write-p99".to_owned(),
                Severity::Medium
            )]
        );
    }

    #[test]
    fn one_error_in_a_quiet_minute_never_pages() {
        // One 5xx among 3 requests is 33 %: under the floor (20 requests, 5 5xx).
        assert!(objective_alerts_of(vec![objective("gateway-5xx", 0.33, 3, 1.0)]).is_empty());
        // Exactly at the floor pages; one event or one error fewer does not.
        assert_eq!(
            objective_alerts_of(vec![objective("gateway-5xx", 0.25, 20, 5.0)]).len(),
            1
        );
        assert!(objective_alerts_of(vec![objective("gateway-5xx", 0.25, 19, 5.0)]).is_empty());
        assert!(objective_alerts_of(vec![objective("gateway-5xx", 0.2, 20, 4.0)]).is_empty());
        // One slow job is its own timeout alert, not a median.
        assert!(objective_alerts_of(vec![objective(
            "provision-platform-duration",
            400_000.0,
            1,
            1.0
        )])
        .is_empty());
        assert_eq!(
            objective_alerts_of(vec![objective(
                "provision-platform-duration",
                400_000.0,
                5,
                3.0
            )])
            .len(),
            1
        );
        assert!(objective_alerts_of(vec![objective(
            "provision-platform-duration",
            400_000.0,
            4,
            3.0
        )])
        .is_empty());
    }

    #[test]
    fn a_request_rate_objective_pages_on_its_burn_rate_pairs() {
        let burning = |fast_short: f64| {
            let mut m = objective("gateway-5xx", 0.008, 500, 4.0 * 5.0);
            m.burn = Some(crate::burn::WindowRatios {
                fast_long: 0.0144,
                fast_short,
                slow_long: 0.001,
                slow_short: 0.001,
            });
            objective_alerts_of(vec![m])
        };
        // Under "> 1%" but 14.4× the 0.1 % budget over both 1 h and 5 min: pages.
        assert_eq!(burning(0.0144).len(), 1);
        assert!(burning(0.0143).is_empty());
        let m = Measurements {
            at_ms: 1_771_756_440_000,
            nno: crate::measure::NnoMeasurements {
                objectives: vec![{
                    let mut m = objective("gateway-5xx", 0.008, 500, 20.0);
                    m.burn = Some(crate::burn::WindowRatios {
                        fast_long: 0.02,
                        fast_short: 0.02,
                        slow_long: 0.0,
                        slow_short: 0.0,
                    });
                    m
                }],
                ..Default::default()
            },
            ..Default::default()
        };
        let text = evaluate(&m, &Configs::new()).remove(0).message.firing();
        assert!(
            text.contains("\nThreshold: 14.4x budget burn over 1 hour and 5 minutes\nCurrent: 0.8% (over last 5 minutes, 500 events; burning 20x over 1 hour, 20x over 5 minutes)\n"),
            "{text}"
        );
    }

    #[test]
    fn no_data_never_pages() {
        let mut m = objective("cli-activation-commit", f64::NAN, 0, 0.0);
        m.value = None;
        assert!(objective_alerts_of(vec![m]).is_empty());
        // An unknown row id is ignored, not a panic.
        assert!(objective_alerts_of(vec![objective("no-such-row", 1.0, 100, 100.0)]).is_empty());
        // registry-read-p99 pages as §6.2's Registry D1 latency, not twice.
        assert!(
            objective_alerts_of(vec![objective("registry-read-p99", 900.0, 100, 50.0)]).is_empty()
        );
    }
}
