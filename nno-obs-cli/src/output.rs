//! The log search's output formats (table, JSON, NDJSON, CSV), and the report of damaged
//! files.

use crate::log_table::{self, LogRow, LogTable, Look};
use nno_obs_api::views::{LogEntryView, LogPage, Problem, Scanned};
use nno_obs_logs::entry::{Entry, EntryKind};
use nno_obs_logs::search::Hit;
use nno_obs_logs::{Level, Page};
use std::io::{self, Write};

/// `2026-02-22T10:34:00.123Z`, or `-` without a time.
pub fn iso(time_ms: Option<u64>) -> String {
    time_ms.map_or_else(|| "-".to_owned(), nno_obs_store::time::format_rfc3339_ms)
}

/// The log table (see [`crate::log_table`]) of search hits; with `expand`, each entry's whole
/// JSON under its row.
pub fn table(
    out: &mut impl Write,
    table: &mut LogTable,
    hits: &[Hit],
    expand: bool,
) -> io::Result<()> {
    let rows: Vec<LogRow> = hits
        .iter()
        .map(|hit| {
            let e = &hit.entry;
            LogRow {
                time_ms: e.time_ms,
                level: e.level,
                script: e.record.script.clone(),
                // An exception has no trace id of its own: its record's is the one to follow.
                trace: e.trace_id.clone().or_else(|| e.record.trace_id.clone()),
                message: e.message.clone(),
                line: e.line.clone(),
                expanded: expand.then(|| pretty(&entry_json(e))),
            }
        })
        .collect();
    table.write(out, &rows)
}

/// The same table of the read API's entries (a trace view's lines).
pub fn api_table(
    out: &mut impl Write,
    entries: &[nno_obs_api::views::LogEntryView],
    look: Look,
) -> io::Result<()> {
    let rows: Vec<LogRow> = entries
        .iter()
        .map(|e| LogRow {
            time_ms: e
                .timestamp
                .as_deref()
                .and_then(nno_obs_store::time::parse_rfc3339_ms),
            level: e.level.parse().unwrap_or(Level::Info),
            script: e.script.clone(),
            trace: e.trace_id.clone(),
            message: e.message.clone(),
            line: e.entry.as_ref().map(|raw| raw.get().to_owned()),
            expanded: None,
        })
        .collect();
    log_table::write(out, &rows, look)
}

