//! Times and durations as every read-side crate writes and reads them — one definition of each:
//!
//! - RFC 3339 UTC with milliseconds (`2026-02-22T10:34:00.123Z`): the read API's times, log
//!   tables, alert payloads;
//! - ClickHouse's `DateTime` text (`2026-02-22 10:34:00`, UTC): Analytics Engine rows and their
//!   SQL;
//! - durations `90s`, `15m`, `24h`, `7d` and their sums (`1h30m`): ranges, windows, `since`.

use ::time::OffsetDateTime;
use std::fmt;

/// The last second ClickHouse's text (and RFC 3339) can say: 9999-12-31 23:59:59.
const LAST_SECOND: i64 = 253_402_300_799;

/// `2026-02-22T10:34:00.123Z` of `ms` since the epoch.
///
/// ```
/// use nno_obs_store::time::format_rfc3339_ms;
/// assert_eq!(format_rfc3339_ms(1_771_756_440_123), "2026-02-22T10:34:00.123Z");
/// assert_eq!(format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
/// ```
pub fn format_rfc3339_ms(ms: u64) -> String {
    let format = ::time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    let clamped = ms.min(LAST_SECOND as u64 * 1000 + 999);
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(clamped) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| "9999-12-31T23:59:59.999Z".to_owned())
}

/// Milliseconds since the epoch of an RFC 3339 time (any offset); `None` before 1970 or
/// unparsable.
///
/// ```
/// use nno_obs_store::time::parse_rfc3339_ms;
/// assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:01.5Z"), Some(1500));
/// assert_eq!(parse_rfc3339_ms("1970-01-01T01:00:01+01:00"), Some(1000));
/// assert_eq!(parse_rfc3339_ms("yesterday"), None);
/// ```
pub fn parse_rfc3339_ms(text: &str) -> Option<u64> {
    let time =
        OffsetDateTime::parse(text, &::time::format_description::well_known::Rfc3339).ok()?;
    u64::try_from(time.unix_timestamp_nanos() / 1_000_000).ok()
}

/// `YYYY-MM-DD hh:mm:ss` (UTC) of a second, as ClickHouse writes a `DateTime`; past year 9999,
/// the last second.
///
/// ```
/// use nno_obs_store::time::format_datetime;
/// assert_eq!(format_datetime(1_771_756_440), "2026-02-22 10:34:00");
/// assert_eq!(format_datetime(i64::MAX), "9999-12-31 23:59:59");
/// ```
pub fn format_datetime(seconds: i64) -> String {
    let format =
        ::time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    OffsetDateTime::from_unix_timestamp(seconds.clamp(0, LAST_SECOND))
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| "9999-12-31 23:59:59".to_owned())
}

/// Reads `YYYY-MM-DD hh:mm:ss` (UTC).
///
/// ```
/// use nno_obs_store::time::parse_datetime;
/// assert_eq!(parse_datetime("2026-02-22 10:34:00"), Some(1_771_756_440));
/// assert_eq!(parse_datetime("2026-02-22T10:34:00Z"), None);
/// ```
pub fn parse_datetime(text: &str) -> Option<i64> {
    let format =
        ::time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    ::time::PrimitiveDateTime::parse(text, format)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

/// The longest duration taken: 400 days.
pub const MAX_DURATION_S: i64 = 400 * 86_400;

/// A text that is not a duration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidDuration;

impl fmt::Display for InvalidDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "not a duration such as 90s, 15m, 1h30m, 24h or 7d (more than 0s, at most 400d)",
        )
    }
}

impl std::error::Error for InvalidDuration {}

/// Seconds of a duration: one or more `<digits><unit>` with units `d`, `h`, `m`, `s` in that
/// order, each at most once (`90s`, `15m`, `1h30m`, `7d`); more than zero, at most
/// [`MAX_DURATION_S`].
///
/// ```
/// use nno_obs_store::time::parse_duration_s;
/// assert_eq!(parse_duration_s("7d"), Ok(604_800));
/// assert_eq!(parse_duration_s("1h30m"), Ok(5_400));
/// for refused in ["0s", "0h0m", "", "7", "h", "1m1h", "1h1h", "-1h", "1.5h", " 1h", "401d"] {
///     assert!(parse_duration_s(refused).is_err(), "{refused}");
/// }
/// ```
pub fn parse_duration_s(text: &str) -> Result<i64, InvalidDuration> {
    let mut total: i64 = 0;
    let mut digits = 0usize;
    let mut value: i64 = 0;
    let mut last_unit = usize::MAX; // index into UNITS of the previous group
    const UNITS: [(u8, i64); 4] = [(b'd', 86_400), (b'h', 3600), (b'm', 60), (b's', 1)];
    if text.is_empty() {
        return Err(InvalidDuration);
    }
    for byte in text.bytes() {
        if byte.is_ascii_digit() {
            digits += 1;
            if digits > 9 {
                return Err(InvalidDuration);
            }
            value = value * 10 + i64::from(byte - b'0');
            continue;
        }
        let unit = UNITS
            .iter()
            .position(|(u, _)| *u == byte)
            .ok_or(InvalidDuration)?;
        // Each unit once, larger first.
        if digits == 0 || (last_unit != usize::MAX && unit <= last_unit) {
            return Err(InvalidDuration);
        }
        total = total
            .checked_add(value.checked_mul(UNITS[unit].1).ok_or(InvalidDuration)?)
            .ok_or(InvalidDuration)?;
        last_unit = unit;
        digits = 0;
        value = 0;
    }
    if digits != 0 || total == 0 || total > MAX_DURATION_S {
        return Err(InvalidDuration);
    }
    Ok(total)
}

/// A duration for a person: `850 ms`, `4.2 s`, `11 m 1.6 s`, `2 h 5 m`, `3 d 4 h`.
///
/// ```
/// use nno_obs_store::time::human_ms;
/// assert_eq!(human_ms(850.0), "850 ms");
/// assert_eq!(human_ms(4_200.0), "4.2 s");
/// assert_eq!(human_ms(661_577.0), "11 m 1.6 s");
/// assert_eq!(human_ms(7_500_000.0), "2 h 5 m");
/// assert_eq!(human_ms(273_600_000.0), "3 d 4 h");
/// assert_eq!(human_ms(f64::NAN), "-");
/// ```
pub fn human_ms(ms: f64) -> String {
    if !ms.is_finite() || ms < 0.0 {
        return "-".to_owned();
    }
    if ms < 1000.0 {
        return format!("{ms:.0} ms");
    }
    let seconds = ms / 1000.0;
    if seconds < 60.0 {
        return format!("{seconds:.1} s");
    }
    let whole = seconds as u64;
    let (d, h, m) = (whole / 86_400, whole / 3600 % 24, whole / 60 % 60);
    match (d, h) {
        (0, 0) => format!("{m} m {:.1} s", seconds - (whole / 60 * 60) as f64),
        (0, h) => format!("{h} h {m} m"),
        (d, h) => format!("{d} d {h} h"),
    }
}
