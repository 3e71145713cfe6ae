//! The dashboards' questions (seed §3.3, §4.2, §5, §7, §8), one typed query each, with its
//! answer type.
//!
//! | question | asked by | seed | dataset |
//! |---|---|---|---|
//! | [`FeatureStats`] | platform | §3.3, §7.2, §5.2 | `{platformId}-perf` |
//! | [`RequestsPerHour`] | platform | §7.1 | `{platformId}-perf` |
//! | [`ErrorRatePerFeatureHour`] | platform | §7.1 | `{platformId}-perf` |
//! | [`WorkerHealth`] | platform | §7.1, §5.2 | `{platformId}-perf` |
//! | [`SlowestEndpoints`] | platform | §7.2 | `{platformId}-perf` |
//! | [`MostErroringEndpoints`] | platform | §7.2 | `{platformId}-perf` |
//! | [`BuildStats`] | platform or operator | §5.2, §8.1 | `nno-builds` |
//! | [`TraceSpans`] | platform or operator | §4.2, §8.4 | `nno-core-ops-spans` |
//! | [`JobStats`] | operator | §3.3, §8.2, §5.1 | `nno-core-ops` |
//! | [`FailedJobs`] | operator | §8.2 | `nno-core-ops-spans` |
//! | [`ServiceStats`] | operator | §5.1 (gateway 5xx rate, p99) | `nno-core-ops` |
//! | [`RegistryLatency`] | operator | §5.1 (registry read/write p99) | `nno-core-ops` |
//! | [`FleetOverview`] | operator | §8.1 | every `{platformId}-perf` |
//! | [`IncidentHeatmap`] | operator | §8.1 | every `{platformId}-perf` |
//! | [`RequestsPerMinute`] | platform | §6.2 (auth Worker silent) | `{platformId}-perf` |
//! | [`FailedBuilds`] | platform or operator | §6.2 (Pages build failure) | `nno-builds` |
//! | [`UsageTotal`] | platform | §6.2 (usage thresholds) | `{platformId}-usage` |
//! | [`RunningJobs`] | operator | §6.2 (job running > 10 minutes) | `nno-core-ops-spans` |
//! | [`RecentErrorTrace`] | platform | §6.3 (the "Trace a recent error" link) | `nno-core-ops-spans` |
//! | [`BuildList`] | platform or operator | §7.1, §8.1 (latest build) | `nno-builds` |
//! | [`Sli`] | platform or operator | §5 (objectives: events, bad, slow, quantiles) | `nno-core-ops`, `{platformId}-perf`, `nno-builds` |
//!
//! Every answer derives its rates from the engine's exact weighted sums (`errors /
//! requests`), so both engines give bit-identical rates when they give identical sums.

mod alerting;
mod fleet;
mod jobs;
mod perf;
mod sli;
mod trace;

pub use alerting::{
    BuildEvent, BuildList, FailedBuild, FailedBuilds, MinuteRow, RecentErrorTrace,
    RequestsPerMinute, RunningJob, RunningJobs, UsageTotal,
};
pub use fleet::{
    BuildRow, BuildStats, FleetOverview, FleetRow, HeatCell, IncidentHeatmap, RegistryLatency,
    RegistryRow, ServiceRow, ServiceStats,
};
pub use jobs::{job_columns, FailedJob, FailedJobs, JobRow, JobStats};
pub use perf::{
    EndpointRow, ErrorRatePerFeatureHour, FeatureHourRow, FeatureStats, FeatureStatsRow, Health,
    HealthRow, HourRow, MostErroringEndpoints, RequestsPerHour, SlowestEndpoints, WorkerHealth,
    DEGRADED_FACTOR, FEATURE_ERROR_RATE_TARGET, SILENT_AFTER_S,
};
pub use sli::{CoreService, Sli, SliRow};
pub use trace::{Span, Trace, TraceSpans};

use crate::error::QueryError;
use crate::literal::Literal;
use crate::plan::{Agg, Dir, Key, Plan, RowCol, Shape, TextCol};
use crate::scope::Dataset;
use crate::table::{Col, Table};
use crate::time_range::TimeRange;
use nno_obs_schema::Blob;
use std::future::Future;
use std::pin::Pin;

/// The future of an engine's answer to one plan.
pub type TableFuture<'a> = Pin<Box<dyn Future<Output = Result<Table, QueryError>> + 'a>>;

/// Runs plans: the local evaluator, the SQL API client, ClickHouse in tests.
///
/// Asynchronous because the SQL API is a `fetch` in a Worker; the futures are boxed (so `&dyn
/// Engine` works) and not `Send` (a Worker's `fetch` future is not). A local engine answers at
/// once: its future is ready when first polled. Native callers drive it with
/// `pollster::block_on`.
pub trait Engine {
    /// The answer to `plan`.
    fn run<'a>(&'a self, plan: &'a Plan) -> TableFuture<'a>;

    /// How many stored rows this engine could not read so far (lines of the local store's
    /// points files that are not rows; see `LocalEngine::skipped_rows`), for the
    /// caller to report: an engine never loses rows without a word. `0` for engines that read
    /// no files (the SQL API).
    ///
    /// ```
    /// use nno_obs_query::{Engine, Plan, questions::TableFuture};
    ///
    /// struct Nothing;
    /// impl Engine for Nothing {
    ///     fn run<'a>(&'a self, plan: &'a Plan) -> TableFuture<'a> {
    ///         Box::pin(std::future::ready(Ok(nno_obs_query::Table::empty(plan))))
    ///     }
    /// }
    /// assert_eq!(Nothing.skipped_rows(), 0);
    /// ```
    fn skipped_rows(&self) -> u64 {
        0
    }
}

