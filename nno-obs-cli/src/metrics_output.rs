//! Printing typed answers: an aligned table (colour on a terminal), JSON, NDJSON or CSV.

pub use crate::format::Format;
use nno_obs_query::Tabular;
use serde::Serialize;
use std::io::{self, Write};

/// Prints `rows` in `format`.
pub fn emit<R: Tabular + Serialize>(
    out: &mut (impl Write + ?Sized),
    rows: &[R],
    format: Format,
    colour: bool,
) -> io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, rows).map_err(io::Error::other)?;
            writeln!(out)
        }
        Format::Ndjson => {
            for row in rows {
                serde_json::to_writer(&mut *out, row).map_err(io::Error::other)?;
                writeln!(out)?;
            }
            Ok(())
        }
        Format::Csv => {
            writeln!(out, "{}", csv_line(&R::header()))?;
            for row in rows {
                writeln!(out, "{}", csv_line(&row.cells()))?;
            }
            Ok(())
        }
        Format::Table => {
            let header: Vec<String> = R::header().iter().map(|h| h.to_string()).collect();
            let cells: Vec<Vec<String>> = rows.iter().map(Tabular::cells).collect();
            table(out, &header, &cells, colour)
        }
    }
}

/// One CSV line of `cells` (RFC 4180: a cell with a comma, quote or line break is quoted).
pub fn csv_line<S: AsRef<str>>(cells: &[S]) -> String {
    cells
        .iter()
        .map(|cell| {
            let cell = cell.as_ref();
            if cell.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", cell.replace('"', "\"\""))
            } else {
                cell.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn is_number(cell: &str) -> bool {
    let cell = cell.trim_end_matches('%');
    !cell.is_empty() && cell.parse::<f64>().is_ok()
}

/// An aligned table: numbers right-aligned, text left-aligned; with colour, a bold header and
/// health words coloured.
pub fn table(
    out: &mut (impl Write + ?Sized),
    header: &[String],
    rows: &[Vec<String>],
    colour: bool,
) -> io::Result<()> {
    let width = |i: usize| {
        rows.iter()
            .filter_map(|r| r.get(i))
            .chain(header.get(i))
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    let line = |cells: &[String], bold: bool| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let pad = widths
                .get(i)
                .copied()
                .unwrap_or(0)
                .saturating_sub(cell.chars().count());
            let shown = if colour {
                paint(cell, bold)
            } else {
                cell.clone()
            };
            if i > 0 {
                text.push_str("  ");
            }
            if is_number(cell) && !bold {
                text.push_str(&" ".repeat(pad));
                text.push_str(&shown);
            } else {
                text.push_str(&shown);
                if i + 1 < cells.len() {
                    text.push_str(&" ".repeat(pad));
                }
            }
        }
        text
    };
    writeln!(out, "{}", line(header, true))?;
    for row in rows {
        writeln!(out, "{}", line(row, false))?;
    }
    if rows.is_empty() {
        writeln!(out, "(no rows)")?;
    }
    Ok(())
}

fn paint(cell: &str, bold: bool) -> String {
    let code = match cell {
        _ if bold => "1",
        "ok" => "32",
        "degraded" | "missed" => "33",
        "failing" | "error" | "breach" => "31",
        "silent" => "35",
        _ => return cell.to_owned(),
    };
    format!("\x1b[{code}m{cell}\x1b[0m")
}
