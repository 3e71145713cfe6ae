//! Numbers and times as pages show them: counts with thin separators, ratios as percent,
//! durations in ms or s, times in UTC (the API's RFC 3339 strings, cut, never re-zoned).

/// A count: `12 345`.
///
/// ```
/// assert_eq!(nno_obs_console::format::count(1_234_567.0), "1 234 567");
/// assert_eq!(nno_obs_console::format::count(12.4), "12");
/// ```
pub fn count(value: f64) -> String {
    separated(&format!("{:.0}", value.max(0.0)))
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
/// assert_eq!(percent(Some(-11.5)), "-1150.0 %");
/// assert_eq!(percent(Some(-0.05)), "-5.00 %");
/// ```
pub fn percent(ratio: Option<f64>) -> String {
    match ratio {
        None => "–".to_owned(),
        Some(r) => {
            let p = r * 100.0;
            // By size, not sign: an overspent budget reads `-1150.0 %`, not `-1150.00 %`.
            if p.abs() >= 10.0 {
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

/// What an axis measures: how its tick labels are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    /// Counts: `1 500`.
    Count,
    /// Ratios, written as percent: `2.5 %`.
    Percent,
    /// Durations in ms: in ms below a second at the top of the axis, else in s.
    Duration,
}

/// The labels of an axis's ticks, all with one precision and one unit: the fewest decimals
/// that write every tick exactly, so an axis never mixes `10.0 %` and `8.00 %` as [`percent`]
/// alone would (each value there picks its own precision).
///
/// ```
/// use nno_obs_console::format::{tick_labels, Axis};
/// assert_eq!(tick_labels(&[0.0, 0.05, 0.1, 0.15, 0.2], Axis::Percent), ["0 %", "5 %", "10 %", "15 %", "20 %"]);
/// assert_eq!(tick_labels(&[0.0, 0.005, 0.01, 0.015, 0.02], Axis::Percent), ["0.0 %", "0.5 %", "1.0 %", "1.5 %", "2.0 %"]);
/// assert_eq!(tick_labels(&[0.0, 1250.0, 2500.0], Axis::Duration), ["0.00 s", "1.25 s", "2.50 s"]);
/// ```
pub fn tick_labels(ticks: &[f64], axis: Axis) -> Vec<String> {
    let top = ticks.iter().copied().fold(0.0, f64::max);
    let (factor, unit) = match axis {
        Axis::Count => (1.0, ""),
        Axis::Percent => (100.0, " %"),
        Axis::Duration if top >= 1000.0 => (0.001, " s"),
        Axis::Duration => (1.0, " ms"),
    };
    let shown: Vec<f64> = ticks.iter().map(|t| t * factor).collect();
    let decimals = shown.iter().map(|v| decimals_of(*v)).max().unwrap_or(0);
    shown
        .iter()
        .map(|v| {
            let text = format!("{:.*}", decimals, v.max(0.0));
            let text = match axis {
                Axis::Count => separated(&text),
                _ => text,
            };
            format!("{text}{unit}")
        })
        .collect()
}

/// The decimals `value` needs to be written exactly (at most 6: beyond, float noise).
fn decimals_of(value: f64) -> usize {
    (0..6)
        .find(|d| {
            let scaled = value * 10f64.powi(*d as i32);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.abs().max(1.0)
        })
        .unwrap_or(6)
}

/// `text` (a non-negative number) with its whole part grouped by thin spaces as [`count`].
fn separated(text: &str) -> String {
    let (whole, fraction) = text
        .split_once('.')
        .map_or((text, None), |(w, f)| (w, Some(f)));
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
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

    /// Every tick set the charts draw (0 to a nice maximum in its steps) is written with one
    /// precision and one unit, and no two ticks read the same.
    #[test]
    fn an_axis_has_one_precision() {
        let cases: [(f64, Axis, &[&str]); 8] = [
            // The overview's 5xx chart peaking at 9 %: 10 % in 5 steps, formerly
            // `0.00 %`, `2.00 %` … `8.00 %`, `10.0 %`.
            (
                0.1,
                Axis::Percent,
                &["0 %", "2 %", "4 %", "6 %", "8 %", "10 %"],
            ),
            (0.2, Axis::Percent, &["0 %", "5 %", "10 %", "15 %", "20 %"]),
            (
                1.0,
                Axis::Percent,
                &["0 %", "20 %", "40 %", "60 %", "80 %", "100 %"],
            ),
            (
                0.001,
                Axis::Percent,
                &["0.00 %", "0.02 %", "0.04 %", "0.06 %", "0.08 %", "0.10 %"],
            ),
            (
                2000.0,
                Axis::Count,
                &["0", "500", "1 000", "1 500", "2 000"],
            ),
            (
                1.0,
                Axis::Count,
                &["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"],
            ),
            (
                500.0,
                Axis::Duration,
                &["0 ms", "100 ms", "200 ms", "300 ms", "400 ms", "500 ms"],
            ),
            (
                5000.0,
                Axis::Duration,
                &["0 s", "1 s", "2 s", "3 s", "4 s", "5 s"],
            ),
        ];
        for (max, axis, expected) in cases {
            let steps = crate::chart::steps(max);
            let ticks: Vec<f64> = (0..=steps)
                .map(|t| max * f64::from(t) / f64::from(steps))
                .collect();
            let labels = tick_labels(&ticks, axis);
            assert_eq!(labels, expected, "{max} {axis:?}");
            let mut unique = labels.clone();
            unique.dedup();
            assert_eq!(unique.len(), labels.len(), "{labels:?}");
        }
    }

    #[test]
    fn durations_keep_the_unit_of_the_axis_top() {
        // A waterfall of 2 s in quarters: every label in s, with the quarters' decimals.
        assert_eq!(
            tick_labels(&[0.0, 500.0, 1000.0, 1500.0, 2000.0], Axis::Duration),
            ["0.0 s", "0.5 s", "1.0 s", "1.5 s", "2.0 s"]
        );
        assert_eq!(tick_labels(&[], Axis::Count), Vec::<String>::new());
        // Float noise (0.1 × 3) does not ask for 17 decimals.
        assert_eq!(
            tick_labels(&[0.0, 0.1 * 3.0], Axis::Percent),
            ["0 %", "30 %"]
        );
    }

    #[test]
    fn short_times_are_shown_as_given() {
        assert_eq!(time("soon"), "soon");
        assert_eq!(clock("x"), "x");
    }
}
