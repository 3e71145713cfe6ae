//! `nno-obs`: the command-line tool of NNO Observability's read side.
//!
//! ```text
//! nno-obs logs search  [FILTERS] [--format table|json|ndjson|csv] [--expand] [--limit N] [--cursor C] [--follow] [PATH…]
//! nno-obs logs export  [FILTERS] --output FILE.json.gz|- [PATH…]
//! nno-obs logs index   [PATH…]
//! nno-obs logs sql     [FILTERS] [--r2-account ID]           the same query as ClickHouse SQL
//! nno-obs store prune  [--until TIME] [--dry-run] [--yes] [--format table|json]
//! nno-obs simulate     [--platforms N] [--hours H] [--seed S] [--until RFC3339] [--dry-run]
//! nno-obs logpush plan [--platform ID] [--account-id ID]
//! nno-obs alerts check --measurements FILE [--config FILE] [--state FILE] [--dry-run]
//! nno-obs query QUESTION [--platform ID] [--range 24h] [--until T] [--local | --cfae] [--format table|json|ndjson|csv] [--sql]
//! nno-obs cfae check  [--endpoint URL] [--write FILE] [--format table|json]
//! nno-obs trace TRACE_ID [--platform ID] [--range 7d] [--until T] [--local | --cfae] [--format table|json]
//! ```
//!
//! Without PATHs the commands work on the local store (`--store`, else `$NNO_OBS_STORE`, else
//! `target/nno-obs-store`); with PATHs (files or R2-layout directories) on those.

mod alerts;
mod alerts_output;
mod alerts_silence;
mod cfae;
mod filters;
mod format;
mod heatmap_grid;
mod log_table;
mod logpush;
mod metrics_output;
mod output;
mod query;
mod serve;
mod simulate;
mod slo;
mod store;
mod trace;

use clap::{Args, Parser, Subcommand, ValueEnum};
use filters::Filters;
use format::{Format, FormatArg};
use nno_obs_logs::follow::{Follower, StoreWatch};
use nno_obs_logs::{LocalSearch, Page, Scope};
use std::cell::{Cell, RefCell};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "nno-obs",
    version,
    about = "NNO Observability: search logs, ask metrics questions, follow traces, check SLOs and alerts, and serve the read API"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Logs: search, export, index.
    #[command(subcommand)]
    Logs(Box<LogsCommand>),
    /// The local store.
    #[command(subcommand)]
    Store(StoreCommand),
    /// Runs a simulated NNO fleet into the local store and prints its incident schedule.
    Simulate(simulate::SimulateArgs),
    /// Logpush into R2: what provisioning sends.
    #[command(subcommand)]
    Logpush(LogpushCommand),
    /// Alerts (seed §6): evaluate, print or deliver what fires and resolves.
    #[command(subcommand)]
    Alerts(alerts::AlertsCommand),
    /// Objectives (seed §5): values, budgets, breaches.
    #[command(subcommand)]
    Slo(slo::SloCommand),
    /// A dashboard number (seed §3.3, §7, §8) from the local store or Analytics Engine.
    Query(Box<query::QueryArgs>),
    /// Analytics Engine's SQL API: which SQL forms the account accepts.
    #[command(subcommand)]
    Cfae(cfae::CfaeCommand),
    /// A trace's spans as a waterfall, then its log lines.
    Trace(Box<trace::TraceArgs>),
    /// Serves the read API (the console's data) over the local store.
    Serve(Box<serve::ServeArgs>),
    /// Prints a bearer token for the API (operator, or a platform's admin).
    Token(serve::TokenArgs),
}

#[derive(Subcommand)]
enum LogpushCommand {
    /// Prints, without sending, the bucket, lifecycle rule and Logpush job(s) provisioning
    /// would create, as JSON.
    Plan(logpush::PlanArgs),
}

#[derive(Subcommand)]
enum LogsCommand {
    /// Finds log entries, ordered by time.
    Search(SearchArgs),
    /// Writes every matching entry to a .json.gz file of Workers Trace Events records (one
    /// record per entry, the store's own format), which `logs search FILE` reads back.
    Export(ExportArgs),
    /// Writes the index sidecar of every .gz file that has none.
    Index(Where),
    /// Prints the search as ClickHouse SQL (file() over the store, or s3() over R2).
    Sql(SqlArgs),
}

#[derive(Subcommand)]
enum StoreCommand {
    /// Deletes what is past retention (nno-logs-internal 90 days, nno-logs-{platformId} 30
    /// days, Analytics Engine datasets 90 days).
    Prune(PruneArgs),
}

