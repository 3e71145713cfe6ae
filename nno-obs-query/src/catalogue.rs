//! The question catalogue as data: a [`Request`] (a question's name and its parameters, serde)
//! becomes a typed question ([`Asked`]) under the asker's scope, whose answer is a typed
//! [`Answer`] (`Serialize`). Every host asks through it — `nno-obs query` parses its arguments
//! into a request; an HTTP host can take one as JSON — so the catalogue, its parameters and
//! which question takes which are defined once (DESIGN principle 13).
//!
//! Scopes are not data: a platform question is asked for the [`PlatformScope`] the host
//! checked, never for a platform named in the request; only an operator names platforms (the
//! fleet's and the heatmap's choice of rows).
//!
//! ```
//! use nno_obs_query::catalogue::{Asker, Request};
//! use nno_obs_query::{questions::TableFuture, Engine, Plan, PlatformScope, Table};
//! use nno_obs_store::layout::PlatformId;
//!
//! struct Nothing;
//! impl Engine for Nothing {
//!     fn run<'a>(&'a self, plan: &'a Plan) -> TableFuture<'a> {
//!         Box::pin(std::future::ready(Ok(Table::empty(plan))))
//!     }
//! }
//! let request: Request = serde_json::from_str(
//!     r#"{"question": "requests-per-hour", "fromS": 0, "untilS": 7200}"#,
//! ).unwrap();
//! let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
//! let asked = request.build(Asker::Platform(&scope)).unwrap();
//! let answer = pollster::block_on(asked.ask(&Nothing)).unwrap();
//! assert_eq!(serde_json::to_value(&answer).unwrap().as_array().unwrap().len(), 2);
//! ```

use crate::error::QueryError;
use crate::plan::Plan;
use crate::questions::*;
use crate::scope::{OperatorScope, PlatformScope};
use crate::time_range::{Bucket, TimeRange};
use crate::Engine;
use nno_obs_store::layout::PlatformId;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// The questions, by name (`kebab-case` on the wire, as `nno-obs query` takes them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuestionName {
    /// [`FeatureStats`] (platform; seed §3.3, §7.2).
    Features,
    /// [`RequestsPerHour`] (platform; §7.1).
    RequestsPerHour,
    /// [`ErrorRatePerFeatureHour`] (platform; §7.1).
    ErrorsPerHour,
    /// [`WorkerHealth`] (platform; §7.1, §6.2).
    Health,
    /// [`SlowestEndpoints`] (platform; §7.2).
    SlowestEndpoints,
    /// [`MostErroringEndpoints`] (platform; §7.2).
    ErroringEndpoints,
    /// [`BuildStats`] (platform, or every platform for an operator; §5.2).
    Builds,
    /// [`JobStats`] (operator; §3.3, §8.2, §5.1).
    Jobs,
    /// [`FailedJobs`] (operator; §8.2).
    FailedJobs,
    /// [`ServiceStats`] (operator; §5.1).
    Services,
    /// [`RegistryLatency`] (operator; §5.1).
    Registry,
    /// [`FleetOverview`] (operator; §8.1), worst platform first.
    Fleet,
    /// [`IncidentHeatmap`] (operator; §8.1).
    Heatmap,
}

/// Who may ask a question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// A platform's scope only.
    Platform,
    /// The operator only.
    Operator,
    /// Either (a platform's rows, or every platform's).
    Either,
}

/// A parameter beyond the range that some questions take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    /// `feature`: only this feature.
    Feature,
    /// `windowS`: the recent window `health` judges on.
    Window,
    /// `bucketS`: the heatmap's bucket.
    Bucket,
    /// `jobId`: only this job.
    JobId,
    /// `platforms`: the operator's choice of platforms.
    Platforms,
}

impl QuestionName {
    /// Every question, in the order `nno-obs query --help` lists them.
    pub const ALL: [QuestionName; 13] = [
        QuestionName::Features,
        QuestionName::RequestsPerHour,
        QuestionName::ErrorsPerHour,
        QuestionName::Health,
        QuestionName::SlowestEndpoints,
        QuestionName::ErroringEndpoints,
        QuestionName::Builds,
        QuestionName::Jobs,
        QuestionName::FailedJobs,
        QuestionName::Services,
        QuestionName::Registry,
        QuestionName::Fleet,
        QuestionName::Heatmap,
    ];

