//! Replaying a period on a simulated clock: one evaluation per step (a minute), measured from
//! the query layer ([`crate::observe`]), through the rules and the state machine, into a
//! timeline of what fired and when it resolved. The fleet simulator's proof (every incident fires its alert, seed §6.2) and
//! `nno-obs alerts replay` both run this.
//!
//! Each episode also says what a person heard of it ([`crate::notify`]): sent with others
//! (grouped), inhibited or silenced ([`replay_silenced`]) — and paged later when its inhibitor
//! or silence ended first, or never.

use crate::channel::Event;
use crate::notify::decide;
use crate::observe::{JobLogs, Observer, Windows};
use crate::rules::{evaluate, Configs};
use crate::silence::Silence;
use crate::state::{Book, Policy, Transition};
use crate::text::utc_time;
use crate::{Alert, Category, Recipient, Severity};
use nno_obs_query::{Engine, QueryError};
use nno_obs_store::registry::RegistryFile;
use serde::Serialize;
use std::collections::BTreeMap;

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
    /// When its trigger was sent: `fired_ms`, later if it was held back until then, `None`
    /// if it never was.
    pub sent_ms: Option<u64>,
    /// Why it was held back when it fired (`inhibited by …`), if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held: Option<String>,
    /// The other alerts its trigger was sent with (its group, [`crate::group`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub grouped_with: Vec<String>,
    /// The alert as it fired (message included).
    #[serde(skip)]
    pub alert: Alert,
}

impl Episode {
    /// `fired | id | severity | resolved`, the timeline's printed row, then what was sent when
    /// that is not simply "paged when it fired, alone" (` | inhibited by X, paged at T`,
    /// ` | grouped with Y`).
    ///
    /// ```
    /// use nno_obs_alerts::replay::Episode;
    /// use nno_obs_alerts::rules::{evaluate, seed_example};
    ///
    /// let (m, c) = seed_example();
    /// let alert = evaluate(&m, &c).remove(0);
    /// let mut episode = Episode { id: alert.id.clone(), category: alert.category, severity: alert.severity,
    ///     recipients: alert.recipients.clone(), fired_ms: m.at_ms, resolved_ms: None,
    ///     sent_ms: Some(m.at_ms), held: None, grouped_with: Vec::new(), alert };
    /// assert_eq!(episode.row(), "2026-02-22 10:34:00 UTC | worker-error-spike/k3m9p2xw7q/analytics | High | still firing");
    /// episode.held = Some("inhibited by auth-worker-down/k3m9p2xw7q/auth".into());
    /// episode.sent_ms = None;
    /// assert!(episode.row().ends_with(" | inhibited by auth-worker-down/k3m9p2xw7q/auth, never paged"));
    /// ```
    pub fn row(&self) -> String {
        let resolved = self
            .resolved_ms
            .map(utc_time)
            .unwrap_or_else(|| "still firing".to_owned());
        let mut row = format!(
            "{} | {} | {} | {resolved}",
            utc_time(self.fired_ms),
            self.id,
            self.severity
        );
        let notes = self.notes();
        if !notes.is_empty() {
            row.push_str(" | ");
            row.push_str(&notes);
        }
        row
    }

    /// What was sent, when it is not "paged alone when it fired"; empty otherwise.
    pub fn notes(&self) -> String {
        let mut notes = Vec::new();
        if let Some(held) = &self.held {
            notes.push(match self.sent_ms {
                Some(sent) => format!("{held}, paged at {}", utc_time(sent)),
                None => format!("{held}, never paged"),
            });
        }
        if !self.grouped_with.is_empty() {
            notes.push(format!("grouped with {}", self.grouped_with.join(", ")));
        }
        notes.join("; ")
    }
}

/// What a replay needs besides the engine.
pub struct Replay<'a> {
    /// Who measures: the operator's scope over the replayed store.
    pub operator: &'a nno_obs_query::OperatorScope,
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
    replay_silenced(engine, setup, &[], from_ms, until_ms, progress).await
}

/// [`replay`] with `silences` in force wherever they cover the simulated time (a silence
/// matches by id and expiry, not by when it was created: "what would this silence have
/// held back"). Silenced episodes say so in their notes, and when they paged.
pub async fn replay_silenced(
    engine: &dyn Engine,
    setup: &Replay<'_>,
    silences: &[Silence],
    from_ms: u64,
    until_ms: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Vec<Episode>, QueryError> {
    let step = setup.step_ms.max(1);
    let from_ms = from_ms.saturating_add(setup.windows.warm_up_ms());
    let total = until_ms.saturating_sub(from_ms).div_ceil(step);
    let mut book = Book::default();
    let mut held = BTreeMap::new();
    let mut episodes: Vec<Episode> = Vec::new();
    let mut observer = Observer::new(setup.windows);
    let mut at = from_ms;
    let mut done = 0;
    while at < until_ms {
        let measurements = observer
            .measure(
                engine,
                setup.operator,
                setup.registry,
                setup.configs,
                setup.jobs,
                setup.limits,
                at,
            )
            .await?;
        let alerts = evaluate(&measurements, setup.configs);
        let transitions = book.step(at, &alerts, &setup.policy);
        for transition in &transitions {
            match transition {
                Transition::Fire { alert, .. } => episodes.push(Episode {
                    id: alert.id.clone(),
                    category: alert.category,
                    severity: alert.severity,
                    recipients: alert.recipients.clone(),
                    fired_ms: at,
                    resolved_ms: None,
                    sent_ms: None,
                    held: None,
                    grouped_with: Vec::new(),
                    alert: alert.clone(),
                }),
                Transition::Resolve { alert, at_ms, .. } => {
                    if let Some(open) = open_episode(&mut episodes, &alert.id) {
                        open.resolved_ms = Some(*at_ms);
                    }
                }
            }
        }
        for notice in decide(&book, &transitions, &mut held, silences, at) {
            if notice.event != Event::Trigger {
                continue;
            }
            let ids: Vec<&str> = notice.members.iter().map(|m| m.alert.id.as_str()).collect();
            for id in &ids {
                if let Some(open) = open_episode(&mut episodes, id) {
                    open.sent_ms = Some(at);
                    open.grouped_with = ids
                        .iter()
                        .filter(|other| *other != id)
                        .map(|other| (*other).to_owned())
                        .collect();
                }
            }
        }
        for (id, mute) in &held {
            if let Some(open) = open_episode(&mut episodes, id) {
                if open.held.is_none() && open.fired_ms == at {
                    open.held = Some(mute.describe());
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

/// The episode of `id` that has not resolved yet.
fn open_episode<'a>(episodes: &'a mut [Episode], id: &str) -> Option<&'a mut Episode> {
    episodes
        .iter_mut()
        .rev()
        .find(|e| e.id == id && e.resolved_ms.is_none())
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
            "notes",
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
            self.notes(),
        ]
    }
}
