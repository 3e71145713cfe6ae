//! Provisioning (seed §3.3's second query, §8.2, §5.1).

use super::{blob, only, percent, rate, Builder, Engine, Question, Tabular};
use crate::error::QueryError;
use crate::literal::Literal;
use crate::plan::{Agg, Dir, Key, Plan, RowCol};
use crate::questions::trace::{Span, TraceSpans};
use crate::scope::{Dataset, OperatorScope};
use crate::table::{Col, Table};
use crate::time_range::{format_datetime, TimeRange};
use nno_obs_schema::{core_ops, spans};
use serde::Serialize;

// The output columns of this module's plans, each named once (see `Col`).
const AT: Col<i64> = Col::new("at");
const DURATION_MS: Col<f64> = Col::new("duration_ms");
const FAILURES: Col<f64> = Col::new("failures");
const JOB_ID: Col<String> = Col::new("job_id");
const JOB_OPERATION: Col<String> = Col::new("job_operation");
const JOBS: Col<u64> = Col::new("jobs");
const OPERATION: Col<String> = Col::new("operation");
const P50_MS: Col<f64> = Col::new("p50_ms");
const P95_MS: Col<f64> = Col::new("p95_ms");
const PLATFORM: Col<String> = Col::new("platform");
const SPAN_ID: Col<String> = Col::new("span_id");
const SPAN_OPERATION: Col<String> = Col::new("span_operation");
const TRACE_ID: Col<String> = Col::new("trace_id");

/// Per provisioning operation (`nno-core-ops` rows of service `provisioning`, `blob2` the
/// operation: the jobs `PROVISION_PLATFORM`, `ACTIVATE_FEATURE` and the handler's own
/// `POST /jobs`): count, failures (outcome `error` or `timeout`), success rate, p50/p95
/// duration — seed §3.3's job success rate (ask it over 7 days), §8.2's completion times, §5.1's
/// job success rate and per-operation duration. Ordered by count descending, then operation.
#[derive(Clone, Debug)]
pub struct JobStats {
    range: TimeRange,
}

/// A row of [`JobStats`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobRow {
    /// The operation.
    pub operation: String,
    /// Count (weighted).
    pub jobs: u64,
    /// Failures (weighted).
    pub failures: f64,
    /// `1 - failures / jobs`.
    pub success_rate: Option<f64>,
    /// Weighted p50 duration, ms.
    pub p50_ms: Option<f64>,
    /// Weighted p95 duration, ms.
    pub p95_ms: Option<f64>,
}

impl JobStats {
    /// Provisioning over `range`.
    pub fn new(_scope: &OperatorScope, range: TimeRange) -> Self {
        Self { range }
    }
}

impl Question for JobStats {
    type Answer = Vec<JobRow>;

    fn plans(&self) -> Vec<Plan> {
        vec![Builder::aggregate(Dataset::CoreOps, self.range)
            .filter(blob(core_ops::SERVICE), Literal::fixed("provisioning"))
            .key(OPERATION, Key::Text(blob(core_ops::OPERATION)))
            .agg(JOBS, Agg::Count { since: None })
            .agg(
                FAILURES,
                Agg::Sum {
                    double: core_ops::ERROR,
                    since: None,
                },
            )
            .agg(
                P50_MS,
                Agg::Quantile {
                    level: 0.5,
                    double: core_ops::DURATION_MS,
                },
            )
            .agg(
                P95_MS,
                Agg::Quantile {
                    level: 0.95,
                    double: core_ops::DURATION_MS,
                },
            )
            .order(JOBS, Dir::Desc)
            .build()]
    }

    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        Ok(only(tables)?
            .views()
            .map(|row| {
                let jobs = row.get(JOBS);
                let failures = row.get(FAILURES);
                JobRow {
                    operation: row.get(OPERATION),
                    jobs,
                    failures,
                    success_rate: rate(failures, jobs).map(|r| 1.0 - r),
                    p50_ms: Some(row.get(P50_MS)),
                    p95_ms: Some(row.get(P95_MS)),
                }
            })
            .collect())
    }
}

impl Tabular for JobRow {
    fn header() -> Vec<&'static str> {
        vec!["operation", "jobs", "failures", "success %", "p50", "p95"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.operation.clone(),
            self.jobs.to_string(),
            self.failures.to_string(),
            percent(self.success_rate),
            self.p50_ms
                .map_or_else(|| "-".to_owned(), nno_obs_store::time::human_ms),
            self.p95_ms
                .map_or_else(|| "-".to_owned(), nno_obs_store::time::human_ms),
        ]
    }
}

