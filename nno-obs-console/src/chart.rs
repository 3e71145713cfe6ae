//! Charts as inline SVG drawn here: axes with ticks and units, UTC time labels, a `<title>`
//! on every bar and point (the browser shows it on hover; screen readers read it), and the
//! Okabe–Ito palette, which stays distinct under the common colour-vision deficiencies.

use crate::escape::escape;
use crate::format::{clock, day, tick_labels, time, Axis};
use std::fmt::Write;

/// Okabe–Ito, without its yellow (too light on white for AA).
pub const PALETTE: [&str; 6] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00",
];
/// Dash patterns, so that lines differ by more than colour.
const DASHES: [&str; 6] = ["", "6 3", "2 2", "8 3 2 3", "4 4", "1 3"];

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 44.0;

/// One series of a line chart: a name and a value (or none) per time.
pub struct Series<'a> {
    /// Its name, in the legend and the tooltips.
    pub name: &'a str,
    /// `(time, value)`: `None` where there is nothing to plot (no requests that hour).
    pub points: Vec<(&'a str, Option<f64>)>,
}

/// The smallest 1, 2 or 5 × 10ⁿ at or above `value` (1 for nothing).
///
/// ```
/// use nno_obs_console::chart::nice_max;
/// assert_eq!(nice_max(0.0), 1.0);
/// assert_eq!(nice_max(730.0), 1000.0);
/// assert_eq!(nice_max(0.031), 0.05);
/// ```
pub fn nice_max(value: f64) -> f64 {
    if value <= 0.0 || !value.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|step| step * magnitude)
        .find(|candidate| *candidate >= value * 0.999_999)
        .unwrap_or(10.0 * magnitude)
}

/// A bar per time: `label` names the chart, `unit` the values (`requests`), `axis` how its
/// ticks are written; `show` writes a value in its bar's tooltip.
///
/// ```
/// use nno_obs_console::chart::bars;
/// use nno_obs_console::format::Axis;
/// let svg = bars("Requests per hour", "requests", Axis::Count, &[("2026-02-22T10:00:00.000Z", 1200.0)], |v| format!("{v}"));
/// assert!(svg.contains("<title>2026-02-22 10:00:00 UTC: 1200 requests</title>"));
/// ```
pub fn bars(
    label: &str,
    unit: &str,
    axis: Axis,
    points: &[(&str, f64)],
    show: impl Fn(f64) -> String,
) -> String {
    let max = nice_max(points.iter().map(|(_, v)| *v).fold(0.0, f64::max));
    let mut svg = open(label, unit);
    y_axis(&mut svg, max, axis);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let step = plot_w / points.len().max(1) as f64;
    let gap = if step > 4.0 { 1.0 } else { 0.0 };
    for (i, (at, value)) in points.iter().enumerate() {
        let h = (value / max * plot_h).max(0.0);
        let _ = write!(
            svg,
            r#"<rect class="bar" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}"><title>{}: {} {}</title></rect>"#,
            LEFT + i as f64 * step + gap / 2.0,
            TOP + plot_h - h,
            (step - gap).max(0.5),
            h,
            escape(&time(at)),
            escape(&show(*value)),
            escape(unit)
        );
    }
    x_axis(
        &mut svg,
        &points.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
    );
    svg.push_str("</svg>");
    svg
}

