//! The platform admin's questions on `{platformId}-perf` (seed §3.3, §7.1, §7.2, §5.2).
//!
//! Columns (seed §3.2): `blob1` feature, `blob2` endpoint (`METHOD route`), `blob3` status,
//! `blob4` entity; `double1` 1, `double2` duration in ms, `double3` 1 for a 5xx; `index1`
//! feature. Every question reads `[from, until)` of its [`TimeRange`].

use super::{blob, cell, only, percent, rate, Builder, Question, Tabular};
use crate::error::QueryError;
use crate::literal::Literal;
use crate::plan::{Agg, Dir, Key, Plan};
use crate::scope::{Dataset, PlatformScope};
use crate::table::{Col, Table};
use crate::time_range::{format_datetime, Bucket, TimeRange};
use nno_obs_schema::{perf, Double};
use serde::Serialize;

// The output columns of this module's plans, each named once (see `Col`).
const AVG_MS: Col<f64> = Col::new("avg_ms");
const ENDPOINT: Col<String> = Col::new("endpoint");
const ERRORS: Col<f64> = Col::new("errors");
const FEATURE: Col<String> = Col::new("feature");
const HOUR: Col<i64> = Col::new("hour");
const P50_MS: Col<f64> = Col::new("p50_ms");
const P95_MS: Col<f64> = Col::new("p95_ms");
const P99_MS: Col<f64> = Col::new("p99_ms");
const RECENT_ERRORS: Col<f64> = Col::new("recent_errors");
const RECENT_REQUESTS: Col<u64> = Col::new("recent_requests");
const REQUESTS: Col<u64> = Col::new("requests");
const TAIL_REQUESTS: Col<u64> = Col::new("tail_requests");
const WORKER: Col<String> = Col::new("worker");

const DURATION: Double = perf::DURATION_MS;
const SERVER_ERROR: Double = perf::SERVER_ERROR;

fn perf(scope: &PlatformScope) -> Dataset {
    Dataset::Perf(scope.platform().clone())
}

fn with_feature(builder: Builder, feature: &Option<Literal>) -> Builder {
    match feature {
        Some(feature) => builder.filter(blob(perf::FEATURE_ID), feature.clone()),
        None => builder,
    }
}

/// Per feature over a range: requests, request rate, 5xx errors and rate, mean and
/// p50/p95/p99 duration (seed §3.3's first query, done right; §7.2's per-feature breakdown;
/// §5.2's feature and auth Worker p95 and error rate — the auth Worker is feature `auth`).
///
/// One row per feature with at least one point in the range, by requests descending, then
/// feature. `req_per_min` is requests over the range's length in minutes (the whole range, not
/// the span of the points).
///
/// ```
/// use nno_obs_query::{questions::FeatureStats, PlatformScope, Question, TimeRange};
/// use nno_obs_store::layout::PlatformId;
///
/// let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
/// let plan = &FeatureStats::new(&scope, TimeRange::new(0, 60).unwrap()).plans()[0];
/// assert_eq!(plan.dataset().name(), "k3m9p2xw7q-perf");
/// ```
#[derive(Clone, Debug)]
pub struct FeatureStats {
    dataset: Dataset,
    range: TimeRange,
    feature: Option<Literal>,
}

/// A row of [`FeatureStats`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FeatureStatsRow {
    /// The feature.
    pub feature: String,
    /// Requests (weighted by sampling).
    pub requests: u64,
    /// Requests per minute over the range.
    pub req_per_min: f64,
    /// 5xx responses (weighted).
    pub errors: f64,
    /// `errors / requests`.
    pub error_rate: Option<f64>,
    /// Weighted mean duration, ms.
    pub avg_ms: Option<f64>,
    /// Weighted p50, ms.
    pub p50_ms: Option<f64>,
    /// Weighted p95, ms.
    pub p95_ms: Option<f64>,
    /// Weighted p99, ms.
    pub p99_ms: Option<f64>,
}

