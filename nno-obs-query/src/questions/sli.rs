//! Service level indicators (seed §5): for one subject of an objective, over a
//! range, the events, the bad ones by the error flag, the slow ones above a latency bound,
//! and the duration quantiles — everything an objective's value, its error budget and its
//! burn rates are computed from.
//!
//! Every dataset an objective reads shares the columns this needs: `double1` 1 per event,
//! `double2` the duration in ms, `double3` the error or failure flag (`nno-core-ops`,
//! `{platformId}-perf`, `nno-builds`).

use super::{blob, cell, only, Builder, Question, Tabular};
use crate::error::QueryError;
use crate::literal::Literal;
use crate::plan::{Agg, Key, Plan};
use crate::scope::{Dataset, OperatorScope, PlatformScope};
use crate::table::{Col, Table};
use crate::time_range::TimeRange;
use nno_obs_schema::{builds, core_ops, perf, Blob, Double};
use serde::Serialize;

// The output columns of this module's plans, each named once (see `Col`).
const BAD: Col<f64> = Col::new("bad");
const EVENTS: Col<u64> = Col::new("events");
const P50_MS: Col<f64> = Col::new("p50_ms");
const P95_MS: Col<f64> = Col::new("p95_ms");
const P99_MS: Col<f64> = Col::new("p99_ms");
const SLOW: Col<u64> = Col::new("slow");
const SUBJECT: Col<String> = Col::new("subject");

/// The NNO core services that write `nno-core-ops` (seed §1.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoreService {
    /// `gateway`.
    Gateway,
    /// `registry`.
    Registry,
    /// `provisioning`.
    Provisioning,
    /// `cli`.
    Cli,
    /// `stack-registry`.
    StackRegistry,
}

impl CoreService {
    /// The service's name in `blob1`.
    pub const fn as_str(self) -> &'static str {
        match self {
            CoreService::Gateway => "gateway",
            CoreService::Registry => "registry",
            CoreService::Provisioning => "provisioning",
            CoreService::Cli => "cli",
            CoreService::StackRegistry => "stack-registry",
        }
    }
}

/// One objective's indicators, per group of its subject.
///
/// | constructor | dataset | rows | one row per |
/// |---|---|---|---|
/// | [`Sli::service`] | `nno-core-ops` | `blob1` = service | (one row, key `""`) |
/// | [`Sli::registry`] | `nno-core-ops` | `blob1` = `registry` | `read` (`GET …`) / `write` |
/// | [`Sli::operations`] | `nno-core-ops` | `blob1` = service | operation (`blob2`) |
/// | [`Sli::features`] | `{platformId}-perf` | all | feature (`blob1`) |
/// | [`Sli::endpoints`] | `{platformId}-perf` | `blob1` = feature | endpoint (`blob2`) |
/// | [`Sli::builds`] | `nno-builds` | `blob1` = the platform | (one row) |
///
/// Groups without a point in the range are absent; rows come ordered by key.
///
/// ```
/// use nno_obs_query::{questions::{CoreService, Sli}, OperatorScope, Question, TimeRange};
///
/// let q = Sli::service(&nno_obs_access::testing::operator(), CoreService::Gateway, TimeRange::new(0, 300).unwrap(), Some(500));
/// assert!(q.plans()[0].sql().contains("SUM(if(double2 > 500, _sample_interval, 0))"));
/// ```
#[derive(Clone, Debug)]
pub struct Sli {
    dataset: Dataset,
    filters: Vec<(Blob, Literal)>,
    /// The error flag and the duration: at the same positions in every dataset an SLI reads.
    error: Double,
    duration: Double,
    group: Option<Key>,
    range: TimeRange,
    slow_above_ms: Option<u32>,
}

/// A row of [`Sli`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SliRow {
    /// The group (`read`, an operation, a feature), `""` for a subject of one row.
    pub key: String,
    /// Events (weighted).
    pub events: u64,
    /// Events with the error flag (weighted sum of `double3`).
    pub bad: f64,
    /// Events slower than the bound (weighted), when one was given.
    pub slow: Option<u64>,
    /// Weighted duration quantiles, ms.
    pub p50_ms: Option<f64>,
    /// 95th.
    pub p95_ms: Option<f64>,
    /// 99th.
    pub p99_ms: Option<f64>,
}

impl SliRow {
    /// `bad / events`, `None` without events.
    pub fn bad_ratio(&self) -> Option<f64> {
        (self.events > 0).then(|| self.bad / self.events as f64)
    }

    /// `slow / events`, `None` without events or bound.
    pub fn slow_ratio(&self) -> Option<f64> {
        let slow = self.slow?;
        (self.events > 0).then(|| slow as f64 / self.events as f64)
    }
}

impl Sli {
    /// A core service as a whole.
    pub fn service(
        _scope: &OperatorScope,
        service: CoreService,
        range: TimeRange,
        slow_above_ms: Option<u32>,
    ) -> Self {
        Self {
            dataset: Dataset::CoreOps,
            filters: vec![(core_ops::SERVICE, Literal::fixed(service.as_str()))],
            error: core_ops::ERROR,
            duration: core_ops::DURATION_MS,
            group: None,
            range,
            slow_above_ms,
        }
    }

