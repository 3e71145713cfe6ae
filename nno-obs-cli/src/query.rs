//! `nno-obs query`: the metrics questions (the dashboards' numbers, seed §3.3, §7, §8) on the
//! local store or Analytics Engine.

use crate::metrics_output::{emit, Format};
use crate::{filters, Failure};
use clap::{Args, ValueEnum};
use nno_obs_cloudflare::{NativeTransport, Secret};
use nno_obs_query::client::SqlApi;
use nno_obs_query::local::LocalEngine;
use nno_obs_query::questions::*;
use nno_obs_query::{Bucket, Engine, OperatorScope, PlatformScope, Question, Tabular, TimeRange};
use nno_obs_store::layout::PlatformId;
use serde::Serialize;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

/// The questions, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Which {
    /// Per feature: requests, req/min, 5xx rate, mean/p50/p95/p99 (platform; §3.3, §7.2).
    Features,
    /// Requests per hour, every hour of the range (platform; §7.1).
    RequestsPerHour,
    /// 5xx rate per feature per hour (platform; §7.1).
    ErrorsPerHour,
    /// ok / degraded / failing / silent per Worker from the last --window (platform; §7.1).
    Health,
    /// The 10 slowest endpoints by p95 (platform; §7.2).
    SlowestEndpoints,
    /// The 10 most-erroring endpoints (platform; §7.2).
    ErroringEndpoints,
    /// Pages builds: success rate and duration (platform, or every platform; §5.2).
    Builds,
    /// Provisioning per operation: success rate, p50/p95 (operator; §3.3, §8.2, §5.1).
    Jobs,
    /// Failed provisioning jobs with their steps (operator; §8.2).
    FailedJobs,
    /// Per core service: error rate, p95/p99 — the gateway's SLOs (operator; §5.1).
    Services,
    /// Registry read/write p99 (operator; §5.1).
    Registry,
    /// One row per platform: Workers seen, 5xx rate (operator; §8.1).
    Fleet,
    /// Platform × time bucket → 5xx rate (operator; §8.1).
    Heatmap,
}

/// Where a question runs.
#[derive(Args, Clone)]
pub struct EngineArgs {
    /// Evaluate over the local store (the default).
    #[arg(long, conflicts_with = "cfae")]
    local: bool,
    /// Send the SQL to Analytics Engine's SQL API (CF_ACCOUNT_ID and CF_API_TOKEN from the
    /// environment).
    #[arg(long)]
    cfae: bool,
    /// The local store.
    #[arg(long, env = "NNO_OBS_STORE", default_value = "target/nno-obs-store")]
    pub store: PathBuf,
}

impl EngineArgs {
    pub fn engine(&self) -> Result<Box<dyn Engine + Send + Sync>, Failure> {
        if self.cfae {
            let account = std::env::var("CF_ACCOUNT_ID")
                .map_err(|_| Failure("--cfae needs CF_ACCOUNT_ID in the environment".into()))?;
            let token = std::env::var("CF_API_TOKEN")
                .map_err(|_| Failure("--cfae needs CF_API_TOKEN in the environment".into()))?;
            let api = SqlApi::new(NativeTransport::cloudflare(), &account, Secret::new(token))?;
            Ok(Box::new(api))
        } else {
            Ok(Box::new(LocalEngine::new(&self.store)))
        }
    }

    /// As [`engine`](Self::engine), for many questions over the same data: locally, each
    /// dataset is read once and kept in memory.
    pub fn engine_for_many_questions(&self) -> Result<Box<dyn Engine + Send + Sync>, Failure> {
        if self.cfae {
            self.engine()
        } else {
            Ok(Box::new(nno_obs_query::memory::MemoryEngine::new(
                &self.store,
            )))
        }
    }

    pub fn is_local(&self) -> bool {
        !self.cfae
    }
}

/// Prints one warning on stderr when `engine` could not read some stored rows (lines of the
/// local store's points files that are not rows), so a number is never short without a word.
pub fn warn_skipped_rows(engine: &dyn Engine, store: &std::path::Path) -> Result<(), Failure> {
    let skipped = engine.skipped_rows();
    if skipped > 0 {
        writeln!(
            io::stderr(),
            "warning: {skipped} line(s) of the points files in {} are not rows (not JSON, torn, \
             or a timestamp that is no time) and were skipped",
            store.display()
        )?;
    }
    Ok(())
}

