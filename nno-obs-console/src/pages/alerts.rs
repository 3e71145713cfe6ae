//! Alerts and objectives (seed §5, §6): the alerts firing now and resolved in the last day,
//! each with the message as sent; every objective with its value, budget and burn rate. An
//! operator sees all; a platform admin its platform's, exactly as the API answers.

use super::{empty, table};
use crate::escape::escape;
use crate::format::{count, duration, percent, time};
use crate::layout::Section;
use crate::{Context, Refusal, Rendered};
use nno_obs_api::handlers::PREFIX;
use nno_obs_api::views::{AlertView, Alerts, Slo};
use nno_obs_api::Backend;
use std::fmt::Write;

pub(crate) async fn render<B: Backend>(
    context: &Context<'_, B>,
    platform: Option<&str>,
) -> Result<Rendered, Refusal> {
    let mut query = Vec::new();
    if let Some(p) = platform {
        query.push(("platformId", p.to_owned()));
    }
    let alerts: Alerts = context.ask(&format!("{PREFIX}/alerts"), &query).await?;
    if let Some(until) = &context.until {
        query.push(("until", until.clone()));
    }
    let slo: Slo = context.ask(&format!("{PREFIX}/slo"), &query).await?;
    let mut main = match platform {
        Some(p) => format!(
            r#"<h1>Alerts &amp; SLOs <span class="id">{}</span></h1>"#,
            escape(p)
        ),
        None => "<h1>Alerts &amp; SLOs</h1>".to_owned(),
    };
    main.push_str(r#"<section aria-labelledby="a-h"><h2 id="a-h">Firing</h2>"#);
    main.push_str(&alert_list(&alerts.firing, "No alert is firing."));
    main.push_str(
        r#"</section><section aria-labelledby="z-h"><h2 id="z-h">Resolved in the last 24 h</h2>"#,
    );
    main.push_str(&alert_list(
        &alerts.resolved,
        "No alert resolved in the last 24 h.",
    ));
    main.push_str(r#"</section><section aria-labelledby="o-h"><h2 id="o-h">Objectives</h2>"#);
    if slo.objectives.is_empty() {
        main.push_str(&empty("No objective applies here."));
    } else {
        let rows: Vec<Vec<String>> = slo
            .objectives
            .iter()
            .map(|o| {
                let status = match o.status.as_str() {
                    "no_data_source" => "source not connected".to_owned(),
                    other => other.replace('_', " "),
                };
                vec![
                    escape(&o.objective),
                    escape(&o.subject),
                    escape(&o.target),
                    value(&o.target, o.value),
                    count(o.events as f64),
                    percent(o.budget_left),
                    escape(o.burn_rate.as_deref().unwrap_or("–")),
                    format!(
                        r#"<span class="status-{}">{}</span>"#,
                        escape(&o.status),
                        escape(&status)
                    ),
                ]
            })
            .collect();
        main.push_str(&table(
            "Objectives",
            &[
                ("Objective", false),
                ("Subject", false),
                ("Target", false),
                ("Value", true),
                ("Events", true),
                ("Budget left", true),
                ("Burn rate", false),
                ("Status", false),
            ],
            &rows,
        ));
    }
    main.push_str("</section>");
    Ok(Rendered {
        title: "Alerts & SLOs".to_owned(),
        section: match platform {
            Some(p) => Section::PlatformAlerts(p.to_owned()),
            None => Section::OperatorAlerts,
        },
        main,
        keep: Vec::new(),
    })
}

/// An objective's value as its target reads: a ratio where the target is a percentage,
/// else a duration (the API gives durations in ms whatever unit the target is written in).
fn value(target: &str, value: Option<f64>) -> String {
    match value {
        None => "–".to_owned(),
        Some(v) if target.contains('%') => percent(Some(v)),
        Some(v) => duration(v),
    }
}

fn alert_list(alerts: &[AlertView], none: &str) -> String {
    if alerts.is_empty() {
        return empty(none);
    }
    let mut out = String::from(r#"<ul class="alerts">"#);
    for a in alerts {
        let _ = write!(
            out,
            r#"<li><details><summary><span class="sev">{}</span> {} <span class="detail">{} · fired {}{}</span></summary><pre>{}</pre></details></li>"#,
            escape(&a.severity),
            escape(&a.subject),
            escape(&a.category),
            escape(&time(&a.fired_at)),
            a.resolved_at
                .as_deref()
                .map(|r| format!(", resolved {}", escape(&time(r))))
                .unwrap_or_default(),
            escape(&a.message)
        );
    }
    out.push_str("</ul>");
    out
}

#[cfg(test)]
mod tests {
    use super::value;

    #[test]
    fn values_read_as_their_targets() {
        assert_eq!(value("p95 < 200ms", Some(180.0)), "180 ms");
        assert_eq!(value("< 60s", Some(7902.0)), "7.90 s");
        assert_eq!(value("99.9%", Some(0.9991)), "99.9 %");
        assert_eq!(value("99.9%", None), "–");
    }
}
