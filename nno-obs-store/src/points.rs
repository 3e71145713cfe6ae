//! The stored form of an Analytics Engine data point: one row with Analytics Engine's columns.
//!
//! Each dataset has its own folder, `analytics-engine/{dataset}/{DATE}/{HOUR}/points-{uuid}.json.gz`
//! (see [`crate::layout`]); each file is gzip NDJSON in ClickHouse's `JSONEachRow` form, so
//! `file('analytics-engine/{dataset}/**/*.json.gz', 'JSONEachRow', STRUCTURE)` reads it as is.
//! The `{HOUR}` folder is the hour of the row's `timestamp`.
//!
//! # Columns, in the order written
//!
//! | column | JSON | meaning |
//! |---|---|---|
//! | `timestamp` | string `YYYY-MM-DD hh:mm:ss` (UTC) | when the point was written, cut to whole seconds as Analytics Engine stores it; ClickHouse reads it as `DateTime('UTC')` |
//! | `index1` | string | the point's index, `""` when it has none |
//! | `blob1` … `blob20` | string | the blobs in order; `""` past the last blob (what Analytics Engine returns for an unset blob) |
//! | `double1` … `double20` | number | the doubles in order; `0` past the last double (as Analytics Engine); a non-finite double (which JSON cannot hold) is written as `0` |
//! | `_sample_interval` | integer | how many points this row stands for; always `1` in a local store, which does not sample |
//!
//! Every column is always present, so every file has the same schema ([`CLICKHOUSE_STRUCTURE`]).
//! Rows of one file are in write order; rows within one second have no order of their own, so a
//! reader that needs one breaks ties by (file key, line number).

use serde::{Deserialize, Serialize};

/// Blob columns per row.
pub const BLOB_COLUMNS: usize = 20;
/// Double columns per row.
pub const DOUBLE_COLUMNS: usize = 20;

/// The ClickHouse structure of a points file (the third argument of `file()`/`s3()`).
pub const CLICKHOUSE_STRUCTURE: &str = "timestamp DateTime('UTC'), index1 String, \
blob1 String, blob2 String, blob3 String, blob4 String, blob5 String, blob6 String, blob7 String, \
blob8 String, blob9 String, blob10 String, blob11 String, blob12 String, blob13 String, \
blob14 String, blob15 String, blob16 String, blob17 String, blob18 String, blob19 String, \
blob20 String, double1 Float64, double2 Float64, double3 Float64, double4 Float64, \
double5 Float64, double6 Float64, double7 Float64, double8 Float64, double9 Float64, \
double10 Float64, double11 Float64, double12 Float64, double13 Float64, double14 Float64, \
double15 Float64, double16 Float64, double17 Float64, double18 Float64, double19 Float64, \
double20 Float64, _sample_interval UInt32";

/// Appends one row, with its trailing `\n`, to `out`.
///
/// ```
/// let mut row = Vec::new();
/// nno_obs_store::points::write_row(&mut row, 1_771_756_440_999, Some("analytics"),
///     &["analytics", "GET /api/data"], &[1.0, 45.0]);
/// let text = String::from_utf8(row).unwrap();
/// assert!(text.starts_with(
///     r#"{"timestamp":"2026-02-22 10:34:00","index1":"analytics","blob1":"analytics","blob2":"GET /api/data","blob3":"","#));
/// assert!(text.ends_with(r#""double1":1.0,"double2":45.0,"double3":0.0,"double4":0.0,"double5":0.0,"double6":0.0,"double7":0.0,"double8":0.0,"double9":0.0,"double10":0.0,"double11":0.0,"double12":0.0,"double13":0.0,"double14":0.0,"double15":0.0,"double16":0.0,"double17":0.0,"double18":0.0,"double19":0.0,"double20":0.0,"_sample_interval":1}
/// "#));
/// ```
pub fn write_row(
    out: &mut Vec<u8>,
    timestamp_ms: u64,
    index: Option<&str>,
    blobs: &[&str],
    doubles: &[f64],
) {
    out.extend_from_slice(b"{\"timestamp\":\"");
    out.extend_from_slice(seconds_timestamp(timestamp_ms).as_bytes());
    out.extend_from_slice(b"\",\"index1\":");
    write_json_str(out, index.unwrap_or(""));
    for column in 0..BLOB_COLUMNS {
        out.extend_from_slice(format!(",\"blob{}\":", column + 1).as_bytes());
        write_json_str(out, blobs.get(column).copied().unwrap_or(""));
    }
    for column in 0..DOUBLE_COLUMNS {
        out.extend_from_slice(format!(",\"double{}\":", column + 1).as_bytes());
        let value = doubles.get(column).copied().unwrap_or(0.0);
        let value = if value.is_finite() { value } else { 0.0 };
        // serde_json writes a finite f64 exactly (shortest round-trip form, `1.0` not `1`).
        out.extend_from_slice(
            serde_json::to_string(&value)
                .unwrap_or_else(|_| "0.0".into())
                .as_bytes(),
        );
    }
    out.extend_from_slice(b",\"_sample_interval\":1}\n");
}

fn write_json_str(out: &mut Vec<u8>, text: &str) {
    // Serializing a &str into a Vec cannot fail; should it, the row keeps valid JSON.
    if serde_json::to_writer(&mut *out, text).is_err() {
        out.extend_from_slice(b"\"\"");
    }
}

/// `YYYY-MM-DD hh:mm:ss` of the second holding `ms` (UTC).
pub fn seconds_timestamp(ms: u64) -> String {
    crate::time::format_datetime(i64::try_from(ms / 1000).unwrap_or(i64::MAX))
}

