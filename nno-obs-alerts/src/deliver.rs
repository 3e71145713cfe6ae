//! Delivery of the outbox: bounded retries with exponential backoff, in rounds, so that one
//! failing channel never holds up another — every entry gets its first attempt before any
//! entry gets its second. Every failure is an nno-obs log line carrying the alert id, with
//! every credential redacted. Generic over the transport (nno-obs-cloudflare's
//! [`Transport`]) and the sleeper, so tests never sleep.

use crate::channel::{judge, Verdict};
use crate::outbox::{Entry, State};
use crate::persist::StateStore;
use crate::route::Destinations;
use nno_obs::{fields, LogLevel, Obs};
use nno_obs_cloudflare::Transport;
use std::future::Future;

/// Makes the transport for a base URL (natively a `NativeTransport` with a timeout, in a
/// Worker a `WorkerTransport`).
pub trait Connect {
    /// The transport.
    type Transport: Transport;
    /// A transport to `base_url` (scheme and host, not secret).
    fn connect(&self, base_url: &str) -> Self::Transport;
}

/// Waits between rounds. Tests record instead of sleeping.
pub trait Sleep {
    /// Waits `ms` milliseconds.
    fn sleep(&self, ms: u64) -> impl Future<Output = ()>;
}

/// How hard to try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Rounds in one delivery run (each pending entry is tried once per round).
    pub rounds: u32,
    /// The wait after the first failed round, ms; doubled after each further one …
    pub backoff_ms: u64,
    /// … up to this, ms.
    pub max_backoff_ms: u64,
    /// Attempts across runs after which an entry is abandoned (logged, dropped): a receiver
    /// down for hours must not grow the outbox without bound.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    /// 3 rounds, 1 s then 2 s, abandoned after 15 attempts (five runs of a once-a-minute
    /// evaluation).
    fn default() -> Self {
        Self {
            rounds: 3,
            backoff_ms: 1_000,
            max_backoff_ms: 30_000,
            max_attempts: 15,
        }
    }
}

impl RetryPolicy {
    /// The wait after failed round `round` (0-based).
    ///
    /// ```
    /// use nno_obs_alerts::deliver::RetryPolicy;
    /// let p = RetryPolicy { rounds: 6, backoff_ms: 500, max_backoff_ms: 3_000, max_attempts: 10 };
    /// let waits: Vec<_> = (0..5).map(|r| p.backoff(r)).collect();
    /// assert_eq!(waits, [500, 1_000, 2_000, 3_000, 3_000]);
    /// ```
    pub fn backoff(&self, round: u32) -> u64 {
        let factor = 1u64.checked_shl(round.min(32)).unwrap_or(u64::MAX);
        self.backoff_ms
            .saturating_mul(factor)
            .min(self.max_backoff_ms)
    }
}

/// What one run did, by outbox entry id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Delivered.
    pub delivered: Vec<String>,
    /// Refused for good (or no destination): dropped.
    pub refused: Vec<String>,
    /// Out of attempts: dropped.
    pub abandoned: Vec<String>,
    /// Still in the outbox for the next run.
    pub pending: Vec<String>,
}

/// Delivers `state`'s outbox. `store` saves it after every delivered, dropped or failed
/// entry, so a crash re-sends at most the one entry in flight.
#[allow(clippy::too_many_arguments)] // the run's context; grouping it would only rename it
pub async fn deliver<C: Connect, S: Sleep, St: StateStore>(
    state: &mut State,
    destinations: &Destinations,
    connect: &C,
    sleeper: &S,
    policy: &RetryPolicy,
    obs: &Obs,
    store: &St,
) -> Report {
    let mut report = Report::default();
    for round in 0..policy.rounds.max(1) {
        let mut index = 0;
        let mut failed_this_round = false;
        while index < state.outbox.len() {
            if blocked(&state.outbox, index) {
                index += 1;
                continue;
            }
            let entry = &mut state.outbox[index];
            entry.attempts = entry.attempts.saturating_add(1);
            let verdict = attempt(entry, destinations, connect).await;
            let entry = &state.outbox[index];
            let done = match verdict {
                Verdict::Delivered => {
                    log(obs, LogLevel::Info, "alert delivered", entry, None);
                    report.delivered.push(entry.id.clone());
                    true
                }
                Verdict::Refused(reason) => {
                    log(
                        obs,
                        LogLevel::Error,
                        "alert delivery refused",
                        entry,
                        Some(&reason),
                    );
                    report.refused.push(entry.id.clone());
                    true
                }
                Verdict::Retry(reason) if entry.attempts >= policy.max_attempts => {
                    log(
                        obs,
                        LogLevel::Error,
                        "alert delivery abandoned",
                        entry,
                        Some(&reason),
                    );
                    report.abandoned.push(entry.id.clone());
                    true
                }
                Verdict::Retry(reason) => {
                    log(
                        obs,
                        LogLevel::Warn,
                        "alert delivery failed",
                        entry,
                        Some(&reason),
                    );
                    failed_this_round = true;
                    false
                }
            };
            if done {
                state.outbox.remove(index);
            } else {
                index += 1;
            }
            if let Err(error) = store.save(state).await {
                let error = error.to_string();
                obs.log(
                    LogLevel::Error,
                    "alert state not saved",
                    fields! { error: error },
                );
            }
        }
        if !failed_this_round || round + 1 >= policy.rounds {
            break;
        }
        sleeper.sleep(policy.backoff(round)).await;
    }
    report.pending = state.outbox.iter().map(|e| e.id.clone()).collect();
    report
}

