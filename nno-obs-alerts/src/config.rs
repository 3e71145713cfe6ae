//! `AlertConfig` (seed §6.1): one platform's alert configuration, as stored in the NNO
//! Registry, with the seed's field names, and its validation.

use crate::secret::{self, Secret};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One platform's alert configuration (seed §6.1).
///
/// ```
/// use nno_obs_alerts::AlertConfig;
///
/// let config: AlertConfig = serde_json::from_str(r#"{
///     "platformId": "k3m9p2xw7q",
///     "email": "admin@acme.example",
///     "slackWebhookUrl": "https://hooks.slack.com/services/T0/B0/xyz",
///     "alerts": {
///         "errorRateThreshold": 0.05,
///         "latencyP99ThresholdMs": 1000,
///         "buildFailureAlert": true,
///         "provisioningFailureAlert": true,
///         "usageAlerts": true
///     }
/// }"#).unwrap();
/// config.validate().unwrap();
/// // The webhook URL is a credential: it never prints.
/// assert!(!format!("{config:?}").contains("xyz"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlertConfig {
    /// The platform: 10 characters of `[a-z0-9]`.
    pub platform_id: String,
    /// The platform admin's email.
    pub email: String,
    /// A Slack incoming webhook (`https://…`); its URL is its credential.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "secret::de_opt",
        serialize_with = "secret::ser_opt"
    )]
    pub slack_webhook_url: Option<Secret>,
    /// A PagerDuty Events API v2 routing key.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "secret::de_opt",
        serialize_with = "secret::ser_opt"
    )]
    pub pagerduty_key: Option<Secret>,
    /// Thresholds and switches.
    pub alerts: AlertSwitches,
}

/// `alerts` of [`AlertConfig`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlertSwitches {
    /// Feature Worker 5xx ratio that raises "Platform Worker error spike", e.g. `0.05`.
    pub error_rate_threshold: f64,
    /// Feature Worker p99 in ms, e.g. `1000`.
    pub latency_p99_threshold_ms: f64,
    /// Raise "CF Pages build failure".
    pub build_failure_alert: bool,
    /// Raise "Provisioning job failed" / "timeout" for this platform's jobs.
    pub provisioning_failure_alert: bool,
    /// Raise "Usage threshold" (from billing metering).
    pub usage_alerts: bool,
}

/// What is wrong with an [`AlertConfig`]: the field (by its JSON name) and why. Never
/// contains a secret's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The field, e.g. `alerts.errorRateThreshold`.
    pub field: &'static str,
    /// Why, and what is accepted.
    pub reason: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid alert configuration: `{}` {}",
            self.field, self.reason
        )
    }
}

impl std::error::Error for ConfigError {}

/// The most bytes of an email address (RFC 5321's path limit).
const MAX_EMAIL: usize = 254;
/// The most bytes of a webhook URL or routing key: far above real ones, far below abuse.
const MAX_SECRET: usize = 2048;

