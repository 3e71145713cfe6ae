//! The operator's cross-platform health (seed §8.1): one row per platform, and the incident
//! heatmap — time × platform, each cell coloured by its 5xx rate and linking to that
//! platform's errors in that hour.

use super::empty;
use crate::escape::{escape, query};
use crate::format::{clock, count, day, percent, time};
use crate::layout::Section;
use crate::{Context, Range, Refusal, Rendered};
use nno_obs_api::handlers::PREFIX;
use nno_obs_api::views::{Fleet, Heatmap, HeatmapCell};
use nno_obs_api::Backend;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The heatmap's colour classes, by 5xx rate: a sequential scale (ColorBrewer YlOrRd, safe
/// for colour-blind readers), each class named in the legend.
const CLASSES: [(f64, &str, &str); 5] = [
    (0.0, "h0", "0 %"),
    (0.001, "h1", "under 0.1 %"),
    (0.01, "h2", "0.1–1 %"),
    (0.05, "h3", "1–5 %"),
    (f64::INFINITY, "h4", "5 % or more"),
];

/// The class of a cell's rate (`hn` without requests).
pub(crate) fn class_of(rate: Option<f64>) -> &'static str {
    match rate {
        None => "hn",
        Some(r) if r <= 0.0 => "h0",
        Some(r) => CLASSES
            .iter()
            .skip(1)
            .find(|(below, _, _)| r < *below)
            .map(|(_, class, _)| *class)
            .unwrap_or("h4"),
    }
}

pub(crate) async fn render<B: Backend>(context: &Context<'_, B>) -> Result<Rendered, Refusal> {
    let range = context.range_query();
    let fleet: Fleet = context.ask(&format!("{PREFIX}/fleet"), &range).await?;
    let mut heatmap_query = range.clone();
    // A week of hours is 168 columns: the week's cells are 6 hours wide.
    let bucket = if context.range == Range::Week {
        "6h"
    } else {
        "1h"
    };
    heatmap_query.push(("bucket", bucket.to_owned()));
    let heatmap: Heatmap = context
        .ask(&format!("{PREFIX}/heatmap"), &heatmap_query)
        .await?;
    let mut main = format!(
        "<h1>Fleet health</h1><p class=\"lead\">Every platform over the last {}.</p>",
        context.range.label()
    );
    main.push_str(&fleet_table(&fleet, context.range));
    main.push_str(&heatmap_grid(&fleet, &heatmap, bucket, context.range));
    Ok(Rendered {
        title: "Fleet".to_owned(),
        section: Section::Fleet,
        main,
        keep: Vec::new(),
    })
}

