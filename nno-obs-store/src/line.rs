//! A stored points line parsed in place: the fast path of every reader of points files.
//!
//! The store writes every column of every row ([`crate::points`]), so a line is read into
//! fixed fields, its strings borrowed from the line when they have no escape, and the
//! timestamp read from its fixed `YYYY-MM-DD hh:mm:ss` form without a date library. A line
//! this cannot read (another writer's, a non-string blob) goes to the lenient
//! [`PointRow::from_line`]; [`for_each_row`] does both, so every reader (the local evaluator's
//! JSON path, the columnar sidecar's builder) accepts the same lines and reads the same values.
//!
//! ```
//! use nno_obs_store::line::LineRow;
//! use nno_obs_store::points::write_row;
//!
//! let mut line = Vec::new();
//! write_row(&mut line, 1_771_756_440_999, Some("analytics"), &["analytics", "GET /x"], &[1.0, 45.0]);
//! let row = LineRow::parse(&line).unwrap();
//! assert_eq!(row.timestamp_s(), 1_771_756_440);
//! assert_eq!((row.index1(), row.blob(2), row.blob(3)), ("analytics", "GET /x", ""));
//! assert_eq!((row.double(2), row.double(21), row.sample_interval()), (45.0, 0.0, 1));
//! ```

use crate::points::{PointRow, BLOB_COLUMNS, DOUBLE_COLUMNS};
use serde::Deserialize;
use std::borrow::Cow;

macro_rules! raw_row {
    ($($blob:ident),* ; $($double:ident),*) => {
        /// One stored line parsed in place (see the module).
        #[derive(Deserialize)]
        pub struct LineRow<'a> {
            #[serde(borrow)]
            timestamp: Cow<'a, str>,
            #[serde(default, borrow)]
            index1: Cow<'a, str>,
            $(#[serde(default, borrow)] $blob: Cow<'a, str>,)*
            $(#[serde(default)] $double: f64,)*
            #[serde(rename = "_sample_interval", default = "one")]
            sample_interval: u32,
            #[serde(skip)]
            seconds: i64,
        }

        impl LineRow<'_> {
            /// `blobN` (1-based; `""` when absent or out of range).
            pub fn blob(&self, n: u8) -> &str {
                match n {
                    $(n if n == blob_number(stringify!($blob)) => &self.$blob,)*
                    _ => "",
                }
            }
            /// `doubleN` (1-based; `0` when absent or out of range).
            pub fn double(&self, n: u8) -> f64 {
                match n {
                    $(n if n == double_number(stringify!($double)) => self.$double,)*
                    _ => 0.0,
                }
            }
        }
    };
}

raw_row!(blob1, blob2, blob3, blob4, blob5, blob6, blob7, blob8, blob9, blob10, blob11, blob12,
    blob13, blob14, blob15, blob16, blob17, blob18, blob19, blob20;
    double1, double2, double3, double4, double5, double6, double7, double8, double9, double10,
    double11, double12, double13, double14, double15, double16, double17, double18, double19,
    double20);

const fn number(name: &str, prefix: usize) -> u8 {
    let bytes = name.as_bytes();
    let mut n = 0u8;
    let mut i = prefix;
    while i < bytes.len() {
        n = n * 10 + (bytes[i] - b'0');
        i += 1;
    }
    n
}

const fn blob_number(name: &str) -> u8 {
    number(name, 4)
}

const fn double_number(name: &str) -> u8 {
    number(name, 6)
}

fn one() -> u32 {
    1
}

impl<'a> LineRow<'a> {
    /// Parses `line`; `None` if it is not a row in the writer's form (a `timestamp` with a
    /// fraction or in RFC 3339 is read, cut to the second).
    pub fn parse(line: &'a [u8]) -> Option<Self> {
        let mut row: LineRow<'a> = serde_json::from_slice(line).ok()?;
        row.seconds = crate::points::parse_timestamp_s(&row.timestamp)?;
        Some(row)
    }
}

/// `YYYY-MM-DD hh:mm:ss` (UTC) as Unix seconds, strictly (a real date and time).
pub(crate) fn store_seconds(text: &str) -> Option<i64> {
    seconds(text)
}

fn seconds(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let mut n = 0i64;
        for &c in &b[range] {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + i64::from(c - b'0');
        }
        Some(n)
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m)
        || d < 1
        || d > days_in_month[(m - 1) as usize]
        || hh > 23
        || mm > 59
        || ss > 59
    {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

impl LineRow<'_> {
    /// `timestamp`, seconds since the epoch.
    pub fn timestamp_s(&self) -> i64 {
        self.seconds
    }

    /// `index1`.
    pub fn index1(&self) -> &str {
        &self.index1
    }

    /// `_sample_interval`.
    pub fn sample_interval(&self) -> u32 {
        self.sample_interval
    }
}

/// A row of a stored line, as [`for_each_row`] hands it out: parsed in place, or by the
/// lenient reader.
// One per line, on the stack: boxing the large variant would allocate per row.
#[allow(clippy::large_enum_variant)]
pub enum AnyRow<'a> {
    /// The writer's own form, parsed in place.
    Fast(LineRow<'a>),
    /// Any other line that is a row.
    Lenient(PointRow),
}