impl FeatureStats {
    /// Per feature of `scope`'s platform over `range`.
    pub fn new(scope: &PlatformScope, range: TimeRange) -> Self {
        Self {
            dataset: perf(scope),
            range,
            feature: None,
        }
    }

    /// Only `feature` (any text: escaped, or rejected, see [`Literal`]).
    pub fn feature(mut self, feature: &str) -> Result<Self, QueryError> {
        self.feature = Some(Literal::new(feature)?);
        Ok(self)
    }
}

impl Question for FeatureStats {
    type Answer = Vec<FeatureStatsRow>;

    fn plans(&self) -> Vec<Plan> {
        vec![with_feature(
            Builder::aggregate(self.dataset.clone(), self.range),
            &self.feature,
        )
        .key(FEATURE, Key::Text(blob(perf::FEATURE_ID)))
        .agg(REQUESTS, Agg::Count { since: None })
        .agg(
            ERRORS,
            Agg::Sum {
                double: SERVER_ERROR,
                since: None,
            },
        )
        .agg(AVG_MS, Agg::Mean { double: DURATION })
        .agg(
            P50_MS,
            Agg::Quantile {
                level: 0.5,
                double: DURATION,
            },
        )
        .agg(
            P95_MS,
            Agg::Quantile {
                level: 0.95,
                double: DURATION,
            },
        )
        .agg(
            P99_MS,
            Agg::Quantile {
                level: 0.99,
                double: DURATION,
            },
        )
        .order(REQUESTS, Dir::Desc)
        .build()]
    }

    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        let table = only(tables)?;
        let minutes = self.range.seconds() as f64 / 60.0;
        Ok(table
            .views()
            .map(|row| {
                let requests = row.get(REQUESTS);
                let errors = row.get(ERRORS);
                FeatureStatsRow {
                    feature: row.get(FEATURE),
                    requests,
                    req_per_min: requests as f64 / minutes,
                    errors,
                    error_rate: rate(errors, requests),
                    avg_ms: Some(row.get(AVG_MS)),
                    p50_ms: Some(row.get(P50_MS)),
                    p95_ms: Some(row.get(P95_MS)),
                    p99_ms: Some(row.get(P99_MS)),
                }
            })
            .collect())
    }
}

impl Tabular for FeatureStatsRow {
    fn header() -> Vec<&'static str> {
        vec![
            "feature", "requests", "req/min", "errors", "error %", "avg ms", "p50 ms", "p95 ms",
            "p99 ms",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.feature.clone(),
            self.requests.to_string(),
            format!("{:.2}", self.req_per_min),
            format!("{}", self.errors),
            percent(self.error_rate),
            cell(self.avg_ms, 1),
            cell(self.p50_ms, 0),
            cell(self.p95_ms, 0),
            cell(self.p99_ms, 0),
        ]
    }
}

/// Requests per hour over a range across all of a platform's Workers (seed §7.1's volume
/// chart): **every** hour bucket overlapping the range, in order, an hour without points as
/// zero requests. The first and last buckets may be partial (the range need not start on the
/// hour).
#[derive(Clone, Debug)]
pub struct RequestsPerHour {
    dataset: Dataset,
    range: TimeRange,
}

/// A row of [`RequestsPerHour`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HourRow {
    /// The hour's start, seconds since the epoch.
    pub hour: i64,
    /// Requests (weighted).
    pub requests: u64,
    /// 5xx responses (weighted).
    pub errors: f64,
}

impl RequestsPerHour {
    /// Requests per hour of `scope`'s platform over `range`.
    pub fn new(scope: &PlatformScope, range: TimeRange) -> Self {
        Self {
            dataset: perf(scope),
            range,
        }
    }
}

impl Question for RequestsPerHour {
    type Answer = Vec<HourRow>;

