//! Provisioning (seed §3.3's second query, §8.2, §5.1).

use super::{blob, only, percent, rate, Builder, Engine, Question, Tabular};
use crate::error::QueryError;
use crate::literal::Literal;
use crate::plan::{Agg, Dir, Key, Plan, RowCol};
use crate::questions::trace::{Span, TraceSpans};
use crate::scope::{Dataset, OperatorScope};
use crate::table::Table;
use crate::time_range::{format_datetime, TimeRange};
use nno_obs_schema::{core_ops, spans};
use serde::Serialize;

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
            .key("operation", Key::Text(blob(core_ops::OPERATION)))
            .agg("jobs", Agg::Count { since: None })
            .agg(
                "failures",
                Agg::Sum {
                    double: core_ops::ERROR,
                    since: None,
                },
            )
            .agg(
                "p50_ms",
                Agg::Quantile {
                    level: 0.5,
                    double: core_ops::DURATION_MS,
                },
            )
            .agg(
                "p95_ms",
                Agg::Quantile {
                    level: 0.95,
                    double: core_ops::DURATION_MS,
                },
            )
            .order("jobs", Dir::Desc)
            .build()]
    }

    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        Ok(only(tables)?
            .views()
            .map(|row| {
                let jobs = row.count("jobs");
                let failures = row.number("failures");
                JobRow {
                    operation: row.text("operation"),
                    jobs,
                    failures,
                    success_rate: rate(failures, jobs).map(|r| 1.0 - r),
                    p50_ms: Some(row.number("p50_ms")),
                    p95_ms: Some(row.number("p95_ms")),
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

/// Failed provisioning jobs with their steps (seed §8.2): the `run-job` spans of service
/// `provisioning` with outcome `error` ending in the range (oldest first, then trace id), each
/// with the spans below it in its trace (its steps and their rollbacks, tree order, see
/// [`TraceSpans`]; the steps are looked up in the same range).
///
/// Two stages (the SQL API has no `IN (subquery)`): the failed job spans, then one
/// [`TraceSpans`] per failed job; [`Question::plans`] gives the first stage only.
#[derive(Clone, Debug)]
pub struct FailedJobs {
    scope: OperatorScope,
    range: TimeRange,
}

/// A row of [`FailedJobs`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FailedJob {
    /// The job's trace.
    pub trace_id: String,
    /// The job span.
    pub span_id: String,
    /// The platform it was for.
    pub platform: String,
    /// When it ended (second).
    pub end_s: i64,
    /// How long it ran, ms.
    pub duration_ms: f64,
    /// The spans under the job span.
    pub steps: Vec<Span>,
}

impl FailedJobs {
    /// Failed jobs ending in `range`.
    pub fn new(scope: &OperatorScope, range: TimeRange) -> Self {
        Self {
            scope: scope.clone(),
            range,
        }
    }
}

impl Question for FailedJobs {
    type Answer = Vec<FailedJob>;

    fn plans(&self) -> Vec<Plan> {
        vec![Builder::rows(
            Dataset::Spans,
            self.range,
            vec![
                ("at", RowCol::Timestamp),
                ("trace_id", RowCol::Text(blob(spans::TRACE_ID))),
                ("span_id", RowCol::Text(blob(spans::SPAN_ID))),
                ("platform", RowCol::Text(blob(spans::PLATFORM_ID))),
                ("duration_ms", RowCol::Double(spans::DURATION_MS)),
            ],
        )
        .filter(blob(spans::SERVICE), Literal::fixed("provisioning"))
        .filter(blob(spans::OPERATION), Literal::fixed("run-job"))
        .filter(blob(spans::OUTCOME), Literal::fixed("error"))
        .order("at", Dir::Asc)
        .order("trace_id", Dir::Asc)
        .build()]
    }

    /// The failed jobs without their steps (the first stage alone).
    fn answer(&self, tables: Vec<Table>) -> Result<Self::Answer, QueryError> {
        Ok(only(tables)?
            .views()
            .map(|row| FailedJob {
                trace_id: row.text("trace_id"),
                span_id: row.text("span_id"),
                platform: row.text("platform"),
                end_s: row.time("at"),
                duration_ms: row.number("duration_ms"),
                steps: Vec::new(),
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
            let trace = TraceSpans::new(&self.scope, &job.trace_id, self.range)?
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
        vec!["ended (UTC)", "trace", "platform", "duration", "steps"]
    }
    fn cells(&self) -> Vec<String> {
        let steps: Vec<String> = self
            .steps
            .iter()
            .map(|s| format!("{}{}:{}", "·".repeat(s.depth), s.operation, s.outcome))
            .collect();
        vec![
            format_datetime(self.end_s),
            self.trace_id.clone(),
            self.platform.clone(),
            nno_obs_store::time::human_ms(self.duration_ms),
            steps.join(" "),
        ]
    }
}
