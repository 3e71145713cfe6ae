//! Log objects as Logpush names them in R2, and what a name guarantees about the records inside.
//!
//! A Logpush job whose `destination_conf` is `r2://{bucket}/{DATE}?…` writes each batch as one
//! object `{DATE}/{start}_{end}_{random}.log.gz` (gzip NDJSON, one Trace Events record a
//! line). `{DATE}` is the UTC date `YYYYMMDD` (the only path variable Logpush fills in);
//! `{start}` and `{end}` are UTC times `YYYYMMDDThhmmssZ`; `{random}` is 8 hex digits. See
//! `docs/logs.md` ("What Cloudflare writes") for the sources and seed §2.3's deviation.
//!
//! **What a key guarantees.** Logpush batches by *its own processing time*, not by the records'
//! times (Cloudflare: "the time period for which you pull or receive logs is based on our
//! processing time, not the time the requests passed through our network"). A record is
//! processed after it happened, so every record of an object is *no later than* the object's
//! `{end}` (and its `{DATE}` folder's last instant) — but it may be arbitrarily *earlier* than
//! `{start}`: a late record. So a key bounds its records' times from above only, and
//! [`latest_record_ms`] adds [`KEY_TIME_SLACK_MS`] for clock skew and a batch that crosses
//! midnight. Lower bounds come only from the records themselves (the index sidecar's `minMs`).
//!
//! **The open batch.** The local store appends to `{DATE}/{start}_open_{random}.json` (plain
//! NDJSON, whole lines) and, when the batch closes, compresses it to
//! `{DATE}/{start}_{end}_{random}.log.gz`: a Logpush-named object is never partial. The open
//! name is never a Logpush name (`open` is not a time), it shares `{start}` and `{random}` with
//! its closed object (so a reader that finds both after a crash takes the closed one only, see
//! [`BatchName::is_open_of`]), and it sorts after it (`o` > any digit), so an entry read first
//! from the open file and later from its closed object is at or before a cursor taken on it.
//!
//! ```
//! use nno_obs_store::batch::{BatchName, LogpushDate};
//!
//! let name = BatchName::parse("20220131T001500Z_20220131T002000Z_0f8fad5b.log.gz").unwrap();
//! assert_eq!(name.start_s(), 1_643_588_100);
//! assert_eq!(name.end_s(), Some(1_643_588_400));
//! assert_eq!(name.random(), "0f8fad5b");
//! assert_eq!(LogpushDate::of_unix_ms(1_643_588_100_000).folder(), "20220131");
//!
//! let open = BatchName::open(1_643_588_100_000, "0f8fad5b");
//! assert_eq!(open.file_name(), "20220131T001500Z_open_0f8fad5b.json");
//! assert!(open.is_open_of(&name));
//! assert_eq!(open.closed(1_643_588_400_999).file_name(), name.file_name());
//! ```

use std::fmt::Write as _;

/// The suffix of a closed Logpush object.
pub const LOGPUSH_SUFFIX: &str = ".log.gz";
/// The suffix of the local store's open batch (plain NDJSON).
pub const OPEN_BATCH_SUFFIX: &str = ".json";
/// The word that stands where a closed object has its `{end}`.
pub const OPEN_MARK: &str = "open";
/// The local store's batch window: Logpush's largest `max_upload_interval_seconds` (300 s). A
/// batch closes when a record arrives this long after the batch's first one.
pub const BATCH_WINDOW_MS: u64 = 300_000;
/// The local store's most records a batch: Logpush's default `max_upload_records`.
pub const BATCH_MAX_RECORDS: u64 = 100_000;
/// What [`latest_record_ms`] adds to a key's own bound: clock skew between the edge that ran
/// the Worker and the pipeline that named the batch, and a batch that ends after its `{DATE}`
/// folder's day. An hour is far more than either; the cost of a wide slack is only that a few
/// more files are opened (their sidecars then decide).
pub const KEY_TIME_SLACK_MS: u64 = 3_600_000;

const MS_PER_DAY: u64 = 86_400_000;

/// A UTC day: Logpush's `{DATE}` folder, `YYYYMMDD`.
///
/// ```
/// use nno_obs_store::batch::LogpushDate;
///
/// let day = LogpushDate::parse("20260222").unwrap();
/// assert_eq!(day.start_ms(), 1_771_718_400_000);
/// assert_eq!(day.end_ms(), 1_771_804_800_000);
/// assert_eq!(day.folder(), "20260222");
/// assert_eq!(LogpushDate::parse("20260230"), None);
/// assert_eq!(LogpushDate::parse("2026-02-22"), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LogpushDate {
    /// Days since the Unix epoch.
    days: u64,
}