/// A line per series over shared times; `axis` writes the ticks, `show` a point's tooltip.
///
/// ```
/// use nno_obs_console::chart::{lines, Series};
/// use nno_obs_console::format::Axis;
/// let series = [Series { name: "export", points: vec![("2026-02-22T10:00:00.000Z", Some(0.1))] }];
/// let svg = lines("5xx rate", "5xx rate", Axis::Percent, &series, |v| format!("{:.1} %", v * 100.0));
/// assert!(svg.contains("<title>export, 2026-02-22 10:00:00 UTC: 10.0 %</title>"));
/// assert!(svg.contains(">10 %</text>")); // the axis's top tick
/// ```
pub fn lines(
    label: &str,
    unit: &str,
    axis: Axis,
    series: &[Series<'_>],
    show: impl Fn(f64) -> String,
) -> String {
    let peak = series
        .iter()
        .flat_map(|s| s.points.iter().filter_map(|(_, v)| *v))
        .fold(0.0, f64::max);
    let max = nice_max(peak);
    let mut svg = open(label, unit);
    y_axis(&mut svg, max, axis);
    let times: Vec<&str> = series
        .first()
        .map(|s| s.points.iter().map(|(t, _)| *t).collect())
        .unwrap_or_default();
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let step = plot_w / times.len().max(1) as f64;
    let at = |i: usize, v: f64| {
        (
            LEFT + (i as f64 + 0.5) * step,
            TOP + plot_h - v / max * plot_h,
        )
    };
    for (n, s) in series.iter().enumerate() {
        let colour = PALETTE[n % PALETTE.len()];
        let dash = DASHES[n % DASHES.len()];
        // A gap (an hour without requests) breaks the line rather than drawing a false zero.
        let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for (i, (_, value)) in s.points.iter().enumerate() {
            match value {
                Some(v) => runs.last_mut().map(|run| run.push(at(i, *v))).unwrap_or(()),
                None => runs.push(Vec::new()),
            }
        }
        for run in runs.iter().filter(|run| run.len() > 1) {
            let points: Vec<String> = run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
            let _ = write!(
                svg,
                r#"<polyline fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}" points="{}"/>"#,
                points.join(" ")
            );
        }
        for (i, (when, value)) in s.points.iter().enumerate() {
            if let Some(v) = value {
                let (x, y) = at(i, *v);
                let _ = write!(
                    svg,
                    r#"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="{colour}"><title>{}, {}: {}</title></circle>"#,
                    escape(s.name),
                    escape(&time(when)),
                    escape(&show(*v))
                );
            }
        }
    }
    x_axis(&mut svg, &times);
    svg.push_str("</svg>");
    svg
}

/// The legend of a line chart: the series' colours, dashes and names, as HTML.
pub fn legend(series: &[Series<'_>]) -> String {
    let mut html = String::from(r#"<ul class="legend">"#);
    for (n, s) in series.iter().enumerate() {
        let _ = write!(
            html,
            r#"<li><svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" stroke="{}" stroke-width="3" stroke-dasharray="{}"/></svg>{}</li>"#,
            PALETTE[n % PALETTE.len()],
            DASHES[n % DASHES.len()],
            escape(s.name)
        );
    }
    html.push_str("</ul>");
    html
}

fn open(label: &str, unit: &str) -> String {
    format!(
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{}"><text class="unit" x="4" y="{:.0}" transform="rotate(-90 4 {:.0})" dominant-baseline="hanging" text-anchor="middle">{}</text>"#,
        escape(label),
        TOP + (HEIGHT - TOP - BOTTOM) / 2.0,
        TOP + (HEIGHT - TOP - BOTTOM) / 2.0,
        escape(unit)
    )
}

/// How many steps divide `max` (a [`nice_max`]) into round values: 5 × 10ⁿ in 5 steps,
/// 2 × 10ⁿ in 4, 1 × 10ⁿ in 5.
///
/// ```
/// use nno_obs_console::chart::steps;
/// assert_eq!(steps(0.005), 5); // 0.001 each
/// assert_eq!(steps(2000.0), 4); // 500 each
/// assert_eq!(steps(10.0), 5); // 2 each
/// ```
pub fn steps(max: f64) -> u32 {
    let leading = max / 10f64.powf(max.log10().floor());
    if (leading - 2.0).abs() < 0.01 {
        4
    } else {
        5
    }
}

/// The value axis: gridlines and labels from 0 to `max` in [`steps`], written by one
/// formatter ([`tick_labels`]) so that every label has the same precision.
fn y_axis(svg: &mut String, max: f64, axis: Axis) {
    let plot_h = HEIGHT - TOP - BOTTOM;
    let steps = steps(max);
    let ticks: Vec<f64> = (0..=steps)
        .map(|tick| max * f64::from(tick) / f64::from(steps))
        .collect();
    for (tick, label) in tick_labels(&ticks, axis).iter().enumerate() {
        let share = tick as f64 / f64::from(steps);
        let y = TOP + plot_h - plot_h * share;
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"/><text class="tick" x="{:.1}" y="{y:.1}" text-anchor="end" dominant-baseline="middle">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            escape(label)
        );
    }
}

/// Time labels under the plot: at most 8, `HH:MM` with the day where it changes.
fn x_axis(svg: &mut String, times: &[&str]) {
    let plot_w = WIDTH - LEFT - RIGHT;
    let base = HEIGHT - BOTTOM;
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{LEFT}" y1="{base}" x2="{:.1}" y2="{base}"/>"#,
        WIDTH - RIGHT
    );
    let step = plot_w / times.len().max(1) as f64;
    let every = times.len().div_ceil(8).max(1);
    let mut last_day = "";
    for (i, when) in times.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let x = LEFT + (i as f64 + 0.5) * step;
        let _ = write!(
            svg,
            r#"<text class="tick" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            base + 14.0,
            escape(clock(when))
        );
        if day(when) != last_day {
            last_day = day(when);
            let _ = write!(
                svg,
                r#"<text class="tick" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                base + 28.0,
                escape(last_day)
            );
        }
    }
    let _ = write!(
        svg,
        r#"<text class="unit" x="{:.1}" y="{:.1}" text-anchor="end">time (UTC)</text>"#,
        WIDTH - RIGHT,
        HEIGHT - 2.0
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_nice_maximum() {
        let svg = bars(
            "r",
            "requests",
            Axis::Count,
            &[
                ("2026-02-22T10:00:00.000Z", 50.0),
                ("2026-02-22T11:00:00.000Z", 100.0),
            ],
            |v| format!("{v}"),
        );
        // The taller bar fills the plot (100 of a nice 100), the other half of it.
        let plot_h = HEIGHT - TOP - BOTTOM;
        assert!(svg.contains(&format!(r#"height="{plot_h:.1}""#)));
        assert!(svg.contains(&format!(r#"height="{:.1}""#, plot_h / 2.0)));
        assert!(svg.contains(">10:00<") && svg.contains(">02-22<"));
    }

    #[test]
    fn a_gap_breaks_the_line() {
        let t = [
            "2026-02-22T10:00:00.000Z",
            "2026-02-22T11:00:00.000Z",
            "2026-02-22T12:00:00.000Z",
            "2026-02-22T13:00:00.000Z",
        ];
        let series = [Series {
            name: "a",
            points: vec![
                (t[0], Some(0.1)),
                (t[1], Some(0.2)),
                (t[2], None),
                (t[3], Some(0.1)),
            ],
        }];
        let svg = lines("x", "rate", Axis::Percent, &series, |v| format!("{v}"));
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert_eq!(svg.matches("<circle").count(), 3);
    }

    /// The overview's 5xx chart: rates up to 9 % give an axis to 10 % whose labels all have
    /// one precision (it read `0.00 %` … `8.00 %`, `10.0 %`), while the tooltips keep the
    /// value's own.
    #[test]
    fn the_rate_axis_has_one_precision() {
        let series = [Series {
            name: "analytics",
            points: vec![
                ("2026-02-22T10:00:00.000Z", Some(0.0123)),
                ("2026-02-22T11:00:00.000Z", Some(0.09)),
            ],
        }];
        let svg = lines("5xx", "5xx rate", Axis::Percent, &series, |v| {
            crate::format::percent(Some(v))
        });
        let ticks: Vec<&str> = svg
            .split(r#"dominant-baseline="middle">"#)
            .skip(1)
            .map(|rest| &rest[..rest.find('<').unwrap_or(0)])
            .collect();
        assert_eq!(ticks, ["0 %", "2 %", "4 %", "6 %", "8 %", "10 %"]);
        assert!(svg.contains("UTC: 1.23 %</title>") && svg.contains("UTC: 9.00 %</title>"));
    }

    #[test]
    fn labels_are_escaped() {
        let svg = bars("<b>", "<u>", Axis::Count, &[], |v| format!("{v}"));
        assert!(!svg.contains("<b>") && !svg.contains("<u>"));
    }
}