/// Where a job's points name it: the job extension of the §4.2 span point and the §3.2
/// `nno-core-ops` point, as `nno_obs::job` writes them — the positions of `nno-obs-schema`,
/// named for the questions.
pub mod job_columns {
    use nno_obs_schema::{core_ops, spans, Blob};

    /// blob8 of a job's own span point: the job id (`""` on every other span).
    pub const SPAN_JOB_ID: Blob = spans::JOB_ID;
    /// blob9 of a job's own span point: the job's operation (`PROVISION_PLATFORM`).
    pub const SPAN_JOB_OPERATION: Blob = spans::JOB_OPERATION;
    /// blob5 of a job's `nno-core-ops` point: the job id.
    pub const CORE_OP_JOB_ID: Blob = core_ops::JOB_ID;
    /// The outcome (blob6) of the span point a job writes when it starts.
    pub const STARTED: &str = spans::JOB_STARTED;
    /// The name of a job's span before the extension: such a span with no blob8 is a job
    /// whose id and operation only its logs know.
    pub const LEGACY_JOB_SPAN: &str = "run-job";
}

/// Failed provisioning jobs with their steps (seed §8.2): the job spans of service
/// `provisioning` with outcome `error` ending in the range (oldest first, then trace id),
/// each with the spans below it in its trace (its steps and their rollbacks, tree order, see
/// [`TraceSpans`]).
///
/// A job span is one that names its job (blob8, see [`job_columns`]); a span named
/// `run-job` without it is a job written before that extension (its id and operation are
/// `None`). The steps are looked up from the job's start (its end minus its duration), so a
/// job ending just inside the range keeps the steps that ended before it.
///
/// Two stages (the SQL API has no `IN (subquery)`): the failed job spans, then one
/// [`TraceSpans`] per failed job; [`Question::plans`] gives the first stage only.
///
/// ```
/// use nno_obs_query::{questions::FailedJobs, OperatorScope, Question, TimeRange};
///
/// let range = TimeRange::new(0, 3600).unwrap();
/// let one = FailedJobs::new(&nno_obs_access::testing::operator(), range).job_id("job-prov-0001").unwrap();
/// assert!(one.plans()[0].sql().contains("blob8 = 'job-prov-0001'"));
/// // Bad input: an id with a control character is refused, not sent.
/// assert!(FailedJobs::new(&nno_obs_access::testing::operator(), range).job_id("job\n1").is_err());
/// ```
#[derive(Clone, Debug)]
pub struct FailedJobs {
    scope: OperatorScope,
    range: TimeRange,
    job_id: Option<Literal>,
}

/// A row of [`FailedJobs`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FailedJob {
    /// The job's trace.
    pub trace_id: String,
    /// The job span.
    pub span_id: String,
    /// The job's id (`None` for a job written before the job extension).
    pub job_id: Option<String>,
    /// The job's operation, e.g. `PROVISION_PLATFORM` (`None` likewise).
    pub operation: Option<String>,
    /// The platform it was for.
    pub platform: String,
    /// When it ended (second).
    pub end_s: i64,
    /// How long it ran, ms.
    pub duration_ms: f64,
    /// The spans under the job span.
    pub steps: Vec<Span>,
}

impl FailedJob {
    /// The step that failed: the first failing span under the job that is not a rollback.
    ///
    /// ```
    /// use nno_obs_query::questions::FailedJob;
    ///
    /// let job = FailedJob { trace_id: "t".into(), span_id: "s".into(), job_id: None,
    ///     operation: None, platform: "p".into(), end_s: 0, duration_ms: 0.0, steps: vec![] };
    /// assert_eq!(job.failed_step(), None);
    /// ```
    pub fn failed_step(&self) -> Option<&str> {
        self.steps
            .iter()
            .find(|step| step.outcome == "error" && step.operation != "rollback")
            .map(|step| step.operation.as_str())
    }
}

impl FailedJobs {
    /// Failed jobs ending in `range`.
    pub fn new(scope: &OperatorScope, range: TimeRange) -> Self {
        Self {
            scope: scope.clone(),
            range,
            job_id: None,
        }
    }

    /// Only job `job_id` (a job written before the job extension has no id and is never
    /// found this way); an id that is not a valid literal is rejected.
    pub fn job_id(mut self, job_id: &str) -> Result<Self, QueryError> {
        self.job_id = Some(Literal::new(job_id)?);
        Ok(self)
    }