/// An entry waits while an earlier entry of the same channel and audience carries one of its
/// alert episodes: a resolve must never overtake its trigger (PagerDuty would open an incident
/// that nothing closes), grouped or not.
fn blocked(outbox: &[Entry], index: usize) -> bool {
    let entry = &outbox[index];
    let keys = entry.episode_keys();
    outbox[..index].iter().any(|earlier| {
        earlier.channel == entry.channel
            && earlier.audience == entry.audience
            && earlier.episode_keys().iter().any(|k| keys.contains(k))
    })
}

async fn attempt<C: Connect>(entry: &Entry, destinations: &Destinations, connect: &C) -> Verdict {
    let outgoing = match destinations.outgoing(
        &entry.alert,
        entry.event,
        entry.channel,
        entry.audience,
        &entry.id,
    ) {
        Ok(outgoing) => outgoing,
        Err(reason) => return Verdict::Refused(reason.to_owned()),
    };
    let transport = connect.connect(&outgoing.base_url);
    match transport
        .send(outgoing.request.clone(), &outgoing.token)
        .await
    {
        Ok(response) => match judge(&response) {
            Verdict::Delivered => Verdict::Delivered,
            Verdict::Retry(reason) => Verdict::Retry(outgoing.redact(&reason)),
            Verdict::Refused(reason) => Verdict::Refused(outgoing.redact(&reason)),
        },
        Err(error) => Verdict::Retry(format!("no answer: {}", outgoing.redact(&error))),
    }
}

fn log(obs: &Obs, level: LogLevel, message: &str, entry: &Entry, error: Option<&str>) {
    let alert_id = entry.alert.id.as_str();
    let channel = entry.channel.as_str();
    let audience = entry.audience.as_str();
    let event = entry.event.as_str();
    match error {
        Some(error) => obs.log(
            level,
            message,
            fields! { alertId: alert_id, channel: channel, audience: audience, event: event, attempt: entry.attempts, error: error },
        ),
        None => obs.log(
            level,
            message,
            fields! { alertId: alert_id, channel: channel, audience: audience, event: event, attempt: entry.attempts },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::blocked;
    use crate::channel::{Channel, Event};
    use crate::outbox::{Entry, MemberKey};
    use crate::route::Audience;

    fn entry(id: &str, event: Event, members: &[(&str, u64)]) -> Entry {
        let (m, c) = crate::rules::seed_example();
        Entry {
            id: id.into(),
            alert: crate::rules::evaluate(&m, &c).remove(0),
            event,
            channel: Channel::Email,
            audience: Audience::Platform,
            attempts: 0,
            members: members
                .iter()
                .map(|(id, episode)| MemberKey {
                    alert_id: (*id).into(),
                    episode: *episode,
                })
                .collect(),
        }
    }

    #[test]
    fn episode_keys() {
        let one = entry(
            "worker-error-spike/k3m9p2xw7q/analytics#3/trigger/email/platform",
            Event::Trigger,
            &[],
        );
        assert_eq!(
            one.episode_keys(),
            ["worker-error-spike/k3m9p2xw7q/analytics#3"]
        );
        assert_eq!(entry("x", Event::Trigger, &[]).episode_keys(), ["x"]);
    }

    #[test]
    fn a_resolve_waits_behind_the_grouped_trigger_that_carried_it() {
        let a = "worker-error-spike/k3m9p2xw7q/analytics";
        let b = "worker-error-spike/k3m9p2xw7q/reports";
        let group = entry(
            "worker-error-spike/k3m9p2xw7q/group-1#1/trigger/email/platform",
            Event::Trigger,
            &[(a, 1), (b, 2)],
        );
        let resolve_b = entry(
            &format!("{b}#2/resolve/email/platform"),
            Event::Resolve { at_ms: 1 },
            &[],
        );
        let resolve_other = entry(
            &format!("{b}#3/resolve/email/platform"),
            Event::Resolve { at_ms: 1 },
            &[],
        );
        let outbox = [group, resolve_b, resolve_other];
        assert!(!blocked(&outbox, 0));
        assert!(blocked(&outbox, 1));
        assert!(!blocked(&outbox, 2), "another episode");
    }
}
