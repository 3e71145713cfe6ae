//! A secret read from configuration (`slackWebhookUrl`, `pagerdutyKey`, `ALERT_SLACK_WEBHOOK`,
//! `PAGERDUTY_KEY`, the email Worker's token): nno-obs-cloudflare's [`Secret`], which prints
//! `<redacted>` everywhere, plus serde.

pub use nno_obs_cloudflare::Secret;
use serde::{Deserialize, Deserializer, Serializer};

/// Deserializes an optional secret string.
pub(crate) fn de_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(Secret::new))
}

/// Serializes an optional secret with its real value: the configuration is stored (in the NNO
/// Registry) as it was given. Only `Debug`/`Display` redact.
pub(crate) fn ser_opt<S: Serializer>(value: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(secret) => s.serialize_some(secret.expose()),
        None => s.serialize_none(),
    }
}
