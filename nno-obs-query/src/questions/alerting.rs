//! The questions only the alert rules of seed §6.2 ask: is an auth Worker silent,
//! which builds failed, how much of its limit a platform used, which provisioning jobs are
//! still running, and a recent failing trace of a feature for the message's link.
//!
//! Every one reads `[from, until)` of its [`TimeRange`], like the rest; an evaluation at time
//! `t` asks with ranges ending at `t`, so it sees exactly the points written before `t`.

use super::jobs::job_columns;
use super::{blob, only, Builder, Question, Tabular};
use crate::error::QueryError;
use crate::literal::Literal;
use crate::plan::{Agg, Dir, Key, Plan, RowCol};
use crate::scope::{Dataset, OperatorScope, PlatformScope};
use crate::table::{Col, Table};
use crate::time_range::{format_datetime, Bucket, TimeRange};
use nno_obs_schema::{builds, core_ops, perf, spans, usage};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

// The output columns of this module's plans, each named once (see `Col`).
const AT: Col<i64> = Col::new("at");
const BUILD_ID: Col<String> = Col::new("build_id");
const DURATION_MS: Col<f64> = Col::new("duration_ms");
const JOB_ID: Col<String> = Col::new("job_id");
const JOB_OPERATION: Col<String> = Col::new("job_operation");
const COL_MINUTE: Col<i64> = Col::new("minute");
const OPERATION: Col<String> = Col::new("operation");
const OUTCOME: Col<String> = Col::new("outcome");
const PLATFORM: Col<String> = Col::new("platform");
const POINTS: Col<u64> = Col::new("points");
const REQUESTS: Col<u64> = Col::new("requests");
const TRACE_ID: Col<String> = Col::new("trace_id");
const UNITS: Col<f64> = Col::new("units");

/// Requests per minute of one feature Worker of a platform (`{platformId}-perf`, `blob1` =
/// feature): **every** minute bucket overlapping the range, in order, a minute without points
/// as 0 — what "auth Worker returning 0 requests for 2 minutes" (§6.2) is read from.
///
/// ```
/// use nno_obs_query::{questions::RequestsPerMinute, PlatformScope, Question, TimeRange};
/// use nno_obs_store::layout::PlatformId;
///
/// let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
/// let question = RequestsPerMinute::new(&scope, "auth", TimeRange::new(0, 600).unwrap()).unwrap();
/// assert!(question.plans()[0].sql().contains("blob1 = 'auth'"));
/// ```
#[derive(Clone, Debug)]
pub struct RequestsPerMinute {
    dataset: Dataset,
    feature: Literal,
    range: TimeRange,
}

/// A row of [`RequestsPerMinute`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MinuteRow {
    /// The minute's start, seconds since the epoch.
    pub minute: i64,
    /// Requests (weighted).
    pub requests: u64,
}

impl RequestsPerMinute {
    /// Requests per minute of `feature` on `scope`'s platform over `range`; a feature that is
    /// not a valid literal is rejected.
    pub fn new(scope: &PlatformScope, feature: &str, range: TimeRange) -> Result<Self, QueryError> {
        Ok(Self {
            dataset: Dataset::Perf(scope.platform().clone()),
            feature: Literal::new(feature)?,
            range,
        })
    }
}

/// One minute: the bucket every alert window is made of.
const MINUTE: Bucket = Bucket::MINUTE;

impl Question for RequestsPerMinute {
    type Answer = Vec<MinuteRow>;

    fn plans(&self) -> Vec<Plan> {
        vec![Builder::aggregate(self.dataset.clone(), self.range)
            .filter(blob(perf::FEATURE_ID), self.feature.clone())
            .key(COL_MINUTE, Key::Bucket(MINUTE))
            .agg(REQUESTS, Agg::Count { since: None })
            .build()]
    }

    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        let table = only(tables)?;
        let found: HashMap<i64, u64> = table
            .views()
            .map(|row| (row.get(COL_MINUTE), row.get(REQUESTS)))
            .collect();
        Ok(MINUTE
            .starts(&self.range)
            .into_iter()
            .map(|minute| MinuteRow {
                minute,
                requests: found.get(&minute).copied().unwrap_or(0),
            })
            .collect())
    }
}

impl Tabular for MinuteRow {
    fn header() -> Vec<&'static str> {
        vec!["minute (UTC)", "requests"]
    }
    fn cells(&self) -> Vec<String> {
        vec![format_datetime(self.minute), self.requests.to_string()]
    }
}

