//! Who gets what: the destinations (a platform's [`AlertConfig`](crate::AlertConfig), NNO ops' secrets of seed
//! §10, the email Worker) and the routing of an alert to (channel, audience) pairs.
//!
//! | recipient (§6.2) | email | Slack | PagerDuty |
//! |---|---|---|---|
//! | platform admin | `email` | `slackWebhookUrl`, if set | `pagerdutyKey`, if set (every severity, mapped) |
//! | NNO ops | `ALERT_EMAIL` | `ALERT_SLACK_WEBHOOK`, if set | `PAGERDUTY_KEY`, if set, Critical only ("routing key for critical alerts", §10) |

use crate::alert::Alert;
use crate::category::{Recipient, Severity};
use crate::channel::email::EmailWorker;
use crate::channel::{email, pagerduty, slack, Channel, Event, Outgoing};
use crate::config::{check_email, check_routing_key, check_webhook_url, ConfigError};
use crate::rules::Configs;
use nno_obs_cloudflare::Secret;
use serde::{Deserialize, Serialize};

/// Whose destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Audience {
    /// The platform's admin.
    Platform,
    /// NNO ops.
    Ops,
}

impl Audience {
    /// Its name in log lines.
    pub const fn as_str(self) -> &'static str {
        match self {
            Audience::Platform => "platform",
            Audience::Ops => "ops",
        }
    }
}

/// Where alerts go. Secrets are [`Secret`]s: no `Debug` or error shows them.
#[derive(Clone, Debug, Default)]
pub struct Destinations {
    /// The NNO email Worker; without it, no email is sent (and each is logged as refused).
    pub email_worker: Option<EmailWorker>,
    /// `ALERT_EMAIL`.
    pub ops_email: Option<String>,
    /// `ALERT_SLACK_WEBHOOK`.
    pub ops_slack: Option<Secret>,
    /// `PAGERDUTY_KEY`.
    pub ops_pagerduty: Option<Secret>,
    /// PagerDuty's events URL ([`pagerduty::EVENTS_URL`] unless testing).
    pub pagerduty_url: String,
    /// The platforms' configurations.
    pub platforms: Configs,
}

