//! Measuring the objectives of [`crate::slo::TABLE`]: each row's [`Indicator`] asked of an
//! [`Engine`] as the typed [`Sli`] question, over the row's window (its value), over its
//! budget period so far (the budget left) and over the burn-rate windows — then
//! [`crate::status::status`] on what came back.
//!
//! | objective kind | value | bad events (budget, burn rates) |
//! |---|---|---|
//! | error ratio below | 5xx (error flag) ÷ events | the same |
//! | success ratio above | 1 − failures ÷ events | failures ÷ events |
//! | latency below | the quantile of the row | events slower than the bound ÷ events |
//!
//! A platform row is measured per subject: each feature Worker (auth aside) for the feature
//! rows, the auth Worker, the builds. A subject with no event in the window has no value
//! (which is not a breach); a row no dataset carries reports its missing source.

use crate::burn::WindowRatios;
use crate::measure::ObjectiveMeasurement;
use crate::observe::minutes_ending;
use crate::slo::{Indicator, Objective, Scope, Slo, TABLE};
use crate::status::{status, SloInput, SloStatus};
use nno_obs_query::questions::{CoreService, Sli, SliRow};
use nno_obs_query::{Engine, OperatorScope, PlatformScope, QueryError, Question, TimeRange};
use nno_obs_store::registry::RegistryFile;
use serde::Serialize;
use std::collections::BTreeMap;

/// One objective for one subject, measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SloReport {
    /// The row's id (`gateway-5xx`).
    pub id: &'static str,
    /// What was measured: `NNO Gateway`, `k3m9p2xw7q analytics`, …
    pub subject: String,
    /// The platform, for a platform row.
    pub platform_id: Option<String>,
    /// The seed's target (`< 0.1%`).
    pub target: &'static str,
    /// Events in the window.
    pub events: u64,
    /// The window, minutes.
    pub window_minutes: u64,
    /// The measured value (ms or a ratio).
    pub value: Option<f64>,
    /// Whether the value is a latency in ms (else a ratio).
    pub latency: bool,
    /// Target met.
    pub target_met: Option<bool>,
    /// The seed's alert threshold crossed (§5.1 rows).
    pub alert_crossed: Option<bool>,
    /// Share of the period's budget left.
    pub budget_remaining: Option<f64>,
    /// `fast`, `slow` or `none` for rows with burn-rate alerting and data.
    pub burn: Option<&'static str>,
    /// In breach (target missed, alert crossed, or a burn-rate pair firing).
    pub in_breach: bool,
    /// For a row no dataset carries: the dataset that would.
    pub no_data_source: Option<&'static str>,
}

impl SloReport {
    fn new(
        slo: &'static Slo,
        subject: String,
        platform: Option<&str>,
        (events, window_minutes): (u64, u64),
        s: &SloStatus,
    ) -> Self {
        Self {
            id: slo.id,
            subject,
            platform_id: platform.map(str::to_owned),
            target: slo.target,
            events,
            window_minutes,
            value: s.value,
            latency: matches!(slo.objective, Objective::LatencyBelow { .. }),
            target_met: s.target_met,
            alert_crossed: s.alert_crossed,
            budget_remaining: s.budget_remaining,
            burn: s.burn.map(|b| match b {
                crate::burn::BurnAlert::Fast => "fast",
                crate::burn::BurnAlert::Slow => "slow",
                crate::burn::BurnAlert::None => "none",
            }),
            in_breach: s.in_breach(),
            no_data_source: s.no_data_source,
        }
    }
}