/// The range: `--range` ending at `--until` (default now), whole seconds.
pub fn range(length: &str, until: Option<&str>) -> Result<TimeRange, Failure> {
    let until_ms = match until {
        Some(text) => filters::parse_time(text)?,
        None => filters::now_ms(),
    };
    Ok(TimeRange::ending((until_ms / 1000) as i64, length)?)
}

#[derive(Args)]
pub struct QueryArgs {
    /// The question.
    #[arg(value_enum)]
    question: Which,
    /// The platform (platform questions); for fleet and heatmap, repeat to choose platforms
    /// (default: every platform in the local store).
    #[arg(long)]
    platform: Vec<String>,
    /// The range's length, e.g. 15m, 24h, 7d.
    #[arg(
        long = "since",
        alias = "range",
        value_name = "DURATION",
        default_value = "24h"
    )]
    range: String,
    /// The range's end (RFC 3339, a date, now or now-2h; exclusive; default: now).
    #[arg(long, value_name = "TIME")]
    until: Option<String>,
    /// Only this feature (features, slowest-endpoints, erroring-endpoints).
    #[arg(long)]
    feature: Option<String>,
    /// The recent window of `health` (default 15m).
    #[arg(long)]
    window: Option<String>,
    /// The bucket of `heatmap` (1m, 5m, 10m, 15m, 30m, 1h, 2h, 3h, 4h, 6h, 12h, 24h; default 1h).
    #[arg(long)]
    bucket: Option<String>,
    /// Only this job (`failed-jobs`), by the id its points carry, e.g. job-prov-0001.
    #[arg(long, value_name = "ID")]
    job_id: Option<String>,
    #[command(flatten)]
    engine: EngineArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Print the rendered SQL instead of running it.
    #[arg(long)]
    sql: bool,
}

enum Scope {
    Platform(PlatformScope),
    Operator(OperatorScope, Vec<PlatformId>),
}

pub fn query(args: QueryArgs) -> Result<(), Failure> {
    refuse_flags_that_do_not_apply(&args)?;
    let range = range(&args.range, args.until.as_deref())?;
    // Before anything is asked (after the arguments are checked): a missing store or a range
    // without data is said as such, never answered with empty rows.
    let check_data = || -> Result<(), Failure> {
        if !args.engine.is_local() || args.sql {
            return Ok(());
        }
        let store = &args.engine.store;
        let found = crate::store::open(store)?;
        crate::store::require_points(
            store,
            &found,
            range.from_s() as u64 * 1000,
            range.until_s() as u64 * 1000,
        )
    };
    let platforms = args
        .platform
        .iter()
        .map(|p| PlatformId::parse(p))
        .collect::<Result<Vec<_>, _>>()?;
    use Which as W;
    let platform_question = matches!(
        args.question,
        W::Features
            | W::RequestsPerHour
            | W::ErrorsPerHour
            | W::Health
            | W::SlowestEndpoints
            | W::ErroringEndpoints
    );
    let scope = match (platform_question, args.question, platforms.as_slice()) {
        (true, _, [one]) | (false, W::Builds, [one]) => {
            Scope::Platform(PlatformScope::new(one.clone()))
        }
        (true, _, _) => {
            return Err(Failure(format!(
                "{:?} is a platform question: give one --platform ID",
                args.question
            )))
        }
        (false, W::Fleet | W::Heatmap, _) => {
            let list = if platforms.is_empty() && args.engine.is_local() && !args.sql {
                LocalEngine::new(&args.engine.store).platforms()?
            } else {
                platforms
            };
            if list.is_empty() {
                // No platform in the store: say why (no store, no data) before asking for one.
                check_data()?;
                return Err(Failure(
                    "no platform: give --platform ID (repeatable)".into(),
                ));
            }
            Scope::Operator(OperatorScope::new(), list)
        }
        (false, _, []) => Scope::Operator(OperatorScope::new(), Vec::new()),
        (false, _, _) => {
            return Err(Failure(format!(
                "{:?} is an operator question: it takes no --platform",
                args.question
            )))
        }
    };
    let run = Runner {
        args: &args,
        check_data: &check_data,
    };
    match (&scope, args.question) {
        (Scope::Platform(s), W::Features) => {
            let mut q = FeatureStats::new(s, range);
            if let Some(f) = &args.feature {
                q = q.feature(f)?;
            }
            run.go(&q, |rows| rows)
        }
        (Scope::Platform(s), W::RequestsPerHour) => run.go(&RequestsPerHour::new(s, range), |r| r),
        (Scope::Platform(s), W::ErrorsPerHour) => {
            run.go(&ErrorRatePerFeatureHour::new(s, range), |r| r)
        }
        (Scope::Platform(s), W::Health) => {
            let window =
                nno_obs_query::time_range::parse_length(args.window.as_deref().unwrap_or("15m"))?;
            run.go(&WorkerHealth::new(s, range, window), |r| r)
        }
        (Scope::Platform(s), W::SlowestEndpoints) => {
            let mut q = SlowestEndpoints::new(s, range);
            if let Some(f) = &args.feature {
                q = q.feature(f)?;
            }
            run.go(&q, |r| r)
        }
        (Scope::Platform(s), W::ErroringEndpoints) => {
            let mut q = MostErroringEndpoints::new(s, range);
            if let Some(f) = &args.feature {
                q = q.feature(f)?;
            }
            run.go(&q, |r| r)
        }
        (Scope::Platform(s), W::Builds) => run.go(&BuildStats::for_platform(s, range), |r| r),
        (Scope::Operator(o, _), W::Builds) => run.go(&BuildStats::fleet(o, range), |r| r),
        (Scope::Operator(o, _), W::Jobs) => run.go(&JobStats::new(o, range), |r| r),
        (Scope::Operator(o, _), W::FailedJobs) => {
            let mut q = FailedJobs::new(o, range);
            if let Some(id) = &args.job_id {
                q = q.job_id(id)?;
            }
            run.go(&q, |r| r)
        }
        (Scope::Operator(o, _), W::Services) => run.go(&ServiceStats::new(o, range), |r| r),
        (Scope::Operator(o, _), W::Registry) => run.go(&RegistryLatency::new(o, range), |r| r),
        (Scope::Operator(o, list), W::Fleet) => run.go(&FleetOverview::new(o, list, range), |r| r),
        (Scope::Operator(o, list), W::Heatmap) => {
            let bucket = Bucket::new(nno_obs_query::time_range::parse_length(
                args.bucket.as_deref().unwrap_or("1h"),
            )?)?;
            run.go(&IncidentHeatmap::new(o, list, range, bucket), |r| r)
        }
        _ => Err(Failure("this question does not take that scope".into())),
    }
}

