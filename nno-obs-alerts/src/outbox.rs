//! The outbox: every notification a transition calls for, persisted together with the alert
//! state *before* anything is sent, and removed only once delivered (or refused for good, or
//! abandoned after its attempts). A restart in the middle of delivery therefore loses
//! nothing, and re-sends only what was not recorded as delivered.

use crate::alert::Alert;
use crate::channel::{Channel, Event};
use crate::route::{Audience, Destinations};
use crate::state::{Book, Policy, Transition};
use serde::{Deserialize, Serialize};

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
    /// the state after this and before delivering.
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
        for transition in &transitions {
            let (alert, event, episode) = match transition {
                Transition::Fire { alert, episode } => (alert, Event::Trigger, *episode),
                Transition::Resolve {
                    alert,
                    at_ms,
                    episode,
                } => (alert, Event::Resolve { at_ms: *at_ms }, *episode),
            };
            for (channel, audience) in destinations.routes(alert) {
                let id = format!(
                    "{}#{episode}/{}/{}/{}",
                    alert.id,
                    event.as_str(),
                    channel.as_str(),
                    audience.as_str()
                );
                if self.outbox.iter().any(|e| e.id == id) {
                    continue;
                }
                self.outbox.push(Entry {
                    id,
                    alert: alert.clone(),
                    event,
                    channel,
                    audience,
                    attempts: 0,
                });
            }
        }
        transitions
    }
}
