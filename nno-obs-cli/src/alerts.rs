//! `nno-obs alerts check`: measures the fleet through the query layer (the local store, or a
//! `--measurements` JSON file), evaluates the rules of seed §6.2, steps the persisted alert
//! state, and prints (`--dry-run`) or delivers what fires and resolves.
//!
//! `nno-obs alerts replay`: the same evaluation once per minute over a past period, on a
//! simulated clock: the timeline of what fired and when it resolved.

use crate::alerts_output::{self, Check};
use crate::format::{colour_on, Format, FormatArg};
use crate::metrics_output::emit;
use crate::{filters, Failure};
use clap::{Args, Subcommand};
use nno_obs_alerts::channel::{texts, Event};
use nno_obs_alerts::deliver::RetryPolicy;
use nno_obs_alerts::job_logs::SearchJobLogs;
use nno_obs_alerts::limits::{FileLimits, TierLimitsSource, UsageLimits};
use nno_obs_alerts::native::{self, NativeConnect, ThreadSleep};
use nno_obs_alerts::observe::{measure, Windows};
use nno_obs_alerts::outbox::{State, Step};
use nno_obs_alerts::records::parse_configs;
use nno_obs_alerts::replay::Replay;
use nno_obs_alerts::route::Destinations;
use nno_obs_alerts::rules::{evaluate, Configs};
use nno_obs_alerts::state::Policy;
use nno_obs_alerts::store::FileStore;
use nno_obs_alerts::Measurements;
use nno_obs_logs::LocalSearch;
use nno_obs_query::local::LocalEngine;
use nno_obs_query::memory::MemoryEngine;
use nno_obs_store::fs::read_registry;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// `nno-obs alerts …`.
#[derive(Subcommand)]
pub enum AlertsCommand {
    /// Evaluates now (or --at): what fires or resolves, and the messages.
    Check(CheckArgs),
    /// Evaluates once per minute over a past period: when each alert fired and resolved.
    Replay(ReplayArgs),
    /// Holds back an alert's (or an id prefix's) notifications for a while, saying why.
    Silence(crate::alerts_silence::SilenceArgs),
    /// Lists the silences in force, with their expiry.
    Silences(crate::alerts_silence::SilencesArgs),
    /// Removes a silence: what it held back pages at the next evaluation if it still holds.
    Unsilence(crate::alerts_silence::UnsilenceArgs),
}

pub fn run(command: AlertsCommand) -> Result<(), Failure> {
    match command {
        AlertsCommand::Check(args) => check(args),
        AlertsCommand::Replay(args) => replay(args),
        AlertsCommand::Silence(args) => crate::alerts_silence::silence(args),
        AlertsCommand::Silences(args) => crate::alerts_silence::silences(args),
        AlertsCommand::Unsilence(args) => crate::alerts_silence::unsilence(args),
    }
}

