//! The one `--format` every command that prints data takes: `table` for a person (the
//! default), `json` for one document, `ndjson` for one JSON object a line, `csv` for a
//! spreadsheet. A command refuses a format it cannot produce, naming those it can.

use crate::Failure;
use clap::{Args, ValueEnum};
use std::io::IsTerminal;

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// An aligned table for a person (colour on a terminal, never with NO_COLOR).
    Table,
    /// One JSON document (the read API's answer where it has the same one).
    Json,
    /// One JSON object per line.
    Ndjson,
    /// CSV with a header line (RFC 4180 quoting).
    Csv,
}

impl Format {
    /// The word the command line spells it with.
    ///
    /// ```ignore
    /// assert_eq!(Format::Ndjson.word(), "ndjson");
    /// ```
    pub fn word(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Csv => "csv",
        }
    }
}

/// `--format`, flattened into every command that prints data, with `--json` (the older
/// spelling of `--format json`) kept, hidden.
///
/// ```ignore
/// #[derive(clap::Args)]
/// struct SearchArgs {
///     #[command(flatten)]
///     format: FormatArg,
/// }
/// let format = args.format.pick("logs search", &[Format::Table, Format::Json])?;
/// ```
#[derive(Args, Clone, Copy, Debug)]
pub struct FormatArg {
    /// Output format: table (for a person), json (one document), ndjson (one JSON object a
    /// line) or csv. A command refuses one it cannot produce.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// The same as --format json (older spelling).
    #[arg(long, hide = true, conflicts_with = "format")]
    json: bool,
}

impl FormatArg {
    /// The format asked for, when `command` can produce it (`offered`); otherwise a failure
    /// saying which it can.
    pub fn pick(self, command: &str, offered: &[Format]) -> Result<Format, Failure> {
        let asked = if self.json { Format::Json } else { self.format };
        if offered.contains(&asked) {
            return Ok(asked);
        }
        let words: Vec<&str> = offered.iter().map(|f| f.word()).collect();
        Err(Failure(format!(
            "--format {}: `{command}` prints {}",
            asked.word(),
            one_of(&words)
        )))
    }
}

/// `table, json or csv`.
fn one_of(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Whether to colour: on a terminal, and never with `NO_COLOR` set (<https://no-color.org>).
pub fn colour_on(stream: &impl IsTerminal) -> bool {
    stream.is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg(format: Format, json: bool) -> FormatArg {
        FormatArg { format, json }
    }

    #[test]
    fn a_format_offered_is_picked_and_json_is_the_old_spelling() {
        let all = [Format::Table, Format::Json, Format::Ndjson, Format::Csv];
        assert_eq!(
            arg(Format::Csv, false)
                .pick("q", &all)
                .ok()
                .map(|f| f.word()),
            Some("csv")
        );
        assert_eq!(
            arg(Format::Table, true)
                .pick("q", &all)
                .ok()
                .map(|f| f.word()),
            Some("json")
        );
    }

    #[test]
    fn a_format_not_offered_is_refused_naming_those_that_are() {
        let refused = arg(Format::Csv, false)
            .pick("trace", &[Format::Table, Format::Json])
            .err()
            .map(|f| f.message);
        assert_eq!(
            refused.as_deref(),
            Some("--format csv: `trace` prints table or json")
        );
        assert_eq!(
            one_of(&["table", "json", "ndjson"]),
            "table, json or ndjson"
        );
    }
}