#[derive(Args, Clone)]
struct Where {
    /// The local store (default: $NNO_OBS_STORE, else target/nno-obs-store).
    #[arg(long, env = "NNO_OBS_STORE", default_value = "target/nno-obs-store")]
    store: PathBuf,
    /// Files or R2-layout directories to read instead of the store.
    paths: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Color {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

#[derive(Args)]
struct SearchArgs {
    #[command(flatten)]
    filters: Filters,
    #[command(flatten)]
    place: Where,
    // table: one line per entry; json: the read API's `/logs` page (entries, next cursor,
    // what was read, problems); ndjson: each LogEntry as written, with the record's
    // ScriptName, Outcome and Ray; csv: the table's columns.
    #[command(flatten)]
    format: FormatArg,
    /// In the table, show each entry's whole JSON under it.
    #[arg(long)]
    expand: bool,
    /// Most entries per page.
    #[arg(long, default_value_t = 100)]
    limit: usize,
    /// The cursor printed by the previous page.
    #[arg(long)]
    cursor: Option<String>,
    /// Colour in the table.
    #[arg(long, value_enum, default_value = "auto")]
    color: Color,
    /// After the matches so far, keep printing new matching entries as they are written
    /// (woken by the store's changes, at most once a second; Ctrl-C stops).
    #[arg(long)]
    follow: bool,
    /// With --follow, stop after this many catch-ups (for tests and scripts).
    #[arg(long, hide = true)]
    follow_polls: Option<u64>,
}

#[derive(Args)]
struct ExportArgs {
    #[command(flatten)]
    filters: Filters,
    #[command(flatten)]
    place: Where,
    /// The file to write (gzip NDJSON of records); `-` writes to stdout.
    #[arg(long, short)]
    output: PathBuf,
}

#[derive(Args)]
struct SqlArgs {
    #[command(flatten)]
    filters: Filters,
    /// The local store the SQL reads with file().
    #[arg(long, env = "NNO_OBS_STORE", default_value = "target/nno-obs-store")]
    store: PathBuf,
    /// Render s3() over R2 for this Cloudflare account (32 hex digits) instead of file().
    #[arg(long)]
    r2_account: Option<String>,
    /// With --r2-account: a bucket an operator's query reads (repeatable; default
    /// nno-logs-internal). A --platform query reads only nno-logs-{ID}.
    #[arg(long, value_name = "BUCKET")]
    r2_bucket: Vec<String>,
    /// Most rows.
    #[arg(long, default_value_t = 100)]
    limit: usize,
}

#[derive(Args)]
struct PruneArgs {
    /// The local store.
    #[arg(long, env = "NNO_OBS_STORE", default_value = "target/nno-obs-store")]
    store: PathBuf,
    /// The time to prune at (RFC 3339, a date, now or now-2h; default: now).
    #[arg(long = "until", alias = "now", value_name = "TIME")]
    now: Option<String>,
    /// Print what would be removed; remove nothing.
    #[arg(long)]
    dry_run: bool,
    /// Remove without asking (needed when not on a terminal).
    #[arg(long, short)]
    yes: bool,
    // table: one sentence; json: the same counts as one object.
    #[command(flatten)]
    format: FormatArg,
}

/// What `store prune --format json` prints.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct PruneView {
    /// The time pruned at.
    at: String,
    /// Whether the files are gone (false: a dry run, or the question answered no).
    removed: bool,
    /// Files.
    files: u64,
    /// Their bytes.
    bytes: u64,
    /// Logpush `{DATE}` folders.
    day_folders: u64,
    /// `{DATE}/{HOUR}` folders.
    hour_folders: u64,
}

/// Why a command did not answer: a message for stderr and the exit status.
///
/// | status | meaning |
/// |---|---|
/// | 0 | answered (or its reader closed the pipe: `nno-obs … \| head`) |
/// | 1 | failed: bad input, a missing store, an engine error — the message says which |
/// | 2 | the command line itself is wrong (clap) |
/// | 3 | no data where it looked: neither healthy nor failing, unknown |
pub(crate) struct Failure {
    pub(crate) message: String,
    pub(crate) status: u8,
}

/// A failure with status 1 (the constructor every command uses: `Failure(format!(…))`).
#[allow(non_snake_case)]
pub(crate) fn Failure(message: String) -> Failure {
    Failure { message, status: 1 }
}

/// Exit status 3: nothing to judge where the command looked.
pub(crate) const NO_DATA: u8 = 3;

impl Failure {
    /// No data where the command looked (exit status 3).
    pub(crate) fn no_data(message: String) -> Self {
        Failure {
            message,
            status: NO_DATA,
        }
    }
}

impl<E: std::fmt::Display + 'static> From<E> for Failure {
    fn from(error: E) -> Self {
        let any: &dyn std::any::Any = &error;
        match any.downcast_ref::<io::Error>() {
            // A write to a closed pipe (`nno-obs logs search | head`): not an error to
            // report — the reader has what it wanted — so the tool stops quietly, as `rg` does.
            Some(io) if io.kind() == io::ErrorKind::BrokenPipe => Failure {
                message: String::new(),
                status: 0,
            },
            _ => Failure(error.to_string()),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Logs(logs) => match *logs {
            LogsCommand::Search(args) => search(args),
            LogsCommand::Export(args) => export(args),
            LogsCommand::Index(place) => index(place),
            LogsCommand::Sql(args) => sql(args),
        },
        Command::Store(StoreCommand::Prune(args)) => prune(args),
        Command::Simulate(args) => simulate::simulate(args),
        Command::Logpush(LogpushCommand::Plan(args)) => logpush::plan(args),
        Command::Alerts(command) => alerts::run(command),
        Command::Slo(command) => slo::run(command),
        Command::Query(args) => query::query(*args),
        Command::Cfae(command) => cfae::run(command),
        Command::Trace(args) => trace::trace(*args),
        Command::Serve(args) => serve::serve(*args),
        Command::Token(args) => serve::token(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) if failure.status == 0 => ExitCode::SUCCESS,
        Err(failure) if failure.status == NO_DATA => {
            let _ = writeln!(io::stderr(), "no data: {}", failure.message);
            ExitCode::from(NO_DATA)
        }
        Err(failure) => {
            let _ = writeln!(io::stderr(), "error: {}", failure.message);
            ExitCode::from(failure.status)
        }
    }
}

/// The search over the store (through the filters' scope) or over given paths.
fn open_search(place: &Where, filters: &Filters) -> Result<LocalSearch, Failure> {
    filters.check_paths(&place.paths)?;
    if !place.paths.is_empty() {
        return Ok(LocalSearch::paths(&place.paths)?);
    }
    if !place.store.is_dir() {
        return Err(Failure(format!(
            "no store at {} (give --store DIR or files to read)",
            place.store.display()
        )));
    }
    let operator = store::operator(&place.store)?;
    let scope: Box<dyn Scope> = match filters.platform_id()? {
        Some(platform) => Box::new(operator.platform(platform)),
        None => Box::new(operator),
    };
    Ok(LocalSearch::store(&place.store, scope.as_ref())?)
}

fn search(args: SearchArgs) -> Result<(), Failure> {
    if args.limit == 0 {
        return Err(Failure("--limit must be at least 1".into()));
    }
    let format = args.format.pick(
        "logs search",
        &[Format::Table, Format::Json, Format::Ndjson, Format::Csv],
    )?;
    if args.follow && format == Format::Json {
        // One JSON document cannot grow as entries arrive; a line per entry can.
        return Err(Failure(
            "--follow cannot write one JSON document: use --format ndjson (one JSON object per entry, per line)"
                .into(),
        ));
    }
    let query = args.filters.query()?;
    let search = open_search(&args.place, &args.filters)?;
    let cursor = match &args.cursor {
        Some(text) => Some(search.cursor(text, &query)?),
        None => None,
    };
    let stdout = io::stdout();
    let colour = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => format::colour_on(&stdout),
    };
    let look = log_table::Look {
        width: log_table::output_width(),
        colour,
    };
    // One table (and one CSV header) across a followed search's batches.
    let table = RefCell::new(match args.follow {
        true => log_table::LogTable::following(look),
        false => log_table::LogTable::new(look),
    });
    let csv_header_written = Cell::new(false);
    let print = |page: &Page| -> Result<(), Failure> {
        let mut out = io::BufWriter::new(io::stdout().lock());
        match format {
            Format::Table => {
                output::table(&mut out, &mut table.borrow_mut(), &page.hits, args.expand)?
            }
            Format::Ndjson => output::ndjson(&mut out, &page.hits)?,
            Format::Json => output::json(&mut out, page)?,
            Format::Csv => {
                // Followed, the header waits for the first entry, as the table's does.
                let waiting = args.follow && page.hits.is_empty();
                if !csv_header_written.get() && !waiting {
                    output::csv_header(&mut out)?;
                    csv_header_written.set(true);
                }
                output::csv(&mut out, &page.hits)?
            }
        }
        out.flush()?;
        output::report_problems(&mut io::stderr(), page)?;
        Ok(())
    };
    let page = search.run(&query, cursor.as_ref(), args.limit);
    print(&page)?;
    warn_untimed(&page)?;
    if !args.follow {
        if format != Format::Json {
            if let Some(next) = &page.next {
                writeln!(io::stderr(), "more: --cursor {next}")?;
            }
        }
        return Ok(());
    }
    // Following (nno_obs_logs::follow): every entry after the last one printed, as the store
    // grows; between catch-ups the process sleeps until the store's files change.
    let watched = if args.place.paths.is_empty() {
        vec![args.place.store.clone()]
    } else {
        args.place.paths.clone()
    };
    let watch = StoreWatch::new(&watched);
    if let Some(problem) = watch.problem() {
        writeln!(
            io::stderr(),
            "warning: cannot watch for new entries ({problem}); looking every {} s instead",
            nno_obs_logs::follow::POLL_UNWATCHED.as_secs()
        )?;
    }
    let start = last_position(&search, &query, &page, cursor);
    let mut follower = Follower::new(query, start, args.limit, watch);
    let mut polls = 0u64;
    loop {
        follower.catch_up(|| open_search(&args.place, &args.filters), &print)?;
        polls += 1;
        if args.follow_polls.is_some_and(|most| polls >= most) {
            return Ok(());
        }
        // A range that has ended gets no new entries to follow: what is there is printed.
        if follower.range_has_ended(filters::now_ms()) {
            return Ok(());
        }
        follower.wait();
    }
}

