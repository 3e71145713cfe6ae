//! `nno-obs query`: the metrics questions (the dashboards' numbers, seed §3.3, §7, §8) on the
//! local store or Analytics Engine.

use crate::format::{colour_on, Format, FormatArg};
use crate::metrics_output::emit;
use crate::{filters, Failure};
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::Args;
use nno_obs_cloudflare::{NativeTransport, Secret};
use nno_obs_query::catalogue::{
    Answer, Asked, Asker, Audience, Param, QuestionName, Request, Rows,
};
use nno_obs_query::client::SqlApi;
use nno_obs_query::local::LocalEngine;
use nno_obs_query::questions::{WorkerHealth, SILENT_AFTER_S};
use nno_obs_query::{Engine, OperatorScope, PlatformScope, Tabular, TimeRange};
use nno_obs_store::layout::PlatformId;
use serde::Serialize;
use std::io::{self, Write};
use std::path::PathBuf;

/// The question argument: one of the catalogue's names (`QuestionName::ALL`), each listed in
/// `--help` with the catalogue's description, so the command line and an API request can never
/// name different questions (DESIGN principle 13).
fn question_parser() -> impl TypedValueParser<Value = QuestionName> {
    PossibleValuesParser::new(
        QuestionName::ALL
            .map(|question| PossibleValue::new(question.name()).help(question.description())),
    )
    // The possible values already refused any other name: the `None` arm is never taken, and
    // says so rather than panic if it were.
    .try_map(|name| QuestionName::from_name(&name).ok_or_else(|| format!("no question {name:?}")))
}

/// Where a question runs.
#[derive(Args, Clone)]
pub struct EngineArgs {
    /// Evaluate over the local store (the default).
    #[arg(long, conflicts_with = "cfae")]
    local: bool,
    /// Send the SQL to Analytics Engine's SQL API (CF_ACCOUNT_ID and CF_ANALYTICS_READ_TOKEN from the
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
            use crate::cfae::{ACCOUNT_ID, READ_TOKEN};
            let account = std::env::var(ACCOUNT_ID)
                .map_err(|_| Failure(format!("--cfae needs {ACCOUNT_ID} in the environment")))?;
            // The SQL API needs Account Analytics: Read only — never seed §10's CF_API_TOKEN,
            // which can edit Logpush jobs.
            let token = std::env::var(READ_TOKEN)
                .map_err(|_| Failure(format!("--cfae needs {READ_TOKEN} in the environment")))?;
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
    #[arg(value_parser = question_parser())]
    question: QuestionName,
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
    let question = args.question;
    // Who asks: over the local store, the store's own check; the SQL API (`--cfae`) and a
    // printed statement (`--sql`) are checked by Cloudflare against the runner's credentials.
    let operator = match args.engine.is_local() && !args.sql {
        true => crate::store::operator(&args.engine.store)?,
        false => nno_obs_access::remote::operator(),
    };
    let scope = match (question.audience(), platforms.as_slice()) {
        (Audience::Platform | Audience::Either, [one]) => {
            Scope::Platform(operator.platform(one.clone()))
        }
        (Audience::Platform, _) => {
            return Err(Failure(format!(
                "`{}` is a platform question: give one --platform ID",
                question.name()
            )))
        }
        (_, _) if question.takes(Param::Platforms) => {
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
            Scope::Operator(operator, list)
        }
        (_, []) => Scope::Operator(operator, Vec::new()),
        (_, _) => {
            return Err(Failure(format!(
                "`{}` is an operator question: it takes no --platform",
                question.name()
            )))
        }
    };
    // The request, as data: what an API caller would send for the same question.
    let mut request = Request::new(question, range);
    request.feature = args.feature.clone();
    request.job_id = args.job_id.clone();
    request.window_s = args.window.as_deref().map(parse_length).transpose()?;
    let bucket_name = args.bucket.as_deref().unwrap_or("1h");
    if question.takes(Param::Bucket) {
        request.bucket_s = Some(parse_length(bucket_name)?);
    }
    let asked = match &scope {
        Scope::Platform(s) => request.build(Asker::Platform(s))?,
        Scope::Operator(o, list) => {
            if question.takes(Param::Platforms) {
                request.platforms = list.clone();
            }
            request.build(Asker::Operator(o))?
        }
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if args.sql {
        let dialect = args.engine.dialect()?;
        for plan in asked.plans() {
            writeln!(out, "{};", plan.sql_in(&dialect))?;
        }
        out.flush()?;
        return Ok(());
    }
    check_data()?;
    let engine = args.engine.engine()?;
    let answer = pollster::block_on(asked.ask(engine.as_ref()))?;
    warn_skipped_rows(engine.as_ref(), &args.engine.store)?;
    let colour = format == Format::Table && colour_on(&stdout);
    match (&answer, &asked) {
        (Answer::Fleet(rows), _) => {
            if format == Format::Table {
                writeln!(out, "platforms by 5xx rate, worst first")?;
            }
            emit(&mut out, rows, format, colour)?;
        }
        (Answer::Heatmap(rows), Asked::Heatmap { starts, .. }) if format == Format::Table => {
            crate::heatmap_grid::write(
                &mut out,
                rows,
                starts,
                (bucket_name, request.bucket_s.unwrap_or_default()),
                crate::log_table::output_width(),
                colour,
            )?;
        }
        _ => answer.visit(Emit {
            out: &mut out,
            format,
            colour,
        })?,
    }
    out.flush()?;
    if let Asked::Health(question) = &asked {
        writeln!(io::stderr(), "{}", health_window(question))?;
    }
    Ok(())
}

/// `15m`, `1h`: a length as `--window` and `--bucket` take it.
fn parse_length(text: &str) -> Result<i64, Failure> {
    Ok(nno_obs_query::time_range::parse_length(text)?)
}

/// Prints any answer's rows in the chosen format.
struct Emit<'a> {
    out: &'a mut dyn Write,
    format: Format,
    colour: bool,
}

