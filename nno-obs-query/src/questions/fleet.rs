//! The operator's fleet-wide questions (seed §8.1, §5.1) and the build questions (§5.2).

use super::{blob, cell, only, percent, rate, Builder, Question, Tabular};
use crate::error::QueryError;
use crate::literal::Literal;
use crate::plan::{Agg, Dir, Key, Plan};
use crate::scope::{Dataset, OperatorScope, PlatformScope};
use crate::table::{Col, Table};
use crate::time_range::{format_datetime, Bucket, TimeRange};
use nno_obs_schema::{builds, core_ops, perf};
use nno_obs_store::layout::PlatformId;
use serde::Serialize;

// The output columns of this module's plans, each named once (see `Col`).
const AVG_MS: Col<f64> = Col::new("avg_ms");
const BUCKET: Col<i64> = Col::new("bucket");
const BUILDS: Col<u64> = Col::new("builds");
const ERRORS: Col<f64> = Col::new("errors");
const FAILURES: Col<f64> = Col::new("failures");
const KIND: Col<String> = Col::new("kind");
const P95_MS: Col<f64> = Col::new("p95_ms");
const P99_MS: Col<f64> = Col::new("p99_ms");
const PLATFORM: Col<String> = Col::new("platform");
const REQUESTS: Col<u64> = Col::new("requests");
const SERVICE: Col<String> = Col::new("service");
const WORKERS: Col<u64> = Col::new("workers");

/// The fleet overview (seed §8.1): one row per platform given, from its `{platformId}-perf`
/// dataset (one query per platform: the SQL API reads one table per query): the Workers seen
/// (distinct features with a point in the range, `auth` included) and the aggregate 5xx rate.
/// A platform without points has 0 Workers and no rate. Ordered by platform id.
#[derive(Clone, Debug)]
pub struct FleetOverview {
    platforms: Vec<PlatformId>,
    range: TimeRange,
}

/// A row of [`FleetOverview`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FleetRow {
    /// The platform.
    pub platform: String,
    /// Distinct Workers seen.
    pub workers: u64,
    /// Requests (weighted).
    pub requests: u64,
    /// 5xx (weighted).
    pub errors: f64,
    /// `errors / requests`.
    pub error_rate: Option<f64>,
}

impl FleetOverview {
    /// The overview of `platforms` (an operator's list, e.g. the datasets present) over `range`.
    pub fn new(_scope: &OperatorScope, platforms: &[PlatformId], range: TimeRange) -> Self {
        let mut platforms = platforms.to_vec();
        platforms.sort();
        platforms.dedup();
        Self { platforms, range }
    }
}

impl Question for FleetOverview {
    type Answer = Vec<FleetRow>;

    fn plans(&self) -> Vec<Plan> {
        self.platforms
            .iter()
            .map(|platform| {
                Builder::aggregate(Dataset::Perf(platform.clone()), self.range)
                    .agg(
                        WORKERS,
                        Agg::Distinct {
                            col: blob(perf::FEATURE_ID),
                        },
                    )
                    .agg(REQUESTS, Agg::Count { since: None })
                    .agg(
                        ERRORS,
                        Agg::Sum {
                            double: perf::SERVER_ERROR,
                            since: None,
                        },
                    )
                    .build()
            })
            .collect()
    }

    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        Ok(self
            .platforms
            .iter()
            .zip(tables)
            .map(|(platform, table)| {
                let (workers, requests, errors) = table
                    .views()
                    .next()
                    .map(|row| (row.get(WORKERS), row.get(REQUESTS), row.get(ERRORS)))
                    .unwrap_or((0, 0, 0.0));
                FleetRow {
                    platform: platform.to_string(),
                    workers,
                    requests,
                    errors,
                    error_rate: rate(errors, requests),
                }
            })
            .collect())
    }
}

impl Tabular for FleetRow {
    fn header() -> Vec<&'static str> {
        vec!["platform", "workers", "requests", "errors", "5xx %"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.platform.clone(),
            self.workers.to_string(),
            self.requests.to_string(),
            self.errors.to_string(),
            percent(self.error_rate),
        ]
    }
}

/// The incident heatmap (seed §8.1): for every platform given and every bucket overlapping
/// the range, the 5xx rate; a cell without requests has no rate. Ordered by platform, then
/// bucket.
#[derive(Clone, Debug)]
pub struct IncidentHeatmap {
    platforms: Vec<PlatformId>,
    range: TimeRange,
    bucket: Bucket,
}

/// A cell of [`IncidentHeatmap`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HeatCell {
    /// The platform.
    pub platform: String,
    /// The bucket's start.
    pub bucket: i64,
    /// Requests (weighted).
    pub requests: u64,
    /// 5xx (weighted).
    pub errors: f64,
    /// `errors / requests`.
    pub error_rate: Option<f64>,
}