/// Cloudflare Pages builds that failed (`nno-builds`, outcome `failure`; a canceled build is
/// not a failure), oldest first, then build id. A platform admin sees its own platform's only.
///
/// ```
/// use nno_obs_query::{questions::FailedBuilds, OperatorScope, Question, TimeRange};
///
/// let question = FailedBuilds::everywhere(&nno_obs_access::testing::operator(), TimeRange::new(0, 3600).unwrap());
/// assert!(question.plans()[0].sql().contains("blob3 = 'failure'"));
/// ```
#[derive(Clone, Debug)]
pub struct FailedBuilds(BuildList);

/// A row of [`FailedBuilds`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FailedBuild {
    /// When it was recorded (its end), seconds since the epoch.
    pub at: i64,
    /// The platform whose shell it built.
    pub platform: String,
    /// The build (Pages deployment) id.
    pub build_id: String,
    /// How long it ran, ms.
    pub duration_ms: f64,
}

impl FailedBuilds {
    /// Failed builds of every platform.
    pub fn everywhere(scope: &OperatorScope, range: TimeRange) -> Self {
        Self(BuildList::everywhere(scope, range).failed_only())
    }

    /// Failed builds of `scope`'s platform.
    pub fn of_platform(scope: &PlatformScope, range: TimeRange) -> Self {
        Self(BuildList::of_platform(scope, range).failed_only())
    }
}

impl Question for FailedBuilds {
    type Answer = Vec<FailedBuild>;

    fn plans(&self) -> Vec<Plan> {
        self.0.plans()
    }

    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        Ok(self
            .0
            .answer(tables)?
            .into_iter()
            .map(|build| FailedBuild {
                at: build.at,
                platform: build.platform,
                build_id: build.build_id,
                duration_ms: build.duration_ms,
            })
            .collect())
    }
}

impl Tabular for FailedBuild {
    fn header() -> Vec<&'static str> {
        vec!["at (UTC)", "platform", "build", "duration ms"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            format_datetime(self.at),
            self.platform.clone(),
            self.build_id.clone(),
            format!("{}", self.duration_ms),
        ]
    }
}

/// Every Pages build recorded in a range (`nno-builds`), in time order: the latest build of a
/// platform (seed §7.1's "Active builds" card, §8.1's "last build status") is its last row.
///
/// ```
/// use nno_obs_query::{questions::BuildList, OperatorScope, Question, TimeRange};
///
/// let question = BuildList::everywhere(&nno_obs_access::testing::operator(), TimeRange::new(0, 3600).unwrap());
/// assert!(question.plans()[0].sql().contains("blob3 AS outcome"));
/// ```
#[derive(Clone, Debug)]
pub struct BuildList {
    platform: Option<Literal>,
    outcome: Option<Literal>,
    range: TimeRange,
}

/// A row of [`BuildList`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BuildEvent {
    /// When it was recorded (its end), seconds since the epoch.
    pub at: i64,
    /// The platform whose shell it built.
    pub platform: String,
    /// The build (Pages deployment) id.
    pub build_id: String,
    /// `success`, `failure` or `canceled`.
    pub outcome: String,
    /// How long it ran, ms.
    pub duration_ms: f64,
}

impl BuildList {
    /// Builds of every platform.
    pub fn everywhere(_scope: &OperatorScope, range: TimeRange) -> Self {
        Self {
            platform: None,
            outcome: None,
            range,
        }
    }

    /// Builds of `scope`'s platform.
    pub fn of_platform(scope: &PlatformScope, range: TimeRange) -> Self {
        Self {
            platform: Literal::new(scope.platform().as_str()).ok(),
            outcome: None,
            range,
        }
    }

    /// Only the builds that exited non-zero (seed §6.2's "CF Pages build failure").
    fn failed_only(mut self) -> Self {
        self.outcome = Some(Literal::fixed("failure"));
        self
    }
}

impl Question for BuildList {
    type Answer = Vec<BuildEvent>;