/// Which objectives to measure, under the scope the host checked.
#[derive(Clone, Copy, Debug)]
pub enum Selection<'a> {
    /// NNO's core services and every platform of the Registry (an operator's view).
    Everything(&'a OperatorScope),
    /// One platform's rows only (a platform admin's view).
    Platform(&'a PlatformScope),
}

/// Whose data one row reads: the core services' (an operator's) or one platform's.
#[derive(Clone, Copy)]
enum Reader<'a> {
    Core(&'a OperatorScope),
    Platform(&'a PlatformScope),
}

/// Every objective of the selection at `at_ms`, in the table's order (platforms in the
/// Registry's order, features by name).
///
/// ```
/// use nno_obs_alerts::objectives::{measure_objectives, Selection};
/// use nno_obs_query::memory::MemoryEngine;
/// use nno_obs_store::registry::{RegistryFile, RegistryPlatform};
///
/// let store = tempfile::tempdir().unwrap();
/// let registry = RegistryFile { platforms: vec![RegistryPlatform {
///     platform_id: "k3m9p2xw7q".into(), name: "AcmeCorp".into(), daily_invocation_limit: None,
/// }]};
/// let engine = MemoryEngine::new(store.path());
/// let operator = nno_obs_access::local::operator(store.path()).unwrap();
/// let reports = pollster::block_on(measure_objectives(&engine, &registry,
///                                  Selection::Everything(&operator), 1_771_756_440_000)).unwrap();
/// let gateway = reports.iter().find(|r| r.id == "gateway-5xx").unwrap();
/// assert_eq!((gateway.events, gateway.value, gateway.in_breach), (0, None, false));
/// assert!(reports.iter().any(|r| r.id == "shell-ttfb" && r.no_data_source.is_some()));
/// ```
pub async fn measure_objectives(
    engine: &dyn Engine,
    registry: &RegistryFile,
    selection: Selection<'_>,
    at_ms: u64,
) -> Result<Vec<SloReport>, QueryError> {
    measure_objectives_over(engine, registry, selection, at_ms, None).await
}

/// As [`measure_objectives`], with every value measured over `window_minutes` instead of each
/// row's own window (budgets and burn rates keep theirs).
pub async fn measure_objectives_over(
    engine: &dyn Engine,
    registry: &RegistryFile,
    selection: Selection<'_>,
    at_ms: u64,
    window_minutes: Option<u64>,
) -> Result<Vec<SloReport>, QueryError> {
    let platforms: Vec<PlatformScope> = match selection {
        Selection::Everything(operator) => registry
            .valid_platforms()
            .into_iter()
            .map(|(id, _)| operator.platform(id))
            .collect(),
        Selection::Platform(scope) => vec![scope.clone()],
    };
    let mut out = Vec::new();
    for slo in TABLE.iter() {
        match slo.scope {
            Scope::Service(name) => {
                if let Selection::Everything(operator) = selection {
                    let reader = Reader::Core(operator);
                    out.extend(
                        measure_row(engine, slo, reader, name, at_ms, window_minutes).await?,
                    );
                }
            }
            Scope::PlatformWorkers | Scope::PlatformShell => {
                for platform in &platforms {
                    out.extend(
                        measure_row(
                            engine,
                            slo,
                            Reader::Platform(platform),
                            platform.platform().as_str(),
                            at_ms,
                            window_minutes,
                        )
                        .await?,
                    );
                }
            }
        }
    }
    Ok(out)
}

/// NNO's §5.1 objectives that page ([`crate::slo::OBJECTIVE_PAGES`]) at `at_ms`, as the
/// `nno-objective` rules read them: each row over its window, and its bad-event ratios over
/// its burn-rate windows — not over the 30-day period, which only `slo status` shows.
///
/// ```
/// use nno_obs_alerts::objectives::measure_for_alerts;
/// use nno_obs_query::memory::MemoryEngine;
///
/// let store = tempfile::tempdir().unwrap();
/// let engine = MemoryEngine::new(store.path());
/// let operator = nno_obs_access::local::operator(store.path()).unwrap();
/// let rows = pollster::block_on(measure_for_alerts(&engine, &operator, 1_771_756_440_000)).unwrap();
/// assert_eq!(rows.len(), nno_obs_alerts::slo::OBJECTIVE_PAGES.len());
/// assert!(rows.iter().all(|r| r.events == 0 && r.value.is_none()));
/// ```
pub async fn measure_for_alerts(
    engine: &dyn Engine,
    operator: &OperatorScope,
    at_ms: u64,
) -> Result<Vec<ObjectiveMeasurement>, QueryError> {
    let mut out = Vec::new();
    for page in &crate::slo::OBJECTIVE_PAGES {
        let Some(slo) = crate::slo::row(page.id) else {
            continue;
        };
        let slow_above = match slo.objective {
            Objective::LatencyBelow { ms, .. } => Some(ms as u32),
            _ => None,
        };
        let read = async |minutes: u64| -> Result<Option<SliRow>, QueryError> {
            let range = minutes_ending(at_ms, minutes)?;
            Ok(subjects(
                engine,
                slo.indicator,
                Reader::Core(operator),
                range,
                slow_above,
            )
            .await?
            .remove(""))
        };
        let window = read(slo.window_minutes).await?;
        let burn = match slo.burn_rate {
            Some(policy) => {
                let ratio = async |minutes: u64| -> Result<Option<f64>, QueryError> {
                    Ok(read(minutes).await?.and_then(|row| bad_ratio(slo, &row)))
                };
                // A pair fires only when both its windows burn: with no bad event in either
                // short window, neither can, and the long windows (1 h, 6 h) are not read —
                // most minutes of a healthy fleet, and most of the cost of this function.
                let fast_short = ratio(policy.fast.short_minutes).await?;
                let slow_short = ratio(policy.slow.short_minutes).await?;
                let burning = |r: Option<f64>| r.is_some_and(|r| r > 0.0);
                let longs = if burning(fast_short) || burning(slow_short) {
                    Some((
                        ratio(policy.fast.long_minutes).await?,
                        ratio(policy.slow.long_minutes).await?,
                    ))
                } else {
                    None
                };
                match (longs, fast_short, slow_short) {
                    (
                        Some((Some(fast_long), Some(slow_long))),
                        Some(fast_short),
                        Some(slow_short),
                    ) => Some(WindowRatios {
                        fast_long,
                        fast_short,
                        slow_long,
                        slow_short,
                    }),
                    _ => None,
                }
            }
            None => None,
        };
        out.push(ObjectiveMeasurement {
            id: slo.id.to_owned(),
            value: window.as_ref().and_then(|row| value(slo, row)),
            events: window.as_ref().map(|row| row.events).unwrap_or(0),
            bad: window
                .as_ref()
                .map(|row| bad_events(slo, row))
                .unwrap_or(0.0),
            window_minutes: slo.window_minutes,
            burn,
        });
    }
    Ok(out)
}

/// Bad events of one reading: failures, or for a latency the events slower than its target.
fn bad_events(slo: &Slo, row: &SliRow) -> f64 {
    match slo.objective {
        Objective::LatencyBelow { .. } => row.slow.map(|n| n as f64).unwrap_or(0.0),
        _ => row.bad,
    }
}

/// The six ranges an objective is read over.
struct Readings {
    window: BTreeMap<String, SliRow>,
    period: BTreeMap<String, SliRow>,
    burn: Option<[BTreeMap<String, SliRow>; 4]>,
}

async fn measure_row(
    engine: &dyn Engine,
    slo: &'static Slo,
    reader: Reader<'_>,
    label: &str,
    at_ms: u64,
    window_minutes: Option<u64>,
) -> Result<Vec<SloReport>, QueryError> {
    let platform_text = match reader {
        Reader::Core(_) => None,
        Reader::Platform(scope) => Some(scope.platform().as_str()),
    };
    let window_minutes = window_minutes.unwrap_or(slo.window_minutes);
    if slo.indicator == Indicator::Unmeasured {
        let s = status(slo, None);
        return Ok(vec![SloReport::new(
            slo,
            label.to_owned(),
            platform_text,
            (0, window_minutes),
            &s,
        )]);
    }
    let slow_above = match slo.objective {
        Objective::LatencyBelow { ms, .. } => Some(ms as u32),
        _ => None,
    };
    let read = |range: TimeRange| subjects(engine, slo.indicator, reader, range, slow_above);
    let readings = Readings {
        window: read(minutes_ending(at_ms, window_minutes)?).await?,
        period: read(minutes_ending(at_ms, slo.period_days * 24 * 60)?).await?,
        burn: match slo.burn_rate {
            Some(policy) => Some([
                read(minutes_ending(at_ms, policy.fast.long_minutes)?).await?,
                read(minutes_ending(at_ms, policy.fast.short_minutes)?).await?,
                read(minutes_ending(at_ms, policy.slow.long_minutes)?).await?,
                read(minutes_ending(at_ms, policy.slow.short_minutes)?).await?,
            ]),
            None => None,
        },
    };
    // Every subject seen over the period; a single-subject row is reported even when empty.
    let mut keys: Vec<&String> = readings
        .period
        .keys()
        .chain(readings.window.keys())
        .collect();
    keys.sort();
    keys.dedup();
    let single = String::new();
    if keys.is_empty() && slo.indicator != Indicator::Features {
        keys.push(&single);
    }
    let mut out = Vec::new();
    for key in keys {
        let subject = if key.is_empty() {
            label.to_owned()
        } else {
            format!("{label} {key}")
        };
        let window = readings.window.get(key);
        let bad = |rows: &BTreeMap<String, SliRow>| rows.get(key).and_then(|r| bad_ratio(slo, r));
        let input = SloInput {
            value: window.and_then(|r| value(slo, r)).unwrap_or(f64::NAN),
            period_bad_ratio: bad(&readings.period),
            burn: readings.burn.as_ref().and_then(|[fl, fs, sl, ss]| {
                Some(WindowRatios {
                    fast_long: bad(fl)?,
                    fast_short: bad(fs)?,
                    slow_long: bad(sl)?,
                    slow_short: bad(ss)?,
                })
            }),
        };
        let mut s = status(slo, Some(&input));
        let events = window.map(|r| r.events).unwrap_or(0);
        if let Some(floor) = slo.alert_floor {
            // Below the alert rule's volume floor, its threshold does not count (as the rule).
            let bad = window.map(|r| r.bad).unwrap_or(0.0);
            if !floor.met(events, bad) {
                s.alert_crossed = s.alert_crossed.map(|_| false);
            }
        }
        out.push(SloReport::new(
            slo,
            subject,
            platform_text,
            (events, window_minutes),
            &s,
        ));
    }
    Ok(out)
}

/// The row's value from one reading.
fn value(slo: &Slo, row: &SliRow) -> Option<f64> {
    match slo.objective {
        Objective::ErrorRatioBelow { .. } => row.bad_ratio(),
        Objective::SuccessRatioAbove { .. } => row.bad_ratio().map(|bad| 1.0 - bad),
        Objective::LatencyBelow { quantile, .. } => {
            if quantile >= 0.99 {
                row.p99_ms
            } else if quantile >= 0.95 {
                row.p95_ms
            } else {
                row.p50_ms
            }
        }
    }
}

/// The share of bad events in one reading (what the budget is spent on).
fn bad_ratio(slo: &Slo, row: &SliRow) -> Option<f64> {
    match slo.objective {
        Objective::LatencyBelow { .. } => row.slow_ratio(),
        _ => row.bad_ratio(),
    }
}

/// The subjects of an indicator over `range`, by key (`""` for a single subject).
async fn subjects(
    engine: &dyn Engine,
    indicator: Indicator,
    reader: Reader<'_>,
    range: TimeRange,
    slow: Option<u32>,
) -> Result<BTreeMap<String, SliRow>, QueryError> {
    let one = |rows: Vec<SliRow>, key: &str| -> BTreeMap<String, SliRow> {
        rows.into_iter()
            .filter(|row| row.key == key)
            .map(|row| (String::new(), row))
            .collect()
    };
    Ok(match (indicator, reader) {
        (Indicator::Service(service), Reader::Core(operator)) => one(
            Sli::service(operator, service, range, slow)
                .ask(engine)
                .await?,
            "",
        ),
        (Indicator::Registry { reads }, Reader::Core(operator)) => one(
            Sli::registry(operator, range, slow).ask(engine).await?,
            if reads { "read" } else { "write" },
        ),
        (Indicator::Operation(service, operation), Reader::Core(operator)) => one(
            Sli::operations(operator, service, range, slow)
                .ask(engine)
                .await?,
            operation,
        ),
        (Indicator::Jobs, Reader::Core(operator)) => {
            let rows = Sli::operations(operator, CoreService::Provisioning, range, slow)
                .ask(engine)
                .await?;
            // Jobs are the operations that are not a request (`POST /jobs`).
            let jobs: Vec<&SliRow> = rows.iter().filter(|r| !r.key.contains(' ')).collect();
            if jobs.is_empty() {
                BTreeMap::new()
            } else {
                let total = SliRow {
                    key: String::new(),
                    events: jobs.iter().map(|r| r.events).sum(),
                    bad: jobs.iter().map(|r| r.bad).sum(),
                    slow: None,
                    p50_ms: None,
                    p95_ms: None,
                    p99_ms: None,
                };
                BTreeMap::from([(String::new(), total)])
            }
        }
        (Indicator::Features, Reader::Platform(scope)) => Sli::features(scope, range, slow)
            .ask(engine)
            .await?
            .into_iter()
            .filter(|row| row.key != "auth")
            .map(|row| (row.key.clone(), row))
            .collect(),
        (Indicator::AuthWorker, Reader::Platform(scope)) => {
            one(Sli::features(scope, range, slow).ask(engine).await?, "auth")
        }
        (Indicator::AuthEndpoint(endpoint), Reader::Platform(scope)) => one(
            Sli::endpoints(scope, "auth", range, slow)?
                .ask(engine)
                .await?,
            endpoint,
        ),
        (Indicator::Builds, Reader::Platform(scope)) => {
            one(Sli::builds(scope, range, slow).ask(engine).await?, "")
        }
        // A core indicator read for a platform, a platform indicator read for the core
        // services, or nothing to measure.
        _ => BTreeMap::new(),
    })
}

fn percent(ratio: f64) -> String {
    let digits = if ratio != 0.0 && ratio.abs() < 0.01 {
        3
    } else {
        2
    };
    format!("{:.digits$}%", ratio * 100.0)
}

fn yes_no(value: Option<bool>) -> String {
    match value {
        Some(true) => "yes".to_owned(),
        Some(false) => "no".to_owned(),
        None => "-".to_owned(),
    }
}

impl SloReport {
    /// `breach` (the alert threshold crossed or the budget burning: page), `missed` (the
    /// target missed over the window while the budget holds), `ok`, `no data` or `no data
    /// source`.
    pub fn verdict(&self) -> &'static str {
        if self.no_data_source.is_some() {
            "no data source"
        } else if self.in_breach {
            "breach"
        } else if self.value.is_none() {
            "no data"
        } else if self.target_met == Some(false) {
            "missed"
        } else {
            "ok"
        }
    }
}

impl nno_obs_query::Tabular for SloReport {
    fn header() -> Vec<&'static str> {
        vec![
            "objective",
            "subject",
            "target",
            "value",
            "events",
            "met",
            "alert",
            "budget left",
            "burn",
            "status",
        ]
    }
    fn cells(&self) -> Vec<String> {
        let value = match self.value {
            Some(ms) if self.latency && ms >= 10_000.0 => format!("{:.1} s", ms / 1000.0),
            Some(ms) if self.latency => format!("{ms:.0} ms"),
            Some(ratio) => percent(ratio),
            None => "-".to_owned(),
        };
        vec![
            self.id.to_owned(),
            self.subject.clone(),
            self.target.to_owned(),
            value,
            self.events.to_string(),
            yes_no(self.target_met),
            yes_no(self.alert_crossed),
            self.budget_remaining
                .map(percent)
                .unwrap_or_else(|| "-".to_owned()),
            self.burn.unwrap_or("-").to_owned(),
            self.verdict().to_owned(),
        ]
    }
}