    /// Its name on the wire and on the command line.
    ///
    /// ```
    /// use nno_obs_query::catalogue::QuestionName;
    /// assert_eq!(QuestionName::ErroringEndpoints.name(), "erroring-endpoints");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            QuestionName::Features => "features",
            QuestionName::RequestsPerHour => "requests-per-hour",
            QuestionName::ErrorsPerHour => "errors-per-hour",
            QuestionName::Health => "health",
            QuestionName::SlowestEndpoints => "slowest-endpoints",
            QuestionName::ErroringEndpoints => "erroring-endpoints",
            QuestionName::Builds => "builds",
            QuestionName::Jobs => "jobs",
            QuestionName::FailedJobs => "failed-jobs",
            QuestionName::Services => "services",
            QuestionName::Registry => "registry",
            QuestionName::Fleet => "fleet",
            QuestionName::Heatmap => "heatmap",
        }
    }

    /// The question of `name` ([`name`](Self::name)'s inverse); `None` for no question.
    ///
    /// ```
    /// use nno_obs_query::catalogue::QuestionName;
    /// assert_eq!(QuestionName::from_name("failed-jobs"), Some(QuestionName::FailedJobs));
    /// assert_eq!(QuestionName::from_name("FailedJobs"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|question| question.name() == name)
    }

    /// What it answers, in one line for a person choosing a question (the help of
    /// `nno-obs query`, without a final period as clap's other help lines): its rows, who asks
    /// it, the seed's sections.
    ///
    /// ```
    /// use nno_obs_query::catalogue::QuestionName;
    /// assert!(QuestionName::FailedJobs.description().starts_with("Failed provisioning jobs"));
    /// ```
    pub fn description(self) -> &'static str {
        match self {
            QuestionName::Features => {
                "Per feature: requests, req/min, 5xx rate, mean/p50/p95/p99 (platform; §3.3, §7.2)"
            }
            QuestionName::RequestsPerHour => {
                "Requests per hour, every hour of the range (platform; §7.1)"
            }
            QuestionName::ErrorsPerHour => "5xx rate per feature per hour (platform; §7.1)",
            QuestionName::Health => {
                "ok / degraded / failing per Worker on its 5xx rate in the last --window, or \
                 silent without a request in that window's last 2 minutes (platform; §7.1, §6.2)"
            }
            QuestionName::SlowestEndpoints => "The 10 slowest endpoints by p95 (platform; §7.2)",
            QuestionName::ErroringEndpoints => "The 10 most-erroring endpoints (platform; §7.2)",
            QuestionName::Builds => {
                "Pages builds: success rate and duration (platform, or every platform; §5.2)"
            }
            QuestionName::Jobs => {
                "Provisioning per operation: success rate, p50/p95 (operator; §3.3, §8.2, §5.1)"
            }
            QuestionName::FailedJobs => {
                "Failed provisioning jobs with their steps (operator; §8.2)"
            }
            QuestionName::Services => {
                "Per core service: error rate, p95/p99 — the gateway's SLOs (operator; §5.1)"
            }
            QuestionName::Registry => "Registry read/write p99 (operator; §5.1)",
            QuestionName::Fleet => "One row per platform: Workers seen, 5xx rate (operator; §8.1)",
            QuestionName::Heatmap => "Platform × time bucket → 5xx rate (operator; §8.1)",
        }
    }

    /// Who may ask it.
    ///
    /// ```
    /// use nno_obs_query::catalogue::{Audience, QuestionName};
    /// assert_eq!(QuestionName::Health.audience(), Audience::Platform);
    /// assert_eq!(QuestionName::Builds.audience(), Audience::Either);
    /// ```
    pub fn audience(self) -> Audience {
        use QuestionName as Q;
        match self {
            Q::Features
            | Q::RequestsPerHour
            | Q::ErrorsPerHour
            | Q::Health
            | Q::SlowestEndpoints
            | Q::ErroringEndpoints => Audience::Platform,
            Q::Builds => Audience::Either,
            Q::Jobs | Q::FailedJobs | Q::Services | Q::Registry | Q::Fleet | Q::Heatmap => {
                Audience::Operator
            }
        }
    }

    /// Whether it reads `param` (a request that gives a parameter its question does not read
    /// is refused, never silently ignored).
    ///
    /// ```
    /// use nno_obs_query::catalogue::{Param, QuestionName};
    /// let takers: Vec<&str> = QuestionName::ALL.iter().filter(|q| q.takes(Param::Feature)).map(|q| q.name()).collect();
    /// assert_eq!(takers, ["features", "slowest-endpoints", "erroring-endpoints"]);
    /// ```
    pub fn takes(self, param: Param) -> bool {
        use QuestionName as Q;
        match param {
            Param::Feature => matches!(
                self,
                Q::Features | Q::SlowestEndpoints | Q::ErroringEndpoints
            ),
            Param::Window => self == Q::Health,
            Param::Bucket => self == Q::Heatmap,
            Param::JobId => self == Q::FailedJobs,
            Param::Platforms => matches!(self, Q::Fleet | Q::Heatmap),
        }
    }
}

