//! The outbox: every notification a transition calls for, persisted together with the alert
//! state *before* anything is sent, and removed only once delivered (or refused for good, or
//! abandoned after its attempts). A restart in the middle of delivery therefore loses
//! nothing, and re-sends only what was not recorded as delivered.
//!
//! Between the book and the outbox, [`crate::notify`] holds back what is silenced or
//! inhibited and groups the rest: an email or Slack entry may carry several alerts of one
//! group ([`Entry::members`]); PagerDuty entries are one per alert.

use crate::alert::Alert;
use crate::channel::{Channel, Event};
use crate::group::{group_alert, Member};
use crate::notify::{decide, Mute, Notice};
use crate::route::{Audience, Destinations};
use crate::silence::Silence;
use crate::state::{Book, Policy, Transition};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One notification to deliver.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// `{alertId}#{episode}/{event}/{channel}/{audience}`: unique, stable, and the email
    /// Worker's idempotency key.
    pub id: String,
    /// The alert as it fired.
    pub alert: Alert,
    /// Trigger or resolve.
    pub event: Event,
    /// Where.
    pub channel: Channel,
    /// Whose.
    pub audience: Audience,
    /// Attempts so far, across runs.
    pub attempts: u32,
    /// For a grouped email or Slack message ([`crate::group`]): the alerts it carries, each
    /// with its episode; `alert` is then the group's alert. Empty for one alert.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<MemberKey>,
}

/// One alert of a grouped entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberKey {
    /// The alert's id.
    pub alert_id: String,
    /// Its episode.
    pub episode: u64,
}

impl Entry {
    /// `{alertId}#{episode}` of every alert it carries: a resolve waits while an entry of the
    /// same channel and audience sharing one of these is still queued.
    pub fn episode_keys(&self) -> Vec<String> {
        if self.members.is_empty() {
            return vec![episode_key(&self.id).to_owned()];
        }
        self.members
            .iter()
            .map(|m| format!("{}#{}", m.alert_id, m.episode))
            .collect()
    }
}

/// `{alertId}#{episode}` of an entry id.
fn episode_key(id: &str) -> &str {
    // Alert ids never contain `#` (see `alert_id`), so the last one starts the episode.
    id.rfind('#')
        .and_then(|hash| id[hash..].find('/').map(|slash| &id[..hash + slash]))
        .unwrap_or(id)
}

/// Everything persisted: the alert book and the outbox.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// The format's version (1).
    pub version: u32,
    /// Alert state.
    pub book: Book,
    /// Notifications not yet delivered.
    pub outbox: Vec<Entry>,
    /// Alerts resolved in the last [`RESOLVED_KEPT_MS`], oldest first: what the read API's
    /// `/alerts` lists as recently resolved (the book forgets an alert when it resolves).
    #[serde(default)]
    pub resolved: Vec<Resolved>,
    /// The start of the last minute evaluated (ms since the epoch), so that a second run for
    /// the same minute (a retried or overlapping cron) only delivers, never evaluates again
    /// ([`crate::run`]). Absent in states written before it: nothing evaluated yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluated_minute_ms: Option<u64>,
    /// Silences ([`crate::silence`]), expired ones dropped at each evaluation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub silences: Vec<Silence>,
    /// Alerts that fired in the book but were not sent, by id, and why ([`crate::notify`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub held: BTreeMap<String, Mute>,
}

/// What one evaluation did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Step {
    /// What the book did: every alert that fired or resolved, sent or not.
    pub transitions: Vec<Transition>,
    /// What is sent: triggers and resolves, grouped.
    pub notices: Vec<Notice>,
}

/// How long a resolved alert is remembered: 24 hours.
pub const RESOLVED_KEPT_MS: u64 = 24 * 3_600_000;

/// An alert that fired and resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resolved {
    /// The alert as it fired.
    pub alert: Alert,
    /// When it fired.
    pub fired_ms: u64,
    /// When it resolved.
    pub resolved_ms: u64,
}

/// The format version written.
pub const VERSION: u32 = 1;

