//! The provisioning monitor (seed §8.2): jobs running with their current step, failed jobs
//! with their step, error and rollback, completion times per operation. Each job links to its
//! trace. The seed's Cloudflare API quota panel has no source yet, and says so.

use super::{empty, ms, table};
use crate::escape::escape;
use crate::format::{count, time};
use crate::layout::Section;
use crate::{Context, Refusal, Rendered};
use nno_obs_api::handlers::PREFIX;
use nno_obs_api::views::Provisioning;
use nno_obs_api::Backend;

pub(crate) async fn render<B: Backend>(context: &Context<'_, B>) -> Result<Rendered, Refusal> {
    let answer: Provisioning = context
        .ask(&format!("{PREFIX}/provisioning"), &context.range_query())
        .await?;
    let label = context.range.label();
    let trace = |id: &str| {
        format!(
            r#"<a href="{}"><code>{}</code></a>"#,
            escape(&super::trace::trace_href(None, id)),
            escape(id)
        )
    };
    let or_dash = |v: &Option<String>| escape(v.as_deref().unwrap_or("–"));
    let mut main = String::from("<h1>Provisioning monitor</h1>");
    main.push_str(r#"<section aria-labelledby="r-h"><h2 id="r-h">Running</h2>"#);
    if answer.running.is_empty() {
        main.push_str(&empty("No provisioning job is running."));
    } else {
        let rows: Vec<Vec<String>> = answer
            .running
            .iter()
            .map(|j| {
                vec![
                    or_dash(&j.operation),
                    escape(&j.platform_id),
                    or_dash(&j.current_step),
                    escape(&time(&j.started_at)),
                    trace(&j.trace_id),
                ]
            })
            .collect();
        main.push_str(&table(
            "Running jobs",
            &[
                ("Operation", false),
                ("Platform", false),
                ("Current step", false),
                ("Started", false),
                ("Trace", false),
            ],
            &rows,
        ));
    }
    main.push_str(r#"</section><section aria-labelledby="x-h"><h2 id="x-h">Failed</h2>"#);
    if answer.failed.is_empty() {
        main.push_str(&empty(&format!("No job failed in the last {label}.")));
    } else {
        let rows: Vec<Vec<String>> = answer
            .failed
            .iter()
            .map(|j| {
                vec![
                    or_dash(&j.operation),
                    escape(&j.platform_id),
                    or_dash(&j.failed_step),
                    or_dash(&j.error),
                    if j.rolled_back {
                        "rolled back"
                    } else {
                        "not rolled back"
                    }
                    .to_owned(),
                    escape(&time(&j.failed_at)),
                    trace(&j.trace_id),
                ]
            })
            .collect();
        main.push_str(&table(
            "Failed jobs",
            &[
                ("Operation", false),
                ("Platform", false),
                ("Failed step", false),
                ("Error", false),
                ("Rollback", false),
                ("Failed", false),
                ("Trace", false),
            ],
            &rows,
        ));
    }
    main.push_str(r#"</section><section aria-labelledby="c-h"><h2 id="c-h">Completion times</h2>"#);
    if answer.completion.is_empty() {
        main.push_str(&empty(&format!("No job completed in the last {label}.")));
    } else {
        let rows: Vec<Vec<String>> = answer
            .completion
            .iter()
            .map(|c| {
                vec![
                    escape(&c.operation),
                    count(c.jobs as f64),
                    ms(c.p50_ms),
                    ms(c.p95_ms),
                ]
            })
            .collect();
        main.push_str(&table(
            "Completion times",
            &[
                ("Operation", false),
                ("Jobs", true),
                ("p50", true),
                ("p95", true),
            ],
            &rows,
        ));
    }
    main.push_str(
        r#"</section><section aria-labelledby="q-h"><h2 id="q-h">Cloudflare API quota</h2>"#,
    );
    main.push_str(&empty(
        "Source not connected: scripts deployed today against the 200 a day limit (seed §8.2) come from Cloudflare's API, which this host does not read.",
    ));
    main.push_str("</section>");
    Ok(Rendered {
        title: "Provisioning".to_owned(),
        section: Section::Provisioning,
        main,
        keep: Vec::new(),
    })
}
