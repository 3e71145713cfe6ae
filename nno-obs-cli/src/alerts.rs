//! `nno-obs alerts check`: evaluates the rules of seed §6.2 on the evaluator's measurements,
//! steps the persisted alert state, and prints (`--dry-run`) or delivers what fires and
//! resolves. The measurements come from a JSON file for now (`nno_obs_alerts::Measurements`);
//! the query layer will compute them from Analytics Engine.

use crate::Failure;
use clap::{Args, Subcommand};
use nno_obs_alerts::channel::{texts, Event};
use nno_obs_alerts::deliver::RetryPolicy;
use nno_obs_alerts::native::{self, NativeConnect, ThreadSleep};
use nno_obs_alerts::outbox::State;
use nno_obs_alerts::route::Destinations;
use nno_obs_alerts::rules::{evaluate, Configs};
use nno_obs_alerts::state::{Policy, Transition};
use nno_obs_alerts::store::FileStore;
use nno_obs_alerts::{AlertConfig, Measurements};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// `nno-obs alerts …`.
#[derive(Subcommand)]
pub enum AlertsCommand {
    /// Evaluates the measurements now: what fires or resolves, and the messages.
    Check(CheckArgs),
}

pub fn run(command: AlertsCommand) -> Result<(), Failure> {
    match command {
        AlertsCommand::Check(args) => check(args),
    }
}

#[derive(Args)]
pub struct CheckArgs {
    /// The platforms' alert configurations: a JSON AlertConfig (seed §6.1) or an array of them.
    #[arg(long)]
    config: Option<PathBuf>,
    /// What the evaluator measured (JSON, nno_obs_alerts::Measurements).
    #[arg(long)]
    measurements: PathBuf,
    /// The alert state (firing alerts, undelivered notifications).
    #[arg(long, default_value = "target/nno-obs-alerts.json")]
    state: PathBuf,
    /// Print what would fire or resolve, and the messages; send nothing, change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Minutes a condition must stay gone before its alert resolves.
    #[arg(long, default_value_t = 5)]
    hold_down_minutes: u64,
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
    let value: serde_json::Value = read_json(path, "config")?;
    let list: Vec<AlertConfig> = if value.is_array() {
        serde_json::from_value(value)
    } else {
        serde_json::from_value(value).map(|one| vec![one])
    }
    .map_err(|e| Failure(format!("config {}: {e}", path.display())))?;
    let mut configs = Configs::new();
    for config in list {
        if let Err(errors) = config.validate() {
            let text: Vec<_> = errors.iter().map(ToString::to_string).collect();
            return Err(Failure(text.join("; ")));
        }
        configs.insert(config.platform_id.clone(), config);
    }
    Ok(configs)
}

pub fn check(args: CheckArgs) -> Result<(), Failure> {
    let configs = configs(args.config.as_deref())?;
    let measurements: Measurements = read_json(&args.measurements, "measurements")?;
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
    if args.dry_run {
        let mut state: State = store.load()?;
        let transitions = state.evaluate(measurements.at_ms, &holding, &policy, &destinations);
        print(&mut out, &transitions, &state, &destinations, true)?;
        return Ok(());
    }
    let obs = nno_obs::Obs::detached(nno_obs::Telemetry::console(), "nno-alerts");
    let (transitions, report) = pollster::block_on(native::run(
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
    print(&mut out, &transitions, &state, &destinations, false)?;
    writeln!(
        out,
        "delivered {}, refused {}, abandoned {}, pending {}",
        report.delivered.len(),
        report.refused.len(),
        report.abandoned.len(),
        report.pending.len()
    )?;
    Ok(())
}

fn print(
    out: &mut impl Write,
    transitions: &[Transition],
    state: &State,
    destinations: &Destinations,
    dry_run: bool,
) -> io::Result<()> {
    let (fire, resolve) = if dry_run {
        ("would fire", "would resolve")
    } else {
        ("fired", "resolved")
    };
    for transition in transitions {
        let (verb, alert, event) = match transition {
            Transition::Fire { alert, .. } => (fire, alert, Event::Trigger),
            Transition::Resolve { alert, at_ms, .. } => {
                (resolve, alert, Event::Resolve { at_ms: *at_ms })
            }
        };
        let routes: Vec<_> = destinations
            .routes(alert)
            .iter()
            .map(|(channel, audience)| format!("{}/{}", channel.as_str(), audience.as_str()))
            .collect();
        let routes = if routes.is_empty() {
            "no destination configured".to_owned()
        } else {
            routes.join(", ")
        };
        writeln!(
            out,
            "=== {verb}: {} ({}) -> {routes}",
            alert.id, alert.severity
        )?;
        writeln!(out, "{}\n", texts(alert, event).1)?;
    }
    let fired = transitions
        .iter()
        .filter(|t| matches!(t, Transition::Fire { .. }))
        .count();
    writeln!(
        out,
        "{} {fire}, {} {resolve}, {} tracked (firing, pending or clearing)",
        fired,
        transitions.len() - fired,
        state.book.alerts.len()
    )
}