/// One warning when the time range hid entries that match everything else but have no time
/// at all (a record without `EventTimestampMs` whose lines carry no `timestamp`): an empty
/// answer is never silent about them.
fn warn_untimed(page: &Page) -> Result<(), Failure> {
    if page.untimed_matches > 0 {
        writeln!(
            io::stderr(),
            "warning: {} matching entries have no time, so no time range includes them \
             (search without --since/--from/--to to see them)",
            page.untimed_matches
        )?;
    }
    Ok(())
}

/// The cursor after the last entry of `page` (or `previous` when it had none).
fn last_position(
    search: &LocalSearch,
    query: &nno_obs_logs::LogQuery,
    page: &Page,
    previous: Option<nno_obs_logs::Cursor>,
) -> Option<nno_obs_logs::Cursor> {
    match page.hits.last() {
        Some(hit) => Some(nno_obs_logs::Cursor::new(
            query,
            search.scope_name(),
            hit.key.clone(),
        )),
        None => previous,
    }
}

fn export(args: ExportArgs) -> Result<(), Failure> {
    let query = args.filters.query()?;
    let search = open_search(&args.place, &args.filters)?;
    let to_stdout = args.output.as_os_str() == "-";
    let sink: Box<dyn Write> = if to_stdout {
        Box::new(io::stdout().lock())
    } else {
        let file = std::fs::File::create(&args.output)
            .map_err(|e| Failure(format!("{}: {e}", args.output.display())))?;
        Box::new(io::BufWriter::new(file))
    };
    let mut gz = flate2::write::GzEncoder::new(sink, flate2::Compression::default());
    let mut cursor = None;
    let mut written = 0usize;
    loop {
        let page = search.run(&query, cursor.as_ref(), 10_000);
        for hit in &page.hits {
            // A record that reads back as the entry: a search over the export finds it at
            // the same time by the same filters.
            serde_json::to_writer(&mut gz, &nno_obs_logs::export::record_of(&hit.entry))
                .map_err(io::Error::other)?;
            gz.write_all(b"\n")?;
        }
        written += page.hits.len();
        output::report_problems(&mut io::stderr(), &page)?;
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    gz.finish()?.flush()?;
    let place = if to_stdout {
        "stdout".to_owned()
    } else {
        args.output.display().to_string()
    };
    writeln!(io::stderr(), "exported {written} entries to {place}")?;
    Ok(())
}

fn index(place: Where) -> Result<(), Failure> {
    if place.paths.is_empty() {
        return index_store(&place.store);
    }
    // Given files and folders (an operator's own, outside any bucket): each as an object
    // source, indexed by the same call as a bucket.
    let done = LocalSearch::paths(&place.paths)?.build_indexes();
    println!(
        "{} files: {} already indexed, {} indexes written",
        done.objects, done.already, done.written
    );
    Ok(())
}

/// `logs index` over the store: each bucket folder as an object source, indexed by the same
/// library call the `nno-logging` Worker makes over R2 (`sidecars::index_bucket`).
fn index_store(store: &Path) -> Result<(), Failure> {
    use nno_obs_logs::sidecars::{index_bucket, BucketIndexed};
    // A missing store is said as such, never counted as an empty one.
    std::fs::read_dir(store)?;
    let mut total = BucketIndexed::default();
    for (bucket, folder) in nno_obs_api::local::bucket_folders(store) {
        let done = nno_obs_logs::source::now_or_never(index_bucket(&folder))
            .ok_or_else(|| Failure(format!("{}: the folder did not answer", bucket.name())))?
            .map_err(|e| Failure(format!("{}: {e}", bucket.name())))?;
        total.objects += done.objects;
        total.already += done.already;
        total.written += done.written;
    }
    println!(
        "{} files: {} already indexed, {} indexes written",
        total.objects, total.already, total.written
    );
    Ok(())
}

fn sql(args: SqlArgs) -> Result<(), Failure> {
    use nno_obs_logs::sql::{render, SqlSource};
    let query = args.filters.query()?;
    // Over the store, the store's own check; over R2, the statement is only printed, and R2
    // checks the credentials of whoever runs it.
    let operator = match args.r2_account {
        Some(_) => nno_obs_access::remote::operator(),
        None => store::operator(&args.store)?,
    };
    let scope: Box<dyn Scope> = match args.filters.platform_id()? {
        Some(platform) => Box::new(operator.platform(platform)),
        None => Box::new(operator),
    };
    let source = match args.r2_account {
        Some(account_id) => {
            let mut buckets = args
                .r2_bucket
                .iter()
                .map(|name| {
                    nno_obs_store::layout::Bucket::parse(name)
                        .map_err(|e| Failure(format!("--r2-bucket {name:?}: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            if buckets.is_empty() {
                buckets.push(nno_obs_store::layout::Bucket::Internal);
            }
            SqlSource::R2 {
                account_id,
                buckets,
                credentials: None,
            }
        }
        None => SqlSource::Store {
            root: std::path::absolute(&args.store)?.display().to_string(),
        },
    };
    println!("{}", render(&query, scope.as_ref(), &source, args.limit)?);
    Ok(())
}

fn prune(args: PruneArgs) -> Result<(), Failure> {
    use nno_obs_logs::retention::{PruneMode, PruneReport};
    let format = args
        .format
        .pick("store prune", &[Format::Table, Format::Json])?;
    let now = match &args.now {
        Some(text) => filters::parse_time(text)?,
        None => filters::now_ms(),
    };
    crate::store::open(&args.store)?;
    let plan = crate::store::prune(&args.store, now, PruneMode::Count)?;
    let describe = |r: &PruneReport| {
        format!(
            "{} files ({} bytes) in {} day and {} hour folders",
            r.files_removed, r.bytes_removed, r.days_removed, r.hours_removed
        )
    };
    let say = |sentence: &str, report: &PruneReport, removed: bool| {
        let mut out = io::stdout().lock();
        if format == Format::Json {
            let view = PruneView {
                at: nno_obs_store::time::format_rfc3339_ms(now),
                removed,
                files: report.files_removed,
                bytes: report.bytes_removed,
                day_folders: report.days_removed,
                hour_folders: report.hours_removed,
            };
            serde_json::to_writer(&mut out, &view).map_err(io::Error::other)?;
            return writeln!(out);
        }
        writeln!(out, "{sentence}")
    };
    if args.dry_run || plan.files_removed == 0 {
        say(&format!("would remove {}", describe(&plan)), &plan, false)?;
        return Ok(());
    }
    if !args.yes {
        if !io::stdin().is_terminal() {
            return Err(Failure(format!(
                "would remove {} from {}: give --yes to remove them (or --dry-run to list)",
                describe(&plan),
                args.store.display()
            )));
        }
        eprint!(
            "remove {} from {}? [y/N] ",
            describe(&plan),
            args.store.display()
        );
        let mut answer = String::new();
        io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            say("nothing removed", &Default::default(), false)?;
            return Ok(());
        }
    }
    let report = crate::store::prune(&args.store, now, PruneMode::Remove)?;
    say(&format!("removed {}", describe(&report)), &report, true)?;
    Ok(())
}
