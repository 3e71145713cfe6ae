//! `nno-obs slo status`: every objective of seed §5, measured through the query layer — value
//! over its window, target met, alert threshold crossed, error budget left, burn-rate verdict —
//! and which are in breach.

use crate::format::{colour_on, Format, FormatArg};
use crate::metrics_output::emit;
use crate::query::EngineArgs;
use crate::{filters, Failure};
use clap::{Args, Subcommand};
use nno_obs_alerts::limits::{FileLimits, TierLimitsSource, UsageLimits};
use nno_obs_alerts::objectives::{measure_objectives_over, Selection};
use nno_obs_store::fs::read_registry;
use nno_obs_store::layout::PlatformId;
use std::io::{self, Write};

/// `nno-obs slo …`.
#[derive(Subcommand)]
pub enum SloCommand {
    /// A table of the objectives, their values and budgets, and which are in breach.
    Status(StatusArgs),
}

#[derive(Args)]
pub struct StatusArgs {
    /// Only this platform's objectives (a platform admin's view); default: NNO's core
    /// services and every platform of the Registry.
    #[arg(long)]
    platform: Option<String>,
    /// The evaluation time, where every window ends (RFC 3339, a date, now or now-2h;
    /// default: now).
    #[arg(long = "until", alias = "at", value_name = "TIME")]
    at: Option<String>,
    /// Measure every value over this window (e.g. 1h, 24h) instead of each objective's own
    /// (5 or 60 minutes); budgets and burn rates keep theirs.
    #[arg(long = "since", alias = "range", value_name = "DURATION")]
    range: Option<String>,
    /// Only the objectives in breach.
    #[arg(long)]
    breaches: bool,
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    format: FormatArg,
}

pub fn run(command: SloCommand) -> Result<(), Failure> {
    match command {
        SloCommand::Status(args) => status(args),
    }
}

fn status(args: StatusArgs) -> Result<(), Failure> {
    let format = args.format.pick(
        "slo status",
        &[Format::Table, Format::Json, Format::Ndjson, Format::Csv],
    )?;
    let platform = match &args.platform {
        Some(text) => Some(
            PlatformId::parse(text).map_err(|e| Failure(format!("--platform {text:?}: {e}")))?,
        ),
        None => None,
    };
    let at_ms = match &args.at {
        Some(text) => filters::parse_time(text)?,
        None => filters::now_ms(),
    };
    // The Registry's platforms (names, limits): the store's copy of it.
    let registry = read_registry(&args.engine.store)?;
    let engine = args.engine.engine_for_many_questions()?;
    // Over the store, its own check; over the SQL API (`--cfae`), Cloudflare checks the token.
    let operator = match args.engine.is_local() {
        true => crate::store::operator(&args.engine.store)?,
        false => nno_obs_access::remote::operator(),
    };
    let platform_scope = platform.as_ref().map(|id| operator.platform(id.clone()));
    let selection = match &platform_scope {
        Some(scope) => Selection::Platform(scope),
        None => Selection::Everything(&operator),
    };
    let window_minutes = match &args.range {
        Some(text) => Some(filters::parse_duration(text)? / 60_000).filter(|m| *m > 0),
        None => None,
    };
    if args.engine.is_local() {
        // The objectives' windows end at --at: 60 minutes at most, unless --range says more.
        let window_ms = window_minutes.unwrap_or(60) * 60_000;
        let found = crate::store::open(&args.engine.store)?;
        crate::store::require_points(
            &args.engine.store,
            &found,
            at_ms.saturating_sub(window_ms),
            at_ms,
        )?;
        eprintln!(
            "objectives at {} over the store at {} ({})",
            nno_obs_store::time::format_rfc3339_ms(at_ms),
            args.engine.store.display(),
            crate::store::points_range(&found)
        );
    }
    let mut reports = pollster::block_on(measure_objectives_over(
        engine.as_ref(),
        &registry,
        selection,
        at_ms,
        window_minutes,
    ))?;
    crate::query::warn_skipped_rows(engine.as_ref(), &args.engine.store)?;
    let breaches = reports.iter().filter(|r| r.in_breach).count();
    if args.breaches {
        reports.retain(|r| r.in_breach);
    }
    let mut out = io::stdout().lock();
    // JSON keeps the measured reports (window, alert threshold, budget, burn): richer than
    // the read API's `/slo` view, which measures each objective over its own window only.
    let colour = format == Format::Table && colour_on(&out);
    emit(&mut out, &reports, format, colour)?;
    if format == Format::Table {
        writeln!(out, "{breaches} in breach")?;
    }
    // Usage has no §5 row, but its source is part of the picture: say when usage alerts
    // cannot fire (on stderr with JSON, which stays the array of reports).
    if args.engine.is_local() {
        let limits =
            FileLimits::in_store(&args.engine.store).map_err(|e| Failure(e.to_string()))?;
        let ids: Vec<String> = match &platform {
            Some(id) => vec![id.as_str().to_owned()],
            None => registry
                .valid_platforms()
                .into_iter()
                .map(|(id, _)| id.as_str().to_owned())
                .collect(),
        };
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let status = UsageLimits::of(limits.as_ref().map(|l| l as &dyn TierLimitsSource), &ids);
        if let Some(warning) = status.warning() {
            match format {
                Format::Table => writeln!(out, "WARNING: {warning}")?,
                _ => eprintln!("WARNING: {warning}"),
            }
        }
    }
    Ok(())
}