impl LogpushDate {
    /// The day holding `ms`.
    pub fn of_unix_ms(ms: u64) -> Self {
        Self {
            days: ms / MS_PER_DAY,
        }
    }

    /// The first millisecond of the day.
    pub fn start_ms(&self) -> u64 {
        self.days * MS_PER_DAY
    }

    /// The first millisecond after the day.
    pub fn end_ms(&self) -> u64 {
        self.start_ms() + MS_PER_DAY
    }

    /// `YYYYMMDD`.
    pub fn folder(&self) -> String {
        let stamp = utc_stamp(self.start_ms() / 1000);
        stamp[..8].to_owned()
    }

    /// Reads a `{DATE}` folder name; `None` unless it is exactly `YYYYMMDD` and a real date.
    pub fn parse(folder: &str) -> Option<Self> {
        let seconds = parse_date(folder)?;
        Some(Self {
            days: seconds / 86_400,
        })
    }
}

/// The file name of a batch: closed (`{start}_{end}_{random}.log.gz`, Logpush's) or open
/// (`{start}_open_{random}.json`, the local store's while it appends).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BatchName {
    start_s: u64,
    /// `None` while the batch is open.
    end_s: Option<u64>,
    random: String,
}

impl BatchName {
    /// The open batch that starts at `start_ms`; `random` is 8 lowercase hex digits (see
    /// [`random_hex`]), validated by the caller's type.
    pub fn open(start_ms: u64, random: &str) -> Self {
        Self {
            start_s: start_ms / 1000,
            end_s: None,
            random: random.to_owned(),
        }
    }

    /// This batch closed at `end_ms` (never before its start).
    pub fn closed(&self, end_ms: u64) -> Self {
        Self {
            end_s: Some((end_ms / 1000).max(self.start_s)),
            ..self.clone()
        }
    }

    /// The batch's first second, Unix seconds.
    pub fn start_s(&self) -> u64 {
        self.start_s
    }

    /// The batch's last second, Unix seconds; `None` while it is open.
    pub fn end_s(&self) -> Option<u64> {
        self.end_s
    }

    /// The random part.
    pub fn random(&self) -> &str {
        &self.random
    }

    /// The `{DATE}` folder the batch goes to: its start's day.
    pub fn date(&self) -> LogpushDate {
        LogpushDate::of_unix_ms(self.start_s * 1000)
    }

    /// The file name.
    pub fn file_name(&self) -> String {
        match self.end_s {
            Some(end) => format!(
                "{}_{}_{}{LOGPUSH_SUFFIX}",
                utc_stamp(self.start_s),
                utc_stamp(end),
                self.random
            ),
            None => format!(
                "{}_{OPEN_MARK}_{}{OPEN_BATCH_SUFFIX}",
                utc_stamp(self.start_s),
                self.random
            ),
        }
    }

    /// The key under the bucket: `{DATE}/{file name}`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.date().folder(), self.file_name())
    }

    /// Reads a file name of either form; `None` for anything else.
    pub fn parse(name: &str) -> Option<Self> {
        let (stem, open) = if let Some(stem) = name.strip_suffix(LOGPUSH_SUFFIX) {
            (stem, false)
        } else {
            (name.strip_suffix(OPEN_BATCH_SUFFIX)?, true)
        };
        let mut parts = stem.split('_');
        let (start, end, random) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || random.is_empty() || !random.bytes().all(is_name_byte) {
            return None;
        }
        let end_s = if open {
            (end == OPEN_MARK).then_some(())?;
            None
        } else {
            Some(parse_stamp(end)?)
        };
        Some(Self {
            start_s: parse_stamp(start)?,
            end_s,
            random: random.to_owned(),
        })
    }

    /// Whether this is the open file of `closed` (same start, same random; `closed` closed).
    pub fn is_open_of(&self, closed: &BatchName) -> bool {
        self.end_s.is_none()
            && closed.end_s.is_some()
            && self.start_s == closed.start_s
            && self.random == closed.random
    }
}

/// Logpush's random parts are lowercase hex; other readers' copies may differ in case.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// 8 random lowercase hex digits, as Logpush's `{random}`.
///
/// ```
/// let random = nno_obs_store::batch::random_hex(0x0f8f_ad5b_u32);
/// assert_eq!(random, "0f8fad5b");
/// ```
pub fn random_hex(bits: u32) -> String {
    format!("{bits:08x}")
}