impl Rows for Emit<'_> {
    type Output = io::Result<()>;
    fn rows<R: Tabular + Serialize>(self, rows: &[R]) -> io::Result<()> {
        emit(self.out, rows, self.format, self.colour)
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

/// A flag given to a question that does not read it is refused, never silently ignored
/// (which question reads which parameter is the catalogue's).
fn refuse_flags_that_do_not_apply(args: &QueryArgs) -> Result<(), Failure> {
    let q = args.question;
    let checks = [
        ("--feature", args.feature.is_some(), Param::Feature),
        ("--window", args.window.is_some(), Param::Window),
        ("--bucket", args.bucket.is_some(), Param::Bucket),
        ("--job-id", args.job_id.is_some(), Param::JobId),
    ];
    for (flag, given, param) in checks {
        if given && !q.takes(param) {
            let takers: Vec<&str> = QuestionName::ALL
                .iter()
                .filter(|other| other.takes(param))
                .map(|other| other.name())
                .collect();
            let to = match takers.split_last() {
                Some((last, [])) => (*last).to_owned(),
                Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
                None => String::new(),
            };
            return Err(Failure(format!(
                "{flag} does not apply to `{}` (only to {to})",
                q.name()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[derive(Parser)]
    struct Query {
        #[command(flatten)]
        args: QueryArgs,
    }

    /// Every catalogue name parses to its question, and nothing else does (not the Rust
    /// variant's spelling): the command line's names are the catalogue's.
    #[test]
    fn the_question_argument_takes_the_catalogues_names() {
        for question in QuestionName::ALL {
            let parsed = Query::try_parse_from(["query", question.name()]).map(|q| q.args.question);
            assert_eq!(parsed.ok(), Some(question), "{}", question.name());
        }
        for unknown in ["FailedJobs", "failed_jobs", ""] {
            let error = Query::try_parse_from(["query", unknown])
                .err()
                .map(|e| e.kind());
            assert_eq!(
                error,
                Some(clap::error::ErrorKind::InvalidValue),
                "{unknown:?}"
            );
        }
    }

    /// `--help` lists every question with the catalogue's description.
    #[test]
    fn help_lists_each_question_with_its_description() {
        let help = Query::command().render_long_help().to_string();
        for question in QuestionName::ALL {
            // clap wraps long help; compare with whitespace folded.
            let folded = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
            let entry = format!("- {}: {}", question.name(), question.description());
            assert!(folded(&help).contains(&folded(&entry)), "{entry}\n{help}");
        }
    }
}