    /// Where the steps of a job that ended at `end_s` after `duration_ms` are: from a second
    /// before its start to just after its end.
    fn steps_range(end_s: i64, duration_ms: f64) -> Result<TimeRange, QueryError> {
        let duration_s = if duration_ms.is_finite() && duration_ms > 0.0 {
            (duration_ms / 1000.0).ceil() as i64
        } else {
            0
        };
        TimeRange::new(end_s - duration_s - 1, end_s + 1)
    }
}

impl Question for FailedJobs {
    type Answer = Vec<FailedJob>;

    fn plans(&self) -> Vec<Plan> {
        let mut builder = Builder::rows(
            Dataset::Spans,
            self.range,
            vec![
                AT.is(RowCol::Timestamp),
                TRACE_ID.is(RowCol::Text(blob(spans::TRACE_ID))),
                SPAN_ID.is(RowCol::Text(blob(spans::SPAN_ID))),
                SPAN_OPERATION.is(RowCol::Text(blob(spans::OPERATION))),
                PLATFORM.is(RowCol::Text(blob(spans::PLATFORM_ID))),
                JOB_ID.is(RowCol::Text(blob(job_columns::SPAN_JOB_ID))),
                JOB_OPERATION.is(RowCol::Text(blob(job_columns::SPAN_JOB_OPERATION))),
                DURATION_MS.is(RowCol::Double(spans::DURATION_MS)),
            ],
        )
        .filter(blob(spans::SERVICE), Literal::fixed("provisioning"))
        .filter(blob(spans::OUTCOME), Literal::fixed("error"));
        if let Some(job_id) = &self.job_id {
            builder = builder.filter(blob(job_columns::SPAN_JOB_ID), job_id.clone());
        }
        vec![builder
            .order(AT, Dir::Asc)
            .order(TRACE_ID, Dir::Asc)
            .build()]
    }

    /// The failed jobs without their steps (the first stage alone): the rows that are job
    /// spans (steps that failed are in the same rows and are left out).
    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        let non_empty = |text: String| (!text.is_empty()).then_some(text);
        Ok(only(tables)?
            .views()
            .filter_map(|row| {
                let job_id = non_empty(row.get(JOB_ID));
                if job_id.is_none() && row.get(SPAN_OPERATION) != job_columns::LEGACY_JOB_SPAN {
                    return None;
                }
                Some(FailedJob {
                    trace_id: row.get(TRACE_ID),
                    span_id: row.get(SPAN_ID),
                    operation: job_id
                        .as_ref()
                        .and_then(|_| non_empty(row.get(JOB_OPERATION))),
                    job_id,
                    platform: row.get(PLATFORM),
                    end_s: row.get(AT),
                    duration_ms: row.get(DURATION_MS),
                    steps: Vec::new(),
                })
            })
            .collect())
    }

    async fn ask(&self, engine: &dyn Engine) -> Result<Self::Answer, QueryError> {
        let mut first = Vec::new();
        for plan in self.plans() {
            first.push(engine.run(&plan).await?);
        }
        let mut jobs = self.answer(first)?;
        for job in &mut jobs {
            let range = Self::steps_range(job.end_s, job.duration_ms)?;
            let trace = TraceSpans::new(&self.scope, &job.trace_id, range)?
                .ask(engine)
                .await?;
            job.steps = below(&trace.spans, &job.span_id);
        }
        Ok(jobs)
    }
}

/// The spans under `span_id` in a tree-ordered list, depths made relative to it.
fn below(spans: &[Span], span_id: &str) -> Vec<Span> {
    let Some(at) = spans.iter().position(|s| s.span_id == span_id) else {
        return Vec::new();
    };
    let depth = spans[at].depth;
    spans[at + 1..]
        .iter()
        .take_while(|s| s.depth > depth)
        .map(|s| Span {
            depth: s.depth - depth - 1,
            ..s.clone()
        })
        .collect()
}

impl Tabular for FailedJob {
    fn header() -> Vec<&'static str> {
        vec![
            "ended (UTC)",
            "job",
            "operation",
            "trace",
            "platform",
            "duration",
            "steps",
        ]
    }
    fn cells(&self) -> Vec<String> {
        let steps: Vec<String> = self
            .steps
            .iter()
            .map(|s| format!("{}{}:{}", "·".repeat(s.depth), s.operation, s.outcome))
            .collect();
        vec![
            format_datetime(self.end_s),
            self.job_id.clone().unwrap_or_else(|| "-".to_owned()),
            self.operation.clone().unwrap_or_else(|| "-".to_owned()),
            self.trace_id.clone(),
            self.platform.clone(),
            nno_obs_store::time::human_ms(self.duration_ms),
            steps.join(" "),
        ]
    }
}