impl State {
    /// One evaluation: steps the book and queues one entry per transition and route. Persist
    /// the state after this and before delivering. ([`State::step`] also says what is sent.)
    ///
    /// ```
    /// use nno_obs_alerts::outbox::State;
    /// use nno_obs_alerts::route::Destinations;
    /// use nno_obs_alerts::rules::{evaluate, seed_example};
    /// use nno_obs_alerts::state::Policy;
    ///
    /// let (m, configs) = seed_example();
    /// let dest = Destinations { platforms: configs.clone(), ..Default::default() };
    /// let mut state = State::default();
    /// state.evaluate(m.at_ms, &evaluate(&m, &configs), &Policy::default(), &dest);
    /// assert_eq!(state.outbox[0].id, "worker-error-spike/k3m9p2xw7q/analytics#1/trigger/email/platform");
    /// ```
    pub fn evaluate(
        &mut self,
        now_ms: u64,
        holding: &[Alert],
        policy: &Policy,
        destinations: &Destinations,
    ) -> Vec<Transition> {
        self.step(now_ms, holding, policy, destinations).transitions
    }

    /// [`State::evaluate`], also returning what is sent ([`Step::notices`]): the
    /// transitions that are not silenced or inhibited, alerts that page now because their
    /// silence or inhibitor ended, grouped.
    ///
    /// ```
    /// use nno_obs_alerts::outbox::State;
    /// use nno_obs_alerts::route::Destinations;
    /// use nno_obs_alerts::rules::{evaluate, seed_example};
    /// use nno_obs_alerts::state::Policy;
    ///
    /// let (m, configs) = seed_example();
    /// let step = State::default().step(m.at_ms, &evaluate(&m, &configs), &Policy::default(), &Destinations::default());
    /// assert_eq!((step.transitions.len(), step.notices.len()), (1, 1));
    /// ```
    pub fn step(
        &mut self,
        now_ms: u64,
        holding: &[Alert],
        policy: &Policy,
        destinations: &Destinations,
    ) -> Step {
        self.version = VERSION;
        // Each fired alert's time, before the step forgets the ones that resolve.
        let fired: Vec<(String, u64)> = self
            .book
            .alerts
            .iter()
            .filter_map(|(id, tracked)| match tracked.phase {
                crate::state::Phase::Firing { fired_ms }
                | crate::state::Phase::Clearing { fired_ms, .. } => Some((id.clone(), fired_ms)),
                crate::state::Phase::Pending { .. } => None,
            })
            .collect();
        let transitions = self.book.step(now_ms, holding, policy);
        for transition in &transitions {
            if let Transition::Resolve { alert, at_ms, .. } = transition {
                let fired_ms = fired
                    .iter()
                    .find(|(id, _)| *id == alert.id)
                    .map_or(*at_ms, |(_, ms)| *ms);
                self.resolved.push(Resolved {
                    alert: alert.clone(),
                    fired_ms,
                    resolved_ms: *at_ms,
                });
            }
        }
        self.resolved
            .retain(|r| r.resolved_ms.saturating_add(RESOLVED_KEPT_MS) > now_ms);
        let notices = decide(
            &self.book,
            &transitions,
            &mut self.held,
            &self.silences,
            now_ms,
        );
        self.silences.retain(|s| s.until_ms > now_ms);
        for notice in &notices {
            self.queue(notice, destinations);
        }
        Step {
            transitions,
            notices,
        }
    }

