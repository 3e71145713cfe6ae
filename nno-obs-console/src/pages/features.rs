//! A platform's feature performance (seed §7.2): per feature the request rate, 5xx rate and
//! p50/p95/p99 latency; the ten slowest and the ten most-erroring endpoints.

use super::{empty, ms, table};
use crate::escape::escape;
use crate::format::{count, percent};
use crate::layout::Section;
use crate::{Context, Refusal, Rendered};
use nno_obs_api::handlers::PREFIX;
use nno_obs_api::views::Features;
use nno_obs_api::Backend;

pub(crate) async fn render<B: Backend>(
    context: &Context<'_, B>,
    platform: &str,
) -> Result<Rendered, Refusal> {
    let mut query = context.range_query();
    query.push(("platformId", platform.to_owned()));
    let answer: Features = context.ask(&format!("{PREFIX}/features"), &query).await?;
    let label = context.range.label();
    let mut main = format!(
        r#"<h1>Feature performance <span class="id">{}</span></h1>"#,
        escape(platform)
    );
    main.push_str(r#"<section aria-labelledby="f-h"><h2 id="f-h">Per feature</h2>"#);
    if answer.features.is_empty() {
        main.push_str(&empty(&format!(
            "No feature served a request in the last {label}."
        )));
    } else {
        let rows: Vec<Vec<String>> = answer
            .features
            .iter()
            .map(|f| {
                vec![
                    escape(&f.feature),
                    count(f.requests as f64),
                    format!("{:.1}", f.requests_per_minute),
                    count(f.errors),
                    percent(f.error_rate),
                    ms(f.p50_ms),
                    ms(f.p95_ms),
                    ms(f.p99_ms),
                ]
            })
            .collect();
        main.push_str(&table(
            "Per feature",
            &[
                ("Feature", false),
                ("Requests", true),
                ("Req/min", true),
                ("5xx", true),
                ("5xx rate", true),
                ("p50", true),
                ("p95", true),
                ("p99", true),
            ],
            &rows,
        ));
    }
    main.push_str(
        r#"</section><section aria-labelledby="s-h"><h2 id="s-h">Slowest endpoints (p95)</h2>"#,
    );
    if answer.slowest_endpoints.is_empty() {
        main.push_str(&empty("No endpoint was called in the range."));
    } else {
        let rows: Vec<Vec<String>> = answer
            .slowest_endpoints
            .iter()
            .map(|e| {
                vec![
                    format!("<code>{}</code>", escape(&e.endpoint)),
                    escape(&e.feature),
                    count(e.requests as f64),
                    ms(e.p95_ms),
                ]
            })
            .collect();
        main.push_str(&table(
            "Slowest endpoints",
            &[
                ("Endpoint", false),
                ("Feature", false),
                ("Requests", true),
                ("p95", true),
            ],
            &rows,
        ));
    }
    main.push_str(
        r#"</section><section aria-labelledby="e-h"><h2 id="e-h">Most-erroring endpoints</h2>"#,
    );
    if answer.erroring_endpoints.is_empty() {
        main.push_str(&empty(&format!(
            "No endpoint answered a 5xx in the last {label}."
        )));
    } else {
        let rows: Vec<Vec<String>> = answer
            .erroring_endpoints
            .iter()
            .map(|e| {
                vec![
                    format!("<code>{}</code>", escape(&e.endpoint)),
                    escape(&e.feature),
                    count(e.requests as f64),
                    count(e.errors),
                    percent(e.error_rate),
                ]
            })
            .collect();
        main.push_str(&table(
            "Most-erroring endpoints",
            &[
                ("Endpoint", false),
                ("Feature", false),
                ("Requests", true),
                ("5xx", true),
                ("5xx rate", true),
            ],
            &rows,
        ));
    }
    main.push_str("</section>");
    Ok(Rendered {
        title: format!("Features {platform}"),
        section: Section::Features(platform.to_owned()),
        main,
        keep: Vec::new(),
    })
}