impl IncidentHeatmap {
    /// The heatmap of `platforms` over `range` in buckets of `bucket`.
    pub fn new(
        _scope: &OperatorScope,
        platforms: &[PlatformId],
        range: TimeRange,
        bucket: Bucket,
    ) -> Self {
        let mut platforms = platforms.to_vec();
        platforms.sort();
        platforms.dedup();
        Self {
            platforms,
            range,
            bucket,
        }
    }
}

impl Question for IncidentHeatmap {
    type Answer = Vec<HeatCell>;

    fn plans(&self) -> Vec<Plan> {
        self.platforms
            .iter()
            .map(|platform| {
                Builder::aggregate(Dataset::Perf(platform.clone()), self.range)
                    .key(BUCKET, Key::Bucket(self.bucket))
                    .agg(REQUESTS, Agg::Count { since: None })
                    .agg(
                        ERRORS,
                        Agg::Sum {
                            double: perf::SERVER_ERROR,
                            since: None,
                        },
                    )
                    .build()
            })
            .collect()
    }

    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        let starts = self.bucket.starts(&self.range);
        let mut out = Vec::new();
        for (platform, table) in self.platforms.iter().zip(tables) {
            let found: std::collections::HashMap<i64, (u64, f64)> = table
                .views()
                .map(|row| (row.get(BUCKET), (row.get(REQUESTS), row.get(ERRORS))))
                .collect();
            for bucket in &starts {
                let (requests, errors) = found.get(bucket).copied().unwrap_or((0, 0.0));
                out.push(HeatCell {
                    platform: platform.to_string(),
                    bucket: *bucket,
                    requests,
                    errors,
                    error_rate: rate(errors, requests),
                });
            }
        }
        Ok(out)
    }
}

impl Tabular for HeatCell {
    fn header() -> Vec<&'static str> {
        vec!["platform", "bucket (UTC)", "requests", "errors", "5xx %"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.platform.clone(),
            format_datetime(self.bucket),
            self.requests.to_string(),
            self.errors.to_string(),
            percent(self.error_rate),
        ]
    }
}

/// Per core service (`nno-core-ops`, seed §5.1): requests, errors (outcome `error` or
/// `timeout`, which the gateway writes for a 5xx), the error rate, p95 and p99 — the gateway's
/// 5xx rate and p99 SLOs among them. Ordered by service.
#[derive(Clone, Debug)]
pub struct ServiceStats {
    range: TimeRange,
}

/// A row of [`ServiceStats`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceRow {
    /// The service.
    pub service: String,
    /// Requests (weighted).
    pub requests: u64,
    /// Errors (weighted).
    pub errors: f64,
    /// `errors / requests`.
    pub error_rate: Option<f64>,
    /// Weighted p95, ms.
    pub p95_ms: Option<f64>,
    /// Weighted p99, ms.
    pub p99_ms: Option<f64>,
}

impl ServiceStats {
    /// Every core service over `range`.
    pub fn new(_scope: &OperatorScope, range: TimeRange) -> Self {
        Self { range }
    }
}

impl Question for ServiceStats {
    type Answer = Vec<ServiceRow>;

    fn plans(&self) -> Vec<Plan> {
        vec![Builder::aggregate(Dataset::CoreOps, self.range)
            .key(SERVICE, Key::Text(blob(core_ops::SERVICE)))
            .agg(REQUESTS, Agg::Count { since: None })
            .agg(
                ERRORS,
                Agg::Sum {
                    double: core_ops::ERROR,
                    since: None,
                },
            )
            .agg(
                P95_MS,
                Agg::Quantile {
                    level: 0.95,
                    double: core_ops::DURATION_MS,
                },
            )
            .agg(
                P99_MS,
                Agg::Quantile {
                    level: 0.99,
                    double: core_ops::DURATION_MS,
                },
            )
            .build()]
    }

    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        Ok(only(tables)?
            .views()
            .map(|row| {
                let requests = row.get(REQUESTS);
                let errors = row.get(ERRORS);
                ServiceRow {
                    service: row.get(SERVICE),
                    requests,
                    errors,
                    error_rate: rate(errors, requests),
                    p95_ms: Some(row.get(P95_MS)),
                    p99_ms: Some(row.get(P99_MS)),
                }
            })
            .collect())
    }
}

impl Tabular for ServiceRow {
    fn header() -> Vec<&'static str> {
        vec![
            "service", "requests", "errors", "error %", "p95 ms", "p99 ms",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.service.clone(),
            self.requests.to_string(),
            self.errors.to_string(),
            percent(self.error_rate),
            cell(self.p95_ms, 0),
            cell(self.p99_ms, 0),
        ]
    }
}

/// The registry's read and write latency (seed §5.1): `nno-core-ops` rows of service
/// `registry`, a read being an operation starting with `GET ` and a write anything else;
/// p99 of each. Ordered by kind (`read`, `write`); a kind without requests is absent.
#[derive(Clone, Debug)]
pub struct RegistryLatency {
    range: TimeRange,
}