    /// The registry's reads (`GET …` operations) and writes.
    pub fn registry(_scope: &OperatorScope, range: TimeRange, slow_above_ms: Option<u32>) -> Self {
        Self {
            dataset: Dataset::CoreOps,
            filters: vec![(core_ops::SERVICE, Literal::fixed("registry"))],
            error: core_ops::ERROR,
            duration: core_ops::DURATION_MS,
            group: Some(Key::PrefixClass {
                col: blob(core_ops::OPERATION),
                prefix: "GET ",
                yes: "read",
                no: "write",
            }),
            range,
            slow_above_ms,
        }
    }

    /// A core service per operation (provisioning's `PROVISION_PLATFORM`, …).
    pub fn operations(
        _scope: &OperatorScope,
        service: CoreService,
        range: TimeRange,
        slow_above_ms: Option<u32>,
    ) -> Self {
        Self {
            dataset: Dataset::CoreOps,
            filters: vec![(core_ops::SERVICE, Literal::fixed(service.as_str()))],
            error: core_ops::ERROR,
            duration: core_ops::DURATION_MS,
            group: Some(Key::Text(blob(core_ops::OPERATION))),
            range,
            slow_above_ms,
        }
    }

    /// A platform's Workers, per feature (the auth Worker is feature `auth`).
    pub fn features(scope: &PlatformScope, range: TimeRange, slow_above_ms: Option<u32>) -> Self {
        Self {
            dataset: Dataset::Perf(scope.platform().clone()),
            filters: Vec::new(),
            error: perf::SERVER_ERROR,
            duration: perf::DURATION_MS,
            group: Some(Key::Text(blob(perf::FEATURE_ID))),
            range,
            slow_above_ms,
        }
    }

    /// One feature Worker of a platform, per endpoint (`blob2`); a feature that is not a
    /// valid literal is rejected.
    pub fn endpoints(
        scope: &PlatformScope,
        feature: &str,
        range: TimeRange,
        slow_above_ms: Option<u32>,
    ) -> Result<Self, QueryError> {
        Ok(Self {
            dataset: Dataset::Perf(scope.platform().clone()),
            filters: vec![(perf::FEATURE_ID, Literal::new(feature)?)],
            error: perf::SERVER_ERROR,
            duration: perf::DURATION_MS,
            group: Some(Key::Text(blob(perf::ENDPOINT))),
            range,
            slow_above_ms,
        })
    }

    /// A platform's Pages builds.
    pub fn builds(scope: &PlatformScope, range: TimeRange, slow_above_ms: Option<u32>) -> Self {
        Self {
            dataset: Dataset::Builds,
            // A platform id is [a-z0-9]{10}: always a valid literal.
            filters: Literal::new(scope.platform().as_str())
                .ok()
                .map(|id| (builds::PLATFORM_ID, id))
                .into_iter()
                .collect(),
            error: builds::ERROR,
            duration: builds::DURATION_MS,
            group: None,
            range,
            slow_above_ms,
        }
    }
}

impl Question for Sli {
    type Answer = Vec<SliRow>;

    fn plans(&self) -> Vec<Plan> {
        let mut builder = Builder::aggregate(self.dataset.clone(), self.range);
        for (col, value) in &self.filters {
            builder = builder.filter(blob(*col), value.clone());
        }
        if let Some(key) = &self.group {
            builder = builder.key(SUBJECT, key.clone());
        }
        builder = builder.agg(EVENTS, Agg::Count { since: None }).agg(
            BAD,
            Agg::Sum {
                double: self.error,
                since: None,
            },
        );
        if let Some(above) = self.slow_above_ms {
            builder = builder.agg(
                SLOW,
                Agg::CountAbove {
                    double: self.duration,
                    above,
                },
            );
        }
        for (col, level) in [(P50_MS, 0.5), (P95_MS, 0.95), (P99_MS, 0.99)] {
            builder = builder.agg(
                col,
                Agg::Quantile {
                    level,
                    double: self.duration,
                },
            );
        }
        vec![builder.build()]
    }

    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        let table = only(tables)?;
        let quantile = |value: f64| value.is_finite().then_some(value);
        Ok(table
            .views()
            .map(|row| SliRow {
                key: row.get(SUBJECT),
                events: row.get(EVENTS),
                bad: row.get(BAD),
                slow: self.slow_above_ms.map(|_| row.get(SLOW)),
                p50_ms: quantile(row.get(P50_MS)),
                p95_ms: quantile(row.get(P95_MS)),
                p99_ms: quantile(row.get(P99_MS)),
            })
            .collect())
    }
}

impl Tabular for SliRow {
    fn header() -> Vec<&'static str> {
        vec![
            "subject", "events", "bad", "slow", "p50 ms", "p95 ms", "p99 ms",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.key.clone(),
            self.events.to_string(),
            self.bad.to_string(),
            self.slow
                .map(|s| s.to_string())
                .unwrap_or_else(|| "-".into()),
            cell(self.p50_ms, 0),
            cell(self.p95_ms, 0),
            cell(self.p99_ms, 0),
        ]
    }
}
