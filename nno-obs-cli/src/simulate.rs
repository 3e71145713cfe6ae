//! `nno-obs simulate`: a simulated NNO fleet into the local store, and its incident schedule.

use crate::filters::{now_ms, parse_time};
use crate::format::{Format, FormatArg};
use crate::Failure;
use clap::Args;
use nno_obs_sim::run::{self, SimConfig, Summary};
use nno_obs_store::fs::LocalStore;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

#[derive(Args)]
pub struct SimulateArgs {
    /// How many platforms (each: an auth Worker and three feature Workers).
    #[arg(long, default_value_t = 20)]
    platforms: usize,
    /// How many hours of traffic.
    #[arg(long, default_value_t = 24)]
    hours: u32,
    /// The seed: the same seed gives the same fleet, traffic and incidents.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The end of the simulated period (RFC 3339; default: now, so `--since 24h` finds it).
    #[arg(long)]
    until: Option<String>,
    /// The local store to write into.
    #[arg(long, env = "NNO_OBS_STORE", default_value = "target/nno-obs-store")]
    store: PathBuf,
    /// Threads for the platforms (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// Only print the schedule; write nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    format: FormatArg,
}

pub fn simulate(args: SimulateArgs) -> Result<(), Failure> {
    let format = args
        .format
        .pick("simulate", &[Format::Table, Format::Json])?;
    if args.platforms == 0 || args.hours == 0 {
        return Err(Failure(
            "--platforms and --hours must be at least 1".to_owned(),
        ));
    }
    let until_ms = match &args.until {
        Some(text) => parse_time(text).map_err(Failure)?,
        None => now_ms(),
    };
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let config = SimConfig {
        platforms: args.platforms,
        hours: args.hours,
        seed: args.seed,
        until_ms,
        threads,
    };
    if args.dry_run {
        let schedule = run::schedule(&config);
        let summary = Summary {
            schedule,
            invocations: 0,
            server_errors: 0,
        };
        return print_summary(&summary, format, None);
    }
    let store = Arc::new(LocalStore::open(&args.store)?);
    let started = Instant::now();
    let on_terminal = io::stderr().is_terminal();
    // Off a terminal, one line per tenth of the work.
    let last_tenth = AtomicU64::new(0);
    let progress = |done: u64, total: u64| {
        let percent = done * 100 / total.max(1);
        let mut err = io::stderr().lock();
        if on_terminal {
            let _ = write!(
                err,
                "\rsimulating: {percent:>3} % of platform-minutes ({done}/{total})"
            );
        } else if last_tenth.fetch_max(percent / 10, Ordering::Relaxed) < percent / 10 {
            let _ = writeln!(
                err,
                "simulating: {percent} % ({done}/{total} platform-minutes)"
            );
        }
    };
    let summary = run::run(&config, store.clone(), &progress)?;
    store.close()?;
    if on_terminal {
        let _ = writeln!(io::stderr());
    }
    let elapsed = started.elapsed();
    print_summary(&summary, format, Some((elapsed, &args.store)))
}

fn rfc3339(ms: u64) -> String {
    nno_obs::clock::Timestamp::from_unix_ms(ms)
        .as_str()
        .to_owned()
}

fn print_summary(
    summary: &Summary,
    format: Format,
    written: Option<(std::time::Duration, &PathBuf)>,
) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut out, summary)?;
        writeln!(out)?;
        return Ok(());
    }
    let schedule = &summary.schedule;
    writeln!(
        out,
        "{} platforms, {} → {}",
        schedule.platforms.len(),
        rfc3339(schedule.from_ms),
        rfc3339(schedule.until_ms)
    )?;
    if let Some((elapsed, store)) = written {
        writeln!(
            out,
            "{} invocations ({} answered 5xx) written to {} in {:.1} s",
            summary.invocations,
            summary.server_errors,
            store.display(),
            elapsed.as_secs_f64()
        )?;
    }
    writeln!(out)?;
    let rows: Vec<[String; 4]> = schedule
        .incidents
        .iter()
        .map(|incident| {
            [
                incident.kind.name().to_owned(),
                incident.kind.target(),
                rfc3339(incident.start_ms),
                rfc3339(incident.end_ms),
            ]
        })
        .collect();
    let headers = ["INCIDENT", "WHERE", "FROM", "TO"];
    let widths: Vec<usize> = (0..4)
        .map(|column| {
            rows.iter()
                .map(|row| row[column].chars().count())
                .chain([headers[column].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: [&str; 4]| {
        cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    writeln!(out, "{}", line(headers))?;
    for row in &rows {
        writeln!(out, "{}", line([&row[0], &row[1], &row[2], &row[3]]))?;
    }
    Ok(())
}
