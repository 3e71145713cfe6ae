//! A stored line parsed in place: the local reader's fast path.
//!
//! The store writes every column of every row (`nno_obs_store::points`), so a line is read
//! into fixed fields, its strings borrowed from the line when they have no escape, and the
//! timestamp read from its fixed `YYYY-MM-DD hh:mm:ss` form without a date library. A line this
//! cannot read (another writer's, a non-string blob) goes to the store's own lenient
//! `PointRow::from_line`, so both accept the same lines.

use crate::eval::Row;
use crate::plan::TextCol;
use serde::Deserialize;
use std::borrow::Cow;

macro_rules! raw_row {
    ($($blob:ident),* ; $($double:ident),*) => {
        #[derive(Deserialize)]
        pub(crate) struct LineRow<'a> {
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
            fn blob(&self, n: u8) -> &str {
                match n {
                    $(n if n == blob_number(stringify!($blob)) => &self.$blob,)*
                    _ => "",
                }
            }
            fn double_at(&self, n: u8) -> f64 {
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
    /// Parses `line`; `None` if it is not a row in the writer's form.
    pub(crate) fn parse(line: &'a [u8]) -> Option<Self> {
        let mut row: LineRow<'a> = serde_json::from_slice(line).ok()?;
        row.seconds = seconds(&row.timestamp)?;
        Some(row)
    }
}

/// `YYYY-MM-DD hh:mm:ss` (UTC) as Unix seconds, strictly (a real date and time).
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

impl Row for LineRow<'_> {
    fn timestamp_s(&self) -> i64 {
        self.seconds
    }
    fn text(&self, col: TextCol) -> &str {
        match col {
            TextCol::Index1 => &self.index1,
            TextCol::Blob(n) => self.blob(n),
        }
    }
    fn double(&self, n: u8) -> f64 {
        self.double_at(n)
    }
    fn sample_interval(&self) -> u32 {
        self.sample_interval
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nno_obs_store::points::{write_row, PointRow};

    #[test]
    fn reads_what_the_store_writes_as_the_store_does() {
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
            let slow = PointRow::from_line(&line).unwrap();
            assert_eq!(fast.timestamp_s(), slow.timestamp_s);
            assert_eq!(fast.text(TextCol::Index1), slow.index1);
            for n in 1..=20 {
                assert_eq!(
                    fast.text(TextCol::Blob(n)),
                    Row::text(&slow, TextCol::Blob(n))
                );
                assert_eq!(fast.double(n).to_bits(), Row::double(&slow, n).to_bits());
            }
            assert_eq!(fast.sample_interval(), 1);
        }
        assert_eq!(seconds("2026-02-30 00:00:00"), None);
        assert_eq!(seconds("2026-02-22 24:00:00"), None);
        assert_eq!(seconds("2026-02-22T10:34:00"), None);
    }
}
