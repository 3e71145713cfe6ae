//! `nno-obs trace TRACE_ID`: the trace's spans as a waterfall, then its log lines (seed §4.3:
//! one trace id correlates everything).

use crate::query::{range, EngineArgs};
use crate::Failure;
use nno_obs_logs::{LocalSearch, LogQuery};
use nno_obs_query::questions::{Span, TraceSpans};
use nno_obs_query::{OperatorScope, PlatformScope, Question};
use nno_obs_store::layout::PlatformId;
use std::io::{self, IsTerminal, Write};

/// Width of the duration bars, in characters.
const BAR: usize = 40;

#[derive(clap::Args)]
pub struct TraceArgs {
    /// The trace id.
    trace_id: String,
    /// Only this platform's spans and logs (a platform admin's view).
    #[arg(long)]
    platform: Option<String>,
    /// How far back to look.
    #[arg(long, default_value = "7d")]
    range: String,
    /// The range's end (RFC 3339, exclusive; default: now).
    #[arg(long)]
    until: Option<String>,
    #[command(flatten)]
    engine: EngineArgs,
    /// JSON (the spans and the log entries) instead of the waterfall.
    #[arg(long)]
    json: bool,
    /// Most log lines shown.
    #[arg(long, default_value_t = 200)]
    limit: usize,
}

pub fn trace(args: TraceArgs) -> Result<(), Failure> {
    let range = range(&args.range, args.until.as_deref())?;
    let platform = args
        .platform
        .as_deref()
        .map(PlatformId::parse)
        .transpose()?;
    let question = match &platform {
        Some(p) => TraceSpans::for_platform(&PlatformScope::new(p.clone()), &args.trace_id, range)?,
        None => TraceSpans::new(&OperatorScope::new(), &args.trace_id, range)?,
    };
    let engine = args.engine.engine()?;
    let trace = pollster::block_on(question.ask(engine.as_ref()))?;
    crate::query::warn_skipped_rows(engine.as_ref(), &args.engine.store)?;

    let query = LogQuery {
        from_ms: Some(range.from_s() as u64 * 1000),
        to_ms: Some(range.until_s() as u64 * 1000),
        trace_id: Some(args.trace_id.clone()),
        ..LogQuery::default()
    };
    let page = if args.engine.store.is_dir() {
        let search = match &platform {
            Some(p) => LocalSearch::store(
                &args.engine.store,
                &nno_obs_logs::PlatformScope::new(p.clone()),
            )?,
            None => LocalSearch::store(&args.engine.store, &nno_obs_logs::OperatorScope)?,
        };
        Some(search.run(&query, None, args.limit))
    } else {
        None
    };

    let stdout = io::stdout();
    let colour = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = io::BufWriter::new(stdout.lock());
    if args.json {
        let logs: Vec<serde_json::Value> = page
            .iter()
            .flat_map(|p| p.hits.iter())
            .filter_map(|hit| serde_json::from_str(&crate::output::entry_json(&hit.entry)).ok())
            .collect();
        let doc =
            serde_json::json!({ "trace_id": trace.trace_id, "spans": trace.spans, "logs": logs });
        serde_json::to_writer_pretty(&mut out, &doc).map_err(io::Error::other)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(());
    }
    writeln!(out, "trace {}: {} spans", trace.trace_id, trace.spans.len())?;
    waterfall(&mut out, &trace.spans, colour)?;
    match &page {
        Some(page) => {
            writeln!(out, "\n{} log lines", page.hits.len())?;
            crate::output::table(&mut out, &page.hits, false, colour)?;
            out.flush()?;
            crate::output::report_problems(&mut io::stderr(), page)?;
        }
        None => writeln!(
            out,
            "\n(no local store at {}: no log lines)",
            args.engine.store.display()
        )?,
    }
    out.flush()?;
    Ok(())
}

/// One line per span: tree-indented service and operation, start offset, duration, a bar
/// placed on the trace's time axis, outcome.
fn waterfall(out: &mut impl Write, spans: &[Span], colour: bool) -> io::Result<()> {
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