/// Unix seconds of a points row's `timestamp`, cut to the second as Analytics Engine stores
/// it: the store's own `YYYY-MM-DD hh:mm:ss` (UTC), the same with a fraction
/// (`2026-02-22 10:34:00.123`), or an RFC 3339 time (`2026-02-22T10:34:00.123Z`, any offset);
/// `None` for anything else (the row is then skipped and counted by the readers, see
/// [`crate::line::for_each_row`]).
///
/// ```
/// use nno_obs_store::points::parse_timestamp_s;
///
/// assert_eq!(parse_timestamp_s("2026-02-22 10:34:00"), Some(1_771_756_440));
/// assert_eq!(parse_timestamp_s("2026-02-22 10:34:00.999"), Some(1_771_756_440));
/// assert_eq!(parse_timestamp_s("2026-02-22T10:34:00.123Z"), Some(1_771_756_440));
/// assert_eq!(parse_timestamp_s("2026-02-22T11:34:00+01:00"), Some(1_771_756_440));
/// assert_eq!(parse_timestamp_s("2026-02-22 10:34"), None);
/// assert_eq!(parse_timestamp_s("yesterday"), None);
/// ```
pub fn parse_timestamp_s(text: &str) -> Option<i64> {
    if let Some(seconds) = crate::line::store_seconds(text) {
        return Some(seconds);
    }
    // `YYYY-MM-DD hh:mm:ss.fff…`: the second, the fraction cut.
    if let (Some(head), Some(fraction)) = (text.get(..19), text.get(19..)) {
        if let Some(digits) = fraction.strip_prefix('.') {
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                return crate::line::store_seconds(head);
            }
        }
    }
    let time =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    // Whole seconds, floored (the sub-second part is never negative).
    Some(time.unix_timestamp())
}

/// A stored row read back (for the local evaluation of the metrics questions, seed §3.3, §7).
///
/// ```
/// use nno_obs_store::points::{write_row, PointRow};
///
/// let mut line = Vec::new();
/// write_row(&mut line, 1_771_756_440_999, None, &["registry"], &[1.0]);
/// let row = PointRow::from_line(&line).unwrap();
/// assert_eq!(row.timestamp_s, 1_771_756_440);
/// assert_eq!(row.blobs[0], "registry");
/// assert_eq!(row.doubles[0], 1.0);
/// assert_eq!(row.sample_interval, 1);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct PointRow {
    /// Seconds since the Unix epoch.
    pub timestamp_s: i64,
    /// `index1`.
    pub index1: String,
    /// `blob1` … `blob20`.
    pub blobs: Vec<String>,
    /// `double1` … `double20`.
    pub doubles: Vec<f64>,
    /// `_sample_interval`.
    pub sample_interval: u32,
}

#[derive(Deserialize, Serialize)]
struct RawRow {
    timestamp: String,
    #[serde(default)]
    index1: String,
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
    #[serde(rename = "_sample_interval", default = "one")]
    sample_interval: u32,
}

fn one() -> u32 {
    1
}

impl PointRow {
    /// Reads one stored line; `None` if it is not a row (not a JSON object, or no `timestamp`
    /// [`parse_timestamp_s`] reads).
    pub fn from_line(line: &[u8]) -> Option<Self> {
        let raw: RawRow = serde_json::from_slice(line).ok()?;
        let timestamp_s = parse_timestamp_s(&raw.timestamp)?;
        let blobs = (1..=BLOB_COLUMNS)
            .map(|n| {
                raw.rest
                    .get(&format!("blob{n}"))
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_owned()
            })
            .collect();
        let doubles = (1..=DOUBLE_COLUMNS)
            .map(|n| {
                raw.rest
                    .get(&format!("double{n}"))
                    .and_then(|v| v.as_f64())
                    .unwrap_or(0.0)
            })
            .collect();
        Some(Self {
            timestamp_s,
            index1: raw.index1,
            blobs,
            doubles,
            sample_interval: raw.sample_interval,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_row() {
        let mut row = Vec::new();
        write_row(
            &mut row,
            1_771_756_440_123,
            Some("tr\"1"),
            &["a\nb", "é"],
            &[1.5, f64::NAN, 3.0],
        );
        let text = String::from_utf8(row).unwrap();
        let mut expected = String::from(
            r#"{"timestamp":"2026-02-22 10:34:00","index1":"tr\"1","blob1":"a\nb","blob2":"é""#,
        );
        for n in 3..=20 {
            expected.push_str(&format!(",\"blob{n}\":\"\""));
        }
        expected.push_str(r#","double1":1.5,"double2":0.0,"double3":3.0"#);
        for n in 4..=20 {
            expected.push_str(&format!(",\"double{n}\":0.0"));
        }
        expected.push_str(",\"_sample_interval\":1}\n");
        assert_eq!(text, expected);
        let back = PointRow::from_line(text.as_bytes()).unwrap();
        assert_eq!(back.index1, "tr\"1");
        assert_eq!(back.blobs[1], "é");
        assert_eq!(back.doubles[..3], [1.5, 0.0, 3.0]);
    }

    #[test]
    fn the_structure_names_every_column_once() {
        let columns: Vec<&str> = CLICKHOUSE_STRUCTURE
            .split(", ")
            .map(|c| c.split(' ').next().unwrap())
            .collect();
        assert_eq!(columns.len(), 2 + BLOB_COLUMNS + DOUBLE_COLUMNS + 1);
        assert_eq!(columns[0], "timestamp");
        assert_eq!(columns[22], "double1");
        assert_eq!(columns[42], "_sample_interval");
    }
}