    /// Queues one notice: per (channel, audience), one entry per alert for PagerDuty (its
    /// `dedup_key` is the alert's), one entry for the whole group for email and Slack.
    fn queue(&mut self, notice: &Notice, destinations: &Destinations) {
        let mut by_route: BTreeMap<(Channel, Audience), Vec<Member>> = BTreeMap::new();
        for member in &notice.members {
            for route in destinations.routes(&member.alert) {
                by_route.entry(route).or_default().push(member.clone());
            }
        }
        for ((channel, audience), members) in by_route {
            let alone = channel == Channel::Pagerduty || members.len() == 1;
            let batches: Vec<Vec<Member>> = if alone {
                members.into_iter().map(|m| vec![m]).collect()
            } else {
                vec![members]
            };
            for batch in batches {
                let Some(alert) = group_alert(&batch) else {
                    continue;
                };
                let episode = batch.iter().map(|m| m.episode).min().unwrap_or(0);
                let id = format!(
                    "{}#{episode}/{}/{}/{}",
                    alert.id,
                    notice.event.as_str(),
                    channel.as_str(),
                    audience.as_str()
                );
                if self.outbox.iter().any(|e| e.id == id) {
                    continue;
                }
                let members = if batch.len() > 1 {
                    batch
                        .iter()
                        .map(|m| MemberKey {
                            alert_id: m.alert.id.clone(),
                            episode: m.episode,
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                self.outbox.push(Entry {
                    id,
                    alert,
                    event: notice.event,
                    channel,
                    audience,
                    attempts: 0,
                    members,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::alert_id;
    use crate::rules::{evaluate, seed_example};
    use crate::Secret;

    fn spikes(features: &[&str]) -> Vec<Alert> {
        let (m, c) = seed_example();
        let base = evaluate(&m, &c).remove(0);
        features
            .iter()
            .map(|f| {
                let mut a = base.clone();
                a.id = alert_id(a.category, Some("k3m9p2xw7q"), f);
                a.message.subjects = vec![("Feature".into(), (*f).into())];
                a
            })
            .collect()
    }

    fn destinations() -> Destinations {
        let (_, mut configs) = seed_example();
        for config in configs.values_mut() {
            config.pagerduty_key = Some(Secret::new("k"));
        }
        Destinations {
            platforms: configs,
            ..Default::default()
        }
    }

    #[test]
    fn a_group_is_one_email_and_one_pagerduty_event_per_alert() {
        let mut state = State::default();
        let policy = Policy {
            pending_ms: 0,
            hold_down_ms: 0,
        };
        state.evaluate(
            0,
            &spikes(&["analytics", "reports"]),
            &policy,
            &destinations(),
        );
        let ids: Vec<&str> = state.outbox.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids.len(), 3, "{ids:?}");
        let email = &state.outbox[0];
        assert_eq!(email.channel, Channel::Email);
        assert!(email.id.starts_with("worker-error-spike/k3m9p2xw7q/group-"));
        assert!(
            email.id.ends_with("#1/trigger/email/platform"),
            "{}",
            email.id
        );
        assert_eq!(email.members.len(), 2);
        assert!(email
            .alert
            .message
            .firing()
            .contains("\nFeature: analytics, reports\n"));
        assert_eq!(
            ids[1..],
            [
                "worker-error-spike/k3m9p2xw7q/analytics#1/trigger/pagerduty/platform",
                "worker-error-spike/k3m9p2xw7q/reports#2/trigger/pagerduty/platform"
            ]
        );
        // They resolve together: one resolved email, two PagerDuty resolves.
        state.outbox.clear();
        state.evaluate(60_000, &[], &policy, &destinations());
        assert_eq!(state.outbox.len(), 3);
        assert!(state.outbox[0].alert.message.resolved(60_000).starts_with(
            "[NNO RESOLVED] Platform k3m9p2xw7q — analytics Worker error rate critical (+1 more)"
        ));
    }

    #[test]
    fn a_silenced_alert_is_in_the_book_not_in_the_outbox_and_pages_when_unsilenced() {
        let mut state = State::default();
        let policy = Policy::default();
        let alerts = spikes(&["analytics"]);
        state.evaluate(0, &alerts, &policy, &destinations());
        state.outbox.clear();
        // Resolve it, then silence it and let it fire again.
        for minute in 1..=6 {
            state.evaluate(minute * 60_000, &[], &policy, &destinations());
        }
        state.outbox.clear();
        let silence = state
            .silence(
                &crate::silence::NewSilence {
                    matcher: &alerts[0].id,
                    duration_ms: 3_600_000,
                    reason: "deploy",
                    author: "ana",
                },
                7 * 60_000,
            )
            .unwrap();
        let step = state.step(8 * 60_000, &alerts, &policy, &destinations());
        assert_eq!(step.transitions.len(), 1);
        assert!(step.notices.is_empty() && state.outbox.is_empty());
        assert!(state.book.alerts.contains_key(&alerts[0].id));
        assert!(matches!(state.held[&alerts[0].id], Mute::Silenced { .. }));
        // The state round-trips with its silences and held alerts.
        let json = serde_json::to_string(&state).unwrap();
        assert_eq!(serde_json::from_str::<State>(&json).unwrap(), state);
        state.unsilence(&silence.id).unwrap();
        let step = state.step(9 * 60_000, &alerts, &policy, &destinations());
        assert!(step.transitions.is_empty());
        assert_eq!(step.notices.len(), 1);
        assert_eq!(state.outbox.len(), 2, "email and PagerDuty");
        assert!(state.held.is_empty());
    }

    #[test]
    fn a_state_written_before_silences_reads_and_writes_the_same() {
        let old = r#"{"version":1,"book":{"alerts":{},"episodes":0},"outbox":[],"resolved":[]}"#;
        let state: State = serde_json::from_str(old).unwrap();
        assert!(state.silences.is_empty() && state.held.is_empty());
        assert_eq!(serde_json::to_string(&state).unwrap(), old);
    }
}
