//! `nno-obs query`: the metrics questions (the dashboards' numbers, seed §3.3, §7, §8) on the
//! local store or Analytics Engine.

use crate::format::{colour_on, Format, FormatArg};
use crate::metrics_output::emit;
use crate::{filters, Failure};
use clap::{Args, ValueEnum};
use nno_obs_cloudflare::{NativeTransport, Secret};
use nno_obs_query::client::SqlApi;
use nno_obs_query::local::LocalEngine;
use nno_obs_query::questions::*;
use nno_obs_query::{Bucket, Engine, OperatorScope, PlatformScope, Question, Tabular, TimeRange};
use nno_obs_store::layout::PlatformId;
use serde::Serialize;
use std::io::{self, Write};
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
    /// ok / degraded / failing per Worker on its 5xx rate in the last --window, or silent
    /// without a request in that window's last 2 minutes (platform; §7.1, §6.2).
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
    /// With --cfae or --sql (ignored locally): the account's dialect, written by
    /// `nno-obs cfae check --write FILE` (default: ClickHouse's spellings).
    #[arg(long, value_name = "FILE", env = "NNO_OBS_CFAE_DIALECT")]
    dialect: Option<PathBuf>,
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
            Ok(Box::new(api.with_dialect(self.dialect()?)))
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

    /// The dialect of `--dialect FILE`, else ClickHouse's.
    pub fn dialect(&self) -> Result<nno_obs_query::dialect::Dialect, Failure> {
        let Some(path) = &self.dialect else {
            return Ok(nno_obs_query::dialect::Dialect::CLICKHOUSE);
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure(format!("--dialect {}: {e}", path.display())))?;
        nno_obs_query::dialect::Dialect::from_json(&text)
            .map_err(|e| Failure(format!("--dialect {}: {e}", path.display())))
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
    /// The recent window `health` judges the 5xx rate on (default 15m); a Worker without a
    /// request in its last 2 minutes reads silent whatever the window (seed §6.2).
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
    #[command(flatten)]
    format: FormatArg,
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
    let format = args.format.pick(
        "query",
        &[Format::Table, Format::Json, Format::Ndjson, Format::Csv],
    )?;
    let range = range(&args.range, args.until.as_deref())?;
    // Before anything is asked (after the arguments are checked): a missing store or a range
    // without data is said as such, never answered with empty rows.
    let platforms = args
        .platform
        .iter()
        .map(|p| PlatformId::parse(p))
        .collect::<Result<Vec<_>, _>>()?;
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
        )?;
        // A platform the store has no data for is said as such, with the platforms it has,
        // never answered with empty rows that read like a quiet platform.
        let known = LocalEngine::new(store).platforms()?;
        if let Some(unknown) = platforms.iter().find(|p| !known.contains(p)) {
            let list: Vec<&str> = known.iter().map(PlatformId::as_str).collect();
            return Err(Failure::no_data(format!(
                "for platform {unknown} in the store at {} (platforms with data: {})",
                store.display(),
                if list.is_empty() {
                    "none".to_owned()
                } else {
                    list.join(", ")
                }
            )));
        }
        Ok(())
    };
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
                platforms.clone()
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
        format,
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
            let question = WorkerHealth::new(s, range, window);
            run.go(&question, |r| r)?;
            if !args.sql {
                writeln!(io::stderr(), "{}", health_window(&question))?;
            }
            Ok(())
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
        (Scope::Operator(o, list), W::Fleet) => run.go_drawn(
            &FleetOverview::new(o, list, range),
            worst_first,
            |out, rows, format, colour| {
                if format == Format::Table {
                    writeln!(out, "platforms by 5xx rate, worst first")?;
                }
                emit(out, rows, format, colour)
            },
        ),
        (Scope::Operator(o, list), W::Heatmap) => {
            let name = args.bucket.as_deref().unwrap_or("1h");
            let bucket = Bucket::new(nno_obs_query::time_range::parse_length(name)?)?;
            let starts = bucket.starts(&range);
            run.go_drawn(
                &IncidentHeatmap::new(o, list, range, bucket),
                |r| r,
                |out, rows, format, colour| match format {
                    Format::Table => crate::heatmap_grid::write(
                        out,
                        rows,
                        &starts,
                        (name, bucket.seconds()),
                        crate::log_table::output_width(),
                        colour,
                    ),
                    _ => emit(out, rows, format, colour),
                },
            )
        }
        _ => Err(Failure("this question does not take that scope".into())),
    }
}

/// The line that says what `health` judged: its window and when a Worker reads silent.
fn health_window(question: &WorkerHealth) -> String {
    let (from, until) = question.window();
    format!(
        "health judged on {} → {} ({}); silent: no request in its last {} (seed §6.2)",
        nno_obs_api::time::format_s(from),
        nno_obs_api::time::format_s(until),
        length(until - from),
        length(SILENT_AFTER_S.min(until - from)),
    )
}

/// `15m`, `2h`, `90s`: a length as `--window` takes it.
fn length(seconds: i64) -> String {
    match seconds {
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
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
    format: Format,
    /// The store's check, made once the question is built (its arguments checked).
    check_data: &'a dyn Fn() -> Result<(), Failure>,
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

impl Runner<'_> {
    fn go<Q, R>(&self, question: &Q, rows: impl Fn(Q::Answer) -> Vec<R>) -> Result<(), Failure>
    where
        Q: Question,
        R: Tabular + Serialize,
    {
        self.go_drawn(question, rows, |out, rows, format, colour| {
            emit(out, rows, format, colour)
        })
    }

    /// As [`go`](Self::go), the answer printed by `draw` (given the format and whether to
    /// colour).
    fn go_drawn<Q, R>(
        &self,
        question: &Q,
        rows: impl Fn(Q::Answer) -> Vec<R>,
        draw: impl Fn(&mut dyn Write, &[R], Format, bool) -> io::Result<()>,
    ) -> Result<(), Failure>
    where
        Q: Question,
        R: Tabular + Serialize,
    {
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        if self.args.sql {
            let dialect = self.args.engine.dialect()?;
            for plan in question.plans() {
                writeln!(out, "{};", plan.sql_in(&dialect))?;
            }
            out.flush()?;
            return Ok(());
        }
        (self.check_data)()?;
        let engine = self.args.engine.engine()?;
        let answer = rows(pollster::block_on(question.ask(engine.as_ref()))?);
        warn_skipped_rows(engine.as_ref(), &self.args.engine.store)?;
        let colour = self.format == Format::Table && colour_on(&stdout);
        draw(&mut out, &answer, self.format, colour)?;
        out.flush()?;
        Ok(())
    }
}