fn fleet_table(fleet: &Fleet, range: Range) -> String {
    if fleet.platforms.is_empty() {
        return empty(&format!(
            "No platform sent metrics in the last {}: no Worker wrote a <code>{{platformId}}-perf</code> point in the range.",
            range.label()
        ));
    }
    let mut out = String::from(
        r#"<section aria-labelledby="fleet-h"><h2 id="fleet-h">Platforms</h2><div class="scroll"><table class="data"><thead><tr><th scope="col">Platform</th><th scope="col" class="num">Workers</th><th scope="col" class="num">Requests</th><th scope="col" class="num">5xx</th><th scope="col" class="num">5xx rate</th><th scope="col">Last build</th></tr></thead><tbody>"#,
    );
    for p in &fleet.platforms {
        let build = match &p.last_build {
            None => "none in range".to_owned(),
            Some(b) => format!(
                r#"<span class="build {}">{}</span> {}"#,
                escape(&b.status),
                escape(&b.status),
                escape(&time(&b.finished_at))
            ),
        };
        // The id beside the name, unless the name is the id (no Registry name): once is enough.
        let id_note = match p.name == p.platform_id {
            true => String::new(),
            false => format!(r#" <span class="id">{}</span>"#, escape(&p.platform_id)),
        };
        let _ = write!(
            out,
            r#"<tr><th scope="row"><a href="/platforms/{id}/observability{q}">{name}</a>{id_note}</th><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num"><span class="swatch {}" aria-hidden="true"></span>{}</td><td class="nowrap">{build}</td></tr>"#,
            p.workers,
            count(p.requests as f64),
            count(p.errors),
            class_of(p.error_rate),
            percent(p.error_rate),
            id = escape(&p.platform_id),
            name = escape(&p.name),
            q = escape(&query(&[("range", range.as_str())])),
        );
    }
    out.push_str("</tbody></table></div></section>");
    out
}

fn heatmap_grid(fleet: &Fleet, heatmap: &Heatmap, bucket: &str, range: Range) -> String {
    let mut out =
        String::from(r#"<section aria-labelledby="heat-h"><h2 id="heat-h">Incident heatmap</h2>"#);
    if heatmap.cells.is_empty() {
        out.push_str(&empty("No requests in the range, so no cell to colour."));
        out.push_str("</section>");
        return out;
    }
    let names: BTreeMap<&str, &str> = fleet
        .platforms
        .iter()
        .map(|p| (p.platform_id.as_str(), p.name.as_str()))
        .collect();
    let mut rows: BTreeMap<&str, BTreeMap<&str, &HeatmapCell>> = BTreeMap::new();
    for cell in &heatmap.cells {
        rows.entry(&cell.platform_id)
            .or_default()
            .insert(&cell.bucket, cell);
    }
    let _ = write!(
        out,
        r#"<p class="lead">Rows are platforms, columns {bucket} buckets (UTC); a cell opens that platform's errors in its bucket.</p><div class="scroll latest"><table class="heatmap"><thead><tr><th scope="col">Platform</th>"#
    );
    // A label every few buckets, spanning them, so that every column keeps one width.
    let every = heatmap.buckets.len().div_ceil(12).max(1);
    for chunk in heatmap.buckets.chunks(every) {
        let first = chunk.first().map(String::as_str).unwrap_or("");
        let _ = write!(
            out,
            r#"<th scope="colgroup" colspan="{}" class="t">{}<br>{}</th>"#,
            chunk.len(),
            escape(clock(first)),
            escape(day(first))
        );
    }
    out.push_str("</tr></thead><tbody>");
    for (platform, cells) in &rows {
        let name = names.get(platform).copied().unwrap_or(platform);
        let _ = write!(
            out,
            r#"<tr><th scope="row"><a href="/platforms/{id}/observability{q}">{}</a></th>"#,
            escape(name),
            id = escape(platform),
            q = escape(&query(&[("range", range.as_str())])),
        );
        for (i, b) in heatmap.buckets.iter().enumerate() {
            match cells.get(b.as_str()) {
                // No requests: nothing to open, so no link (and no tab stop).
                None => out.push_str(r#"<td class="hn"></td>"#),
                Some(cell) if cell.requests == 0 => {
                    let _ = write!(
                        out,
                        r#"<td class="hn" title="{}"></td>"#,
                        escape(&format!("{name}, {}: no requests", time(b)))
                    );
                }
                Some(cell) => {
                    let tip = format!(
                        "{name}, {}: {} requests, {} 5xx ({})",
                        time(b),
                        count(cell.requests as f64),
                        count(cell.errors),
                        percent(cell.error_rate)
                    );
                    let to = heatmap.buckets.get(i + 1).cloned().unwrap_or_default();
                    let href = format!(
                        "/platforms/{platform}/logs{}",
                        query(&[("from", b), ("to", &to), ("level", "error")])
                    );
                    let _ = write!(
                        out,
                        r#"<td class="{}"><a href="{}" title="{tip}" aria-label="{tip}"></a></td>"#,
                        class_of(cell.error_rate),
                        escape(&href),
                        tip = escape(&tip)
                    );
                }
            }
        }
        out.push_str("</tr>");
    }
    out.push_str(r#"</tbody></table></div><ul class="legend" aria-label="5xx rate">"#);
    for (_, class, label) in CLASSES {
        let _ = write!(
            out,
            r#"<li><span class="swatch {class}" aria-hidden="true"></span>{label}</li>"#
        );
    }
    out.push_str(
        r#"<li><span class="swatch hn" aria-hidden="true"></span>no requests</li></ul></section>"#,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::{class_of, fleet_table};
    use crate::Range;
    use nno_obs_api::views::{Fleet, FleetPlatform};

    fn row(platform_id: &str, name: &str) -> FleetPlatform {
        FleetPlatform {
            platform_id: platform_id.into(),
            name: name.into(),
            workers: 2,
            requests: 10,
            errors: 0.0,
            error_rate: Some(0.0),
            last_build: None,
        }
    }

    #[test]
    fn a_platform_without_a_name_shows_its_id_once() {
        let fleet = Fleet {
            platforms: vec![
                row("k3m9p2xw7q", "AcmeCorp"),
                row("r8n4t6y1z5", "r8n4t6y1z5"),
            ],
        };
        let html = fleet_table(&fleet, Range::Day);
        assert!(
            html.contains(">AcmeCorp</a> <span class=\"id\">k3m9p2xw7q</span></th>"),
            "{html}"
        );
        assert!(html.contains(">r8n4t6y1z5</a></th>"), "{html}");
        assert_eq!(
            html.matches("r8n4t6y1z5").count(),
            2,
            "the link and its text: {html}"
        );
    }

    #[test]
    fn classes_rise_with_the_rate() {
        assert_eq!(class_of(None), "hn");
        assert_eq!(class_of(Some(0.0)), "h0");
        assert_eq!(class_of(Some(0.0005)), "h1");
        assert_eq!(class_of(Some(0.005)), "h2");
        assert_eq!(class_of(Some(0.02)), "h3");
        assert_eq!(class_of(Some(0.05)), "h4");
        assert_eq!(class_of(Some(0.9)), "h4");
    }
}
