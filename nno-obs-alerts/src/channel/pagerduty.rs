//! PagerDuty Events API v2.
//!
//! Checked against PagerDuty's developer documentation ("Events API v2 Overview", "Send an
//! Alert Event"): `POST https://events.pagerduty.com/v2/enqueue` with `routing_key` (the
//! 32-character integration key), `event_action` (`trigger`, `acknowledge`, `resolve`),
//! `dedup_key` (at most 255 characters; the same key on `resolve` closes the alert the
//! `trigger` opened, and a repeated `trigger` with an open key adds no new incident), and for a
//! trigger `payload.summary` (at most 1024 characters), `payload.source`, `payload.severity`
//! (`critical`, `error`, `warning`, `info`), optional `timestamp`, `component`, `group`,
//! `class` and `custom_details`. Answers: `202 {"status":"success","dedup_key":…}`; `400`
//! invalid event (not retried); `429` rate limited and `5xx` (retried).

use super::{texts, Event, Outgoing};
use crate::alert::Alert;
use crate::text::iso_time;
use nno_obs_cloudflare::Secret;
use serde_json::json;

/// PagerDuty's events endpoint (scheme and host).
pub const EVENTS_URL: &str = "https://events.pagerduty.com";
/// The enqueue path.
pub const ENQUEUE_PATH: &str = "/v2/enqueue";
/// `payload.summary`'s limit, characters.
pub const SUMMARY_MAX: usize = 1024;

/// The event body for `alert`'s `event` (the routing key included: it is PagerDuty's only
/// credential).
///
/// ```
/// use nno_obs_alerts::channel::{pagerduty::body, Event};
/// use nno_obs_alerts::rules::{evaluate, seed_example};
/// use nno_obs_alerts::Secret;
///
/// let (m, c) = seed_example();
/// let alert = &evaluate(&m, &c)[0];
/// let key = Secret::new("0123456789abcdef0123456789abcdef");
/// let trigger = body(alert, Event::Trigger, &key);
/// assert_eq!(trigger["payload"]["severity"], "error"); // High
/// let resolve = body(alert, Event::Resolve { at_ms: 0 }, &key);
/// assert_eq!(resolve["dedup_key"], trigger["dedup_key"]);
/// assert!(resolve.get("payload").is_none());
/// ```
pub fn body(alert: &Alert, event: Event, routing_key: &Secret) -> serde_json::Value {
    match event {
        Event::Resolve { .. } => json!({
            "routing_key": routing_key.expose(),
            "event_action": "resolve",
            "dedup_key": alert.id,
        }),
        Event::Trigger => {
            let (subject, text) = texts(alert, event);
            let summary: String = if subject.chars().count() > SUMMARY_MAX {
                let mut s: String = subject.chars().take(SUMMARY_MAX - 1).collect();
                s.push('…');
                s
            } else {
                subject
            };
            let source = match &alert.platform_id {
                Some(platform) => format!("nno/platforms/{platform}"),
                None => "nno".to_owned(),
            };
            json!({
                "routing_key": routing_key.expose(),
                "event_action": "trigger",
                "dedup_key": alert.id,
                "payload": {
                    "summary": summary,
                    "source": source,
                    "severity": alert.severity.pagerduty(),
                    "timestamp": iso_time(alert.message.time_ms),
                    "component": alert.message.subjects.first().map(|(_, v)| v.as_str()).unwrap_or("nno"),
                    "group": alert.platform_id.as_deref().unwrap_or("nno"),
                    "class": alert.category.slug(),
                    "custom_details": {
                        "category": alert.category.spec().name,
                        "severity": alert.severity.as_str(),
                        "threshold": alert.message.threshold,
                        "current": alert.message.current,
                        "message": text,
                    },
                },
            })
        }
    }
}

/// The request to `base_url` (normally [`EVENTS_URL`]).
pub fn request(base_url: &str, routing_key: &Secret, alert: &Alert, event: Event) -> Outgoing {
    let mut out = Outgoing::post_json(
        base_url,
        ENQUEUE_PATH.to_owned(),
        &body(alert, event, routing_key),
        Secret::new(""),
    );
    out.redact = vec![routing_key.clone()];
    out
}
