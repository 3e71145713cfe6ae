//! Text helpers every message and payload shares: making untrusted text safe to interpolate
//! into a line, formatting percentages and times exactly as the seed writes them.

/// Longest text (in chars) interpolated from measurements or configuration. A 10 KB platform
/// name must not turn a page into a novel, nor push the links out of a Slack block.
pub const MAX_FIELD_CHARS: usize = 120;

/// `text` made safe for one line of an alert: every control character (C0, DEL, C1, and the
/// Unicode line and paragraph separators) becomes U+FFFD so it can neither forge another line
/// (`\nThreshold: 0%`) nor hide one; the result is cut to [`MAX_FIELD_CHARS`] chars with `…`.
///
/// ```
/// use nno_obs_alerts::text::one_line;
///
/// assert_eq!(one_line("analytics"), "analytics");
/// assert_eq!(one_line("a\nThreshold: 0%"), "a\u{FFFD}Threshold: 0%");
/// assert_eq!(one_line(&"x".repeat(10_000)).chars().count(), 120);
/// ```
pub fn one_line(text: &str) -> String {
    let total = text.chars().count();
    let cut = total > MAX_FIELD_CHARS;
    let keep = if cut { MAX_FIELD_CHARS - 1 } else { total };
    let mut out: String = text
        .chars()
        .take(keep)
        .map(|c| if is_line_breaking(c) { '\u{FFFD}' } else { c })
        .collect();
    if cut {
        out.push('…');
    }
    out
}

fn is_line_breaking(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// A ratio as the seed writes a percentage: at most one decimal, no trailing `.0`
/// (`0.05` → `5%`, `0.124` → `12.4%`). Not finite → `n/a`.
///
/// ```
/// use nno_obs_alerts::text::percent;
///
/// assert_eq!(percent(0.05), "5%");
/// assert_eq!(percent(0.124), "12.4%");
/// assert_eq!(percent(0.45), "45%");
/// assert_eq!(percent(0.0005), "0.1%");
/// assert_eq!(percent(f64::NAN), "n/a");
/// ```
pub fn percent(ratio: f64) -> String {
    if !ratio.is_finite() {
        return "n/a".to_owned();
    }
    // Tenths of a percent as an integer: 0.124 * 1000 is 123.99999999999999, and rounding
    // here (not in `format!`) keeps `12.4` from printing as `12.399999999999999`.
    let tenths = (ratio * 1000.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    let tenths = tenths.unsigned_abs();
    if tenths.is_multiple_of(10) {
        format!("{sign}{}%", tenths / 10)
    } else {
        format!("{sign}{}.{}%", tenths / 10, tenths % 10)
    }
}

/// `2026-02-22 10:34:00 UTC`, the seed's `Time:` format, from ms since the epoch.
///
/// ```
/// use nno_obs_alerts::text::utc_time;
///
/// assert_eq!(utc_time(1_771_756_440_000), "2026-02-22 10:34:00 UTC");
/// ```
pub fn utc_time(ms: u64) -> String {
    let seconds = i64::try_from(ms / 1000).unwrap_or(i64::MAX);
    format!("{} UTC", nno_obs_store::time::format_datetime(seconds))
}

/// `2026-02-22T10:34:00.000Z` (RFC 3339, as PagerDuty's `timestamp` wants).
///
/// ```
/// use nno_obs_alerts::text::iso_time;
///
/// assert_eq!(iso_time(1_771_756_440_123), "2026-02-22T10:34:00.123Z");
/// ```
pub fn iso_time(ms: u64) -> String {
    nno_obs_store::time::format_rfc3339_ms(ms)
}

/// A duration in whole minutes, as the messages say it (`5 minutes`, `1 minute`, `1 hour`).
///
/// ```
/// use nno_obs_alerts::text::minutes;
///
/// assert_eq!(minutes(5), "5 minutes");
/// assert_eq!(minutes(1), "1 minute");
/// assert_eq!(minutes(60), "1 hour");
/// assert_eq!(minutes(120), "2 hours");
/// ```
pub fn minutes(minutes: u64) -> String {
    match minutes {
        1 => "1 minute".to_owned(),
        60 => "1 hour".to_owned(),
        m if m % 60 == 0 => format!("{} hours", m / 60),
        m => format!("{m} minutes"),
    }
}

/// A stable 64-bit FNV-1a hash, hex: shortens over-long keys deterministically (the same
/// alert always gets the same `dedup_key`, across processes and versions).
pub(crate) fn fnv_hex(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_replaces_every_line_breaker() {
        for hostile in [
            "\r", "\n", "\u{0}", "\u{7f}", "\u{85}", "\u{2028}", "\u{2029}", "\t",
        ] {
            assert_eq!(
                one_line(&format!("a{hostile}b")),
                "a\u{FFFD}b",
                "{hostile:?}"
            );
        }
    }

    #[test]
    fn one_line_keeps_exactly_the_limit() {
        let exact = "y".repeat(MAX_FIELD_CHARS);
        assert_eq!(one_line(&exact), exact);
        let over = "y".repeat(MAX_FIELD_CHARS + 1);
        let cut = one_line(&over);
        assert_eq!(cut.chars().count(), MAX_FIELD_CHARS);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn times_around_leap_days_and_epoch() {
        assert_eq!(utc_time(0), "1970-01-01 00:00:00 UTC");
        // 2024-02-29 23:59:59 UTC
        assert_eq!(utc_time(1_709_251_199_000), "2024-02-29 23:59:59 UTC");
        assert_eq!(utc_time(1_709_251_200_000), "2024-03-01 00:00:00 UTC");
    }

    #[test]
    fn percents_round_half_away() {
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.2), "20%");
        assert_eq!(percent(0.9999), "100%");
        assert_eq!(percent(f64::INFINITY), "n/a");
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv_hex(""), "cbf29ce484222325");
        assert_eq!(fnv_hex("a"), fnv_hex("a"));
    }
}