impl AnyRow<'_> {
    /// Parses one line: in place if it is in the writer's form, else leniently; `None` if it
    /// is not a row at all (such lines are skipped by every reader).
    pub fn parse(line: &[u8]) -> Option<AnyRow<'_>> {
        if let Some(row) = LineRow::parse(line) {
            Some(AnyRow::Fast(row))
        } else {
            PointRow::from_line(line).map(AnyRow::Lenient)
        }
    }

    /// `timestamp`, seconds since the epoch.
    pub fn timestamp_s(&self) -> i64 {
        match self {
            AnyRow::Fast(row) => row.timestamp_s(),
            AnyRow::Lenient(row) => row.timestamp_s,
        }
    }

    /// `index1`.
    pub fn index1(&self) -> &str {
        match self {
            AnyRow::Fast(row) => row.index1(),
            AnyRow::Lenient(row) => &row.index1,
        }
    }

    /// `blobN` (1-based; `""` when absent).
    pub fn blob(&self, n: u8) -> &str {
        match self {
            AnyRow::Fast(row) => row.blob(n),
            AnyRow::Lenient(row) => row
                .blobs
                .get(usize::from(n).wrapping_sub(1))
                .map(String::as_str)
                .unwrap_or(""),
        }
    }

    /// `doubleN` (1-based; `0` when absent).
    pub fn double(&self, n: u8) -> f64 {
        match self {
            AnyRow::Fast(row) => row.double(n),
            AnyRow::Lenient(row) => row
                .doubles
                .get(usize::from(n).wrapping_sub(1))
                .copied()
                .unwrap_or(0.0),
        }
    }

    /// `_sample_interval`.
    pub fn sample_interval(&self) -> u32 {
        match self {
            AnyRow::Fast(row) => row.sample_interval(),
            AnyRow::Lenient(row) => row.sample_interval,
        }
    }
}

/// Calls `visit` with every row of NDJSON `reader` (a points file, inflated), in order, and
/// returns how many lines were skipped because they are not rows (a torn last line, a line
/// that is not JSON, a `timestamp` [`crate::points::parse_timestamp_s`] cannot read): a
/// reader reports that count, as the log reader reports damaged lines, so no row is lost
/// silently. Blank lines are not rows and not counted.
///
/// ```
/// use nno_obs_store::line::for_each_row;
/// use nno_obs_store::points::write_row;
///
/// let mut file = Vec::new();
/// write_row(&mut file, 1_000, None, &["a"], &[]);
/// file.extend_from_slice(b"{\"torn\n");
/// write_row(&mut file, 2_000, None, &["b"], &[]);
/// file.extend_from_slice(b"{\"timestamp\":\"2026-02-22 10:34:00.123\",\"blob1\":\"c\"}\n\n");
/// let mut seen = Vec::new();
/// let skipped = for_each_row(&file[..], &mut |row| seen.push(row.blob(1).to_owned())).unwrap();
/// assert_eq!(seen, ["a", "b", "c"]);
/// assert_eq!(skipped, 1);
/// ```
pub fn for_each_row(
    reader: impl std::io::Read,
    visit: &mut dyn FnMut(&AnyRow<'_>),
) -> std::io::Result<u64> {
    use std::io::BufRead;
    let mut reader = std::io::BufReader::with_capacity(1 << 16, reader);
    let mut line = Vec::new();
    let mut skipped = 0u64;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(skipped);
        }
        match AnyRow::parse(&line) {
            Some(row) => visit(&row),
            None if line.iter().all(u8::is_ascii_whitespace) => {}
            None => skipped += 1,
        }
    }
}

const _: () = assert!(BLOB_COLUMNS == 20 && DOUBLE_COLUMNS == 20);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::points::write_row;

    #[test]
    fn reads_what_the_store_writes_as_the_lenient_reader_does() {
        for (ms, blobs, doubles) in [
            (
                1_771_756_440_999u64,
                vec!["a\"b", "é\\", "x"],
                vec![1.0, 2.5, f64::MAX],
            ),
            (0, vec![], vec![]),
            (951_825_600_000, vec!["leap"], vec![-0.0]), // 2000-02-29 12:00:00
        ] {
            let mut line = Vec::new();
            write_row(&mut line, ms, Some("i\n"), &blobs, &doubles);
            let fast = LineRow::parse(&line).unwrap();
            let slow = AnyRow::Lenient(PointRow::from_line(&line).unwrap());
            assert_eq!(fast.timestamp_s(), slow.timestamp_s());
            assert_eq!(fast.index1(), slow.index1());
            for n in 1..=20 {
                assert_eq!(fast.blob(n), slow.blob(n));
                assert_eq!(fast.double(n).to_bits(), slow.double(n).to_bits());
            }
            assert_eq!(fast.sample_interval(), 1);
        }
        assert_eq!(seconds("2026-02-30 00:00:00"), None);
        assert_eq!(seconds("2026-02-22 24:00:00"), None);
        assert_eq!(seconds("2026-02-22T10:34:00"), None);
    }

    #[test]
    fn another_writers_line_goes_to_the_lenient_reader() {
        let line = br#"{"timestamp":"2026-02-22 10:34:00","blob1":7,"double1":2}"#;
        let row = AnyRow::parse(line).unwrap();
        assert!(matches!(row, AnyRow::Lenient(_)));
        assert_eq!((row.blob(1), row.double(1)), ("", 2.0));
        assert!(AnyRow::parse(b"{\"torn").is_none());
    }
}