/// The recent window `health` judges on when the request names none: 15 minutes.
pub const DEFAULT_HEALTH_WINDOW_S: i64 = 900;
/// The heatmap's bucket when the request names none: an hour.
pub const DEFAULT_HEATMAP_BUCKET_S: i64 = 3600;

/// A question and its parameters, as data.
///
/// On the wire: `{"question": "features", "fromS": …, "untilS": …, "feature": "…"}`; the
/// range is `[fromS, untilS)` in whole seconds; `windowS`, `bucketS`, `jobId` and `platforms`
/// (ids) as the question takes them; any other member is refused.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Request {
    /// The question.
    pub question: QuestionName,
    /// The range's start, Unix seconds (inclusive).
    pub from_s: i64,
    /// The range's end, Unix seconds (exclusive).
    pub until_s: i64,
    /// Only this feature.
    #[serde(default)]
    pub feature: Option<String>,
    /// `health`'s recent window, seconds.
    #[serde(default)]
    pub window_s: Option<i64>,
    /// The heatmap's bucket, seconds.
    #[serde(default)]
    pub bucket_s: Option<i64>,
    /// Only this job.
    #[serde(default)]
    pub job_id: Option<String>,
    /// The fleet's or heatmap's platforms (an operator's choice).
    #[serde(default, deserialize_with = "platform_ids")]
    pub platforms: Vec<PlatformId>,
}

fn platform_ids<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<PlatformId>, D::Error> {
    Vec::<String>::deserialize(deserializer)?
        .iter()
        .map(|text| PlatformId::parse(text).map_err(serde::de::Error::custom))
        .collect()
}

