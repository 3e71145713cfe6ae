//! Slack incoming webhooks: `POST` the webhook URL with `{"text", "blocks"}`.
//!
//! Checked against Slack's documentation (api.slack.com, "Formatting text for app surfaces",
//! section *Escaping text*; Block Kit reference for `header` and `section`): `&`, `<` and `>`
//! are Slack's control characters and are sent as `&amp;`, `&lt;`, `&gt;` — and nothing else
//! is entity-encoded; a `header` block holds `plain_text` of at most 150 characters, a
//! `section`'s text at most 3000. `text` is the notification's fallback (and what screen
//! readers read), so it carries the whole message; the blocks show it with the first line as
//! a header and the rest as a `mrkdwn` section. Answers: `200 ok`; `400
//! invalid_payload`, `403`, `404 no_service`, `410 channel_is_archived` are refused for good,
//! `429` and `5xx` retried.

use super::{split_url, texts, Event, Outgoing};
use crate::alert::Alert;
use nno_obs_cloudflare::Secret;
use serde_json::json;

/// A header block's limit, characters.
pub const HEADER_MAX: usize = 150;
/// A section text's limit, characters.
pub const SECTION_MAX: usize = 3000;

/// Slack's escaping: `&` → `&amp;`, `<` → `&lt;`, `>` → `&gt;`, nothing else. Control
/// characters never reach here raw (messages are made of [`one_line`](crate::text::one_line)
/// values), and JSON escapes what remains.
///
/// ```
/// use nno_obs_alerts::channel::slack::escape;
/// assert_eq!(escape("<!channel> & <https://evil|click>"), "&lt;!channel&gt; &amp; &lt;https://evil|click&gt;");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters of `text`, cut with `…`. Cuts never fall inside an `&amp;`-style
/// entity: escaping happens after the cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Escapes `text` and fits it into `max` characters, cutting between whole characters of
/// the original (never inside an `&amp;`) and marking a cut with `…`.
fn fit(text: &str, max: usize) -> String {
    let escaped = escape(text);
    if escaped.chars().count() <= max {
        return escaped;
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let width = match c {
            '&' => 5,
            '<' | '>' => 4,
            _ => 1,
        };
        // Keep one character for the `…`.
        if used + width > max.saturating_sub(1) {
            break;
        }
        used += width;
        out.push_str(&escape(c.encode_utf8(&mut [0; 4])));
    }
    out.push('…');
    out
}

/// The webhook body for `alert`'s `event`.
///
/// ```
/// use nno_obs_alerts::channel::{slack::body, Event};
/// use nno_obs_alerts::rules::{evaluate, seed_example};
///
/// let (m, c) = seed_example();
/// let json = body(&evaluate(&m, &c)[0], Event::Trigger);
/// assert_eq!(json["blocks"][0]["type"], "header");
/// assert!(json["text"].as_str().unwrap().starts_with("[NNO ALERT] Platform k3m9p2xw7q"));
/// ```
pub fn body(alert: &Alert, event: Event) -> serde_json::Value {
    let (subject, text) = texts(alert, event);
    let rest = text.split_once('\n').map(|(_, rest)| rest).unwrap_or("");
    json!({
        "text": fit(&text, 40_000),
        "blocks": [
            { "type": "header", "text": { "type": "plain_text", "text": cut(&subject, HEADER_MAX), "emoji": false } },
            { "type": "section", "text": { "type": "mrkdwn", "text": fit(rest, SECTION_MAX) } },
        ],
    })
}

/// The request to `webhook`; `None` if the URL has no scheme and host (a validated
/// configuration never has such a URL).
pub fn request(webhook: &Secret, alert: &Alert, event: Event) -> Option<Outgoing> {
    let (base, path) = split_url(webhook.expose())?;
    let path = if path.is_empty() { "/" } else { path };
    let mut out = Outgoing::post_json(base, path.to_owned(), &body(alert, event), Secret::new(""));
    out.redact = vec![webhook.clone(), Secret::new(path)];
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_never_breaks_an_entity_and_respects_the_limit() {
        let text = "&".repeat(5000);
        let fitted = fit(&text, SECTION_MAX);
        assert!(fitted.chars().count() <= SECTION_MAX);
        assert!(fitted.ends_with("&amp;…"));
        assert_eq!(fit("a<b", 10), "a&lt;b");
    }

    #[test]
    fn hostile_feature_names_are_escaped_in_slack_text() {
        let (mut m, c) = crate::rules::seed_example();
        m.platforms[0].features[0].feature =
            "<!channel>\u{7}&<https://evil.example|click>\nFeature: x".into();
        let alert = &crate::rules::evaluate(&m, &c)[0];
        let json = body(alert, Event::Trigger);
        let section = json["blocks"][1]["text"]["text"].as_str().unwrap();
        assert!(section.starts_with(
            "Platform: AcmeCorp (k3m9p2xw7q)\nFeature: &lt;!channel&gt;\u{FFFD}&amp;&lt;https://evil.example|click&gt;\u{FFFD}Feature: x\n"
        ), "{section}");
        let text = json["text"].as_str().unwrap();
        assert!(
            !text.contains('<') && !text.contains('>') && !text.contains('\u{7}'),
            "{text}"
        );
        assert_eq!(text.lines().count(), 14);
        // A header is plain text: nothing there is parsed, so nothing is escaped.
        assert!(json["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .contains("<!channel>"));
    }

    #[test]
    fn header_is_plain_text_and_bounded() {
        assert_eq!(
            cut(&"h".repeat(500), HEADER_MAX).chars().count(),
            HEADER_MAX
        );
    }
}