impl AlertConfig {
    /// Checks every field; returns every problem, not only the first, so one round trip fixes
    /// a configuration.
    ///
    /// ```
    /// use nno_obs_alerts::AlertConfig;
    ///
    /// let mut config = AlertConfig::example();
    /// config.platform_id = "AcmeCorp".into();
    /// config.alerts.error_rate_threshold = 5.0; // 500 %, not 5 %
    /// let errors = config.validate().unwrap_err();
    /// assert_eq!(errors[0].field, "platformId");
    /// assert_eq!(errors[1].field, "alerts.errorRateThreshold");
    /// ```
    pub fn validate(&self) -> Result<(), Vec<ConfigError>> {
        let mut errors = Vec::new();
        let mut fail = |field, reason: String| errors.push(ConfigError { field, reason });
        if !is_platform_id(&self.platform_id) {
            fail(
                "platformId",
                "must be 10 characters of [a-z0-9], e.g. k3m9p2xw7q".to_owned(),
            );
        }
        if let Err(reason) = check_email(&self.email) {
            fail("email", reason);
        }
        if let Some(url) = &self.slack_webhook_url {
            if let Err(reason) = check_webhook_url(url) {
                fail("slackWebhookUrl", reason);
            }
        }
        if let Some(key) = &self.pagerduty_key {
            if let Err(reason) = check_routing_key(key) {
                fail("pagerdutyKey", reason);
            }
        }
        let rate = self.alerts.error_rate_threshold;
        if !(rate.is_finite() && rate > 0.0 && rate < 1.0) {
            fail(
                "alerts.errorRateThreshold",
                "must be a ratio strictly between 0 and 1 (0.05 = 5 %)".to_owned(),
            );
        }
        let p99 = self.alerts.latency_p99_threshold_ms;
        if !(p99.is_finite() && (1.0..=60_000.0).contains(&p99)) {
            fail(
                "alerts.latencyP99ThresholdMs",
                "must be between 1 and 60000 ms (a Worker's request cannot take longer)".to_owned(),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The seed's example platform with the seed's example thresholds (no Slack, no
    /// PagerDuty): for documentation and tests.
    pub fn example() -> Self {
        Self {
            platform_id: "k3m9p2xw7q".to_owned(),
            email: "admin@acmecorp.example".to_owned(),
            slack_webhook_url: None,
            pagerduty_key: None,
            alerts: AlertSwitches {
                error_rate_threshold: 0.05,
                latency_p99_threshold_ms: 1000.0,
                build_failure_alert: true,
                provisioning_failure_alert: true,
                usage_alerts: true,
            },
        }
    }
}

/// NNO's generated id grammar (as `nno_obs_store::layout::PlatformId`).
pub(crate) fn is_platform_id(text: &str) -> bool {
    text.len() == 10
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// A plausible address: one `@`, a non-empty local part, a dotted domain of letters, digits
/// and hyphens, no whitespace or control characters (they would become header injection in
/// the email Worker), at most 254 bytes. Deliverability is the email Worker's business.
pub(crate) fn check_email(email: &str) -> Result<(), String> {
    if email.len() > MAX_EMAIL {
        return Err(format!("is longer than {MAX_EMAIL} bytes"));
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err("must be an email address (name@domain)".to_owned());
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'@' | b'<' | b'>' | b'"' | b','));
    let domain_ok = domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if local_ok && domain_ok {
        Ok(())
    } else {
        Err("must be an email address (name@domain, ASCII, no spaces)".to_owned())
    }
}

/// `https://host/path`, ASCII without spaces or control characters. The reason never quotes
/// the URL: it is a credential.
pub(crate) fn check_webhook_url(url: &Secret) -> Result<(), String> {
    let url = url.expose();
    if url.len() > MAX_SECRET {
        return Err(format!("is longer than {MAX_SECRET} bytes"));
    }
    let Some(rest) = url.strip_prefix("https://") else {
        return Err("must be an https:// URL (the webhook URL is a credential: never send it in clear text)".to_owned());
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.contains('@') {
        return Err("must name a host (and no user info)".to_owned());
    }
    if !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("must be ASCII without spaces or control characters".to_owned());
    }
    Ok(())
}

/// A PagerDuty integration key: 32 ASCII alphanumerics (PagerDuty rejects other lengths with
/// `Length of 'routing_key' is incorrect (should be 32 characters)`).
pub(crate) fn check_routing_key(key: &Secret) -> Result<(), String> {
    let key = key.expose();
    if key.len() == 32 && key.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err("must be a PagerDuty Events API v2 routing key (32 letters and digits)".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_errors(config: &AlertConfig) -> Vec<&'static str> {
        config
            .validate()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn the_example_is_valid() {
        assert_eq!(AlertConfig::example().validate(), Ok(()));
    }

    #[test]
    fn seed_field_names_round_trip() {
        let mut config = AlertConfig::example();
        config.pagerduty_key = Some(Secret::new("a".repeat(32)));
        let json = serde_json::to_value(&config).unwrap();
        for key in ["platformId", "email", "pagerdutyKey", "alerts"] {
            assert!(json.get(key).is_some(), "{key}");
        }
        for key in [
            "errorRateThreshold",
            "latencyP99ThresholdMs",
            "buildFailureAlert",
            "provisioningFailureAlert",
            "usageAlerts",
        ] {
            assert!(json["alerts"].get(key).is_some(), "{key}");
        }
        let back: AlertConfig = serde_json::from_value(json).unwrap();
        assert_eq!(back, config);
    }

    #[test]
    fn unknown_fields_are_refused() {
        let mut json = serde_json::to_value(AlertConfig::example()).unwrap();
        json["slackWebhook"] = "https://x".into();
        assert!(serde_json::from_value::<AlertConfig>(json).is_err());
    }

    #[test]
    fn platform_id_grammar() {
        for bad in [
            "",
            "k3m9p2xw7",
            "k3m9p2xw7qq",
            "K3M9P2XW7Q",
            "k3m9p2xw7-",
            "k3m9p2xw7é",
        ] {
            let mut config = AlertConfig::example();
            config.platform_id = bad.into();
            assert_eq!(field_errors(&config), ["platformId"], "{bad:?}");
        }
        let mut config = AlertConfig::example();
        config.platform_id = "x".repeat(10_000);
        assert_eq!(field_errors(&config), ["platformId"]);
    }

    #[test]
    fn emails() {
        for good in [
            "a@b.co",
            "ops+alerts@nno.app",
            "first.last@mail.acme-corp.example",
        ] {
            assert_eq!(check_email(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "admin",
            "@acme.example",
            "admin@",
            "admin@localhost",
            "ad min@acme.example",
            "admin@acme.example\r\nBcc: x@y.z",
            "a@b@c.example",
            "admin@-acme.example",
            "admin@acme..example",
        ] {
            assert!(check_email(bad).is_err(), "{bad:?}");
        }
        assert!(check_email(&format!("{}@acme.example", "a".repeat(300))).is_err());
    }

    #[test]
    fn webhook_urls_must_be_https_and_never_echoed() {
        let ok = Secret::new("https://hooks.slack.com/services/T0/B0/s3cr3t");
        assert_eq!(check_webhook_url(&ok), Ok(()));
        for bad in [
            "http://hooks.slack.com/services/T0/B0/s3cr3t",
            "hooks.slack.com/services/T0/B0/s3cr3t",
            "https://",
            "https:///path-s3cr3t",
            "https://user:s3cr3t@hooks.slack.com/x",
            "https://hooks.slack.com/s3cr3t with space",
            "https://hooks.slack.com/s3cr3t\n",
            "javascript:alert(s3cr3t)",
        ] {
            let reason = check_webhook_url(&Secret::new(bad)).unwrap_err();
            assert!(!reason.contains("s3cr3t"), "{reason}");
        }
        let long = Secret::new(format!("https://h.example/{}", "a".repeat(MAX_SECRET)));
        assert!(check_webhook_url(&long).is_err());
    }

    #[test]
    fn a_bad_config_reports_every_field_without_secrets() {
        let mut config = AlertConfig::example();
        config.email = "nope".into();
        config.slack_webhook_url = Some(Secret::new("http://hooks.example/s3cr3t"));
        config.pagerduty_key = Some(Secret::new("s3cr3t"));
        config.alerts.error_rate_threshold = f64::NAN;
        config.alerts.latency_p99_threshold_ms = 0.0;
        let errors = config.validate().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "email",
                "slackWebhookUrl",
                "pagerdutyKey",
                "alerts.errorRateThreshold",
                "alerts.latencyP99ThresholdMs"
            ]
        );
        for error in &errors {
            assert!(!error.to_string().contains("s3cr3t"));
        }
        assert!(!format!("{config:?}").contains("s3cr3t"));
    }

    #[test]
    fn thresholds_in_range() {
        for (rate, ok) in [
            (0.05, true),
            (0.999, true),
            (0.0, false),
            (1.0, false),
            (-0.1, false),
            (f64::INFINITY, false),
        ] {
            let mut config = AlertConfig::example();
            config.alerts.error_rate_threshold = rate;
            assert_eq!(config.validate().is_ok(), ok, "{rate}");
        }
        for (ms, ok) in [
            (1.0, true),
            (60_000.0, true),
            (0.5, false),
            (60_001.0, false),
            (f64::NAN, false),
        ] {
            let mut config = AlertConfig::example();
            config.alerts.latency_p99_threshold_ms = ms;
            assert_eq!(config.validate().is_ok(), ok, "{ms}");
        }
    }
}