    fn plans(&self) -> Vec<Plan> {
        vec![Builder::aggregate(self.dataset.clone(), self.range)
            .key(HOUR, Key::Bucket(Bucket::HOUR))
            .agg(REQUESTS, Agg::Count { since: None })
            .agg(
                ERRORS,
                Agg::Sum {
                    double: SERVER_ERROR,
                    since: None,
                },
            )
            .build()]
    }

    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        let table = only(tables)?;
        let mut found = std::collections::HashMap::new();
        for row in table.views() {
            found.insert(row.get(HOUR), (row.get(REQUESTS), row.get(ERRORS)));
        }
        Ok(Bucket::HOUR
            .starts(&self.range)
            .into_iter()
            .map(|hour| {
                let (requests, errors) = found.get(&hour).copied().unwrap_or((0, 0.0));
                HourRow {
                    hour,
                    requests,
                    errors,
                }
            })
            .collect())
    }
}

impl Tabular for HourRow {
    fn header() -> Vec<&'static str> {
        vec!["hour (UTC)", "requests", "errors"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            format_datetime(self.hour),
            self.requests.to_string(),
            self.errors.to_string(),
        ]
    }
}

/// The 5xx rate per feature per hour (seed §7.1's error chart): for every feature with a
/// point in the range, every hour bucket overlapping the range; an hour without requests has
/// rate `None` (no data, which is not 0 %). Ordered by feature, then hour.
#[derive(Clone, Debug)]
pub struct ErrorRatePerFeatureHour {
    dataset: Dataset,
    range: TimeRange,
}

/// A row of [`ErrorRatePerFeatureHour`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FeatureHourRow {
    /// The feature.
    pub feature: String,
    /// The hour's start, seconds since the epoch.
    pub hour: i64,
    /// Requests (weighted).
    pub requests: u64,
    /// 5xx responses (weighted).
    pub errors: f64,
    /// `errors / requests`.
    pub error_rate: Option<f64>,
}

impl ErrorRatePerFeatureHour {
    /// The 5xx rate of `scope`'s features per hour over `range`.
    pub fn new(scope: &PlatformScope, range: TimeRange) -> Self {
        Self {
            dataset: perf(scope),
            range,
        }
    }
}

impl Question for ErrorRatePerFeatureHour {
    type Answer = Vec<FeatureHourRow>;

    fn plans(&self) -> Vec<Plan> {
        vec![Builder::aggregate(self.dataset.clone(), self.range)
            .key(FEATURE, Key::Text(blob(perf::FEATURE_ID)))
            .key(HOUR, Key::Bucket(Bucket::HOUR))
            .agg(REQUESTS, Agg::Count { since: None })
            .agg(
                ERRORS,
                Agg::Sum {
                    double: SERVER_ERROR,
                    since: None,
                },
            )
            .build()]
    }

    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        let table = only(tables)?;
        let mut found = std::collections::BTreeMap::new();
        for row in table.views() {
            found.insert(
                (row.get(FEATURE), row.get(HOUR)),
                (row.get(REQUESTS), row.get(ERRORS)),
            );
        }
        let features: std::collections::BTreeSet<String> =
            found.keys().map(|(f, _)| f.clone()).collect();
        let hours = Bucket::HOUR.starts(&self.range);
        let mut out = Vec::new();
        for feature in features {
            for hour in &hours {
                let (requests, errors) = found
                    .get(&(feature.clone(), *hour))
                    .copied()
                    .unwrap_or((0, 0.0));
                out.push(FeatureHourRow {
                    feature: feature.clone(),
                    hour: *hour,
                    requests,
                    errors,
                    error_rate: rate(errors, requests),
                });
            }
        }
        Ok(out)
    }
}

impl Tabular for FeatureHourRow {
    fn header() -> Vec<&'static str> {
        vec!["feature", "hour (UTC)", "requests", "errors", "5xx %"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.feature.clone(),
            format_datetime(self.hour),
            self.requests.to_string(),
            self.errors.to_string(),
            percent(self.error_rate),
        ]
    }
}

