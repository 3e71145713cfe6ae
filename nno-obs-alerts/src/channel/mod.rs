//! The three channels as requests without I/O: what is sent (method, path, JSON body, token)
//! and how an answer is judged (delivered, worth a retry, or refused for good).
//!
//! | channel | request | delivered | retried | refused |
//! |---|---|---|---|---|
//! | email ([`email`]) | `POST {NNO_EMAIL_WORKER_URL}/v1/send`, `Authorization: Bearer {NNO_EMAIL_WORKER_TOKEN}` | 2xx | 408, 429, 5xx, no answer | other 4xx |
//! | Slack ([`slack`]) | `POST {webhook URL}`, no `Authorization` (the URL is the credential) | 2xx | 408, 429, 5xx, no answer | other 4xx (`invalid_payload`, `no_service`, `channel_is_archived`, …) |
//! | PagerDuty ([`pagerduty`]) | `POST https://events.pagerduty.com/v2/enqueue`, `routing_key` in the body | 2xx (202) | 408, 429, 5xx, no answer | other 4xx (400 invalid event) |

pub mod email;
pub mod pagerduty;
pub mod slack;

use crate::alert::Alert;
use nno_obs_cloudflare::api::{ApiRequest, ApiResponse, Method};
use serde::{Deserialize, Serialize};

/// A channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    /// Through the NNO email Worker.
    Email,
    /// A Slack incoming webhook.
    Slack,
    /// PagerDuty Events API v2.
    Pagerduty,
}

impl Channel {
    /// Its name in log lines.
    pub const fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Slack => "slack",
            Channel::Pagerduty => "pagerduty",
        }
    }
}

/// Whether an alert starts or ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Event {
    /// It fired.
    Trigger,
    /// It ended, at `at_ms`.
    Resolve {
        /// When, ms since the epoch.
        at_ms: u64,
    },
}

impl Event {
    /// `trigger` or `resolve` (PagerDuty's `event_action`, and log lines').
    pub const fn as_str(self) -> &'static str {
        match self {
            Event::Trigger => "trigger",
            Event::Resolve { .. } => "resolve",
        }
    }
}

/// The text a notification carries: subject line and body, firing or resolved.
pub fn texts(alert: &Alert, event: Event) -> (String, String) {
    match event {
        Event::Trigger => (alert.message.subject(), alert.message.firing()),
        Event::Resolve { at_ms } => (
            alert.message.resolved_subject(),
            alert.message.resolved(at_ms),
        ),
    }
}

/// How an answer is judged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Done.
    Delivered,
    /// Worth another attempt later (the receiver is overloaded, failing or unreachable).
    Retry(String),
    /// Refused for good (the request or the credential is wrong): retrying cannot help.
    Refused(String),
}

/// Judges an HTTP answer: 2xx delivered; 408, 429 and 5xx retried; other statuses refused.
/// The reason quotes at most 200 bytes of the body.
///
/// ```
/// use nno_obs_alerts::channel::{judge, Verdict};
/// use nno_obs_cloudflare::api::ApiResponse;
///
/// assert_eq!(judge(&ApiResponse { status: 202, body: vec![] }), Verdict::Delivered);
/// assert!(matches!(judge(&ApiResponse { status: 503, body: vec![] }), Verdict::Retry(_)));
/// assert!(matches!(judge(&ApiResponse { status: 404, body: b"no_service".to_vec() }), Verdict::Refused(_)));
/// ```
pub fn judge(response: &ApiResponse) -> Verdict {
    let status = response.status;
    if (200..300).contains(&status) {
        return Verdict::Delivered;
    }
    let excerpt: String = String::from_utf8_lossy(&response.body[..response.body.len().min(200)])
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let reason = format!("HTTP {status}: {}", excerpt.trim());
    if status == 408 || status == 429 || status >= 500 {
        Verdict::Retry(reason)
    } else {
        Verdict::Refused(reason)
    }
}

/// One request to send: where (a base URL that is not secret, and a path that may be), the
/// request, and the token of its `Authorization` header (empty for none).
#[derive(Clone)]
pub struct Outgoing {
    /// Scheme and host (`https://hooks.slack.com`).
    pub base_url: String,
    /// The request (its path may be a credential: a Slack webhook's).
    pub request: ApiRequest,
    /// The bearer token, or empty.
    pub token: nno_obs_cloudflare::Secret,
    /// Texts to remove from any error before it is logged (webhook URL, path, keys).
    pub redact: Vec<nno_obs_cloudflare::Secret>,
}

impl Outgoing {
    pub(crate) fn post_json(
        base_url: &str,
        path: String,
        body: &serde_json::Value,
        token: nno_obs_cloudflare::Secret,
    ) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            request: ApiRequest {
                method: Method::Post,
                path,
                body: Some(body.to_string().into_bytes()),
                content_type: None,
            },
            token,
            redact: Vec::new(),
        }
    }

    /// `text` with every credential of this request replaced by `<redacted>`.
    pub fn redact(&self, text: &str) -> String {
        let mut text = self.token.redact(text);
        for secret in &self.redact {
            text = secret.redact(&text);
        }
        text
    }
}

/// Splits `https://host/path?query` into (`https://host`, `/path?query`); `None` without a
/// scheme and host.
pub(crate) fn split_url(url: &str) -> Option<(&str, &str)> {
    let scheme_end = url.find("://")? + 3;
    let path_start = url[scheme_end..]
        .find('/')
        .map(|at| scheme_end + at)
        .unwrap_or(url.len());
    if path_start == scheme_end {
        return None;
    }
    Some((&url[..path_start], &url[path_start..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        let at = |status| {
            judge(&ApiResponse {
                status,
                body: Vec::new(),
            })
        };
        for status in [200, 202, 204] {
            assert_eq!(at(status), Verdict::Delivered);
        }
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(matches!(at(status), Verdict::Retry(_)), "{status}");
        }
        for status in [400, 401, 403, 404, 410] {
            assert!(matches!(at(status), Verdict::Refused(_)), "{status}");
        }
    }

    #[test]
    fn urls() {
        assert_eq!(
            split_url("https://hooks.slack.com/services/T/B/x"),
            Some(("https://hooks.slack.com", "/services/T/B/x"))
        );
        assert_eq!(
            split_url("http://127.0.0.1:9"),
            Some(("http://127.0.0.1:9", ""))
        );
        assert_eq!(split_url("https:///x"), None);
        assert_eq!(split_url("nothing"), None);
    }
}
