//! A platform's overview (seed §7.1): a light per Worker, requests per hour, the 5xx rate per
//! feature per hour, the latest Pages build.

use super::{empty, platform_section};
use crate::chart::{bars, legend, lines, Series};
use crate::escape::escape;
use crate::format::{count, duration, percent, time, Axis};
use crate::{Context, Refusal, Rendered};
use nno_obs_api::handlers::PREFIX;
use nno_obs_api::views::{Overview, WorkerLight};
use nno_obs_api::Backend;
use std::fmt::Write;

pub(crate) async fn render<B: Backend>(
    context: &Context<'_, B>,
    platform: &str,
) -> Result<Rendered, Refusal> {
    let mut query = context.range_query();
    query.push(("platformId", platform.to_owned()));
    let overview: Overview = context.ask(&format!("{PREFIX}/overview"), &query).await?;
    let label = context.range.label();
    let mut main = format!(
        r#"<h1>Overview <span class="id">{}</span></h1>"#,
        escape(platform)
    );
    main.push_str(&lights(&overview.workers));
    main.push_str(r#"<section aria-labelledby="req-h"><h2 id="req-h">Requests per hour</h2>"#);
    let total: u64 = overview.requests_per_hour.iter().map(|h| h.requests).sum();
    if total == 0 {
        main.push_str(&empty(&format!(
            "No requests in the last {label}: this platform's Workers wrote no metrics in the range."
        )));
    } else {
        let points: Vec<(&str, f64)> = overview
            .requests_per_hour
            .iter()
            .map(|h| (h.hour.as_str(), h.requests as f64))
            .collect();
        main.push_str(r#"<div class="scroll latest">"#);
        main.push_str(&bars(
            "Requests per hour",
            "requests / hour",
            Axis::Count,
            &points,
            count,
        ));
        main.push_str("</div>");
    }
    main.push_str("</section>");
    main.push_str(r#"<section aria-labelledby="err-h"><h2 id="err-h">5xx rate per feature</h2>"#);
    let series: Vec<Series<'_>> = overview
        .error_rate_per_feature
        .iter()
        .map(|f| Series {
            name: &f.feature,
            points: f
                .hours
                .iter()
                .map(|h| (h.hour.as_str(), h.error_rate))
                .collect(),
        })
        .collect();
    if series
        .iter()
        .all(|s| s.points.iter().all(|(_, v)| v.is_none()))
    {
        main.push_str(&empty(&format!(
            "No feature served a request in the last {label}, so there is no rate to draw."
        )));
    } else {
        main.push_str(r#"<div class="scroll latest">"#);
        main.push_str(&lines(
            "5xx rate per feature per hour",
            "5xx rate",
            Axis::Percent,
            &series,
            |v| percent(Some(v)),
        ));
        main.push_str("</div>");
        main.push_str(&legend(&series));
    }
    main.push_str("</section>");
    main.push_str(r#"<section aria-labelledby="build-h"><h2 id="build-h">Latest Pages build</h2>"#);
    match &overview.latest_build {
        None => main.push_str(&empty(&format!(
            "No Pages build finished in the last {label}."
        ))),
        Some(b) => {
            let _ = write!(
                main,
                r#"<dl class="card"><dt>Status</dt><dd><span class="build {s}">{s}</span></dd><dt>Finished</dt><dd>{}</dd><dt>Duration</dt><dd>{}</dd><dt>Build</dt><dd><code>{}</code></dd></dl>"#,
                escape(&time(&b.finished_at)),
                duration(b.duration_ms),
                escape(&b.build_id),
                s = escape(&b.status),
            );
        }
    }
    main.push_str("</section>");
    Ok(Rendered {
        title: format!("Overview {platform}"),
        section: platform_section(platform, false),
        main,
        keep: Vec::new(),
    })
}

/// The traffic lights: colour and word both (colour alone says nothing to some readers).
fn lights(workers: &[WorkerLight]) -> String {
    let mut out = String::from(
        r#"<section aria-labelledby="lights-h"><h2 id="lights-h">Health per Worker</h2>"#,
    );
    if workers.is_empty() {
        out.push_str(&empty(
            "No Worker of this platform was seen in the range: nothing has been deployed, or nothing has been called.",
        ));
    } else {
        out.push_str(r#"<ul class="lights">"#);
        for w in workers {
            // `no_data` with requests in the window: they stopped in its last 2 minutes —
            // "No data" beside "10 requests" would read as a contradiction.
            let (word, detail) = match w.health.as_str() {
                "ok" => ("OK", String::new()),
                "degraded" => ("Degraded", String::new()),
                "failing" => ("Failing", String::new()),
                _ if w.requests > 0 => ("Silent", "no request in the last 2 min · ".to_owned()),
                _ => ("No data", String::new()),
            };
            let name = w.script.as_deref().unwrap_or(&w.feature);
            let _ = write!(
                out,
                r#"<li class="light {}"><span class="dot" aria-hidden="true"></span><strong>{}</strong> <span class="word">{word}</span><br><span class="detail">{detail}{} requests · 5xx {}</span></li>"#,
                escape(&w.health),
                escape(name),
                count(w.requests as f64),
                percent(w.error_rate)
            );
        }
        out.push_str(
            "</ul><p class=\"note\">Lights read the last 5 minutes (the error-spike alert's window): \
             5xx below 0.5 % is OK, up to 5 % degraded, above 5 % failing; silent when no request \
             came in the last 2 minutes.</p>",
        );
    }
    out.push_str("</section>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn light(feature: &str, health: &str, requests: u64) -> WorkerLight {
        WorkerLight {
            script: None,
            feature: feature.into(),
            health: health.into(),
            requests,
            error_rate: (requests > 0).then_some(0.1),
        }
    }

    #[test]
    fn a_worker_that_went_quiet_reads_silent_not_no_data() {
        let html = lights(&[
            light("auth", "no_data", 10),
            light("reports", "no_data", 0),
            light("analytics", "failing", 40),
        ]);
        assert!(html.contains(
            "<strong>auth</strong> <span class=\"word\">Silent</span><br><span class=\"detail\">no request in the last 2 min · 10 requests"
        ), "{html}");
        assert!(html.contains(
            "<strong>reports</strong> <span class=\"word\">No data</span><br><span class=\"detail\">0 requests"
        ), "{html}");
        assert!(html.contains("<strong>analytics</strong> <span class=\"word\">Failing</span><br><span class=\"detail\">40 requests"), "{html}");
    }
}