/// A flag given to a question that does not read it is refused, never silently ignored.
fn refuse_flags_that_do_not_apply(args: &QueryArgs) -> Result<(), Failure> {
    use Which as W;
    let q = args.question;
    let name = q
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default();
    let checks: [(&str, bool, bool, &str); 4] = [
        (
            "--feature",
            args.feature.is_some(),
            matches!(q, W::Features | W::SlowestEndpoints | W::ErroringEndpoints),
            "features, slowest-endpoints and erroring-endpoints",
        ),
        ("--window", args.window.is_some(), q == W::Health, "health"),
        (
            "--bucket",
            args.bucket.is_some(),
            q == W::Heatmap,
            "heatmap",
        ),
        (
            "--job-id",
            args.job_id.is_some(),
            q == W::FailedJobs,
            "failed-jobs",
        ),
    ];
    for (flag, given, applies, to) in checks {
        if given && !applies {
            return Err(Failure(format!(
                "{flag} does not apply to `{name}` (only to {to})"
            )));
        }
    }
    Ok(())
}

struct Runner<'a> {
    args: &'a QueryArgs,
    /// The store's check, made once the question is built (its arguments checked).
    check_data: &'a dyn Fn() -> Result<(), Failure>,
}

impl Runner<'_> {
    fn go<Q, R>(&self, question: &Q, rows: impl Fn(Q::Answer) -> Vec<R>) -> Result<(), Failure>
    where
        Q: Question,
        R: Tabular + Serialize,
    {
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        if self.args.sql {
            for plan in question.plans() {
                writeln!(out, "{};", plan.sql())?;
            }
            out.flush()?;
            return Ok(());
        }
        (self.check_data)()?;
        let engine = self.args.engine.engine()?;
        let answer = rows(pollster::block_on(question.ask(engine.as_ref()))?);
        warn_skipped_rows(engine.as_ref(), &self.args.engine.store)?;
        let colour = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
        emit(&mut out, &answer, self.args.format, colour)?;
        out.flush()?;
        Ok(())
    }
}
