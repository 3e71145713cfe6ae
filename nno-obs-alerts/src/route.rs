//! Who gets what: the destinations (a platform's [`AlertConfig`](crate::AlertConfig), NNO ops' secrets of seed
//! §10, the email Worker) and the routing of an alert to (channel, audience) pairs.
//!
//! | recipient (§6.2) | email | Slack | PagerDuty |
//! |---|---|---|---|
//! | platform admin | `email` | `slackWebhookUrl`, if set | `pagerdutyKey`, if set (every severity, mapped) |
//! | NNO ops | `ALERT_EMAIL` | `ALERT_SLACK_WEBHOOK`, if set | `PAGERDUTY_KEY`, if set, Critical only ("routing key for critical alerts", §10) |
//!
//! Recipients are routed one by one ([`Destinations::recipients`]): a platform's
//! [`AlertConfig`](crate::AlertConfig) switches (`buildFailureAlert`, `usageAlerts`,
//! `provisioningFailureAlert`) narrow only what that platform's own admin gets, never what
//! NNO ops get. `provisioningFailureAlert` is the admin's say over its platform's job alerts:
//! §6.2 sends them to NNO ops by default, and a platform whose switch is on gets them too.

use crate::alert::Alert;
use crate::category::{Category, Recipient, Severity};
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
        for recipient in &self.recipients(alert) {
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

    /// Who gets `alert`: its category's recipients (seed §6.2), where the platform's
    /// configuration decides for its own admin only — `buildFailureAlert` and `usageAlerts`
    /// turn the admin's copy off, `provisioningFailureAlert` gives the admin a copy of its
    /// platform's job alerts (off: ops alone) — and NNO ops always get what §6.2 sends them.
    ///
    /// ```
    /// use nno_obs_alerts::{Category, Recipient};
    /// use nno_obs_alerts::route::Destinations;
    /// use nno_obs_alerts::rules::{evaluate, seed_example};
    ///
    /// let (m, mut configs) = seed_example();
    /// let mut job = evaluate(&m, &configs).remove(0);
    /// job.category = Category::ProvisioningJobFailed;
    /// job.recipients = vec![Recipient::NnoOps];
    /// configs.get_mut("k3m9p2xw7q").unwrap().alerts.provisioning_failure_alert = false;
    /// let dest = Destinations { platforms: configs, ..Default::default() };
    /// assert_eq!(dest.recipients(&job), [Recipient::NnoOps]); // switched off: ops still paged
    /// ```
    pub fn recipients(&self, alert: &Alert) -> Vec<Recipient> {
        let config = alert
            .platform_id
            .as_ref()
            .and_then(|id| self.platforms.get(id));
        let provisioning = matches!(
            alert.category,
            Category::ProvisioningJobFailed | Category::ProvisioningJobTimeout
        );
        let admin_wants = config.is_some_and(|c| match alert.category {
            Category::PagesBuildFailure => c.alerts.build_failure_alert,
            Category::UsageThreshold => c.alerts.usage_alerts,
            Category::ProvisioningJobFailed | Category::ProvisioningJobTimeout => {
                c.alerts.provisioning_failure_alert
            }
            _ => true,
        });
        let mut out = Vec::new();
        if admin_wants && (provisioning || alert.recipients.contains(&Recipient::PlatformAdmin)) {
            out.push(Recipient::PlatformAdmin);
        }
        if alert.recipients.contains(&Recipient::NnoOps) {
            out.push(Recipient::NnoOps);
        }
        out
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

    /// An alert of `category` about the example platform, to `recipients`.
    fn about(category: Category, recipients: &[Recipient]) -> Alert {
        let (m, configs) = crate::rules::seed_example();
        let mut alert = crate::rules::evaluate(&m, &configs).remove(0);
        alert.category = category;
        alert.recipients = recipients.to_vec();
        alert
    }

    fn with_switches(edit: impl Fn(&mut crate::config::AlertSwitches)) -> Destinations {
        let (_, mut configs) = crate::rules::seed_example();
        for config in configs.values_mut() {
            edit(&mut config.alerts);
        }
        Destinations {
            ops_email: Some("ops@nno.app".into()),
            platforms: configs,
            ..Default::default()
        }
    }

    #[test]
    fn provisioning_switch_narrows_the_admin_never_ops() {
        let job = about(Category::ProvisioningJobFailed, &[Recipient::NnoOps]);
        let timeout = about(Category::ProvisioningJobTimeout, &[Recipient::NnoOps]);
        let off = with_switches(|a| a.provisioning_failure_alert = false);
        let on = with_switches(|a| a.provisioning_failure_alert = true);
        for alert in [&job, &timeout] {
            assert_eq!(off.routes(alert), [(Channel::Email, Audience::Ops)]);
            assert_eq!(
                on.routes(alert),
                [
                    (Channel::Email, Audience::Platform),
                    (Channel::Email, Audience::Ops)
                ]
            );
        }
        // A platform without a configuration: ops alone (no admin destination).
        let none = Destinations {
            ops_email: Some("ops@nno.app".into()),
            ..Default::default()
        };
        assert_eq!(none.recipients(&job), [Recipient::NnoOps]);
    }

    #[test]
    fn a_switched_off_platforms_failed_job_still_pages_ops() {
        use crate::measure::{Job, JobState};
        let (mut m, configs) = crate::rules::seed_example();
        m.nno.jobs = vec![Job {
            job_id: "job-1".into(),
            platform_id: "k3m9p2xw7q".into(),
            operation: "PROVISION_PLATFORM".into(),
            state: JobState::Failed,
            running_minutes: 3,
            failed_step: None,
        }];
        let dest = with_switches(|a| a.provisioning_failure_alert = false);
        let alerts = crate::rules::evaluate(&m, &configs);
        let job = alerts
            .iter()
            .find(|a| a.category == Category::ProvisioningJobFailed)
            .expect("the job alert is raised whatever the platform's switch");
        assert_eq!(dest.routes(job), [(Channel::Email, Audience::Ops)]);
        let mut on = configs.clone();
        for config in on.values_mut() {
            config.alerts.provisioning_failure_alert = true;
        }
        assert_eq!(crate::rules::evaluate(&m, &on), alerts);
    }

    #[test]
    fn build_and_usage_switches_turn_off_the_admins_copy_only() {
        let build = about(Category::PagesBuildFailure, &[Recipient::PlatformAdmin]);
        let usage = about(Category::UsageThreshold, &[Recipient::PlatformAdmin]);
        let off = with_switches(|a| {
            a.build_failure_alert = false;
            a.usage_alerts = false;
        });
        let on = with_switches(|_| {});
        assert!(off.routes(&build).is_empty() && off.routes(&usage).is_empty());
        assert_eq!(on.routes(&build), [(Channel::Email, Audience::Platform)]);
        assert_eq!(on.routes(&usage), [(Channel::Email, Audience::Platform)]);
        // A switch never reaches an alert that also goes to ops: ops keep theirs.
        let both = about(
            Category::PagesBuildFailure,
            &[Recipient::PlatformAdmin, Recipient::NnoOps],
        );
        assert_eq!(off.routes(&both), [(Channel::Email, Audience::Ops)]);
        // Other categories are not switched.
        let auth = about(
            Category::AuthWorkerDown,
            &[Recipient::PlatformAdmin, Recipient::NnoOps],
        );
        assert_eq!(
            off.recipients(&auth),
            [Recipient::PlatformAdmin, Recipient::NnoOps]
        );
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