    fn plans(&self) -> Vec<Plan> {
        let mut builder = Builder::rows(
            Dataset::Builds,
            self.range,
            vec![
                AT.is(RowCol::Timestamp),
                PLATFORM.is(RowCol::Text(blob(builds::PLATFORM_ID))),
                BUILD_ID.is(RowCol::Text(blob(builds::BUILD_ID))),
                OUTCOME.is(RowCol::Text(blob(builds::OUTCOME))),
                DURATION_MS.is(RowCol::Double(builds::DURATION_MS)),
            ],
        );
        if let Some(outcome) = &self.outcome {
            builder = builder.filter(blob(builds::OUTCOME), outcome.clone());
        }
        if let Some(platform) = &self.platform {
            builder = builder.filter(blob(builds::PLATFORM_ID), platform.clone());
        }
        vec![builder
            .order(AT, Dir::Asc)
            .order(BUILD_ID, Dir::Asc)
            .build()]
    }

    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        Ok(only(tables)?
            .views()
            .map(|row| BuildEvent {
                at: row.get(AT),
                platform: row.get(PLATFORM),
                build_id: row.get(BUILD_ID),
                outcome: row.get(OUTCOME),
                duration_ms: row.get(DURATION_MS),
            })
            .collect())
    }
}

impl Tabular for BuildEvent {
    fn header() -> Vec<&'static str> {
        vec!["at (UTC)", "platform", "build", "outcome", "duration ms"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            format_datetime(self.at),
            self.platform.clone(),
            self.build_id.clone(),
            self.outcome.clone(),
            format!("{}", self.duration_ms),
        ]
    }
}

/// Units of one usage metric a platform consumed over a range (`{platformId}-usage`:
/// `SUM(double1 × _sample_interval)` where `blob3` = metric), what a tier limit is compared
/// with. No point in the range is 0 units.
///
/// ```
/// use nno_obs_query::{questions::UsageTotal, PlatformScope, Question, TimeRange};
/// use nno_obs_store::layout::PlatformId;
///
/// let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
/// let plan = &UsageTotal::invocations(&scope, TimeRange::new(0, 86_400).unwrap()).plans()[0];
/// assert_eq!(plan.dataset().name(), "k3m9p2xw7q-usage");
/// ```
#[derive(Clone, Debug)]
pub struct UsageTotal {
    dataset: Dataset,
    metric: Literal,
    range: TimeRange,
}

impl UsageTotal {
    /// Invocations (the metric every request of a platform Worker meters).
    pub fn invocations(scope: &PlatformScope, range: TimeRange) -> Self {
        Self {
            dataset: Dataset::Usage(scope.platform().clone()),
            metric: Literal::fixed("invocations"),
            range,
        }
    }

    /// Any metric (`rows-exported`, …); a metric that is not a valid literal is rejected.
    pub fn metric(
        scope: &PlatformScope,
        metric: &str,
        range: TimeRange,
    ) -> Result<Self, QueryError> {
        Ok(Self {
            dataset: Dataset::Usage(scope.platform().clone()),
            metric: Literal::new(metric)?,
            range,
        })
    }
}

impl Question for UsageTotal {
    /// The units.
    type Answer = f64;

    fn plans(&self) -> Vec<Plan> {
        vec![Builder::aggregate(self.dataset.clone(), self.range)
            .filter(blob(usage::METRIC), self.metric.clone())
            .agg(
                UNITS,
                Agg::Sum {
                    double: usage::UNITS,
                    since: None,
                },
            )
            .build()]
    }

    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        let table = only(tables)?;
        let units = table.views().next().map(|row| row.get(UNITS));
        Ok(units.filter(|u| u.is_finite()).unwrap_or(0.0))
    }
}

/// Provisioning jobs still running at the end of the range (seed §6.2, "job running > 10
/// minutes"), from Analytics Engine points alone:
///
/// - a job writes its span point with outcome `started` when it starts, and its
///   `nno-core-ops` point (blob5 its id) when it ends (the job extension, see
///   [`job_columns`]): a job started in the range with no core-ops point yet is running, from
///   the second of its `started` point — even stuck in its first step, even for hours, as
///   long as it started in the range (ask over a day);
/// - jobs written before that extension: a trace with provisioning spans in the last hour of
///   the range and no `run-job` span is a job still running; it started at its earliest
///   span's start (end minus duration), and one stuck before its first step ends is not seen.
///
/// Answer: one row per running job, oldest first, then trace id.
///
/// ```
/// use nno_obs_query::{questions::RunningJobs, OperatorScope, Question, TimeRange};
///
/// let question = RunningJobs::new(&nno_obs_access::testing::operator(), TimeRange::new(0, 86_400).unwrap());
/// let plans = question.plans();
/// assert!(plans[0].sql().contains("blob6 = 'started'"));
/// assert_eq!(plans[1].dataset().name(), "nno-core-ops");
/// assert_eq!(plans[2].range().from_s(), 86_400 - 3600);
/// ```
#[derive(Clone, Debug)]
pub struct RunningJobs {
    range: TimeRange,
}