impl Destinations {
    /// From the environment's variables — `ALERT_EMAIL`, `ALERT_SLACK_WEBHOOK`,
    /// `PAGERDUTY_KEY` (seed §10), `NNO_EMAIL_WORKER_URL`, `NNO_EMAIL_WORKER_TOKEN` — read
    /// through `var`, and the platforms' validated configurations.
    ///
    /// ```
    /// use nno_obs_alerts::route::Destinations;
    ///
    /// let env = |name: &str| match name {
    ///     "ALERT_EMAIL" => Some("ops@nno.app".to_owned()),
    ///     "ALERT_SLACK_WEBHOOK" => Some("http://hooks.slack.com/services/s3cr3t".to_owned()),
    ///     _ => None,
    /// };
    /// let errors = Destinations::from_env(env, Default::default()).unwrap_err();
    /// assert_eq!(errors[0].field, "ALERT_SLACK_WEBHOOK");
    /// assert!(!errors[0].to_string().contains("s3cr3t"));
    /// ```
    pub fn from_env(
        var: impl Fn(&str) -> Option<String>,
        platforms: Configs,
    ) -> Result<Self, Vec<ConfigError>> {
        let mut errors = Vec::new();
        let var = |name: &str| var(name).filter(|v| !v.is_empty());
        let ops_email = var("ALERT_EMAIL");
        if let Some(email) = &ops_email {
            if let Err(reason) = check_email(email) {
                errors.push(ConfigError {
                    field: "ALERT_EMAIL",
                    reason,
                });
            }
        }
        let ops_slack = var("ALERT_SLACK_WEBHOOK").map(Secret::new);
        if let Some(url) = &ops_slack {
            if let Err(reason) = check_webhook_url(url) {
                errors.push(ConfigError {
                    field: "ALERT_SLACK_WEBHOOK",
                    reason,
                });
            }
        }
        let ops_pagerduty = var("PAGERDUTY_KEY").map(Secret::new);
        if let Some(key) = &ops_pagerduty {
            if let Err(reason) = check_routing_key(key) {
                errors.push(ConfigError {
                    field: "PAGERDUTY_KEY",
                    reason,
                });
            }
        }
        let email_worker = var("NNO_EMAIL_WORKER_URL").map(|base_url| EmailWorker {
            base_url,
            token: Secret::new(var("NNO_EMAIL_WORKER_TOKEN").unwrap_or_default()),
        });
        if let Some(worker) = &email_worker {
            // http is allowed: a local email Worker under `wrangler dev` has no TLS. Its
            // token, not its URL, is the credential.
            let ok = crate::channel::split_url(&worker.base_url).is_some_and(|(base, path)| {
                (base.starts_with("https://") || base.starts_with("http://"))
                    && path.trim_end_matches('/').is_empty()
                    && worker.base_url.bytes().all(|b| b.is_ascii_graphic())
            });
            if !ok {
                errors.push(ConfigError {
                    field: "NNO_EMAIL_WORKER_URL",
                    reason: "must be the email Worker's base URL, http(s)://host[:port]".to_owned(),
                });
            }
        }
        for (id, config) in &platforms {
            if let Err(mut more) = config.validate() {
                errors.append(&mut more);
            } else if id != &config.platform_id {
                errors.push(ConfigError {
                    field: "platformId",
                    reason: format!("is not the id it is stored under ({id})"),
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            email_worker,
            ops_email,
            ops_slack,
            ops_pagerduty,
            pagerduty_url: pagerduty::EVENTS_URL.to_owned(),
            platforms,
        })
    }

    /// The (channel, audience) pairs `alert` goes to.
    ///
    /// ```
    /// use nno_obs_alerts::channel::Channel;
    /// use nno_obs_alerts::route::{Audience, Destinations};
    /// use nno_obs_alerts::rules::{evaluate, seed_example};
    ///
    /// let (m, configs) = seed_example();
    /// let alert = &evaluate(&m, &configs)[0];
    /// let dest = Destinations { platforms: configs, ..Default::default() };
    /// assert_eq!(dest.routes(alert), [(Channel::Email, Audience::Platform)]);
    /// ```
    pub fn routes(&self, alert: &Alert) -> Vec<(Channel, Audience)> {
        let mut routes = Vec::new();
        for recipient in &alert.recipients {
            match recipient {
                Recipient::PlatformAdmin => {
                    let Some(config) = alert
                        .platform_id
                        .as_ref()
                        .and_then(|id| self.platforms.get(id))
                    else {
                        continue;
                    };
                    routes.push((Channel::Email, Audience::Platform));
                    if config.slack_webhook_url.is_some() {
                        routes.push((Channel::Slack, Audience::Platform));
                    }
                    if config.pagerduty_key.is_some() {
                        routes.push((Channel::Pagerduty, Audience::Platform));
                    }
                }
                Recipient::NnoOps => {
                    if self.ops_email.is_some() {
                        routes.push((Channel::Email, Audience::Ops));
                    }
                    if self.ops_slack.is_some() {
                        routes.push((Channel::Slack, Audience::Ops));
                    }
                    if self.ops_pagerduty.is_some() && alert.severity == Severity::Critical {
                        routes.push((Channel::Pagerduty, Audience::Ops));
                    }
                }
            }
        }
        routes
    }

    /// The request for one notification, or why there is none (a destination that is not
    /// configured any more).
    pub fn outgoing(
        &self,
        alert: &Alert,
        event: Event,
        channel: Channel,
        audience: Audience,
        idempotency_key: &str,
    ) -> Result<Outgoing, &'static str> {
        let platform = alert
            .platform_id
            .as_ref()
            .and_then(|id| self.platforms.get(id));
        match (channel, audience) {
            (Channel::Email, _) => {
                let worker = self
                    .email_worker
                    .as_ref()
                    .ok_or("no email Worker configured (NNO_EMAIL_WORKER_URL)")?;
                let to = match audience {
                    Audience::Platform => platform.map(|c| c.email.as_str()),
                    Audience::Ops => self.ops_email.as_deref(),
                }
                .ok_or("no email address configured")?;
                Ok(email::request(worker, alert, event, to, idempotency_key))
            }
            (Channel::Slack, _) => {
                let webhook = match audience {
                    Audience::Platform => platform.and_then(|c| c.slack_webhook_url.as_ref()),
                    Audience::Ops => self.ops_slack.as_ref(),
                }
                .ok_or("no Slack webhook configured")?;
                slack::request(webhook, alert, event).ok_or("the Slack webhook URL has no host")
            }
            (Channel::Pagerduty, _) => {
                let key = match audience {
                    Audience::Platform => platform.and_then(|c| c.pagerduty_key.as_ref()),
                    Audience::Ops => self.ops_pagerduty.as_ref(),
                }
                .ok_or("no PagerDuty routing key configured")?;
                Ok(pagerduty::request(&self.pagerduty_url, key, alert, event))
            }
        }
    }
}

/// Keeps the configurations that are valid and stored under their own platform id; the others
/// come back with their errors (no secret in them). A cron uses this so that one platform's
/// broken configuration does not silence every other platform's alerts.
///
/// ```
/// use nno_obs_alerts::route::split_valid;
/// use nno_obs_alerts::rules::Configs;
/// use nno_obs_alerts::AlertConfig;
///
/// let mut configs = Configs::new();
/// configs.insert("k3m9p2xw7q".into(), AlertConfig::example());
/// let mut bad = AlertConfig::example();
/// bad.email = "not an address".into();
/// bad.platform_id = "r8n4t6y1z5".into();
/// configs.insert("r8n4t6y1z5".into(), bad);
/// let (valid, refused) = split_valid(configs);
/// assert_eq!(valid.keys().collect::<Vec<_>>(), ["k3m9p2xw7q"]);
/// assert_eq!(refused[0].0, "r8n4t6y1z5");
/// ```
pub fn split_valid(configs: Configs) -> (Configs, Vec<(String, Vec<ConfigError>)>) {
    let mut valid = Configs::new();
    let mut refused = Vec::new();
    for (id, config) in configs {
        match config.validate() {
            Ok(()) if id == config.platform_id => {
                valid.insert(id, config);
            }
            Ok(()) => refused.push((
                id.clone(),
                vec![ConfigError {
                    field: "platformId",
                    reason: format!("is not the id it is stored under ({id})"),
                }],
            )),
            Err(errors) => refused.push((id, errors)),
        }
    }
    (valid, refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn every_variable_is_optional() {
        let dest = Destinations::from_env(env(&[]), Configs::new()).unwrap();
        assert!(dest.email_worker.is_none() && dest.ops_email.is_none());
        assert_eq!(dest.pagerduty_url, pagerduty::EVENTS_URL);
    }

    #[test]
    fn bad_variables_are_reported_without_their_secrets() {
        let errors = Destinations::from_env(
            env(&[
                ("ALERT_EMAIL", "ops"),
                ("PAGERDUTY_KEY", "s3cr3t"),
                ("NNO_EMAIL_WORKER_URL", "ftp://mail.example/v1"),
            ]),
            Configs::new(),
        )
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["ALERT_EMAIL", "PAGERDUTY_KEY", "NNO_EMAIL_WORKER_URL"]
        );
        assert!(errors.iter().all(|e| !e.to_string().contains("s3cr3t")));
    }

    #[test]
    fn a_config_stored_under_another_id_is_refused() {
        let mut configs = Configs::new();
        configs.insert("r8n4t6y1z5".to_owned(), crate::AlertConfig::example());
        let errors = Destinations::from_env(env(&[]), configs).unwrap_err();
        assert_eq!(errors[0].field, "platformId");
    }

    #[test]
    fn ops_pagerduty_only_for_critical() {
        let (m, configs) = crate::rules::seed_example();
        let mut alert = crate::rules::evaluate(&m, &configs)[0].clone();
        alert.recipients = vec![Recipient::NnoOps];
        let dest = Destinations {
            ops_email: Some("ops@nno.app".into()),
            ops_pagerduty: Some(Secret::new("k")),
            ..Default::default()
        };
        assert_eq!(dest.routes(&alert), [(Channel::Email, Audience::Ops)]);
        alert.severity = Severity::Critical;
        assert_eq!(
            dest.routes(&alert),
            [
                (Channel::Email, Audience::Ops),
                (Channel::Pagerduty, Audience::Ops)
            ]
        );
    }
}
