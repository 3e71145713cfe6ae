//! Numbers and times as pages show them: counts with thin separators, ratios as percent,
//! durations in ms or s, times in UTC (the API's RFC 3339 strings, cut, never re-zoned).

/// A count: `12 345`.
///
/// ```
/// assert_eq!(nno_obs_console::format::count(1_234_567.0), "1 234 567");
/// assert_eq!(nno_obs_console::format::count(12.4), "12");
/// ```
pub fn count(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// `n` things: `1 span`, `3 spans`.
///
/// ```
/// use nno_obs_console::format::counted;
/// assert_eq!(counted(1, "span"), "1 span");
/// assert_eq!(counted(3, "log line"), "3 log lines");
/// ```
pub fn counted(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// A ratio as percent, or `–` without one.
///
/// ```
/// use nno_obs_console::format::percent;
/// assert_eq!(percent(Some(0.0123)), "1.23 %");
/// assert_eq!(percent(Some(0.5)), "50.0 %");
/// assert_eq!(percent(None), "–");
/// ```
pub fn percent(ratio: Option<f64>) -> String {
    match ratio {
        None => "–".to_owned(),
        Some(r) => {
            let p = r * 100.0;
            if p >= 10.0 {
                format!("{p:.1} %")
            } else {
                format!("{p:.2} %")
            }
        }
    }
}

/// A duration: `850 ms`, `12.5 ms`, `3.20 s`.
///
/// ```
/// use nno_obs_console::format::duration;
/// assert_eq!(duration(12.46), "12.5 ms");
/// assert_eq!(duration(850.0), "850 ms");
/// assert_eq!(duration(3200.0), "3.20 s");
/// ```
pub fn duration(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

/// Bytes: `1.5 MB`.
///
/// ```
/// assert_eq!(nno_obs_console::format::bytes(1_500_000), "1.5 MB");
/// ```
pub fn bytes(n: u64) -> String {
    match n {
        n if n >= 1_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        n if n >= 1_000 => format!("{:.1} kB", n as f64 / 1e3),
        n => format!("{n} B"),
    }
}

/// An RFC 3339 UTC time as a reader wants it: `2026-02-22 10:34:00 UTC`.
///
/// ```
/// assert_eq!(nno_obs_console::format::time("2026-02-22T10:34:00.123Z"), "2026-02-22 10:34:00 UTC");
/// ```
pub fn time(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..19)) {
        (Some(date), Some(clock)) => format!("{date} {clock} UTC"),
        _ => rfc3339.to_owned(),
    }
}

/// [`time`] with its milliseconds, for log lines that share a second:
/// `2026-02-22 10:34:00.123 UTC`.
///
/// ```
/// assert_eq!(nno_obs_console::format::time_ms("2026-02-22T10:34:00.123Z"), "2026-02-22 10:34:00.123 UTC");
/// assert_eq!(nno_obs_console::format::time_ms("2026-02-22T10:34:00Z"), "2026-02-22 10:34:00 UTC");
/// ```
pub fn time_ms(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..23)) {
        (Some(date), Some(clock)) if clock.as_bytes().get(8) == Some(&b'.') => {
            format!("{date} {clock} UTC")
        }
        _ => time(rfc3339),
    }
}

/// The `HH:MM` of an RFC 3339 time.
///
/// ```
/// assert_eq!(nno_obs_console::format::clock("2026-02-22T10:00:00.000Z"), "10:00");
/// ```
pub fn clock(rfc3339: &str) -> &str {
    rfc3339.get(11..16).unwrap_or(rfc3339)
}

/// The `MM-DD` of an RFC 3339 time.
///
/// ```
/// assert_eq!(nno_obs_console::format::day("2026-02-22T10:00:00.000Z"), "02-22");
/// ```
pub fn day(rfc3339: &str) -> &str {
    rfc3339.get(5..10).unwrap_or(rfc3339)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_have_no_separator() {
        assert_eq!(count(999.0), "999");
        assert_eq!(count(1000.0), "1 000");
        assert_eq!(count(-3.0), "0");
    }

    #[test]
    fn short_times_are_shown_as_given() {
        assert_eq!(time("soon"), "soon");
        assert_eq!(clock("x"), "x");
    }
}
