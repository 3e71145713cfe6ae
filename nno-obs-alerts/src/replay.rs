//! Replaying a period on a simulated clock: one evaluation per step (a minute), measured from
//! the query layer ([`crate::observe`]), through the rules and the state machine, into a
//! timeline of what fired and when it resolved. The fleet simulator's proof (every incident fires its alert, seed §6.2) and
//! `nno-obs alerts replay` both run this.

use crate::observe::{JobLogs, Observer, Windows};
use crate::rules::{evaluate, Configs};
use crate::state::{Book, Policy, Transition};
use crate::text::utc_time;
use crate::{Alert, Category, Recipient, Severity};
use nno_obs_query::{Engine, QueryError};
use nno_obs_store::registry::RegistryFile;
use serde::Serialize;

/// One alert episode of a replay.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Episode {
    /// The alert's id (its PagerDuty `dedup_key`).
    pub id: String,
    /// Its category.
    pub category: Category,
    /// Its severity.
    pub severity: Severity,
    /// Who was paged.
    pub recipients: Vec<Recipient>,
    /// When it fired, ms since the epoch.
    pub fired_ms: u64,
    /// When it resolved; `None` if still firing at the end.
    pub resolved_ms: Option<u64>,
    /// The alert as it fired (message included).
    #[serde(skip)]
    pub alert: Alert,
}

impl Episode {
    /// `fired | id | severity | resolved`, the timeline's printed row.
    ///
    /// ```
    /// use nno_obs_alerts::replay::Episode;
    /// use nno_obs_alerts::rules::{evaluate, seed_example};
    ///
    /// let (m, c) = seed_example();
    /// let alert = evaluate(&m, &c).remove(0);
    /// let episode = Episode { id: alert.id.clone(), category: alert.category, severity: alert.severity,
    ///     recipients: alert.recipients.clone(), fired_ms: m.at_ms, resolved_ms: None, alert };
    /// assert_eq!(episode.row(), "2026-02-22 10:34:00 UTC | worker-error-spike/k3m9p2xw7q/analytics | High | still firing");
    /// ```
    pub fn row(&self) -> String {
        let resolved = self
            .resolved_ms
            .map(utc_time)
            .unwrap_or_else(|| "still firing".to_owned());
        format!(
            "{} | {} | {} | {resolved}",
            utc_time(self.fired_ms),
            self.id,
            self.severity
        )
    }
}

/// What a replay needs besides the engine.
pub struct Replay<'a> {
    /// The platforms (names, usage limits).
    pub registry: &'a RegistryFile,
    /// Their alert configurations.
    pub configs: &'a Configs,
    /// Job ids from the logs.
    pub jobs: &'a dyn JobLogs,
    /// The platforms' tier limits (usage alerts); `None`: no source, no usage alert.
    pub limits: Option<&'a dyn crate::limits::TierLimitsSource>,
    /// The measurement windows.
    pub windows: Windows,
    /// The state machine's timing.
    pub policy: Policy,
    /// Time between evaluations, ms (60 000).
    pub step_ms: u64,
}

/// Replays the data of `[from_ms, until_ms)`: evaluates at `from_ms + warm-up`, then every
/// step up to `until_ms` (exclusive), where the warm-up ([`Windows::warm_up_ms`]) lets the
/// windows fill with data first; returns every episode, ordered by when it fired, then id.
/// `progress(done, total)` is called after each evaluation.
pub async fn replay(
    engine: &dyn Engine,
    setup: &Replay<'_>,
    from_ms: u64,
    until_ms: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Vec<Episode>, QueryError> {
    let step = setup.step_ms.max(1);
    let from_ms = from_ms.saturating_add(setup.windows.warm_up_ms());
    let total = until_ms.saturating_sub(from_ms).div_ceil(step);
    let mut book = Book::default();
    let mut episodes: Vec<Episode> = Vec::new();
    let mut observer = Observer::new(setup.windows);
    let mut at = from_ms;
    let mut done = 0;
    while at < until_ms {
        let measurements = observer
            .measure(
                engine,
                setup.registry,
                setup.configs,
                setup.jobs,
                setup.limits,
                at,
            )
            .await?;
        let alerts = evaluate(&measurements, setup.configs);
        for transition in book.step(at, &alerts, &setup.policy) {
            match transition {
                Transition::Fire { alert, .. } => episodes.push(Episode {
                    id: alert.id.clone(),
                    category: alert.category,
                    severity: alert.severity,
                    recipients: alert.recipients.clone(),
                    fired_ms: at,
                    resolved_ms: None,
                    alert,
                }),
                Transition::Resolve { alert, at_ms, .. } => {
                    if let Some(open) = episodes
                        .iter_mut()
                        .rev()
                        .find(|e| e.id == alert.id && e.resolved_ms.is_none())
                    {
                        open.resolved_ms = Some(at_ms);
                    }
                }
            }
        }
        done += 1;
        progress(done, total);
        at += step;
    }
    episodes.sort_by(|a, b| (a.fired_ms, &a.id).cmp(&(b.fired_ms, &b.id)));
    Ok(episodes)
}

fn recipient_name(recipient: Recipient) -> &'static str {
    match recipient {
        Recipient::PlatformAdmin => "platform admin",
        Recipient::NnoOps => "NNO ops",
    }
}

impl nno_obs_query::Tabular for Episode {
    fn header() -> Vec<&'static str> {
        vec![
            "fired (UTC)",
            "resolved (UTC)",
            "severity",
            "alert",
            "recipients",
        ]
    }
    fn cells(&self) -> Vec<String> {
        let time = |ms: u64| utc_time(ms).trim_end_matches(" UTC").to_owned();
        vec![
            time(self.fired_ms),
            self.resolved_ms
                .map(time)
                .unwrap_or_else(|| "still firing".to_owned()),
            self.severity.to_string(),
            self.id.clone(),
            self.recipients
                .iter()
                .map(|r| recipient_name(*r))
                .collect::<Vec<_>>()
                .join(" + "),
        ]
    }
}