/// The latest time any record of the object at `key` (a path relative to a bucket or a
/// download, `/`-separated) can have, by its name alone: its Logpush `{end}` (to the end of
/// that second), else its `{DATE}` folder's end — plus [`KEY_TIME_SLACK_MS`]. `None` when the
/// key says nothing (an open batch grows; any other name is timed from its records only).
///
/// ```
/// use nno_obs_store::batch::{latest_record_ms, KEY_TIME_SLACK_MS};
///
/// let closed = "20220131/20220131T001500Z_20220131T002000Z_0f8fad5b.log.gz";
/// assert_eq!(latest_record_ms(closed), Some(1_643_588_401_000 + KEY_TIME_SLACK_MS));
/// let foreign = "20220131/export.json.gz";
/// assert_eq!(latest_record_ms(foreign), Some(1_643_673_600_000 + KEY_TIME_SLACK_MS));
/// assert_eq!(latest_record_ms("20220131/20220131T001500Z_open_0f8fad5b.json"), None);
/// assert_eq!(latest_record_ms("2022-01-31/00/nno-registry-prod-u.json.gz"), None);
/// ```
pub fn latest_record_ms(key: &str) -> Option<u64> {
    let mut components = key.rsplit(['/', '\\']);
    let name = components.next()?;
    let folder = components.next();
    let own = match BatchName::parse(name) {
        Some(batch) => match batch.end_s {
            Some(end) => Some((end + 1) * 1000),
            None => return None,
        },
        None => folder.and_then(LogpushDate::parse).map(|d| d.end_ms()),
    };
    own.map(|ms| ms.saturating_add(KEY_TIME_SLACK_MS))
}

/// `YYYYMMDDThhmmssZ` of Unix seconds `s` (UTC).
fn utc_stamp(s: u64) -> String {
    let t = i64::try_from(s)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let mut out = String::with_capacity(16);
    let _ = write!(
        out,
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    out
}

/// Unix seconds of a `YYYYMMDD` date's midnight.
fn parse_date(text: &str) -> Option<u64> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = text[..4].parse().ok()?;
    let month: u8 = text[4..6].parse().ok()?;
    let day: u8 = text[6..].parse().ok()?;
    let month = time::Month::try_from(month).ok()?;
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    u64::try_from(date.midnight().assume_utc().unix_timestamp()).ok()
}

/// Unix seconds of `YYYYMMDDThhmmssZ`.
fn parse_stamp(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    if bytes.len() != 16 || bytes[8] != b'T' || bytes[15] != b'Z' {
        return None;
    }
    let clock = &text[9..15];
    if !clock.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hour: u64 = clock[..2].parse().ok()?;
    let minute: u64 = clock[2..4].parse().ok()?;
    let second: u64 = clock[4..].parse().ok()?;
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(parse_date(&text[..8])? + hour * 3600 + minute * 60 + second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_strangers_are_refused() {
        let open = BatchName::open(1_771_756_440_123, "00ff00ff");
        assert_eq!(open.key(), "20260222/20260222T103400Z_open_00ff00ff.json");
        assert_eq!(BatchName::parse(&open.file_name()), Some(open.clone()));
        let closed = open.closed(1_771_756_739_999);
        assert_eq!(
            closed.file_name(),
            "20260222T103400Z_20260222T103859Z_00ff00ff.log.gz"
        );
        assert_eq!(BatchName::parse(&closed.file_name()), Some(closed.clone()));
        // The open file sorts after its closed object.
        assert!(open.file_name() > closed.file_name());
        // An end before the start is clamped (a clock set back).
        assert_eq!(open.closed(0).end_s(), Some(open.start_s()));
        for stranger in [
            "20260222T103400Z_00ff00ff.log.gz",
            "20260222T103400Z_open_00ff00ff.log.gz",
            "20260222T103400Z_20260222T103859Z_00ff00ff.json",
            "20260222T103400Z_20260222T103859Z_.log.gz",
            "20260222T103400Z_20260222T103859Z_a_b.log.gz",
            "20260222T243400Z_20260222T103859Z_00ff00ff.log.gz",
            "20260230T103400Z_20260222T103859Z_00ff00ff.log.gz",
            "2026-02-22T103400Z_20260222T103859Z_00ff00ff.log.gz",
            "k3m9p2xw7q-auth-prod-0f8fad5b-d9cb-469f-a165-70867728950e.json.gz",
        ] {
            assert_eq!(BatchName::parse(stranger), None, "{stranger}");
        }
        let other = BatchName::open(1_771_756_440_123, "00ff00fe");
        assert!(!other.is_open_of(&closed));
        assert!(!closed.is_open_of(&closed));
    }

    #[test]
    fn stamps_of_the_epoch_and_far_dates() {
        assert_eq!(utc_stamp(0), "19700101T000000Z");
        assert_eq!(parse_stamp("19700101T000000Z"), Some(0));
        assert_eq!(parse_stamp("20991231T235959Z"), Some(4_102_444_799));
        assert_eq!(
            LogpushDate::of_unix_ms(4_102_444_799_000).folder(),
            "20991231"
        );
    }
}
