//! `query heatmap` drawn for a person (seed §8.1's incident heatmap): one line per platform,
//! one cell per time bucket, each cell shaded by its 5xx rate, with a legend — where and when
//! the fleet hurt, at a glance. The JSON and CSV formats keep the rows.

use nno_obs_query::questions::HeatCell;
use nno_obs_store::time::format_rfc3339_ms;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The shades, from no traffic to the worst, with the 5xx rate each starts at. 5 % is the
/// error-spike alert's threshold (seed §6.2): a `█` cell is a bucket a Worker would page
/// for, were all its platform's requests one Worker's.
const SHADES: [(char, f64, &str); 5] = [
    ('·', f64::NEG_INFINITY, "no traffic"),
    ('░', 0.0, "< 1 %"),
    ('▒', 0.01, "1–2 %"),
    ('▓', 0.02, "2–5 %"),
    ('█', 0.05, "≥ 5 %"),
];

/// The shade of a cell: `·` without requests, else by its 5xx rate.
fn shade(cell: Option<&HeatCell>) -> usize {
    let rate = match cell {
        Some(cell) if cell.requests > 0 => cell.error_rate.unwrap_or(0.0),
        _ => return 0,
    };
    SHADES
        .iter()
        .rposition(|(_, from, _)| rate >= *from)
        .unwrap_or(1)
        .max(1)
}

fn paint(text: &str, shade: usize, colour: bool) -> String {
    let code = match shade {
        _ if !colour => return text.to_owned(),
        1 => "32",
        2 => "33",
        3 | 4 => "31",
        _ => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// The header over the cells: the hour (`13`) above each bucket that starts on the hour,
/// where it fits with a space before the next one.
fn hours(starts: &[i64], cell_width: usize) -> String {
    let mut header: Vec<char> = vec![' '; starts.len() * cell_width];
    let mut free_from = 0;
    for (column, start) in starts.iter().enumerate() {
        let at = column * cell_width;
        if start % 3600 != 0 || at < free_from || at + 2 > header.len() {
            continue;
        }
        let iso = format_rfc3339_ms(u64::try_from(*start).unwrap_or(0) * 1000);
        for (offset, c) in iso.chars().skip(11).take(2).enumerate() {
            header[at + offset] = c;
        }
        free_from = at + 3;
    }
    header.into_iter().collect::<String>().trim_end().to_owned()
}

/// Prints the grid of `cells` over the buckets starting at `starts` (every bucket of the
/// range, in order): a line saying what it shows, a header of hours, one line per platform
/// (in `cells`' order) ending with its worst bucket's rate, then the legend. `bucket` is the
/// bucket's name (`1h`) and length in seconds. Cells are two
/// characters wide when `width` allows, else one.
pub fn write(
    out: &mut (impl Write + ?Sized),
    cells: &[HeatCell],
    starts: &[i64],
    bucket: (&str, i64),
    width: usize,
    colour: bool,
) -> io::Result<()> {
    let mut platforms: Vec<&str> = Vec::new();
    let mut by_cell: BTreeMap<(&str, i64), &HeatCell> = BTreeMap::new();
    for cell in cells {
        if !platforms.contains(&cell.platform.as_str()) {
            platforms.push(&cell.platform);
        }
        by_cell.insert((cell.platform.as_str(), cell.bucket), cell);
    }
    let name_width = platforms
        .iter()
        .map(|p| p.chars().count())
        .chain(["platform".len()])
        .max()
        .unwrap_or(0);
    let tail = "  worst 100.00%".len();
    let cell_width = if name_width + 2 + starts.len() * 2 + tail <= width {
        2
    } else {
        1
    };
    let (first, last) = (starts.first().copied(), starts.last().copied());
    let (bucket_name, bucket_s) = bucket;
    if let (Some(first), Some(last)) = (first, last) {
        let at = |s: i64| format_rfc3339_ms(u64::try_from(s).unwrap_or(0) * 1000);
        writeln!(
            out,
            "5xx rate per platform and {} bucket, {} → {} (UTC)",
            bucket_name,
            at(first),
            at(last + bucket_s)
        )?;
    }
    writeln!(
        out,
        "{:<name_width$}  {}",
        "platform",
        hours(starts, cell_width)
    )?;
    for platform in &platforms {
        let mut line = String::new();
        let mut worst: Option<f64> = None;
        for start in starts {
            let cell = by_cell.get(&(*platform, *start)).copied();
            if let Some(rate) = cell.filter(|c| c.requests > 0).and_then(|c| c.error_rate) {
                worst = Some(worst.map_or(rate, |w: f64| w.max(rate)));
            }
            let level = shade(cell);
            let text: String = std::iter::repeat_n(SHADES[level].0, cell_width).collect();
            line.push_str(&paint(&text, level, colour));
        }
        let worst = worst.map_or_else(|| "-".to_owned(), |w| format!("{:.2}%", w * 100.0));
        writeln!(out, "{platform:<name_width$}  {line}  worst {worst}")?;
    }
    if platforms.is_empty() {
        writeln!(out, "(no rows)")?;
    }
    let legend: Vec<String> = SHADES
        .iter()
        .enumerate()
        .map(|(level, (mark, _, meaning))| {
            format!("{} {meaning}", paint(&mark.to_string(), level, colour))
        })
        .collect();
    writeln!(out, "{}  (5xx rate)", legend.join("   "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(platform: &str, bucket: i64, requests: u64, rate: f64) -> HeatCell {
        HeatCell {
            platform: platform.into(),
            bucket,
            requests,
            errors: requests as f64 * rate,
            error_rate: (requests > 0).then_some(rate),
        }
    }

    #[test]
    fn each_cell_is_shaded_by_its_rate_with_a_legend() {
        let h = 1_796_648_400; // 2026-12-07T13:00:00Z
        let cells = [
            cell("k3m9p2xw7q", h, 100, 0.002),
            cell("k3m9p2xw7q", h + 3600, 100, 0.124),
            cell("ywmlrx1b0z", h, 100, 0.015),
            cell("ywmlrx1b0z", h + 3600, 100, 0.03),
        ];
        let mut out = Vec::new();
        let starts: Vec<i64> = (0..6).map(|n| h + n * 1800).collect();
        write(&mut out, &cells, &starts, ("30m", 1800), 100, false).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\
5xx rate per platform and 30m bucket, 2026-12-07T13:00:00.000Z → 2026-12-07T16:00:00.000Z (UTC)
platform    13  14  15
k3m9p2xw7q  ░░··██······  worst 12.40%
ywmlrx1b0z  ▒▒··▓▓······  worst 3.00%
· no traffic   ░ < 1 %   ▒ 1–2 %   ▓ 2–5 %   █ ≥ 5 %  (5xx rate)
"
        );
    }
}