/// A typed question: its plans, and how their tables become its answer.
///
/// ```
/// use nno_obs_query::{questions::{RequestsPerHour, TableFuture}, Engine, Plan, PlatformScope, Question, Table, TimeRange};
/// use nno_obs_store::layout::PlatformId;
///
/// /// An engine with no data at all.
/// struct Nothing;
/// impl Engine for Nothing {
///     fn run<'a>(&'a self, plan: &'a Plan) -> TableFuture<'a> {
///         Box::pin(std::future::ready(Ok(Table::empty(plan))))
///     }
/// }
///
/// let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
/// let question = RequestsPerHour::new(&scope, TimeRange::new(0, 3 * 3600).unwrap());
/// let hours = pollster::block_on(question.ask(&Nothing)).unwrap();
/// assert_eq!(hours.len(), 3); // every hour of the range, empty ones as zeros
/// assert!(hours.iter().all(|h| h.requests == 0));
/// ```
// `async fn` here has no `Send` bound on purpose: in a Worker nothing is `Send`, and native
// hosts block on the future where it is made.
#[allow(async_fn_in_trait)]
pub trait Question {
    /// The typed answer.
    type Answer;

    /// The plans, run in order (most questions have one).
    fn plans(&self) -> Vec<Plan>;

    /// The answer from the plans' tables (same order).
    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError>;

    /// Runs the plans on `engine` and builds the answer.
    async fn ask(&self, engine: &dyn Engine) -> Result<Self::Answer, QueryError> {
        let mut tables = Vec::new();
        for plan in self.plans() {
            tables.push(engine.run(&plan).await?);
        }
        self.answer(tables)
    }
}

/// An answer printable as a table (the CLI's table and CSV forms).
pub trait Tabular {
    /// Column headers.
    fn header() -> Vec<&'static str>;
    /// The cells of one row.
    fn cells(&self) -> Vec<String>;
}

/// The single table of a one-plan question.
pub(crate) fn only(tables: Vec<Table>) -> Result<Table, QueryError> {
    tables.into_iter().next().ok_or_else(|| QueryError::Shape {
        detail: "no table for the question's plan".to_owned(),
    })
}

/// `errors / requests`, `None` without requests.
pub(crate) fn rate(errors: f64, requests: u64) -> Option<f64> {
    (requests > 0).then(|| errors / requests as f64)
}

/// A plan builder for the questions (the only constructor of [`Plan`]).
pub(crate) struct Builder {
    plan: Plan,
}

impl Builder {
    pub(crate) fn aggregate(dataset: Dataset, range: TimeRange) -> Self {
        Self {
            plan: Plan {
                dataset,
                range,
                filters: Vec::new(),
                shape: Shape::Aggregate {
                    keys: Vec::new(),
                    aggs: Vec::new(),
                },
                order: Vec::new(),
                limit: None,
            },
        }
    }

    pub(crate) fn rows(
        dataset: Dataset,
        range: TimeRange,
        cols: Vec<(&'static str, RowCol)>,
    ) -> Self {
        let mut builder = Self::aggregate(dataset, range);
        builder.plan.shape = Shape::Rows { cols };
        builder
    }

    pub(crate) fn filter(mut self, col: TextCol, value: Literal) -> Self {
        self.plan.filters.push((col, value));
        self
    }

    pub(crate) fn key<T>(mut self, col: Col<T>, key: Key) -> Self {
        if let Shape::Aggregate { keys, .. } = &mut self.plan.shape {
            keys.push((col.name(), key));
        }
        self
    }

    pub(crate) fn agg<T>(mut self, col: Col<T>, agg: Agg) -> Self {
        if let Shape::Aggregate { aggs, .. } = &mut self.plan.shape {
            aggs.push((col.name(), agg));
        }
        self
    }

    pub(crate) fn order<T>(mut self, col: Col<T>, dir: Dir) -> Self {
        self.plan.order.push((col.name(), dir));
        self
    }

    pub(crate) fn limit(mut self, limit: u32) -> Self {
        self.plan.limit = Some(limit);
        self
    }

    pub(crate) fn build(self) -> Plan {
        debug_assert!(self
            .plan
            .columns()
            .iter()
            .all(|(name, _)| !crate::plan::is_reserved_alias(name)));
        self.plan
    }
}

/// `blobN`.
pub(crate) const fn blob(col: Blob) -> TextCol {
    TextCol::Blob(col)
}

/// Formats an optional float for a table cell.
pub(crate) fn cell(value: Option<f64>, digits: usize) -> String {
    match value {
        Some(x) if x.is_finite() => format!("{x:.digits$}"),
        _ => "-".to_owned(),
    }
}

/// Formats a rate as a percentage cell.
pub(crate) fn percent(value: Option<f64>) -> String {
    match value {
        Some(x) if x.is_finite() => format!("{:.2}%", x * 100.0),
        _ => "-".to_owned(),
    }
}
