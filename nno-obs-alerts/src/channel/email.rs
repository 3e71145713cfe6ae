//! The NNO email Worker's HTTP contract, as nno-obs defines it (the seed names the Worker,
//! not its API):
//!
//! ```text
//! POST {NNO_EMAIL_WORKER_URL}/v1/send
//! Authorization: Bearer {NNO_EMAIL_WORKER_TOKEN}
//! Content-Type: application/json
//!
//! {"to":["admin@acme.example"],
//!  "subject":"[NNO ALERT] Platform k3m9p2xw7q — analytics Worker error rate critical",
//!  "text":"<the whole §6.3 message>",
//!  "idempotencyKey":"worker-error-spike/k3m9p2xw7q/analytics#1",
//!  "tags":{"alertId":"worker-error-spike/k3m9p2xw7q/analytics","category":"worker-error-spike","severity":"High","event":"trigger"}}
//! ```
//!
//! Answers: `202 {"id":"…"}` accepted (or `200 {"id":"…","duplicate":true}` when the
//! `idempotencyKey` was seen in the last 24 h: the Worker sends each key once, which is what
//! makes a resend after a crash harmless); `400` invalid body, `401`/`403` bad token — not
//! retried; `429` and `5xx` retried. The Worker sends plain text (`text/plain; charset=utf-8`)
//! so the message arrives byte for byte as rendered.

use super::{texts, Event, Outgoing};
use crate::alert::Alert;
use nno_obs_cloudflare::Secret;
use serde_json::json;

/// The path of the send endpoint.
pub const SEND_PATH: &str = "/v1/send";

/// Where the email Worker is and its token (`NNO_EMAIL_WORKER_URL`, `NNO_EMAIL_WORKER_TOKEN`).
#[derive(Clone, Debug)]
pub struct EmailWorker {
    /// Base URL, e.g. `https://email.nno.internal`.
    pub base_url: String,
    /// Its bearer token.
    pub token: Secret,
}

/// The request sending `alert`'s `event` to `to`, with `idempotency_key` (stable per outbox
/// entry).
///
/// ```
/// use nno_obs_alerts::channel::{email::{request, EmailWorker}, Event};
/// use nno_obs_alerts::rules::{evaluate, seed_example};
/// use nno_obs_alerts::Secret;
///
/// let (m, c) = seed_example();
/// let alert = &evaluate(&m, &c)[0];
/// let worker = EmailWorker { base_url: "https://email.nno.internal".into(), token: Secret::new("t") };
/// let out = request(&worker, alert, Event::Trigger, "admin@acme.example", "k#1");
/// let body: serde_json::Value = serde_json::from_slice(out.request.body.as_deref().unwrap()).unwrap();
/// assert_eq!(body["to"][0], "admin@acme.example");
/// assert_eq!(out.request.path, "/v1/send");
/// ```
pub fn request(
    worker: &EmailWorker,
    alert: &Alert,
    event: Event,
    to: &str,
    idempotency_key: &str,
) -> Outgoing {
    let (subject, text) = texts(alert, event);
    let body = json!({
        "to": [to],
        "subject": subject,
        "text": text,
        "idempotencyKey": idempotency_key,
        "tags": {
            "alertId": alert.id,
            "category": alert.category.slug(),
            "severity": alert.severity.as_str(),
            "event": event.as_str(),
        },
    });
    Outgoing::post_json(
        &worker.base_url,
        SEND_PATH.to_owned(),
        &body,
        worker.token.clone(),
    )
}
