//! `nno-obs alerts silence | silences | unsilence`: silences kept in the alert state file, so
//! `alerts check` — and the Worker, which keeps the same state in KV — honours them. The
//! rules (bounds, matching, expiry) are `nno_obs_alerts::silence`'s; this reads the flags,
//! loads and saves the state, and prints.

use crate::filters;
use crate::format::{colour_on, Format, FormatArg};
use crate::metrics_output::table;
use crate::Failure;
use clap::Args;
use nno_obs_alerts::silence::{NewSilence, Silence};
use nno_obs_alerts::store::FileStore;
use nno_obs_store::time::format_rfc3339_ms;
use serde::Serialize;
use std::io::{self, Write};
use std::path::PathBuf;

/// `nno-obs alerts silence`.
#[derive(Args)]
pub struct SilenceArgs {
    /// The alert id, or a prefix of ids (`worker-error-spike/k3m9p2xw7q/`), of an alert that
    /// is firing, pending or resolved in the last 24 hours.
    matcher: String,
    /// How long (`2h`, `30m`, `1d`; at most 30 days).
    #[arg(long = "for", value_name = "DURATION")]
    duration: String,
    /// Why (required).
    #[arg(long)]
    reason: String,
    /// Who (default: $USER).
    #[arg(long, env = "USER")]
    author: Option<String>,
    /// The alert state (as for `alerts check`).
    #[arg(long, default_value = "target/nno-obs-alerts.json")]
    state: PathBuf,
    /// When the silence starts (RFC 3339, a date, now or now-2h; default: now), as
    /// `alerts check --at` evaluates a replayed or simulated day.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    #[command(flatten)]
    format: FormatArg,
}

/// `nno-obs alerts silences`.
#[derive(Args)]
pub struct SilencesArgs {
    /// The alert state (as for `alerts check`).
    #[arg(long, default_value = "target/nno-obs-alerts.json")]
    state: PathBuf,
    /// The silences in force at this time (RFC 3339, a date, now or now-2h; default: now).
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    #[command(flatten)]
    format: FormatArg,
}

/// `--at`'s time, or now.
fn at_or_now(at: Option<&str>) -> Result<u64, Failure> {
    match at {
        Some(text) => filters::parse_time(text).map_err(|e| Failure(format!("--at {e}"))),
        None => Ok(filters::now_ms()),
    }
}

/// `nno-obs alerts unsilence`.
#[derive(Args)]
pub struct UnsilenceArgs {
    /// The silence's id (`s-…`, from `alerts silences`).
    id: String,
    /// The alert state (as for `alerts check`).
    #[arg(long, default_value = "target/nno-obs-alerts.json")]
    state: PathBuf,
}

/// A silence as printed (`--format json`): times in RFC 3339.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SilenceView<'a> {
    id: &'a str,
    matcher: &'a str,
    until: String,
    created: String,
    author: &'a str,
    reason: &'a str,
}

fn view(silence: &Silence) -> SilenceView<'_> {
    SilenceView {
        id: &silence.id,
        matcher: &silence.matcher,
        until: format_rfc3339_ms(silence.until_ms),
        created: format_rfc3339_ms(silence.created_ms),
        author: &silence.author,
        reason: &silence.reason,
    }
}

fn print(out: &mut impl Write, silences: &[&Silence], format: Format) -> Result<(), Failure> {
    if format == Format::Json {
        let views: Vec<SilenceView<'_>> = silences.iter().map(|s| view(s)).collect();
        serde_json::to_writer_pretty(&mut *out, &views).map_err(io::Error::other)?;
        writeln!(out)?;
        return Ok(());
    }
    if silences.is_empty() {
        writeln!(out, "no silence in force")?;
        return Ok(());
    }
    let header: Vec<String> = ["ID", "MATCHER", "UNTIL", "AUTHOR", "REASON"]
        .map(str::to_owned)
        .to_vec();
    let rows: Vec<Vec<String>> = silences
        .iter()
        .map(|s| {
            vec![
                s.id.clone(),
                s.matcher.clone(),
                format_rfc3339_ms(s.until_ms),
                s.author.clone(),
                s.reason.clone(),
            ]
        })
        .collect();
    let colour = colour_on(&io::stdout());
    table(out, &header, &rows, colour)?;
    Ok(())
}

pub fn silence(args: SilenceArgs) -> Result<(), Failure> {
    let format = args
        .format
        .pick("alerts silence", &[Format::Table, Format::Json])?;
    let duration_ms =
        filters::parse_duration(&args.duration).map_err(|e| Failure(format!("--for {e}")))?;
    let now_ms = at_or_now(args.at.as_deref())?;
    let store = FileStore::new(&args.state);
    let mut state = store.load()?;
    let new = NewSilence {
        matcher: &args.matcher,
        duration_ms,
        reason: &args.reason,
        author: args.author.as_deref().unwrap_or(""),
    };
    let silence = state
        .silence(&new, now_ms)
        .map_err(|e| Failure(e.to_string()))?;
    store.save(&state)?;
    print(&mut io::stdout().lock(), &[&silence], format)
}

pub fn silences(args: SilencesArgs) -> Result<(), Failure> {
    let format = args
        .format
        .pick("alerts silences", &[Format::Table, Format::Json])?;
    let now_ms = at_or_now(args.at.as_deref())?;
    let state = FileStore::new(&args.state).load()?;
    let active = state.active_silences(now_ms);
    print(&mut io::stdout().lock(), &active, format)
}

pub fn unsilence(args: UnsilenceArgs) -> Result<(), Failure> {
    let store = FileStore::new(&args.state);
    let mut state = store.load()?;
    let removed = state
        .unsilence(&args.id)
        .map_err(|e| Failure(e.to_string()))?;
    store.save(&state)?;
    println!(
        "removed {} ({}); what it held back pages at the next evaluation if it still holds",
        removed.id, removed.matcher
    );
    Ok(())
}
