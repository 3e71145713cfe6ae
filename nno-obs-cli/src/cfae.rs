//! `nno-obs cfae check`: first contact with an account's Analytics Engine SQL API. Runs one
//! tiny query per SQL form the renderer may write (`nno_obs_query::probe`), prints which the
//! account accepts, and with `--write FILE` saves the dialect (the first accepted spelling of
//! each feature) that `nno-obs query --cfae --dialect FILE` and the nno-logging Worker (its
//! `CFAE_DIALECT` var) render in.
//!
//! Exit status: 0 when every feature has an accepted spelling (a refused form with a fallback
//! is fine), 1 when some feature has none (the table says which) or the check could not run
//! (no credentials, a token without Account Analytics: Read, no answer).

use crate::format::{Format, FormatArg};
use crate::Failure;
use clap::{Args, Subcommand};
use nno_obs_cloudflare::{NativeTransport, Secret};
use nno_obs_query::client::SqlApi;
use nno_obs_query::dialect::Dialect;
use nno_obs_query::probe::{self, Check, Form, Outcome};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

/// The account id's variable (seed §10).
pub(crate) const ACCOUNT_ID: &str = "CF_ACCOUNT_ID";
/// The SQL API token's variable (Account Analytics: Read; not seed §10's CF_API_TOKEN).
pub(crate) const READ_TOKEN: &str = "CF_ANALYTICS_READ_TOKEN";

#[derive(Subcommand)]
pub enum CfaeCommand {
    /// Runs one tiny query per SQL form against the account's SQL API (CF_ACCOUNT_ID,
    /// CF_ANALYTICS_READ_TOKEN) and prints which it accepts.
    Check(CheckArgs),
}

#[derive(Args)]
pub struct CheckArgs {
    /// The Cloudflare API's base URL (a stand-in's, for tests).
    #[arg(long, default_value = "https://api.cloudflare.com/client/v4")]
    endpoint: String,
    /// Writes the dialect (JSON) to FILE, for `query --cfae --dialect FILE` and the Worker's
    /// CFAE_DIALECT var. Not written when a feature has no accepted spelling.
    #[arg(long, value_name = "FILE")]
    write: Option<PathBuf>,
    /// table or json.
    #[command(flatten)]
    format: FormatArg,
}

pub fn run(command: CfaeCommand) -> Result<(), Failure> {
    match command {
        CfaeCommand::Check(args) => check(args),
    }
}

fn check(args: CheckArgs) -> Result<(), Failure> {
    let format = args
        .format
        .pick("cfae check", &[Format::Table, Format::Json])?;
    let account = std::env::var(ACCOUNT_ID)
        .map_err(|_| Failure(format!("cfae check needs {ACCOUNT_ID} in the environment")))?;
    let token = std::env::var(READ_TOKEN).map_err(|_| {
        Failure(format!(
            "cfae check needs {READ_TOKEN} (Account Analytics: Read) in the environment"
        ))
    })?;
    let transport = NativeTransport::new(args.endpoint.trim_end_matches('/'), TIMEOUT);
    let api = SqlApi::new(transport, &account, Secret::new(token))?;
    let show_progress = io::stderr().is_terminal();
    let mut progress = |done: usize, total: usize, form: Form| {
        if show_progress {
            // One line, rewritten: the probes take a round trip each.
            let _ = write!(
                io::stderr(),
                "\r\x1b[K[{}/{total}] {}",
                done + 1,
                form.name()
            );
        }
    };
    let result = pollster::block_on(probe::check(&api, &mut progress));
    if show_progress {
        let _ = write!(io::stderr(), "\r\x1b[K");
    }
    let check = result.map_err(|error| Failure(format!("the check could not run: {error}")))?;
    let dialect = check.dialect();
    let mut out = io::stdout().lock();
    match format {
        Format::Json => {
            let document = serde_json::json!({
                "forms": check.forms,
                "dialect": dialect.as_ref().ok(),
                "missing": dialect.as_ref().err().cloned().unwrap_or_default(),
            });
            writeln!(out, "{document:#}")?;
        }
        _ => print_table(&mut out, &check, &dialect)?,
    }
    match dialect {
        Ok(dialect) => {
            if let Some(path) = &args.write {
                let json = serde_json::to_string_pretty(&dialect)?;
                std::fs::write(path, json + "\n")
                    .map_err(|e| Failure(format!("{}: {e}", path.display())))?;
            }
            Ok(())
        }
        Err(missing) => Err(Failure(format!(
            "the account accepts no spelling of: {} (no dialect{})",
            missing.join(", "),
            if args.write.is_some() { " written" } else { "" }
        ))),
    }
}

/// Each probe's round trip, at most.
const TIMEOUT: Duration = Duration::from_secs(30);

fn print_table(
    out: &mut impl Write,
    check: &Check,
    dialect: &Result<Dialect, Vec<&'static str>>,
) -> io::Result<()> {
    let width = |f: fn(&probe::FormResult) -> usize, header: &str| {
        check
            .forms
            .iter()
            .map(f)
            .max()
            .unwrap_or(0)
            .max(header.len())
    };
    let form_w = width(|r| r.form.len(), "form");
    let feature_w = width(|r| r.feature.len(), "feature");
    writeln!(
        out,
        "{:form_w$}  {:feature_w$}  {:8}  message",
        "form", "feature", "result"
    )?;
    for result in &check.forms {
        let (word, message) = match &result.outcome {
            Outcome::Accepted => ("accepted", ""),
            Outcome::Refused { message } => ("refused", message.as_str()),
            Outcome::Skipped { reason } => ("skipped", reason.as_str()),
        };
        // The engine's message on one line: it may hold newlines.
        let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
        let line = format!(
            "{:form_w$}  {:feature_w$}  {word:8}  {message}",
            result.form, result.feature
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    match dialect {
        Ok(dialect) => writeln!(
            out,
            "\ndialect: {}",
            serde_json::to_string(dialect).unwrap_or_default()
        ),
        Err(missing) => writeln!(out, "\nno spelling accepted for: {}", missing.join(", ")),
    }
}