/// Who asks: the scope the host checked (a capability, see [`crate::scope`]).
#[derive(Clone, Copy, Debug)]
pub enum Asker<'a> {
    /// A platform's scope.
    Platform(&'a PlatformScope),
    /// The operator's.
    Operator(&'a OperatorScope),
}

/// Why a request is not a question.
#[derive(Clone, Debug, PartialEq)]
pub enum CatalogueError {
    /// The question is not for this asker (a platform asking an operator question, or the
    /// reverse).
    Audience {
        /// The question.
        question: QuestionName,
        /// Who may ask it.
        audience: Audience,
    },
    /// A parameter the question does not read.
    DoesNotApply {
        /// The question.
        question: QuestionName,
        /// The parameter.
        param: Param,
    },
    /// A value the question refuses (a bad range, feature, job id, window or bucket).
    Invalid(QueryError),
}

impl fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogueError::Audience { question, audience } => match audience {
                Audience::Platform => write!(f, "{} is a platform question", question.name()),
                _ => write!(f, "{} is an operator question", question.name()),
            },
            CatalogueError::DoesNotApply { question, param } => {
                write!(f, "{param:?} does not apply to {}", question.name())
            }
            CatalogueError::Invalid(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for CatalogueError {}

impl From<QueryError> for CatalogueError {
    fn from(error: QueryError) -> Self {
        CatalogueError::Invalid(error)
    }
}

impl Request {
    /// A request for `question` over `range`, without other parameters.
    ///
    /// ```
    /// use nno_obs_query::catalogue::{QuestionName, Request};
    /// use nno_obs_query::TimeRange;
    ///
    /// let request = Request::new(QuestionName::Jobs, TimeRange::new(0, 3600).unwrap());
    /// assert_eq!((request.from_s, request.until_s), (0, 3600));
    /// ```
    pub fn new(question: QuestionName, range: TimeRange) -> Self {
        Self {
            question,
            from_s: range.from_s(),
            until_s: range.until_s(),
            feature: None,
            window_s: None,
            bucket_s: None,
            job_id: None,
            platforms: Vec::new(),
        }
    }

    /// The parameters given that the question does not read.
    fn refuse_what_does_not_apply(&self) -> Result<(), CatalogueError> {
        let given = [
            (Param::Feature, self.feature.is_some()),
            (Param::Window, self.window_s.is_some()),
            (Param::Bucket, self.bucket_s.is_some()),
            (Param::JobId, self.job_id.is_some()),
            (Param::Platforms, !self.platforms.is_empty()),
        ];
        match given
            .into_iter()
            .find(|(param, given)| *given && !self.question.takes(*param))
        {
            Some((param, _)) => Err(CatalogueError::DoesNotApply {
                question: self.question,
                param,
            }),
            None => Ok(()),
        }
    }

    /// The typed question, asked by `asker`: refused when the asker may not ask it, when a
    /// parameter does not apply, or when a value is refused.
    ///
    /// ```
    /// use nno_obs_query::catalogue::{Asker, CatalogueError, QuestionName, Request};
    /// use nno_obs_query::{PlatformScope, TimeRange};
    /// use nno_obs_store::layout::PlatformId;
    ///
    /// let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
    /// let jobs = Request::new(QuestionName::Jobs, TimeRange::new(0, 3600).unwrap());
    /// assert!(matches!(jobs.build(Asker::Platform(&scope)), Err(CatalogueError::Audience { .. })));
    /// ```
    pub fn build(&self, asker: Asker<'_>) -> Result<Asked, CatalogueError> {
        use QuestionName as Q;
        self.refuse_what_does_not_apply()?;
        let range = TimeRange::new(self.from_s, self.until_s)?;
        let wrong = || CatalogueError::Audience {
            question: self.question,
            audience: self.question.audience(),
        };
        Ok(match (self.question, asker) {
            (Q::Features, Asker::Platform(s)) => {
                let mut q = FeatureStats::new(s, range);
                if let Some(f) = &self.feature {
                    q = q.feature(f)?;
                }
                Asked::Features(q)
            }
            (Q::RequestsPerHour, Asker::Platform(s)) => {
                Asked::RequestsPerHour(RequestsPerHour::new(s, range))
            }
            (Q::ErrorsPerHour, Asker::Platform(s)) => {
                Asked::ErrorsPerHour(ErrorRatePerFeatureHour::new(s, range))
            }
            (Q::Health, Asker::Platform(s)) => Asked::Health(WorkerHealth::new(
                s,
                range,
                self.window_s.unwrap_or(DEFAULT_HEALTH_WINDOW_S),
            )),
            (Q::SlowestEndpoints, Asker::Platform(s)) => {
                let mut q = SlowestEndpoints::new(s, range);
                if let Some(f) = &self.feature {
                    q = q.feature(f)?;
                }
                Asked::SlowestEndpoints(q)
            }
            (Q::ErroringEndpoints, Asker::Platform(s)) => {
                let mut q = MostErroringEndpoints::new(s, range);
                if let Some(f) = &self.feature {
                    q = q.feature(f)?;
                }
                Asked::ErroringEndpoints(q)
            }
            (Q::Builds, Asker::Platform(s)) => Asked::Builds(BuildStats::for_platform(s, range)),
            (Q::Builds, Asker::Operator(o)) => Asked::Builds(BuildStats::fleet(o, range)),
            (Q::Jobs, Asker::Operator(o)) => Asked::Jobs(JobStats::new(o, range)),
            (Q::FailedJobs, Asker::Operator(o)) => {
                let mut q = FailedJobs::new(o, range);
                if let Some(id) = &self.job_id {
                    q = q.job_id(id)?;
                }
                Asked::FailedJobs(q)
            }
            (Q::Services, Asker::Operator(o)) => Asked::Services(ServiceStats::new(o, range)),
            (Q::Registry, Asker::Operator(o)) => Asked::Registry(RegistryLatency::new(o, range)),
            (Q::Fleet, Asker::Operator(o)) => {
                Asked::Fleet(FleetOverview::new(o, &self.platforms, range))
            }
            (Q::Heatmap, Asker::Operator(o)) => {
                let bucket = Bucket::new(self.bucket_s.unwrap_or(DEFAULT_HEATMAP_BUCKET_S))?;
                Asked::Heatmap {
                    starts: bucket.starts(&range),
                    question: IncidentHeatmap::new(o, &self.platforms, range, bucket),
                }
            }
            _ => return Err(wrong()),
        })
    }
}

/// A typed question of the catalogue.
#[derive(Debug)]
pub enum Asked {
    /// `features`.
    Features(FeatureStats),
    /// `requests-per-hour`.
    RequestsPerHour(RequestsPerHour),
    /// `errors-per-hour`.
    ErrorsPerHour(ErrorRatePerFeatureHour),
    /// `health` (its [`WorkerHealth::window`] says what it judged on).
    Health(WorkerHealth),
    /// `slowest-endpoints`.
    SlowestEndpoints(SlowestEndpoints),
    /// `erroring-endpoints`.
    ErroringEndpoints(MostErroringEndpoints),
    /// `builds`.
    Builds(BuildStats),
    /// `jobs`.
    Jobs(JobStats),
    /// `failed-jobs`.
    FailedJobs(FailedJobs),
    /// `services`.
    Services(ServiceStats),
    /// `registry`.
    Registry(RegistryLatency),
    /// `fleet`.
    Fleet(FleetOverview),
    /// `heatmap`, with the start of every bucket of its range (a grid's columns).
    Heatmap {
        /// The question.
        question: IncidentHeatmap,
        /// Every bucket's start, Unix seconds.
        starts: Vec<i64>,
    },
}

impl Asked {
    /// Its plans (what `--sql` prints).
    pub fn plans(&self) -> Vec<Plan> {
        match self {
            Asked::Features(q) => q.plans(),
            Asked::RequestsPerHour(q) => q.plans(),
            Asked::ErrorsPerHour(q) => q.plans(),
            Asked::Health(q) => q.plans(),
            Asked::SlowestEndpoints(q) => q.plans(),
            Asked::ErroringEndpoints(q) => q.plans(),
            Asked::Builds(q) => q.plans(),
            Asked::Jobs(q) => q.plans(),
            Asked::FailedJobs(q) => q.plans(),
            Asked::Services(q) => q.plans(),
            Asked::Registry(q) => q.plans(),
            Asked::Fleet(q) => q.plans(),
            Asked::Heatmap { question, .. } => question.plans(),
        }
    }

    /// Asks `engine`.
    pub async fn ask(&self, engine: &dyn Engine) -> Result<Answer, QueryError> {
        Ok(match self {
            Asked::Features(q) => Answer::Features(q.ask(engine).await?),
            Asked::RequestsPerHour(q) => Answer::RequestsPerHour(q.ask(engine).await?),
            Asked::ErrorsPerHour(q) => Answer::ErrorsPerHour(q.ask(engine).await?),
            Asked::Health(q) => Answer::Health(q.ask(engine).await?),
            Asked::SlowestEndpoints(q) => Answer::Endpoints(q.ask(engine).await?),
            Asked::ErroringEndpoints(q) => Answer::Endpoints(q.ask(engine).await?),
            Asked::Builds(q) => Answer::Builds(q.ask(engine).await?),
            Asked::Jobs(q) => Answer::Jobs(q.ask(engine).await?),
            Asked::FailedJobs(q) => Answer::FailedJobs(q.ask(engine).await?),
            Asked::Services(q) => Answer::Services(q.ask(engine).await?),
            Asked::Registry(q) => Answer::Registry(q.ask(engine).await?),
            Asked::Fleet(q) => Answer::Fleet(worst_first(q.ask(engine).await?)),
            Asked::Heatmap { question, .. } => Answer::Heatmap(question.ask(engine).await?),
        })
    }
}

/// The fleet's rows by 5xx rate, worst first (a platform without requests last), then by id:
/// the platform to look at is on the first line.
fn worst_first(mut rows: Vec<FleetRow>) -> Vec<FleetRow> {
    rows.sort_by(|a, b| {
        let rate = |r: &FleetRow| r.error_rate.unwrap_or(f64::NEG_INFINITY);
        rate(b)
            .total_cmp(&rate(a))
            .then_with(|| a.platform.cmp(&b.platform))
    });
    rows
}

/// A question's answer: its rows, serialised as a JSON array of them.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    /// `features`.
    Features(Vec<FeatureStatsRow>),
    /// `requests-per-hour`.
    RequestsPerHour(Vec<HourRow>),
    /// `errors-per-hour`.
    ErrorsPerHour(Vec<FeatureHourRow>),
    /// `health`.
    Health(Vec<HealthRow>),
    /// `slowest-endpoints`, `erroring-endpoints`.
    Endpoints(Vec<EndpointRow>),
    /// `builds`.
    Builds(Vec<BuildRow>),
    /// `jobs`.
    Jobs(Vec<JobRow>),
    /// `failed-jobs`.
    FailedJobs(Vec<FailedJob>),
    /// `services`.
    Services(Vec<ServiceRow>),
    /// `registry`.
    Registry(Vec<RegistryRow>),
    /// `fleet`, worst platform first.
    Fleet(Vec<FleetRow>),
    /// `heatmap`.
    Heatmap(Vec<HeatCell>),
}

/// What a host does with an answer's rows, whatever their type (print them, count them): see
/// [`Answer::visit`].
pub trait Rows {
    /// The result.
    type Output;
    /// Takes the rows.
    fn rows<R: Tabular + Serialize>(self, rows: &[R]) -> Self::Output;
}

impl Answer {
    /// Hands the rows, typed, to `visitor`.
    ///
    /// ```
    /// use nno_obs_query::catalogue::{Answer, Rows};
    /// use nno_obs_query::Tabular;
    ///
    /// struct Count;
    /// impl Rows for Count {
    ///     type Output = usize;
    ///     fn rows<R: Tabular + serde::Serialize>(self, rows: &[R]) -> usize { rows.len() }
    /// }
    /// assert_eq!(Answer::Jobs(Vec::new()).visit(Count), 0);
    /// ```
    pub fn visit<V: Rows>(&self, visitor: V) -> V::Output {
        match self {
            Answer::Features(rows) => visitor.rows(rows),
            Answer::RequestsPerHour(rows) => visitor.rows(rows),
            Answer::ErrorsPerHour(rows) => visitor.rows(rows),
            Answer::Health(rows) => visitor.rows(rows),
            Answer::Endpoints(rows) => visitor.rows(rows),
            Answer::Builds(rows) => visitor.rows(rows),
            Answer::Jobs(rows) => visitor.rows(rows),
            Answer::FailedJobs(rows) => visitor.rows(rows),
            Answer::Services(rows) => visitor.rows(rows),
            Answer::Registry(rows) => visitor.rows(rows),
            Answer::Fleet(rows) => visitor.rows(rows),
            Answer::Heatmap(rows) => visitor.rows(rows),
        }
    }
}
