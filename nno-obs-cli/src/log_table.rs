//! The log table a person reads, in the manner of `hl`: one line per entry, as wide as the
//! terminal and never wider — the time of day (a line names the date), the level, where the
//! entry came from, its trace, and the message with its key fields inline (`status=500
//! duration=48`, the `error` of an "unhandled error", the `step` of a job's step); every other
//! field with `--expand`.

use nno_obs_logs::Level;
use nno_obs_store::layout::ScriptName;
use serde_json::Value;
use std::io::{self, Write};

/// The fields shown inline after the message, in this order, when an entry has them — the
/// most telling first, as the message is cut to the width: a job's step, how a request
/// ended (status, duration), what went wrong, then what was asked, and the job.
const KEY_FIELDS: [&str; 10] = [
    "step",
    "status",
    "duration",
    "durationMs",
    "error",
    "reason",
    "method",
    "path",
    "endpoint",
    "jobId",
];

/// Columns off a terminal, when `COLUMNS` is not set.
pub const DEFAULT_WIDTH: usize = 100;

/// The fewest characters of a message shown: narrower, the trace id is shortened instead.
const MIN_MESSAGE: usize = 10;

/// A trace id shortened to fit keeps this many characters, then `…`.
const SHORT_TRACE: usize = 8;

/// The widest the WHERE column gets (longer names end in `…`).
const WHERE_MAX: usize = 24;

/// The width to fit: `COLUMNS` when set to a number, else the terminal's, else
/// [`DEFAULT_WIDTH`].
///
/// ```ignore
/// std::env::set_var("COLUMNS", "132");
/// assert_eq!(output_width(), 132);
/// ```
pub fn output_width() -> usize {
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|text| text.trim().parse::<usize>().ok())
        .filter(|columns| *columns > 0)
    {
        return columns;
    }
    terminal_size::terminal_size()
        .map(|(terminal_size::Width(columns), _)| usize::from(columns))
        .unwrap_or(DEFAULT_WIDTH)
}

/// One entry of the table.
pub struct LogRow {
    /// Its time, in milliseconds since the epoch.
    pub time_ms: Option<u64>,
    /// Its level.
    pub level: Level,
    /// The Worker's script name, when known.
    pub script: Option<String>,
    /// Its trace id (an exception's: its record's).
    pub trace: Option<String>,
    /// The message.
    pub message: String,
    /// The line as written (JSON), for the key fields.
    pub line: Option<String>,
    /// The whole entry, indented, printed under the row (`--expand`).
    pub expanded: Option<String>,
}

/// How the table is drawn.
#[derive(Clone, Copy, Debug)]
pub struct Look {
    /// Characters per line.
    pub width: usize,
    /// Level colours.
    pub colour: bool,
}

/// Where an entry came from, short: `k3m9p2xw7q/analytics` for a platform's Worker,
/// `gateway` for a core service, the script name otherwise, `-` without one.
///
/// ```ignore
/// assert_eq!(place(Some("k3m9p2xw7q-r8n4t6y1z5-analytics-prod")), "k3m9p2xw7q/analytics");
/// assert_eq!(place(Some("nno-gateway-prod")), "gateway");
/// ```
fn place(script: Option<&str>) -> String {
    let Some(script) = script else {
        return "-".to_owned();
    };
    let Ok(name) = ScriptName::parse(script) else {
        return script.to_owned();
    };
    let what = name.feature().or(name.service());
    match (name.platform(), what) {
        (Some(platform), Some(what)) => format!("{}/{what}", platform.as_str()),
        (Some(platform), None) => platform.as_str().to_owned(),
        (None, Some(what)) => what.to_owned(),
        (None, None) => script.to_owned(),
    }
}