/// A row of [`RunningJobs`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunningJob {
    /// The job's trace.
    pub trace_id: String,
    /// The job's id (`None` for a job written before the job extension).
    pub job_id: Option<String>,
    /// The job's operation, e.g. `PROVISION_PLATFORM` (`None` likewise).
    pub operation: Option<String>,
    /// The platform provisioned.
    pub platform: String,
    /// When it started, ms since the epoch (second resolution: a point's timestamp is whole
    /// seconds).
    pub started_ms: i64,
    /// The spans its steps wrote in the last hour (steps done), in time order.
    pub steps_done: Vec<String>,
}

/// How far back spans of jobs written before the job extension are read.
const LEGACY_LOOKBACK_S: i64 = 3600;

impl RunningJobs {
    /// Jobs running at the end of `range` that started in it.
    pub fn new(_scope: &OperatorScope, range: TimeRange) -> Self {
        Self { range }
    }

    /// The last hour of the range (all of it when shorter).
    fn recent(&self) -> TimeRange {
        let from = self
            .range
            .from_s()
            .max(self.range.until_s() - LEGACY_LOOKBACK_S);
        TimeRange::new(from, self.range.until_s()).unwrap_or(self.range)
    }
}

impl Question for RunningJobs {
    type Answer = Vec<RunningJob>;

    fn plans(&self) -> Vec<Plan> {
        let started = Builder::rows(
            Dataset::Spans,
            self.range,
            vec![
                AT.is(RowCol::Timestamp),
                TRACE_ID.is(RowCol::Text(blob(spans::TRACE_ID))),
                PLATFORM.is(RowCol::Text(blob(spans::PLATFORM_ID))),
                JOB_ID.is(RowCol::Text(blob(job_columns::SPAN_JOB_ID))),
                JOB_OPERATION.is(RowCol::Text(blob(job_columns::SPAN_JOB_OPERATION))),
            ],
        )
        .filter(blob(spans::SERVICE), Literal::fixed("provisioning"))
        .filter(blob(spans::OUTCOME), Literal::fixed(job_columns::STARTED))
        .order(AT, Dir::Asc)
        .order(TRACE_ID, Dir::Asc)
        .build();
        let ended = Builder::aggregate(Dataset::CoreOps, self.range)
            .filter(blob(core_ops::SERVICE), Literal::fixed("provisioning"))
            .key(JOB_ID, Key::Text(blob(job_columns::CORE_OP_JOB_ID)))
            .agg(POINTS, Agg::Count { since: None })
            .order(JOB_ID, Dir::Asc)
            .build();
        let recent = Builder::rows(
            Dataset::Spans,
            self.recent(),
            vec![
                AT.is(RowCol::Timestamp),
                TRACE_ID.is(RowCol::Text(blob(spans::TRACE_ID))),
                OPERATION.is(RowCol::Text(blob(spans::OPERATION))),
                OUTCOME.is(RowCol::Text(blob(spans::OUTCOME))),
                PLATFORM.is(RowCol::Text(blob(spans::PLATFORM_ID))),
                JOB_ID.is(RowCol::Text(blob(job_columns::SPAN_JOB_ID))),
                DURATION_MS.is(RowCol::Double(spans::DURATION_MS)),
            ],
        )
        .filter(blob(spans::SERVICE), Literal::fixed("provisioning"))
        .order(AT, Dir::Asc)
        .order(TRACE_ID, Dir::Asc)
        .build();
        vec![started, ended, recent]
    }

    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        let mut tables = tables.into_iter();
        let (Some(started), Some(ended), Some(recent)) =
            (tables.next(), tables.next(), tables.next())
        else {
            return Err(QueryError::Shape {
                detail: "running jobs need three tables".to_owned(),
            });
        };
        let ended: HashSet<String> = ended
            .views()
            .map(|row| row.get(JOB_ID))
            .filter(|id| !id.is_empty())
            .collect();