/// Indents JSON text, keeping its members in their order (a `Value` would sort them).
/// Whitespace outside strings is dropped and re-made; the text is not otherwise checked.
fn pretty(json: &str) -> String {
    let mut out = String::with_capacity(json.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = json.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                let closes = chars.peek().is_some_and(|next| matches!(next, '}' | ']'));
                if !closes {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                if !(out.ends_with('{') || out.ends_with('[')) {
                    depth = depth.saturating_sub(1);
                    newline(&mut out, depth);
                }
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// One entry as one JSON object: our line as written with `ScriptName`, `Outcome` and `Ray`
/// appended; any other entry as `{timestamp, level, service?, message, kind, …}` in the
/// LogEntry's shape.
pub fn entry_json(entry: &Entry) -> String {
    let record = &entry.record;
    let string = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let optional = |s: &Option<String>| s.as_deref().map_or_else(|| "null".to_owned(), string);
    let tail = format!(
        "\"ScriptName\":{},\"Outcome\":{},\"Ray\":{}}}",
        optional(&record.script),
        string(&record.outcome),
        optional(&record.ray)
    );
    if let Some(line) = entry
        .line
        .as_deref()
        .and_then(|l| l.trim_end().strip_suffix('}'))
    {
        let separator = if line.trim_end().ends_with('{') {
            ""
        } else {
            ","
        };
        return format!("{line}{separator}{tail}");
    }
    let kind = match entry.kind {
        EntryKind::Line => "line",
        EntryKind::Text => "text",
        EntryKind::Exception => "exception",
        EntryKind::Outcome => "outcome",
    };
    let timestamp = entry
        .time_ms
        .map_or_else(|| "null".to_owned(), |ms| string(&iso(Some(ms))));
    let service = entry
        .service
        .as_deref()
        .map(|s| format!("\"service\":{},", string(s)))
        .unwrap_or_default();
    format!(
        "{{\"timestamp\":{timestamp},\"level\":\"{}\",{service}\"message\":{},\"kind\":\"{kind}\",{tail}",
        entry.level,
        string(&entry.message)
    )
}

/// One entry per line.
pub fn ndjson(out: &mut impl Write, hits: &[Hit]) -> io::Result<()> {
    for hit in hits {
        writeln!(out, "{}", entry_json(&hit.entry))?;
    }
    Ok(())
}

/// One document, the read API's answer to `/logs` (`nno_obs_api::views::LogPage`): the
/// entries, the next page's cursor, what was read and the damaged files.
pub fn json(out: &mut impl Write, page: &Page) -> io::Result<()> {
    let mut problems: Vec<Problem> = page
        .problems
        .iter()
        .flat_map(|(file, report)| Problem::of(file, report))
        .collect();
    problems.extend(page.unreadable.iter().map(|(file, error)| Problem {
        key: file.clone(),
        message: format!("cannot read: {error}"),
    }));
    let view = LogPage {
        entries: page
            .hits
            .iter()
            .map(|hit| LogEntryView::new(&hit.entry, &hit.key.file))
            .collect(),
        next: page.next.as_ref().map(ToString::to_string),
        // A local search reads every file it needs: it has no time or byte budget to stop at.
        complete: true,
        scanned: Scanned {
            files: page.files_read as u64,
            bytes: page.bytes_read,
        },
        problems,
    };
    serde_json::to_writer_pretty(&mut *out, &view).map_err(io::Error::other)?;
    writeln!(out)
}

/// The CSV header of [`csv`]'s rows.
pub fn csv_header(out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "time,level,script,trace,message")
}

/// The table's columns as CSV, one row per entry (after [`csv_header`]): time, level, script,
/// trace, message.
pub fn csv(out: &mut impl Write, hits: &[Hit]) -> io::Result<()> {
    for hit in hits {
        let e = &hit.entry;
        let cells = [
            iso(e.time_ms),
            e.level.to_string(),
            e.record.script.clone().unwrap_or_default(),
            e.trace_id.clone().unwrap_or_default(),
            e.message.clone(),
        ];
        writeln!(out, "{}", crate::metrics_output::csv_line(&cells))?;
    }
    Ok(())
}

/// One `warning:` line per damaged or unreadable file, on stderr.
pub fn report_problems(err: &mut impl Write, page: &Page) -> io::Result<()> {
    for (file, report) in &page.problems {
        if let Some(damage) = &report.corrupt {
            writeln!(
                err,
                "warning: {file}: damaged at byte {}: {} ({} records read before it)",
                damage.offset, damage.message, report.records
            )?;
        }
        if report.truncated_tail {
            writeln!(err, "warning: {file}: last record cut short, skipped")?;
        }
        if report.bad_lines > 0 {
            writeln!(
                err,
                "warning: {file}: {} lines that are not records skipped (first at byte {})",
                report.bad_lines,
                report.first_bad_line_offset.unwrap_or(0)
            )?;
        }
        if report.repaired_lines > 0 {
            writeln!(
                err,
                "warning: {file}: {} lines with invalid UTF-8 repaired (U+FFFD)",
                report.repaired_lines
            )?;
        }
        if report.oversized_lines > 0 {
            writeln!(
                err,
                "warning: {file}: {} lines over {} bytes skipped",
                report.oversized_lines,
                nno_obs_logs::reader::MAX_LINE_BYTES
            )?;
        }
    }
    for (file, error) in &page.unreadable {
        writeln!(err, "warning: {file}: cannot read: {error}")?;
    }
    Ok(())
}