/// The message with its key fields inline: `← response status=200 duration=48 method=GET
/// path=/x`; a value with a space or a quote is quoted, a line break shown as `\n`.
fn message_with_fields(message: &str, line: Option<&str>) -> String {
    let mut text = one_line(message);
    let fields = line.and_then(|line| serde_json::from_str::<Value>(line).ok());
    let Some(Value::Object(fields)) = fields else {
        return text;
    };
    for key in KEY_FIELDS {
        let value = match fields.get(key) {
            None | Some(Value::Null) => continue,
            Some(Value::String(s)) if s.contains([' ', '"', '=']) || s.is_empty() => {
                serde_json::to_string(s).unwrap_or_default()
            }
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        text.push_str(&format!(" {key}={}", one_line(&value)));
    }
    text
}

/// Text on one table line: line breaks and tabs shown as `\n`, `\r` and `\t`.
fn one_line(text: &str) -> String {
    text.replace('\n', "\\n")
        .replace('\r', "\\r")
        .replace('\t', "\\t")
}

/// `text` cut to `width` characters, its last one `…` when cut.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn paint(level: Level, text: &str, colour: bool) -> String {
    if !colour {
        return text.to_owned();
    }
    let code = match level {
        Level::Debug => "2",
        Level::Info => "32",
        Level::Warn => "33",
        Level::Error => "1;31",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// `2026-12-07` and `13:59:48.541` (UTC), or `-` without a time.
fn day_and_time(time_ms: Option<u64>) -> (String, String) {
    let Some(ms) = time_ms else {
        return (String::new(), "-".to_owned());
    };
    let iso = nno_obs_store::time::format_rfc3339_ms(ms); // 2026-12-07T13:59:48.541Z
    let day = iso.get(..10).unwrap_or_default().to_owned();
    let time = iso.get(11..23).unwrap_or_default().to_owned();
    (day, time)
}

/// Prints `rows`: a header, a line naming each new UTC day, one line per entry no wider than
/// `look.width`, and under each row its expansion when it has one (then a blank line ends the
/// output).
pub fn write(out: &mut impl Write, rows: &[LogRow], look: Look) -> io::Result<()> {
    LogTable::new(look).write(out, rows)
}

/// The log table, written at once or in batches (`--follow`). Followed, the header comes once,
/// before the first entry (none while nothing matches); the columns are as wide as the widest
/// WHERE and a whole trace id, fixed then, so later rows stay under their headers; a
/// day's line comes only when the day changes, across batches too.
///
/// ```ignore
/// let mut table = LogTable::following(look);
/// table.write(&mut out, &[])?;          // nothing at all
/// table.write(&mut out, &first_batch)?; // header + rows
/// table.write(&mut out, &next_batch)?;  // rows only, same widths
/// ```
#[derive(Debug)]
pub struct LogTable {
    look: Look,
    following: bool,
    /// WHERE's and TRACE's widths, once the header is written.
    widths: Option<(usize, usize)>,
    day_shown: String,
}

/// The TRACE column a followed table keeps: a trace id as NNO writes it, a UUID (seed §4.1);
/// W3C's 32 hex digits fit too.
const TRACE_ID_LEN: usize = 36;

impl LogTable {
    /// A table written once: its columns fit these rows, and the header is written even
    /// without rows (an empty answer still shows its columns).
    pub fn new(look: Look) -> Self {
        Self {
            look,
            following: false,
            widths: None,
            day_shown: String::new(),
        }
    }

    /// A table written batch after batch, as entries arrive.
    pub fn following(look: Look) -> Self {
        Self {
            following: true,
            ..Self::new(look)
        }
    }

    /// Writes `rows`.
    pub fn write(&mut self, out: &mut impl Write, rows: &[LogRow]) -> io::Result<()> {
        let places: Vec<String> = rows
            .iter()
            .map(|row| place(row.script.as_deref()))
            .collect();
        let traces: Vec<&str> = rows
            .iter()
            .map(|row| row.trace.as_deref().unwrap_or("-"))
            .collect();
        let (where_width, trace_width) = match self.widths {
            Some(widths) => widths,
            None if self.following && rows.is_empty() => return Ok(()),
            None => {
                let (least_place, least_trace) = match self.following {
                    true => (WHERE_MAX, TRACE_ID_LEN),
                    false => (0, 0),
                };
                let widths = widths(
                    places
                        .iter()
                        .map(|p| p.chars().count())
                        .chain([least_place]),
                    traces
                        .iter()
                        .map(|t| t.chars().count())
                        .chain([least_trace]),
                    self.look.width,
                );
                writeln!(
                    out,
                    "{:<TIME$}  {:<LEVEL$}  {:<where_width$}  {:<trace_width$}  MESSAGE",
                    "TIME",
                    "LEVEL",
                    "WHERE",
                    "TRACE",
                    where_width = widths.0,
                    trace_width = widths.1,
                )?;
                self.widths = Some(widths);
                widths
            }
        };
        let message_width = self
            .look
            .width
            .saturating_sub(FIXED + where_width + 2 + trace_width + 2)
            .max(MIN_MESSAGE);
        let mut expanded_any = false;
        for ((row, place), trace) in rows.iter().zip(&places).zip(&traces) {
            let (day, time) = day_and_time(row.time_ms);
            if !day.is_empty() && day != self.day_shown {
                writeln!(out, "{day} (UTC)")?;
                self.day_shown = day;
            }
            let level = format!("{:<LEVEL$}", row.level.to_string());
            let message = message_with_fields(&row.message, row.line.as_deref());
            writeln!(
                out,
                "{time:<TIME$}  {}  {:<where_width$}  {:<trace_width$}  {}",
                paint(row.level, &level, self.look.colour),
                fit(place, where_width),
                fit(trace, trace_width),
                fit(&message, message_width)
            )?;
            if let Some(expanded) = &row.expanded {
                expanded_any = true;
                for line in expanded.lines() {
                    writeln!(out, "    {line}")?;
                }
            }
        }
        if expanded_any {
            writeln!(out)?;
        }
        Ok(())
    }
}

/// TIME's width: `13:59:48.541`.
const TIME: usize = 12;
/// LEVEL's width.
const LEVEL: usize = 5;
/// TIME and LEVEL with their gaps.
const FIXED: usize = TIME + 2 + LEVEL + 2;

/// WHERE's and TRACE's widths for rows with these places' and traces' widths, within `width`.
///
/// Only the message gives way to the width (cut with an ellipsis, down to MIN_MESSAGE): the
/// trace id stays whole, to be copied into `nno-obs trace`. Only on a terminal too narrow even
/// then is the trace id shortened to its start (whole in --expand and the JSON formats), then
/// WHERE cut, down to their headers' widths.
fn widths(
    places: impl Iterator<Item = usize>,
    traces: impl Iterator<Item = usize>,
    width: usize,
) -> (usize, usize) {
    let widest_place = places
        .chain(["WHERE".len()])
        .max()
        .unwrap_or(0)
        .min(WHERE_MAX);
    let full_trace = traces.chain(["TRACE".len()]).max().unwrap_or(0);
    let short_trace = full_trace.min(SHORT_TRACE + 1).max("TRACE".len());
    if FIXED + widest_place + 2 + full_trace + 2 + MIN_MESSAGE <= width {
        (widest_place, full_trace)
    } else {
        let room = width.saturating_sub(FIXED + 2 + short_trace + 2 + MIN_MESSAGE);
        (widest_place.min(room).max("WHERE".len()), short_trace)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_is_short() {
        assert_eq!(
            place(Some("k3m9p2xw7q-r8n4t6y1z5-analytics-prod")),
            "k3m9p2xw7q/analytics"
        );
        assert_eq!(place(Some("k3m9p2xw7q-auth-prod")), "k3m9p2xw7q/auth");
        assert_eq!(place(Some("nno-gateway-prod")), "gateway");
        assert_eq!(place(Some("not a script")), "not a script");
        assert_eq!(place(None), "-");
    }

    #[test]
    fn key_fields_follow_the_message_in_their_order() {
        let line = r#"{"message":"← response","userId":"u-1","status":200,"method":"GET","path":"/x","duration":48}"#;
        assert_eq!(
            message_with_fields("← response", Some(line)),
            "← response status=200 duration=48 method=GET path=/x"
        );
        let line = r#"{"message":"unhandled error","error":"D1_ERROR: locked\nat x"}"#;
        assert_eq!(
            message_with_fields("unhandled error", Some(line)),
            r#"unhandled error error="D1_ERROR: locked\nat x""#
        );
        assert_eq!(message_with_fields("a\tb", Some("not json")), "a\\tb");
        assert_eq!(message_with_fields("plain", None), "plain");
    }

    fn drawn(width: usize) -> String {
        let row = LogRow {
            time_ms: Some(1_796_651_988_541), // 2026-12-07T13:59:48.541Z
            level: Level::Error,
            script: Some("k3m9p2xw7q-r8n4t6y1z5-reports-prod".into()),
            trace: Some("5697628e-be3c-4c4d-b6a9-f3944d2eb26d".into()),
            message: "unhandled error".into(),
            line: Some(r#"{"error":"D1_ERROR: database is locked"}"#.into()),
            expanded: None,
        };
        let mut out = Vec::new();
        let look = Look {
            width,
            colour: false,
        };
        write(&mut out, &[row], look).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_message_gives_way_first_and_the_trace_only_on_a_narrow_terminal() {
        assert_eq!(
            drawn(140),
            "\
TIME          LEVEL  WHERE               TRACE                                 MESSAGE
2026-12-07 (UTC)
13:59:48.541  error  k3m9p2xw7q/reports  5697628e-be3c-4c4d-b6a9-f3944d2eb26d  unhandled error error=\"D1_ERROR: database is locked\"
"
        );
        assert_eq!(
            drawn(70),
            "\
TIME          LEVEL  WHERE               TRACE      MESSAGE
2026-12-07 (UTC)
13:59:48.541  error  k3m9p2xw7q/reports  5697628e…  unhandled error e…
"
        );
        assert!(drawn(70).lines().all(|line| line.chars().count() <= 70));
        // At 100 columns only the message gives way.
        assert!(
            drawn(100).contains("  5697628e-be3c-4c4d-b6a9-f3944d2eb26d  unhandled error erro…\n")
        );
        assert!(drawn(100).lines().all(|line| line.chars().count() <= 100));
    }

    #[test]
    fn text_too_long_ends_in_an_ellipsis() {
        assert_eq!(fit("abcdef", 6), "abcdef");
        assert_eq!(fit("abcdefg", 6), "abcde…");
        assert_eq!(fit("→→→→", 2), "→…");
    }

    fn row_at(time_ms: u64, script: &str, trace: &str, message: &str) -> LogRow {
        LogRow {
            time_ms: Some(time_ms),
            level: Level::Info,
            script: Some(script.into()),
            trace: Some(trace.into()),
            message: message.into(),
            line: None,
            expanded: None,
        }
    }

    #[test]
    fn a_followed_table_has_one_header_fixed_widths_and_one_line_per_day() {
        let look = Look {
            width: 120,
            colour: false,
        };
        let mut table = LogTable::following(look);
        let mut out = Vec::new();
        // Nothing matched yet: nothing written, not even the header.
        table.write(&mut out, &[]).unwrap();
        assert!(out.is_empty());
        let day = 1_796_651_988_541; // 2026-12-07T13:59:48.541Z
        table
            .write(&mut out, &[row_at(day, "nno-gateway-prod", "t-1", "first")])
            .unwrap();
        table.write(&mut out, &[]).unwrap();
        table
            .write(
                &mut out,
                &[
                    // A longer place and a whole UUID stay under their headers.
                    row_at(
                        day + 1,
                        "k3m9p2xw7q-r8n4t6y1z5-reports-prod",
                        "5697628e-be3c-4c4d-b6a9-f3944d2eb26d",
                        "second",
                    ),
                    row_at(day + 86_400_000, "nno-gateway-prod", "t-3", "next day"),
                ],
            )
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "\
TIME          LEVEL  WHERE                     TRACE                                 MESSAGE
2026-12-07 (UTC)
13:59:48.541  info   gateway                   t-1                                   first
13:59:48.542  info   k3m9p2xw7q/reports        5697628e-be3c-4c4d-b6a9-f3944d2eb26d  second
2026-12-08 (UTC)
13:59:48.541  info   gateway                   t-3                                   next day
"
        );
    }

    #[test]
    fn a_table_written_once_shows_its_header_even_when_empty() {
        let look = Look {
            width: 80,
            colour: false,
        };
        let mut out = Vec::new();
        write(&mut out, &[], look).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "TIME          LEVEL  WHERE  TRACE  MESSAGE\n"
        );
    }
}