        struct Seen {
            platform: String,
            started_ms: i64,
            steps: Vec<String>,
            ended: bool,
            extended: bool,
        }
        let mut traces: BTreeMap<String, Seen> = BTreeMap::new();
        for row in recent.views() {
            let duration = row.get(DURATION_MS);
            let duration = if duration.is_finite() {
                duration as i64
            } else {
                0
            };
            let started = row.get(AT) * 1000 - duration.max(0);
            let operation = row.get(OPERATION);
            let extended = !row.get(JOB_ID).is_empty();
            let seen = traces.entry(row.get(TRACE_ID)).or_insert(Seen {
                platform: row.get(PLATFORM),
                started_ms: started,
                steps: Vec::new(),
                ended: false,
                extended: false,
            });
            seen.started_ms = seen.started_ms.min(started);
            seen.ended |= operation == job_columns::LEGACY_JOB_SPAN;
            seen.extended |= extended;
            if !extended {
                seen.steps.push(operation);
            }
        }

        let mut running: Vec<RunningJob> = started
            .views()
            .filter(|row| !ended.contains(&row.get(JOB_ID)))
            .map(|row| {
                let trace_id = row.get(TRACE_ID);
                let steps_done = traces
                    .get(&trace_id)
                    .map(|seen| seen.steps.clone())
                    .unwrap_or_default();
                let non_empty = |text: String| (!text.is_empty()).then_some(text);
                RunningJob {
                    job_id: non_empty(row.get(JOB_ID)),
                    operation: non_empty(row.get(JOB_OPERATION)),
                    platform: row.get(PLATFORM),
                    started_ms: row.get(AT) * 1000,
                    steps_done,
                    trace_id,
                }
            })
            .collect();
        running.extend(
            traces
                .into_iter()
                .filter(|(_, seen)| !seen.ended && !seen.extended)
                .map(|(trace_id, seen)| RunningJob {
                    trace_id,
                    job_id: None,
                    operation: None,
                    platform: seen.platform,
                    started_ms: seen.started_ms,
                    steps_done: seen.steps,
                }),
        );
        running.sort_by(|a, b| (a.started_ms, &a.trace_id).cmp(&(b.started_ms, &b.trace_id)));
        Ok(running)
    }
}

impl Tabular for RunningJob {
    fn header() -> Vec<&'static str> {
        vec!["started (UTC)", "job", "trace", "platform", "steps done"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            format_datetime(self.started_ms.div_euclid(1000)),
            self.job_id.clone().unwrap_or_else(|| "-".to_owned()),
            self.trace_id.clone(),
            self.platform.clone(),
            self.steps_done.join(" "),
        ]
    }
}

/// The most recent failing span of one feature Worker of a platform (`nno-core-ops-spans`,
/// `blob7` = platform, `blob4` = the feature's service, outcome `error`): the trace the alert
/// message links to ("Trace a recent error", §6.3). Latest first; ties by trace id descending.
///
/// ```
/// use nno_obs_query::{questions::RecentErrorTrace, PlatformScope, Question, TimeRange};
/// use nno_obs_store::layout::PlatformId;
///
/// let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
/// let question = RecentErrorTrace::new(&scope, "analytics", TimeRange::new(0, 300).unwrap()).unwrap();
/// assert!(question.plans()[0].sql().contains("LIMIT 1"));
/// ```
#[derive(Clone, Debug)]
pub struct RecentErrorTrace {
    platform: Literal,
    service: Literal,
    range: TimeRange,
}

impl RecentErrorTrace {
    /// The latest failing trace of `feature` (its Worker's service) on `scope`'s platform.
    pub fn new(scope: &PlatformScope, feature: &str, range: TimeRange) -> Result<Self, QueryError> {
        Ok(Self {
            platform: Literal::new(scope.platform().as_str())?,
            service: Literal::new(feature)?,
            range,
        })
    }
}

impl Question for RecentErrorTrace {
    /// The trace id, if any span failed in the range.
    type Answer = Option<String>;

    fn plans(&self) -> Vec<Plan> {
        vec![Builder::rows(
            Dataset::Spans,
            self.range,
            vec![
                AT.is(RowCol::Timestamp),
                TRACE_ID.is(RowCol::Text(blob(spans::TRACE_ID))),
            ],
        )
        .filter(blob(spans::PLATFORM_ID), self.platform.clone())
        .filter(blob(spans::SERVICE), self.service.clone())
        .filter(blob(spans::OUTCOME), Literal::fixed("error"))
        .order(AT, Dir::Desc)
        .order(TRACE_ID, Dir::Desc)
        .limit(1)
        .build()]
    }

    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        Ok(only(tables)?.views().next().map(|row| row.get(TRACE_ID)))
    }
}
