//! `nno-obs trace TRACE_ID`: the trace's spans as a waterfall, then its log lines (seed §4.3:
//! one trace id correlates everything) — the read API's trace view (`/traces/{traceId}`),
//! printed for a terminal.

use crate::format::{colour_on, Format, FormatArg};
use crate::query::EngineArgs;
use crate::{filters, Failure};
use nno_obs_api::handlers::traces::trace_view;
use nno_obs_api::local::LocalBackend;
use nno_obs_api::views::SpanView;
use nno_obs_api::{Backend, ErrorKind, Target};
use nno_obs_store::layout::PlatformId;
use std::io::{self, Write};

/// Width of the duration bars, in characters.
const BAR: usize = 40;

#[derive(clap::Args)]
pub struct TraceArgs {
    /// The trace id.
    trace_id: String,
    /// Only this platform's spans and logs (a platform admin's view).
    #[arg(long)]
    platform: Option<String>,
    /// Look for the trace in the 90 days before this time (RFC 3339; default: now).
    #[arg(long)]
    until: Option<String>,
    #[command(flatten)]
    engine: EngineArgs,
    // table: the waterfall and the log lines; json: the read API's trace view.
    #[command(flatten)]
    format: FormatArg,
}

pub fn trace(args: TraceArgs) -> Result<(), Failure> {
    let format = args.format.pick("trace", &[Format::Table, Format::Json])?;
    let now_ms = match &args.until {
        Some(text) => filters::parse_time(text)?,
        None => filters::now_ms(),
    };
    crate::store::open(&args.engine.store)?;
    let operator = crate::store::operator(&args.engine.store)?;
    let target = match &args.platform {
        Some(text) => Target::Platform(operator.platform(
            PlatformId::parse(text).map_err(|e| Failure(format!("--platform {text:?}: {e}")))?,
        )),
        None => Target::Everything(operator),
    };
    let backend = LocalBackend::new(&args.engine.store).with_engine(args.engine.engine()?);
    let view = pollster::block_on(trace_view(&backend, &target, &args.trace_id, now_ms));
    crate::query::warn_skipped_rows(backend.engine(), &args.engine.store)?;
    let view = match view {
        Ok(view) => view,
        Err(error) if error.kind() == ErrorKind::NotFound => {
            return Err(Failure(format!(
                "trace {}: no span and no log line in the 90 days before {}{}",
                args.trace_id,
                nno_obs_api::time::format_ms(now_ms),
                match &args.platform {
                    Some(p) =>
                        format!(" in platform {p}'s data (drop --platform to look everywhere)"),
                    None => String::new(),
                }
            )))
        }
        Err(error) => return Err(Failure(error.message().to_owned())),
    };

    let stdout = io::stdout();
    let colour = colour_on(&stdout);
    let mut out = io::BufWriter::new(stdout.lock());
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut out, &view).map_err(io::Error::other)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(());
    }
    writeln!(
        out,
        "trace {}: {}",
        view.trace_id,
        count(view.spans.len(), "span", "spans")
    )?;
    waterfall(&mut out, &view.spans, colour)?;
    writeln!(out, "\n{}", count(view.logs.len(), "log line", "log lines"))?;
    let look = crate::log_table::Look {
        width: crate::log_table::output_width(),
        colour,
    };
    crate::output::api_table(&mut out, &view.logs, look)?;
    if !view.complete {
        writeln!(
            out,
            "(the first {} lines; `nno-obs logs search --trace-id {}` pages through all)",
            view.logs.len(),
            view.trace_id
        )?;
    }
    out.flush()?;
    for problem in &view.problems {
        writeln!(
            io::stderr(),
            "warning: {}: {}",
            problem.key,
            problem.message
        )?;
    }
    Ok(())
}

/// One line per span: tree-indented service and operation, start offset, duration, a bar
/// placed on the trace's time axis, outcome.
fn waterfall(out: &mut impl Write, spans: &[SpanView], colour: bool) -> io::Result<()> {
    let total = spans
        .iter()
        .map(|s| s.offset_ms + s.duration_ms)
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let names: Vec<String> = spans
        .iter()
        .map(|s| format!("{}{} {}", "  ".repeat(s.depth), s.service, s.operation))
        .collect();
    let width = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    writeln!(
        out,
        "{:width$}  {:>9}  {:>9}  {:BAR$}  outcome",
        "span", "start ms", "ms", ""
    )?;
    for (span, name) in spans.iter().zip(&names) {
        let start = ((span.offset_ms / total) * BAR as f64).floor() as usize;
        let length = (((span.duration_ms / total) * BAR as f64).round() as usize).max(1);
        let start = start.min(BAR - 1);
        let length = length.min(BAR - start);
        let bar = format!(
            "{}{}{}",
            " ".repeat(start),
            "█".repeat(length),
            " ".repeat(BAR - start - length)
        );
        let (bar, outcome) = if colour {
            let code = if span.outcome == "error" { "31" } else { "32" };
            (
                format!("\x1b[{code}m{bar}\x1b[0m"),
                format!("\x1b[{code}m{}\x1b[0m", span.outcome),
            )
        } else {
            (bar, span.outcome.clone())
        };
        let pad = width - name.chars().count();
        writeln!(
            out,
            "{name}{}  {:>9.0}  {:>9}  {bar}  {outcome}",
            " ".repeat(pad),
            span.offset_ms,
            span.duration_ms
        )?;
    }
    Ok(())
}

/// `1 span`, `8 spans`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
