//! Time ranges and buckets, in Analytics Engine's whole seconds.
//!
//! **Range**: `[from, until)` in whole seconds since the epoch, UTC: a point belongs to the
//! range when `from <= timestamp < until`, rendered as
//! `timestamp >= toDateTime(from) AND timestamp < toDateTime(until)` (numbers, never text:
//! no time zone can shift them). A point's `timestamp` is the second it was written, cut (not
//! rounded) as Analytics Engine stores it.
//!
//! **Bucket**: a length that divides a day (1, 5, 10, 15, 30 min; 1, 2, 3, 4, 6, 12, 24 h); a
//! point's bucket starts at `timestamp - timestamp mod length`, which is what
//! `toStartOfInterval(timestamp, INTERVAL 'n' SECOND)` gives in UTC for such lengths.

use crate::error::QueryError;
use std::fmt;

/// `[from_s, until_s)`.
///
/// ```
/// use nno_obs_query::TimeRange;
///
/// let range = TimeRange::ending(1_771_761_600, "24h").unwrap();
/// assert_eq!(range.from_s(), 1_771_761_600 - 86_400);
/// assert!(range.contains(range.from_s()) && !range.contains(range.until_s()));
/// assert!(TimeRange::ending(10, "0h").is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimeRange {
    from_s: i64,
    until_s: i64,
}

impl TimeRange {
    /// `[from_s, until_s)`; empty or reversed ranges are rejected.
    pub fn new(from_s: i64, until_s: i64) -> Result<Self, QueryError> {
        if from_s < 0 || until_s <= from_s {
            return Err(QueryError::InvalidValue {
                detail: format!("the range [{from_s}, {until_s}) is empty or before 1970"),
            });
        }
        Ok(Self { from_s, until_s })
    }

    /// The range of length `length` (`15m`, `24h`, `7d`, see [`parse_length`]) ending at
    /// `until_s` (exclusive).
    pub fn ending(until_s: i64, length: &str) -> Result<Self, QueryError> {
        let seconds = parse_length(length)?;
        Self::new(until_s.saturating_sub(seconds), until_s)
    }

    /// The first second in the range.
    pub fn from_s(&self) -> i64 {
        self.from_s
    }

    /// The first second after the range.
    pub fn until_s(&self) -> i64 {
        self.until_s
    }

    /// Its length in seconds.
    pub fn seconds(&self) -> i64 {
        self.until_s - self.from_s
    }

    /// Whether `timestamp_s` is in the range.
    pub fn contains(&self, timestamp_s: i64) -> bool {
        self.from_s <= timestamp_s && timestamp_s < self.until_s
    }
}

/// A length in seconds: `90s`, `15m`, `1h30m`, `24h`, `7d` (see
/// [`nno_obs_store::time::parse_duration_s`]: more than 0, at most 400 days).
///
/// ```
/// assert_eq!(nno_obs_query::time_range::parse_length("7d").unwrap(), 604_800);
/// assert!(nno_obs_query::time_range::parse_length("7 days").is_err());
/// assert!(nno_obs_query::time_range::parse_length("0s").is_err());
/// ```
pub fn parse_length(text: &str) -> Result<i64, QueryError> {
    nno_obs_store::time::parse_duration_s(text).map_err(|_| QueryError::InvalidValue {
        detail: format!("`{text}` is not a length such as 15m, 24h or 7d"),
    })
}

/// A bucket length that divides a day.
///
/// ```
/// use nno_obs_query::Bucket;
///
/// assert_eq!(Bucket::HOUR.start_of(7_205), 7_200);
/// assert!(Bucket::new(7 * 60).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Bucket {
    seconds: i64,
}

impl Bucket {
    /// One minute.
    pub const MINUTE: Bucket = Bucket { seconds: 60 };
    /// One hour.
    pub const HOUR: Bucket = Bucket { seconds: 3600 };
    /// Five minutes.
    pub const FIVE_MINUTES: Bucket = Bucket { seconds: 300 };

    /// A bucket of `seconds`: 60, 300, 600, 900, 1800, 3600, 7200, 10800, 14400, 21600,
    /// 43200 or 86400.
    pub fn new(seconds: i64) -> Result<Self, QueryError> {
        const ALLOWED: [i64; 12] = [
            60, 300, 600, 900, 1800, 3600, 7200, 10_800, 14_400, 21_600, 43_200, 86_400,
        ];
        if ALLOWED.contains(&seconds) {
            Ok(Self { seconds })
        } else {
            Err(QueryError::InvalidValue {
                detail: format!("a bucket of {seconds} s does not divide a day evenly"),
            })
        }
    }

    /// Its length.
    pub fn seconds(&self) -> i64 {
        self.seconds
    }

    /// The start of the bucket holding `timestamp_s`.
    pub fn start_of(&self, timestamp_s: i64) -> i64 {
        timestamp_s - timestamp_s.rem_euclid(self.seconds)
    }

    /// Every bucket start that overlaps `range`, in order.
    pub fn starts(&self, range: &TimeRange) -> Vec<i64> {
        let mut out = Vec::new();
        let mut at = self.start_of(range.from_s());
        while at < range.until_s() {
            out.push(at);
            at += self.seconds;
        }
        out
    }
}

pub use nno_obs_store::time::{format_datetime, parse_datetime};

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}, {})",
            format_datetime(self.from_s),
            format_datetime(self.until_s)
        )
    }
}
