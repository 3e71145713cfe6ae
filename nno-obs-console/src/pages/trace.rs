//! The trace explorer (seed §8.4) and a platform's part of a trace: the waterfall — each
//! span's offset and duration to scale, its outcome's colour and word, its depth as
//! indentation — then the trace's log lines, and the logs pages holding its Logpush objects.

use super::logs::{entries_table, TraceColumn};
use crate::chart::{nice_max, steps};
use crate::escape::{escape, query};
use crate::format::{duration, tick_labels, Axis};
use crate::layout::Section;
use crate::routes::OPERATOR_HOME;
use crate::{Context, Refusal, Rendered};
use nno_obs_api::handlers::PREFIX;
use nno_obs_api::views::{SpanView, TraceView};
use nno_obs_api::Backend;
use std::collections::BTreeSet;
use std::fmt::Write;

pub(crate) async fn render<B: Backend>(
    context: &Context<'_, B>,
    platform: Option<&str>,
    id: Option<&str>,
) -> Result<Rendered, Refusal> {
    let asked = context.param("traceId");
    let id = id.map(str::to_owned).unwrap_or(asked);
    let section = match platform {
        Some(p) => Section::PlatformTrace(p.to_owned()),
        None => Section::Traces,
    };
    let mut main = String::from("<h1>Trace explorer</h1>");
    if platform.is_none() {
        let _ = write!(
            main,
            r#"<form class="search" method="get" action="{OPERATOR_HOME}/traces" role="search"><label for="traceId">Trace id</label><input id="traceId" name="traceId" value="{}" required pattern="[A-Za-z0-9._-]{{1,128}}" autocomplete="off"><button type="submit">Open</button></form>"#,
            escape(&id)
        );
    }
    if id.is_empty() {
        main.push_str(&super::empty(
            "Give a trace id (from a log line, an alert or a provisioning job) to see its waterfall across services.",
        ));
        return Ok(Rendered {
            title: "Trace explorer".to_owned(),
            section,
            main,
            keep: Vec::new(),
        });
    }
    if !nno_obs_api::handlers::traces::is_trace_id(&id) {
        return Err(Refusal::new(
            400,
            "traceId: letters, digits, '.', '_' or '-', at most 128",
        ));
    }
    let query_pairs = match platform {
        Some(p) => vec![("platformId", p.to_owned())],
        None => Vec::new(),
    };
    let trace: TraceView = context
        .ask(&format!("{PREFIX}/traces/{id}"), &query_pairs)
        .await?;
    let _ = write!(
        main,
        r#"<p class="lead">Trace <code>{}</code>: {}, {}{}.</p>"#,
        escape(&trace.trace_id),
        crate::format::counted(trace.spans.len(), "span"),
        crate::format::counted(trace.logs.len(), "log line"),
        if trace.complete {
            ""
        } else {
            " (more lines than a view carries: the first 1000 shown)"
        }
    );
    main.push_str(r#"<section aria-labelledby="wf-h"><h2 id="wf-h">Waterfall</h2>"#);
    if trace.spans.is_empty() {
        main.push_str(&super::empty(
            "No span of this trace was recorded (its lines are below).",
        ));
    } else {
        main.push_str(r#"<div class="scroll">"#);
        main.push_str(&waterfall(&trace.spans));
        main.push_str("</div>");
    }
    main.push_str("</section>");
    main.push_str(r#"<section aria-labelledby="lines-h"><h2 id="lines-h">Log lines</h2>"#);
    // Every line is of this trace: no trace column repeating the page's own id.
    main.push_str(&entries_table(&trace.logs, TraceColumn::Omitted));
    main.push_str(&objects(&trace, platform, context));
    main.push_str("</section>");
    Ok(Rendered {
        title: format!("Trace {id}"),
        section,
        main,
        keep: Vec::new(),
    })
}

/// The trace page of `trace_id`, as seen from `platform`'s pages or the operator's.
pub(crate) fn trace_href(platform: Option<&str>, trace_id: &str) -> String {
    let id = crate::escape::encode(trace_id);
    match platform {
        Some(p) => format!("/platforms/{p}/observability/traces/{id}"),
        None => format!("{OPERATOR_HOME}/traces/{id}"),
    }
}

const ROW: f64 = 24.0;
const WIDTH: f64 = 760.0;
const LABEL: f64 = 280.0;
const AXIS: f64 = 22.0;

/// The waterfall as SVG: rows in start order, bars to scale against the trace's span.
fn waterfall(spans: &[SpanView]) -> String {
    let end = spans
        .iter()
        .map(|s| s.offset_ms + s.duration_ms)
        .fold(0.0, f64::max);
    let scale_max = nice_max(end.max(1.0));
    let plot = WIDTH - LABEL - 8.0;
    let x = |ms: f64| LABEL + ms / scale_max * plot;
    let height = AXIS + ROW * spans.len() as f64 + 4.0;
    let mut svg = format!(
        r#"<svg class="chart waterfall" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="Waterfall of {} spans over {}">"#,
        spans.len(),
        escape(&duration(end))
    );
    // Round steps of the scale (1 s steps of 5 s, not quarters of 1.25 s), labelled by one
    // formatter: one unit and precision on the axis.
    let steps = steps(scale_max);
    let ticks: Vec<f64> = (0..=steps)
        .map(|tick| scale_max * f64::from(tick) / f64::from(steps))
        .collect();
    for (tick, (ms, label)) in ticks
        .iter()
        .zip(tick_labels(&ticks, Axis::Duration))
        .enumerate()
    {
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{0:.1}" y1="{AXIS}" x2="{0:.1}" y2="{height}"/><text class="tick" x="{0:.1}" y="14" text-anchor="{1}">{2}</text>"#,
            x(*ms),
            if tick == ticks.len() - 1 {
                "end"
            } else {
                "middle"
            },
            escape(&label)
        );
    }
    for (row, span) in spans.iter().enumerate() {
        let y = AXIS + ROW * row as f64;
        let class = if span.outcome == "ok" { "ok" } else { "err" };
        let tip = format!(
            "{} {}: {} at +{}, {}, platform {}",
            span.service,
            span.operation,
            duration(span.duration_ms),
            duration(span.offset_ms),
            span.outcome,
            span.platform_id
        );
        let indent = 4.0 + 12.0 * span.depth.min(12) as f64;
        let label: String = format!("{} · {}", span.service, span.operation)
            .chars()
            .take(((LABEL - indent - 16.0) / 7.5) as usize)
            .collect();
        let _ = write!(
            svg,
            r#"<g class="span {class}"><title>{tip}</title><text class="label" x="{indent:.1}" y="{:.1}" dominant-baseline="middle">{}{}</text><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="2"/></g>"#,
            y + ROW / 2.0,
            if class == "err" { "✕ " } else { "" },
            escape(&label),
            x(span.offset_ms),
            y + 4.0,
            (x(span.offset_ms + span.duration_ms) - x(span.offset_ms)).max(1.5),
            ROW - 8.0,
            tip = escape(&tip),
        );
    }
    svg.push_str("</svg>");
    svg.push_str(r#"<ul class="legend"><li><span class="swatch ok" aria-hidden="true"></span>ok</li><li><span class="swatch err" aria-hidden="true"></span>✕ error</li></ul>"#);
    svg
}

/// Where the trace's Logpush objects can be searched and downloaded: the logs pages of the
/// buckets its lines came from.
fn objects<B: Backend>(
    trace: &TraceView,
    platform: Option<&str>,
    context: &Context<'_, B>,
) -> String {
    let keys: BTreeSet<&str> = trace.logs.iter().map(|l| l.object.as_str()).collect();
    if keys.is_empty() {
        return String::new();
    }
    let range = context.range.as_str();
    let mut out = format!(
        r#"<h3>Logpush objects</h3><p>These lines come from {}. Search and download them:</p><ul class="links">"#,
        crate::format::counted(keys.len(), "object")
    );
    let mut pages: Vec<(String, String)> = Vec::new();
    match platform {
        Some(p) => pages.push((format!("/platforms/{p}/logs"), format!("platform {p}"))),
        None => {
            pages.push((format!("{OPERATOR_HOME}/logs"), "NNO's own logs".to_owned()));
            let platforms: BTreeSet<&str> = trace
                .spans
                .iter()
                .map(|s| s.platform_id.as_str())
                .filter(|p| nno_obs_store::layout::PlatformId::parse(p).is_ok())
                .collect();
            for p in platforms {
                pages.push((format!("/platforms/{p}/logs"), format!("platform {p}")));
            }
        }
    }
    for (path, label) in pages {
        let _ = write!(
            out,
            r#"<li><a href="{}">Lines of this trace in {}</a></li>"#,
            escape(&format!(
                "{path}{}",
                query(&[("traceId", &trace.trace_id), ("range", range)])
            )),
            escape(&label)
        );
    }
    out.push_str("</ul>");
    out
}

#[cfg(test)]
mod tests {
    use super::waterfall;
    use nno_obs_api::views::SpanView;

    /// A job of 4.6 s: its scale is 5 s in whole seconds, every label in s with no decimals
    /// (it was quarters: 1.25 s, 2.50 s, 3.75 s).
    #[test]
    fn the_scale_has_round_steps_in_one_unit() {
        let span = SpanView {
            span_id: "a".into(),
            parent_span_id: String::new(),
            service: "provisioning".into(),
            operation: "run-job".into(),
            start: "2026-02-22T07:12:00.005Z".into(),
            duration_ms: 4_600.0,
            outcome: "error".into(),
            platform_id: "k3m9p2xw7q".into(),
            offset_ms: 0.0,
            depth: 0,
        };
        let svg = waterfall(&[span]);
        let ticks: Vec<&str> = svg
            .split(r#"y="14" text-anchor="#)
            .skip(1)
            .map(|rest| &rest[rest.find('>').map_or(0, |i| i + 1)..rest.find('<').unwrap_or(0)])
            .collect();
        assert_eq!(ticks, ["0 s", "1 s", "2 s", "3 s", "4 s", "5 s"]);
        assert!(
            svg.contains(r#"text-anchor="end">5 s<"#),
            "the last label ends at the edge"
        );
    }
}
