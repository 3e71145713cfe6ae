//! Alerts and objectives (seed §5, §6): the alerts firing now and resolved in the last day,
//! each with the message as sent; every objective with its value, budget and burn rate. An
//! operator sees all; a platform admin its platform's, exactly as the API answers.
//!
//! A firing alert that paged nobody says why where on-call looks first (docs/alerts.md,
//! "Beyond the seed"): silenced by which silence until when (UTC), or inhibited by which
//! alert (a link to it when it is listed here).

use super::{empty, table};
use crate::escape::{encode, escape};
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
    main.push_str(&held_summary(&alerts.firing));
    main.push_str(&alert_list(
        &alerts.firing,
        Some(&alerts.firing),
        "No alert is firing.",
    ));
    main.push_str(
        r#"</section><section aria-labelledby="z-h"><h2 id="z-h">Resolved in the last 24 h</h2>"#,
    );
    main.push_str(&alert_list(
        &alerts.resolved,
        None,
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

/// How many of the firing alerts paged nobody, said before the list (nothing when all did).
fn held_summary(firing: &[AlertView]) -> String {
    let silenced = firing.iter().filter(|a| a.silenced_by.is_some()).count();
    let inhibited = firing
        .iter()
        .filter(|a| a.silenced_by.is_none() && a.inhibited_by.is_some())
        .count();
    if silenced + inhibited == 0 {
        return String::new();
    }
    let mut why = Vec::new();
    if silenced > 0 {
        why.push(format!("{silenced} silenced"));
    }
    if inhibited > 0 {
        why.push(format!("{inhibited} inhibited"));
    }
    format!(
        r#"<p class="lead">{} firing; {} paged nobody ({}): each says why.</p>"#,
        firing.len(),
        silenced + inhibited,
        why.join(", ")
    )
}

/// The anchor of an alert in the firing list, so an inhibited alert can link its inhibitor.
fn anchor(id: &str) -> String {
    format!("alert-{}", encode(id))
}

/// Why `alert` paged nobody, or nothing when it paged: its silence and until when, or the
/// alert that inhibits it (linked when that one is in `firing`).
fn held(alert: &AlertView, firing: &[AlertView]) -> Option<String> {
    if let Some(silence) = &alert.silenced_by {
        let until = alert
            .silenced_until
            .as_deref()
            .map(|u| format!(" until {}", escape(&time(u))))
            .unwrap_or_default();
        return Some(format!(
            r#"<p class="held"><span class="held-tag">Silenced</span> not paged: silence <code>{}</code>{until}</p>"#,
            escape(silence)
        ));
    }
    let by = alert.inhibited_by.as_deref()?;
    let inhibitor = if firing.iter().any(|a| a.id == by) {
        format!(
            r##"<a href="#{}"><code>{}</code></a>"##,
            escape(&anchor(by)),
            escape(by)
        )
    } else {
        format!("<code>{}</code>", escape(by))
    };
    Some(format!(
        r#"<p class="held"><span class="held-tag">Inhibited</span> not paged: explained by {inhibitor}, which is firing</p>"#
    ))
}

/// A list of alerts; `firing` is given for the firing list (its items are anchored, and say
/// why they paged nobody), `None` for the resolved one (an id may be in both lists, and a
/// resolved alert carries no mute: docs/api.md).
fn alert_list(alerts: &[AlertView], firing: Option<&[AlertView]>, none: &str) -> String {
    if alerts.is_empty() {
        return empty(none);
    }
    let mut out = String::from(r#"<ul class="alerts">"#);
    for a in alerts {
        let why = firing.and_then(|firing| held(a, firing));
        let id = match firing {
            Some(_) => format!(r#" id="{}""#, escape(&anchor(&a.id))),
            None => String::new(),
        };
        let _ = write!(
            out,
            r#"<li{id} class="alert{}"><details><summary><span class="sev">{}</span> {} <span class="detail">{} · fired {}{}</span></summary><pre>{}</pre></details>{}</li>"#,
            if why.is_some() { " is-held" } else { "" },
            escape(&a.severity),
            escape(&a.subject),
            escape(&a.category),
            escape(&time(&a.fired_at)),
            a.resolved_at
                .as_deref()
                .map(|r| format!(", resolved {}", escape(&time(r))))
                .unwrap_or_default(),
            escape(&a.message),
            why.unwrap_or_default(),
        );
    }
    out.push_str("</ul>");
    out
}

#[cfg(test)]
mod tests {
    use super::{alert_list, held_summary, value};
    use nno_obs_api::views::AlertView;

    fn alert(id: &str) -> AlertView {
        AlertView {
            id: id.to_owned(),
            category: "worker-error-spike".to_owned(),
            severity: "critical".to_owned(),
            subject: format!("{id} failing"),
            platform_id: Some("k3m9p2xw7q".to_owned()),
            fired_at: "2026-02-22T10:34:00.000Z".to_owned(),
            resolved_at: None,
            message: "[NNO ALERT] …".to_owned(),
            silenced_by: None,
            silenced_until: None,
            inhibited_by: None,
        }
    }

    #[test]
    fn a_silenced_alert_says_by_which_silence_until_when() {
        let mut silenced = alert("worker-error-spike/k3m9p2xw7q/analytics");
        silenced.silenced_by = Some("s-0123456789ab".to_owned());
        silenced.silenced_until = Some("2026-02-22T12:34:00.000Z".to_owned());
        let paged = alert("worker-error-spike/k3m9p2xw7q/reports");
        let firing = [silenced, paged];
        let html = alert_list(&firing, Some(&firing), "none");
        assert!(html.contains(r#"<li id="alert-worker-error-spike%2Fk3m9p2xw7q%2Fanalytics" class="alert is-held">"#), "{html}");
        assert!(html.contains(r#"</details><p class="held"><span class="held-tag">Silenced</span> not paged: silence <code>s-0123456789ab</code> until 2026-02-22 12:34:00 UTC</p></li>"#), "{html}");
        // The one that paged is marked as neither.
        assert_eq!(html.matches("is-held").count(), 1);
        assert_eq!(html.matches(r#"<p class="held">"#).count(), 1);
        assert_eq!(
            held_summary(&firing),
            r#"<p class="lead">2 firing; 1 paged nobody (1 silenced): each says why.</p>"#
        );
    }

    #[test]
    fn an_inhibited_alert_links_its_inhibitor_when_it_is_listed() {
        let auth = alert("auth-worker-down/k3m9p2xw7q/auth");
        let mut spike = alert("worker-error-spike/k3m9p2xw7q/analytics");
        spike.inhibited_by = Some(auth.id.clone());
        let mut by_gateway = alert("worker-latency/k3m9p2xw7q/reports");
        by_gateway.inhibited_by = Some("nno-objective/nno/gateway-5xx".to_owned());
        let firing = [auth, spike, by_gateway];
        let html = alert_list(&firing, Some(&firing), "none");
        assert!(html.contains(r##"<span class="held-tag">Inhibited</span> not paged: explained by <a href="#alert-auth-worker-down%2Fk3m9p2xw7q%2Fauth"><code>auth-worker-down/k3m9p2xw7q/auth</code></a>, which is firing</p>"##), "{html}");
        assert!(
            html.contains(r#"<li id="alert-auth-worker-down%2Fk3m9p2xw7q%2Fauth" class="alert">"#),
            "{html}"
        );
        // An inhibitor not in this list (an admin does not see NNO's gateway alert): its id, no link.
        assert!(
            html.contains(
                r#"explained by <code>nno-objective/nno/gateway-5xx</code>, which is firing"#
            ),
            "{html}"
        );
        assert_eq!(html.matches("is-held").count(), 2);
        assert_eq!(
            held_summary(&firing),
            r#"<p class="lead">3 firing; 2 paged nobody (2 inhibited): each says why.</p>"#
        );
    }

    #[test]
    fn resolved_alerts_are_neither_anchored_nor_held() {
        let mut resolved = alert("worker-error-spike/k3m9p2xw7q/analytics");
        resolved.resolved_at = Some("2026-02-22T11:00:00.000Z".to_owned());
        // Even if a view carried a mute, the resolved list does not say it paged nobody.
        resolved.silenced_by = Some("s-0123456789ab".to_owned());
        let html = alert_list(std::slice::from_ref(&resolved), None, "none");
        assert!(
            html.starts_with(r#"<ul class="alerts"><li class="alert"><details>"#),
            "{html}"
        );
        assert!(!html.contains("held"), "{html}");
        assert!(html.contains(", resolved 2026-02-22 11:00:00 UTC"));
        assert_eq!(held_summary(&[alert("a")]), "");
    }

    #[test]
    fn values_read_as_their_targets() {
        assert_eq!(value("p95 < 200ms", Some(180.0)), "180 ms");
        assert_eq!(value("< 60s", Some(7902.0)), "7.90 s");
        assert_eq!(value("99.9%", Some(0.9991)), "99.9 %");
        assert_eq!(value("99.9%", None), "–");
    }
}