#[derive(Args)]
pub struct CheckArgs {
    /// The platforms' alert configurations (seed §6.1): one JSON AlertConfig, an array of them, or
    /// the nno-logging Worker's KV record `{"{platformId}": AlertConfig, …}`.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Measurements from a JSON file (nno_obs_alerts::Measurements) instead of the store.
    #[arg(long)]
    measurements: Option<PathBuf>,
    /// The local store measured (its points, its logs, its Registry copy).
    #[arg(long, env = "NNO_OBS_STORE", default_value = "target/nno-obs-store")]
    store: PathBuf,
    /// The evaluation time (RFC 3339, a date, now or now-2h; default: now).
    #[arg(long = "until", alias = "at", value_name = "TIME")]
    at: Option<String>,
    /// The alert state (firing alerts, undelivered notifications).
    #[arg(long, default_value = "target/nno-obs-alerts.json")]
    state: PathBuf,
    /// Print what would fire or resolve, and the messages; send nothing, change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Minutes a condition must stay gone before its alert resolves.
    #[arg(long, default_value_t = 5)]
    hold_down_minutes: u64,
    /// Also print the message (seed §6.3) of each alert that fires or resolves, under the table.
    #[arg(long)]
    messages: bool,
    #[command(flatten)]
    format: FormatArg,
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Result<T, Failure> {
    let bytes =
        std::fs::read(path).map_err(|e| Failure(format!("{what} {}: {e}", path.display())))?;
    serde_json::from_slice(&bytes).map_err(|e| Failure(format!("{what} {}: {e}", path.display())))
}

fn configs(path: Option<&Path>) -> Result<Configs, Failure> {
    let Some(path) = path else {
        return Ok(Configs::new());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure(format!("config {}: {e}", path.display())))?;
    // The same reader as the nno-logging Worker's KV record; here any refused platform is
    // an error, since the operator is looking at the file.
    let read =
        parse_configs(&text).map_err(|e| Failure(format!("config {}: {e}", path.display())))?;
    if !read.refused.is_empty() {
        let text: Vec<_> = read
            .refused
            .iter()
            .flat_map(|(id, errors)| errors.iter().map(move |e| format!("{id}: {e}")))
            .collect();
        return Err(Failure(text.join("; ")));
    }
    Ok(read.valid)
}

/// Measures the store at `at_ms` (points in memory; the logs name only jobs written before the
/// job extension).
fn measure_store(store: &Path, configs: &Configs, at_ms: u64) -> Result<Measurements, Failure> {
    let registry = read_registry(store)?;
    let engine = LocalEngine::new(store);
    let operator = crate::store::operator(store)?;
    let jobs = SearchJobLogs::new(LocalSearch::store(store, &operator)?);
    let limits = tier_limits(store)?;
    Ok(pollster::block_on(measure(
        &engine,
        &operator,
        &registry,
        configs,
        &jobs,
        limits.as_ref().map(|l| l as &dyn TierLimitsSource),
        at_ms,
        &Windows::default(),
    ))?)
}

/// The store's tier limits (`billing/tier-limits.json`), `None` without one — reported, never
/// taken as "no usage"; a file that cannot be read is an error.
fn tier_limits(store: &Path) -> Result<Option<FileLimits>, Failure> {
    FileLimits::in_store(store).map_err(|e| Failure(e.to_string()))
}

/// Whether no Worker of any platform served a request in the look-back: then an evaluation
/// would page every platform's auth Worker as down — the data is missing, not the Workers.
fn fleet_is_silent(measured: &Measurements) -> bool {
    !measured.platforms.is_empty()
        && measured.platforms.iter().all(|p| {
            p.auth_silent_minutes.is_some_and(|m| m >= 15)
                && p.features.iter().all(|f| f.requests.unwrap_or(0) == 0)
        })
}

pub fn check(args: CheckArgs) -> Result<(), Failure> {
    let format = args
        .format
        .pick("alerts check", &[Format::Table, Format::Json])?;
    let configs = configs(args.config.as_deref())?;
    let measurements: Measurements = match &args.measurements {
        Some(path) => read_json(path, "measurements")?,
        None => {
            let at_ms = match &args.at {
                Some(text) => filters::parse_time(text)?,
                None => filters::now_ms(),
            };
            // Whole minutes: windows end on a minute boundary, as the evaluator runs.
            let at_ms = at_ms - at_ms % 60_000;
            let found = crate::store::open(&args.store)?;
            // The rules look back 15 minutes at most (auth silence, events).
            crate::store::require_points(
                &args.store,
                &found,
                at_ms.saturating_sub(15 * 60_000),
                at_ms,
            )?;
            eprintln!(
                "alerts at {} over the store at {} ({})",
                nno_obs_store::time::format_rfc3339_ms(at_ms),
                args.store.display(),
                crate::store::points_range(&found)
            );
            let measured = measure_store(&args.store, &configs, at_ms)?;
            if fleet_is_silent(&measured) {
                return Err(Failure::no_data(format!(
                    "no request of any platform's Workers in the 15 minutes before {}: the store \
                     has no traffic to judge there (every auth Worker would read as down)",
                    nno_obs_store::time::format_rfc3339_ms(at_ms)
                )));
            }
            measured
        }
    };
    let holding = evaluate(&measurements, &configs);
    let policy = Policy {
        pending_ms: 0,
        hold_down_ms: args.hold_down_minutes.saturating_mul(60_000),
    };
    let store = FileStore::new(&args.state);
    // Every destination is optional: a dry run needs none, and shows those configured.
    let destinations =
        Destinations::from_env(|name| std::env::var(name).ok(), configs).map_err(|errors| {
            Failure(
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
    let mut out = io::stdout().lock();
    let colour = format == Format::Table && colour_on(&out);
    let show = |out: &mut io::StdoutLock<'_>, evaluation: &Step, state: &State| {
        let check = Check {
            at_ms: measurements.at_ms,
            transitions: &evaluation.transitions,
            notices: &evaluation.notices,
            state,
            destinations: &destinations,
            dry_run: args.dry_run,
            messages: args.messages,
            usage_limits: measurements.usage_limits.as_ref(),
        };
        alerts_output::print(out, format, &check, colour)
    };
    if args.dry_run {
        let mut state: State = store.load()?;
        let evaluation = state.step(measurements.at_ms, &holding, &policy, &destinations);
        show(&mut out, &evaluation, &state)?;
        return Ok(());
    }
    let obs = nno_obs::Obs::detached(nno_obs::Telemetry::console(), "nno-alerts");
    let (evaluation, report) = pollster::block_on(native::run(
        &store,
        measurements.at_ms,
        &holding,
        &policy,
        &destinations,
        &NativeConnect::default(),
        &ThreadSleep,
        &RetryPolicy::default(),
        &obs,
    ))?;
    let state = store.load()?;
    show(&mut out, &evaluation, &state)?;
    let delivery = format!(
        "delivered {}, refused {}, abandoned {}, pending {}",
        report.delivered.len(),
        report.refused.len(),
        report.abandoned.len(),
        report.pending.len()
    );
    // With --format json the report goes to stderr, so stdout stays one document.
    match format {
        Format::Json => eprintln!("{delivery}"),
        _ => writeln!(out, "{delivery}")?,
    }
    Ok(())
}

#[derive(Args)]
pub struct ReplayArgs {
    /// The local store replayed (its points, its logs, its Registry copy).
    #[arg(long, env = "NNO_OBS_STORE", default_value = "target/nno-obs-store")]
    store: PathBuf,
    /// The platforms' alert configurations (as for `check`).
    #[arg(long)]
    config: Option<PathBuf>,
    /// The period's length, ending at --until.
    #[arg(long, default_value = "24h")]
    since: String,
    /// The period's end (RFC 3339, exclusive; default: now, rounded down to the minute).
    #[arg(long)]
    until: Option<String>,
    /// Minutes a condition must stay gone before its alert resolves.
    #[arg(long, default_value_t = 5)]
    hold_down_minutes: u64,
    /// Also print each alert's message as it fired.
    #[arg(long)]
    messages: bool,
    /// Apply the silences of this alert state (as `alerts silence` wrote them) wherever they
    /// cover the replayed time: what they would have held back.
    #[arg(long, value_name = "STATE")]
    silences_from: Option<PathBuf>,
    #[command(flatten)]
    format: FormatArg,
}

pub fn replay(args: ReplayArgs) -> Result<(), Failure> {
    use std::io::IsTerminal;
    let format = args.format.pick(
        "alerts replay",
        &[Format::Table, Format::Json, Format::Ndjson, Format::Csv],
    )?;
    let configs = configs(args.config.as_deref())?;
    let until_ms = match &args.until {
        Some(text) => filters::parse_time(text)?,
        None => filters::now_ms(),
    };
    let until_ms = until_ms - until_ms % 60_000;
    let from_ms = until_ms.saturating_sub(filters::parse_duration(&args.since)?);
    let registry = read_registry(&args.store)?;
    // Many evaluations over the same points: read each dataset once, keep it sorted.
    let engine = MemoryEngine::new(&args.store);
    let operator = crate::store::operator(&args.store)?;
    let jobs = SearchJobLogs::new(LocalSearch::store(&args.store, &operator)?);
    let limits = tier_limits(&args.store)?;
    let source = limits.as_ref().map(|l| l as &dyn TierLimitsSource);
    let platform_ids: Vec<String> = registry
        .valid_platforms()
        .into_iter()
        .map(|(id, _)| id.as_str().to_owned())
        .collect();
    let ids: Vec<&str> = platform_ids.iter().map(String::as_str).collect();
    if let Some(warning) = UsageLimits::of(source, &ids).warning() {
        eprintln!("WARNING: {warning}");
    }
    let setup = Replay {
        operator: &operator,
        registry: &registry,
        configs: &configs,
        jobs: &jobs,
        limits: source,
        windows: Windows::default(),
        policy: Policy {
            pending_ms: 0,
            hold_down_ms: args.hold_down_minutes.saturating_mul(60_000),
        },
        step_ms: 60_000,
    };
    let progress_shown = io::stderr().is_terminal();
    let mut last_percent = u64::MAX;
    let mut progress = |done: u64, total: u64| {
        let percent = done * 100 / total.max(1);
        if progress_shown && percent != last_percent {
            last_percent = percent;
            eprint!("\revaluating: {percent:>3} % ({done}/{total} minutes)");
        }
    };
    let silences = match &args.silences_from {
        Some(path) => FileStore::new(path).load()?.silences,
        None => Vec::new(),
    };
    let episodes = pollster::block_on(nno_obs_alerts::replay::replay_silenced(
        &engine,
        &setup,
        &silences,
        from_ms,
        until_ms,
        &mut progress,
    ))?;
    if progress_shown {
        eprintln!();
    }
    let mut out = io::stdout().lock();
    let colour = colour_on(&out);
    emit(&mut out, &episodes, format, colour)?;
    if args.messages && format == Format::Table {
        for episode in &episodes {
            writeln!(out, "\n=== {}", episode.id)?;
            writeln!(out, "{}", texts(&episode.alert, Event::Trigger).1)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::fleet_is_silent;
    use nno_obs_alerts::measure::{FeatureErrors, PlatformMeasurements};
    use nno_obs_alerts::Measurements;

    fn platform(auth_silent: u64, requests: u64) -> PlatformMeasurements {
        PlatformMeasurements {
            platform_id: "k3m9p2xw7q".into(),
            auth_silent_minutes: Some(auth_silent),
            features: vec![FeatureErrors {
                feature: "analytics".into(),
                requests: Some(requests),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn a_fleet_is_silent_only_when_every_worker_of_every_platform_is() {
        let m = |platforms| Measurements {
            platforms,
            ..Default::default()
        };
        assert!(fleet_is_silent(&m(vec![platform(15, 0), platform(15, 0)])));
        // One auth Worker down while the rest serve: a real page, not missing data.
        assert!(!fleet_is_silent(&m(vec![platform(15, 0), platform(0, 40)])));
        assert!(!fleet_is_silent(&m(vec![platform(15, 3)])));
        assert!(!fleet_is_silent(&m(vec![platform(14, 0)])));
        assert!(!fleet_is_silent(&m(Vec::new())));
    }
}