/// The feature Worker error-rate target of seed §5.2: 5xx < 0.5 %.
pub const FEATURE_ERROR_RATE_TARGET: f64 = 0.005;
/// A Worker is degraded from the target up to this many times the target and failing above:
/// the seed's core SLOs alert at 10× their error-rate target (gateway: 0.1 % → 1 %).
pub const DEGRADED_FACTOR: f64 = 10.0;

/// How long without a request makes a Worker silent, whatever the window it is judged on:
/// seed §6.2's "Auth Worker down" (0 requests for 2 min), so a light and that alert agree.
pub const SILENT_AFTER_S: i64 = 120;

/// A Worker's traffic light (seed §7.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    /// Recent 5xx rate below [`FEATURE_ERROR_RATE_TARGET`].
    Ok,
    /// From the target up to [`DEGRADED_FACTOR`] × the target, inclusive.
    Degraded,
    /// Above [`DEGRADED_FACTOR`] × the target (5 %: seed §6.2's error spike is "> 5 %").
    Failing,
    /// No request in the last [`SILENT_AFTER_S`] seconds of the window (or in the whole window,
    /// when it is shorter): it has stopped answering, whatever its earlier minutes said. Never
    /// judged on an error rate — there is no traffic to judge.
    Silent,
}

impl Health {
    /// The light for `errors` of `requests` in the recent window, of which `tail_requests`
    /// came in the window's last [`SILENT_AFTER_S`] seconds.
    ///
    /// ```
    /// use nno_obs_query::questions::Health;
    ///
    /// assert_eq!(Health::of(0.0, 1000, 90), Health::Ok);
    /// assert_eq!(Health::of(5.0, 1000, 90), Health::Degraded); // exactly 0.5 %
    /// assert_eq!(Health::of(50.0, 1000, 90), Health::Degraded); // exactly 5 %: not "> 5 %"
    /// assert_eq!(Health::of(51.0, 1000, 90), Health::Failing);
    /// // Traffic earlier in the window, none in its last 2 minutes: silent, not ok.
    /// assert_eq!(Health::of(0.0, 1000, 0), Health::Silent);
    /// assert_eq!(Health::of(0.0, 0, 0), Health::Silent);
    /// ```
    pub fn of(errors: f64, requests: u64, tail_requests: u64) -> Health {
        if tail_requests == 0 {
            return Health::Silent;
        }
        match rate(errors, requests) {
            None => Health::Silent,
            Some(r) if r < FEATURE_ERROR_RATE_TARGET => Health::Ok,
            // Compared as errors against requests × threshold, so exactly 5 % is exact
            // (0.005 × 10 in floating point need not equal 50 / 1000).
            Some(_) if errors <= requests as f64 * FEATURE_ERROR_RATE_TARGET * DEGRADED_FACTOR => {
                Health::Degraded
            }
            Some(_) => Health::Failing,
        }
    }

    /// The word.
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Degraded => "degraded",
            Health::Failing => "failing",
            Health::Silent => "silent",
        }
    }
}

/// Health per Worker (feature, `auth` included) of a platform (seed §7.1): every Worker with
/// a point in `[until - lookback, until)` (default 24 h), judged on its 5xx rate in the recent
/// window `[until - window, until)` (default 15 min) by [`Health::of`]. A Worker with no
/// request in the window's last [`SILENT_AFTER_S`] seconds is [`Health::Silent`] — the
/// silent-Worker incident — even when the window's earlier minutes had traffic. Ordered by
/// Worker.
///
/// ```
/// use nno_obs_query::questions::WorkerHealth;
/// use nno_obs_query::{PlatformScope, TimeRange};
/// use nno_obs_store::layout::PlatformId;
///
/// let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
/// let day = TimeRange::new(1_771_668_000, 1_771_754_400).unwrap();
/// let health = WorkerHealth::new(&scope, day, 900);
/// assert_eq!(health.window(), (1_771_753_500, 1_771_754_400)); // the last 15 minutes
/// ```
#[derive(Clone, Debug)]
pub struct WorkerHealth {
    dataset: Dataset,
    range: TimeRange,
    window_start: i64,
}

