//! Times and durations as the API writes and reads them (`../shared/API.md`, "Common
//! parameters and formats"): RFC 3339 UTC with milliseconds out; RFC 3339 (any offset) in;
//! durations `90s`, `15m`, `24h`, `7d`.

use crate::error::ApiError;

/// `2026-11-26T10:59:20.004Z`.
///
/// ```
/// assert_eq!(nno_obs_api::time::format_ms(1_771_756_440_123), "2026-02-22T10:34:00.123Z");
/// ```
pub fn format_ms(ms: u64) -> String {
    nno_obs_store::time::format_rfc3339_ms(ms)
}

/// [`format_ms`] of whole seconds.
pub fn format_s(seconds: i64) -> String {
    format_ms(u64::try_from(seconds).unwrap_or(0).saturating_mul(1000))
}

/// Milliseconds since the epoch of an RFC 3339 time, or 400 naming `param`.
///
/// ```
/// use nno_obs_api::time::parse_time;
/// assert_eq!(parse_time("until", "2026-02-22T10:34:00Z").unwrap(), 1_771_756_440_000);
/// assert_eq!(parse_time("until", "yesterday").unwrap_err().status(), 400);
/// ```
pub fn parse_time(param: &str, text: &str) -> Result<u64, ApiError> {
    nno_obs_store::entry::parse_rfc3339_ms(text).ok_or_else(|| {
        ApiError::bad_param(
            param,
            "expected an RFC 3339 time such as 2026-02-22T10:00:00Z",
        )
    })
}

/// Seconds of a duration (`90s`, `15m`, `24h`, `7d`), between `min_s` and `max_s`, or 400
/// naming `param`.
///
/// ```
/// use nno_obs_api::time::parse_duration;
/// assert_eq!(parse_duration("range", "24h", 60, 90 * 86_400).unwrap(), 86_400);
/// assert_eq!(parse_duration("range", "0s", 60, 90 * 86_400).unwrap_err().status(), 400);
/// assert_eq!(parse_duration("range", "91d", 60, 90 * 86_400).unwrap_err().status(), 400);
/// ```
pub fn parse_duration(param: &str, text: &str, min_s: i64, max_s: i64) -> Result<i64, ApiError> {
    let seconds = nno_obs_query::time_range::parse_length(text)
        .map_err(|_| ApiError::bad_param(param, "expected a duration such as 15m, 24h or 7d"))?;
    if seconds < min_s || seconds > max_s {
        return Err(ApiError::bad_param(
            param,
            format!(
                "must be between {} and {}",
                describe(min_s),
                describe(max_s)
            ),
        ));
    }
    Ok(seconds)
}

fn describe(seconds: i64) -> String {
    match seconds {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}