/// A row of [`RegistryLatency`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegistryRow {
    /// `read` or `write`.
    pub kind: String,
    /// Requests (weighted).
    pub requests: u64,
    /// Weighted p99, ms.
    pub p99_ms: Option<f64>,
}

impl RegistryLatency {
    /// Registry latency over `range`.
    pub fn new(_scope: &OperatorScope, range: TimeRange) -> Self {
        Self { range }
    }
}

impl Question for RegistryLatency {
    type Answer = Vec<RegistryRow>;

    fn plans(&self) -> Vec<Plan> {
        vec![Builder::aggregate(Dataset::CoreOps, self.range)
            .filter(blob(core_ops::SERVICE), Literal::fixed("registry"))
            .key(
                KIND,
                Key::PrefixClass {
                    col: blob(core_ops::OPERATION),
                    prefix: "GET ",
                    yes: "read",
                    no: "write",
                },
            )
            .agg(REQUESTS, Agg::Count { since: None })
            .agg(
                P99_MS,
                Agg::Quantile {
                    level: 0.99,
                    double: core_ops::DURATION_MS,
                },
            )
            .build()]
    }

    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        Ok(only(tables)?
            .views()
            .map(|row| RegistryRow {
                kind: row.get(KIND),
                requests: row.get(REQUESTS),
                p99_ms: Some(row.get(P99_MS)),
            })
            .collect())
    }
}

impl Tabular for RegistryRow {
    fn header() -> Vec<&'static str> {
        vec!["kind", "requests", "p99 ms"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.kind.clone(),
            self.requests.to_string(),
            cell(self.p99_ms, 0),
        ]
    }
}

/// Pages builds (`nno-builds`, seed §5.2): per platform, builds, failures (outcome `failure`;
/// a canceled build is not one), success rate (`1 - failures / builds`), mean and p95
/// duration. A platform admin sees only its own platform's row; an operator every platform's.
/// Ordered by platform.
#[derive(Clone, Debug)]
pub struct BuildStats {
    platform: Option<PlatformId>,
    range: TimeRange,
}

/// A row of [`BuildStats`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BuildRow {
    /// The platform.
    pub platform: String,
    /// Builds (weighted).
    pub builds: u64,
    /// Failed builds (weighted).
    pub failures: f64,
    /// `1 - failures / builds`.
    pub success_rate: Option<f64>,
    /// Weighted mean duration, ms.
    pub avg_ms: Option<f64>,
    /// Weighted p95 duration, ms.
    pub p95_ms: Option<f64>,
}

impl BuildStats {
    /// The builds of `scope`'s platform.
    pub fn for_platform(scope: &PlatformScope, range: TimeRange) -> Self {
        Self {
            platform: Some(scope.platform().clone()),
            range,
        }
    }

    /// The builds of every platform.
    pub fn fleet(_scope: &OperatorScope, range: TimeRange) -> Self {
        Self {
            platform: None,
            range,
        }
    }
}

impl Question for BuildStats {
    type Answer = Vec<BuildRow>;

    fn plans(&self) -> Vec<Plan> {
        let mut builder = Builder::aggregate(Dataset::Builds, self.range);
        if let Some(platform) = &self.platform {
            // A validated id: [a-z0-9]{10}, always a valid literal.
            if let Ok(literal) = Literal::new(platform.as_str()) {
                builder = builder.filter(blob(builds::PLATFORM_ID), literal);
            }
        }
        vec![builder
            .key(PLATFORM, Key::Text(blob(builds::PLATFORM_ID)))
            .agg(BUILDS, Agg::Count { since: None })
            .agg(
                FAILURES,
                Agg::Sum {
                    double: builds::ERROR,
                    since: None,
                },
            )
            .agg(
                AVG_MS,
                Agg::Mean {
                    double: builds::DURATION_MS,
                },
            )
            .agg(
                P95_MS,
                Agg::Quantile {
                    level: 0.95,
                    double: builds::DURATION_MS,
                },
            )
            .order(PLATFORM, Dir::Asc)
            .build()]
    }

    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        Ok(only(tables)?
            .views()
            .map(|row| {
                let builds = row.get(BUILDS);
                let failures = row.get(FAILURES);
                BuildRow {
                    platform: row.get(PLATFORM),
                    builds,
                    failures,
                    success_rate: rate(failures, builds).map(|r| 1.0 - r),
                    avg_ms: Some(row.get(AVG_MS)),
                    p95_ms: Some(row.get(P95_MS)),
                }
            })
            .collect())
    }
}

impl Tabular for BuildRow {
    fn header() -> Vec<&'static str> {
        vec![
            "platform",
            "builds",
            "failures",
            "success %",
            "avg ms",
            "p95 ms",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.platform.clone(),
            self.builds.to_string(),
            self.failures.to_string(),
            percent(self.success_rate),
            cell(self.avg_ms, 0),
            cell(self.p95_ms, 0),
        ]
    }
}