/// A row of [`WorkerHealth`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HealthRow {
    /// The Worker's feature (`auth` for the auth Worker).
    pub worker: String,
    /// Its light.
    pub health: Health,
    /// Requests in the recent window.
    pub recent_requests: u64,
    /// 5xx in the recent window.
    pub recent_errors: f64,
    /// Their ratio.
    pub recent_error_rate: Option<f64>,
    /// Requests over the look-back.
    pub requests: u64,
}

impl WorkerHealth {
    /// Health of `scope`'s Workers: look-back `lookback` (the range), window of `window_s`
    /// seconds ending with it (at most the look-back).
    pub fn new(scope: &PlatformScope, lookback: TimeRange, window_s: i64) -> Self {
        let window_start = (lookback.until_s() - window_s.max(1)).max(lookback.from_s());
        Self {
            dataset: perf(scope),
            range: lookback,
            window_start,
        }
    }

    /// The window the lights are judged on, `[from, until)` in Unix seconds.
    pub fn window(&self) -> (i64, i64) {
        (self.window_start, self.range.until_s())
    }

    /// Where the silence is looked for: the window's last [`SILENT_AFTER_S`] seconds.
    fn tail_start(&self) -> i64 {
        (self.range.until_s() - SILENT_AFTER_S).max(self.window_start)
    }
}

impl Question for WorkerHealth {
    type Answer = Vec<HealthRow>;

    fn plans(&self) -> Vec<Plan> {
        let since = Some(self.window_start);
        vec![Builder::aggregate(self.dataset.clone(), self.range)
            .key(WORKER, Key::Text(blob(perf::FEATURE_ID)))
            .agg(REQUESTS, Agg::Count { since: None })
            .agg(RECENT_REQUESTS, Agg::Count { since })
            .agg(
                RECENT_ERRORS,
                Agg::Sum {
                    double: SERVER_ERROR,
                    since,
                },
            )
            .agg(
                TAIL_REQUESTS,
                Agg::Count {
                    since: Some(self.tail_start()),
                },
            )
            .build()]
    }

    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        let table = only(tables)?;
        Ok(table
            .views()
            .map(|row| {
                let recent_requests = row.get(RECENT_REQUESTS);
                let recent_errors = row.get(RECENT_ERRORS);
                HealthRow {
                    worker: row.get(WORKER),
                    health: Health::of(recent_errors, recent_requests, row.get(TAIL_REQUESTS)),
                    recent_requests,
                    recent_errors,
                    recent_error_rate: rate(recent_errors, recent_requests),
                    requests: row.get(REQUESTS),
                }
            })
            .collect())
    }
}

impl Tabular for HealthRow {
    fn header() -> Vec<&'static str> {
        vec![
            "worker",
            "health",
            "recent requests",
            "recent 5xx",
            "recent 5xx %",
            "requests",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.worker.clone(),
            self.health.as_str().to_owned(),
            self.recent_requests.to_string(),
            self.recent_errors.to_string(),
            percent(self.recent_error_rate),
            self.requests.to_string(),
        ]
    }
}

/// A row of the endpoint questions.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EndpointRow {
    /// The feature.
    pub feature: String,
    /// `METHOD route`.
    pub endpoint: String,
    /// Requests (weighted).
    pub requests: u64,
    /// 5xx (weighted).
    pub errors: f64,
    /// `errors / requests`.
    pub error_rate: Option<f64>,
    /// Weighted mean duration, ms.
    pub avg_ms: Option<f64>,
    /// Weighted p95, ms.
    pub p95_ms: Option<f64>,
}

fn endpoint_plan(
    dataset: &Dataset,
    range: TimeRange,
    feature: &Option<Literal>,
    by: Col<f64>,
) -> Plan {
    with_feature(Builder::aggregate(dataset.clone(), range), feature)
        .key(FEATURE, Key::Text(blob(perf::FEATURE_ID)))
        .key(ENDPOINT, Key::Text(blob(perf::ENDPOINT)))
        .agg(REQUESTS, Agg::Count { since: None })
        .agg(
            ERRORS,
            Agg::Sum {
                double: SERVER_ERROR,
                since: None,
            },
        )
        .agg(AVG_MS, Agg::Mean { double: DURATION })
        .agg(
            P95_MS,
            Agg::Quantile {
                level: 0.95,
                double: DURATION,
            },
        )
        .order(by, Dir::Desc)
        .limit(10)
        .build()
}

fn endpoint_rows(table: &Table) -> Vec<EndpointRow> {
    table
        .views()
        .map(|row| {
            let requests = row.get(REQUESTS);
            let errors = row.get(ERRORS);
            EndpointRow {
                feature: row.get(FEATURE),
                endpoint: row.get(ENDPOINT),
                requests,
                errors,
                error_rate: rate(errors, requests),
                avg_ms: Some(row.get(AVG_MS)),
                p95_ms: Some(row.get(P95_MS)),
            }
        })
        .collect()
}

/// The 10 slowest endpoints (seed §7.2): by weighted p95 duration descending, then feature and
/// endpoint ascending.
#[derive(Clone, Debug)]
pub struct SlowestEndpoints {
    dataset: Dataset,
    range: TimeRange,
    feature: Option<Literal>,
}

impl SlowestEndpoints {
    /// The slowest endpoints of `scope`'s platform over `range`.
    pub fn new(scope: &PlatformScope, range: TimeRange) -> Self {
        Self {
            dataset: perf(scope),
            range,
            feature: None,
        }
    }

    /// Only the endpoints of `feature` (escaped, or rejected, see [`Literal`]).
    pub fn feature(mut self, feature: &str) -> Result<Self, QueryError> {
        self.feature = Some(Literal::new(feature)?);
        Ok(self)
    }
}

impl Question for SlowestEndpoints {
    type Answer = Vec<EndpointRow>;
    fn plans(&self) -> Vec<Plan> {
        vec![endpoint_plan(
            &self.dataset,
            self.range,
            &self.feature,
            P95_MS,
        )]
    }
    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        Ok(endpoint_rows(&only(tables)?))
    }
}

/// The 10 most-erroring endpoints (seed §7.2): by weighted 5xx count descending, then feature
/// and endpoint; of those ten, endpoints without a 5xx are left out (so it may list fewer).
#[derive(Clone, Debug)]
pub struct MostErroringEndpoints {
    dataset: Dataset,
    range: TimeRange,
    feature: Option<Literal>,
}

impl MostErroringEndpoints {
    /// The most-erroring endpoints of `scope`'s platform over `range`.
    pub fn new(scope: &PlatformScope, range: TimeRange) -> Self {
        Self {
            dataset: perf(scope),
            range,
            feature: None,
        }
    }

    /// Only the endpoints of `feature` (escaped, or rejected, see [`Literal`]).
    pub fn feature(mut self, feature: &str) -> Result<Self, QueryError> {
        self.feature = Some(Literal::new(feature)?);
        Ok(self)
    }
}

impl Question for MostErroringEndpoints {
    type Answer = Vec<EndpointRow>;
    fn plans(&self) -> Vec<Plan> {
        vec![endpoint_plan(
            &self.dataset,
            self.range,
            &self.feature,
            ERRORS,
        )]
    }
    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        let mut rows = endpoint_rows(&only(tables)?);
        rows.retain(|row| row.errors > 0.0);
        Ok(rows)
    }
}

impl Tabular for EndpointRow {
    fn header() -> Vec<&'static str> {
        vec![
            "feature", "endpoint", "requests", "errors", "error %", "avg ms", "p95 ms",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.feature.clone(),
            self.endpoint.clone(),
            self.requests.to_string(),
            self.errors.to_string(),
            percent(self.error_rate),
            cell(self.avg_ms, 1),
            cell(self.p95_ms, 0),
        ]
    }
}
