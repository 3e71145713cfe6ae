//! From the book's transitions to what is sent: silences and inhibitions hold notifications
//! back, grouping puts the rest together. The book ([`crate::state`]) still decides when an
//! alert fires and resolves; this decides whether, and with which others, a person hears of it.
//!
//! | the book says | muted ([`Mute`]) | not muted |
//! |---|---|---|
//! | fire | nothing sent; remembered in `held` | trigger |
//! | still firing, was held | the reason is brought up to date | **trigger now** (the silence expired or was removed, the inhibitor resolved) |
//! | clearing, was held | — | nothing: it no longer holds; it pages if it holds again |
//! | resolve, was held | nothing (it never paged, so nothing to close) | nothing |
//! | resolve, was sent | — | resolve (a silence never holds a resolve back: the page it closes was sent) |
//!
//! The triggers, and the resolves, of one evaluation are then grouped by [`group::key`]: one
//! [`Notice`] per group and event.

use crate::alert::Alert;
use crate::channel::Event;
use crate::group::{self, Member};
use crate::inhibit;
use crate::silence::Silence;
use crate::state::{Book, Phase, Transition};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why an alert that fired has not been sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Mute {
    /// A silence holds it back.
    Silenced {
        /// The silence's id.
        silence: String,
        /// When the silence ends.
        #[serde(rename = "untilMs")]
        until_ms: u64,
    },
    /// Another firing alert explains it ([`crate::inhibit`]).
    Inhibited {
        /// The inhibiting alert's id.
        by: String,
    },
}

impl Mute {
    /// `silenced by s-… until 2026-02-22 12:34:00 UTC` or `inhibited by auth-worker-down/…`.
    ///
    /// ```
    /// use nno_obs_alerts::notify::Mute;
    /// assert_eq!(Mute::Inhibited { by: "auth-worker-down/k3m9p2xw7q/auth".into() }.describe(),
    ///     "inhibited by auth-worker-down/k3m9p2xw7q/auth");
    /// ```
    pub fn describe(&self) -> String {
        match self {
            Mute::Silenced { silence, until_ms } => format!(
                "silenced by {silence} until {}",
                crate::text::utc_time(*until_ms)
            ),
            Mute::Inhibited { by } => format!("inhibited by {by}"),
        }
    }
}

/// One notification to send: a trigger or resolve of one group's alerts.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    /// Trigger or resolve.
    pub event: Event,
    /// The group ([`group::key`]).
    pub group: String,
    /// Its alerts, by id.
    pub members: Vec<Member>,
}

/// Why `alert` sends nothing at `now_ms`, if it does not: a silence first (a person said so),
/// then an inhibitor among `active`.
pub fn mute(alert: &Alert, active: &[&Alert], silences: &[Silence], now_ms: u64) -> Option<Mute> {
    if let Some(silence) = silences
        .iter()
        .filter(|s| s.silences(&alert.id, now_ms))
        .max_by_key(|s| s.until_ms)
    {
        return Some(Mute::Silenced {
            silence: silence.id.clone(),
            until_ms: silence.until_ms,
        });
    }
    inhibit::inhibitor(alert, active).map(|by| Mute::Inhibited { by: by.to_owned() })
}

/// Decides what the evaluation at `now_ms` sends, given the book after its step and the step's
/// `transitions`; `held` (persisted) keeps the alerts that fired but were not sent.
///
/// ```
/// use nno_obs_alerts::notify::{decide, Mute};
/// use nno_obs_alerts::rules::{evaluate, seed_example};
/// use nno_obs_alerts::silence::Silence;
/// use nno_obs_alerts::state::{Book, Policy};
/// use std::collections::BTreeMap;
///
/// let (m, c) = seed_example();
/// let alerts = evaluate(&m, &c);
/// let silence = Silence { id: "s-1".into(), matcher: alerts[0].id.clone(), reason: "deploy".into(),
///     author: "ana".into(), created_ms: 0, until_ms: m.at_ms + 60_000 };
/// let (mut book, mut held) = (Book::default(), BTreeMap::new());
/// let t = book.step(m.at_ms, &alerts, &Policy::default());
/// assert!(decide(&book, &t, &mut held, std::slice::from_ref(&silence), m.at_ms).is_empty());
/// assert!(matches!(held[&alerts[0].id], Mute::Silenced { .. }));
/// // The silence ends while the alert still holds: it pages then.
/// let t = book.step(m.at_ms + 60_000, &alerts, &Policy::default());
/// assert_eq!(decide(&book, &t, &mut held, &[silence], m.at_ms + 60_000).len(), 1);
/// assert!(held.is_empty());
/// ```
pub fn decide(
    book: &Book,
    transitions: &[Transition],
    held: &mut BTreeMap<String, Mute>,
    silences: &[Silence],
    now_ms: u64,
) -> Vec<Notice> {
    let active: Vec<&Alert> = book
        .alerts
        .values()
        .filter(|t| matches!(t.phase, Phase::Firing { .. } | Phase::Clearing { .. }))
        .map(|t| &t.alert)
        .collect();
    let mut triggers: Vec<Member> = Vec::new();
    let mut resolves: Vec<Member> = Vec::new();
    let mut touched = std::collections::BTreeSet::new();
    for transition in transitions {
        match transition {
            Transition::Fire { alert, episode } => {
                touched.insert(alert.id.clone());
                match mute(alert, &active, silences, now_ms) {
                    Some(reason) => {
                        held.insert(alert.id.clone(), reason);
                    }
                    None => {
                        held.remove(&alert.id);
                        triggers.push(Member {
                            alert: alert.clone(),
                            episode: *episode,
                        });
                    }
                }
            }
            Transition::Resolve { alert, episode, .. } => {
                touched.insert(alert.id.clone());
                // Held: it never paged, so there is nothing to close.
                if held.remove(&alert.id).is_none() {
                    resolves.push(Member {
                        alert: alert.clone(),
                        episode: *episode,
                    });
                }
            }
        }
    }
    let waiting: Vec<String> = held
        .keys()
        .filter(|id| !touched.contains(*id))
        .cloned()
        .collect();
    for id in waiting {
        let Some(tracked) = book.alerts.get(&id) else {
            // Forgotten by the book without a resolve (it never got past pending).
            held.remove(&id);
            continue;
        };
        match mute(&tracked.alert, &active, silences, now_ms) {
            Some(reason) => {
                held.insert(id, reason);
            }
            None if matches!(tracked.phase, Phase::Firing { .. }) => {
                held.remove(&id);
                triggers.push(Member {
                    alert: tracked.alert.clone(),
                    episode: tracked.episode,
                });
            }
            // Clearing: it no longer holds; keep it held so that its resolve sends nothing.
            None => {}
        }
    }
    let mut notices = grouped(triggers, Event::Trigger);
    notices.extend(grouped(resolves, Event::Resolve { at_ms: now_ms }));
    notices
}

fn grouped(members: Vec<Member>, event: Event) -> Vec<Notice> {
    let mut groups: BTreeMap<String, Vec<Member>> = BTreeMap::new();
    for member in members {
        groups
            .entry(group::key(&member.alert))
            .or_default()
            .push(member);
    }
    groups
        .into_iter()
        .map(|(group, mut members)| {
            members.sort_by(|a, b| a.alert.id.cmp(&b.alert.id));
            Notice {
                event,
                group,
                members,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::alert_id;
    use crate::category::Category;
    use crate::rules::{evaluate, seed_example};
    use crate::state::Policy;

    const MIN: u64 = 60_000;
    const P: &str = "k3m9p2xw7q";

    fn alert(category: Category, platform: Option<&str>, subject: &str) -> Alert {
        let (m, c) = seed_example();
        let mut alert = evaluate(&m, &c).remove(0);
        alert.category = category;
        alert.platform_id = platform.map(str::to_owned);
        alert.id = alert_id(category, platform, subject);
        alert.message.subjects = match platform {
            Some(_) => vec![("Feature".into(), subject.into())],
            None => vec![("Service".into(), subject.into())],
        };
        alert
    }

    /// Runs evaluations; each returns the sent notices as `event group: member ids`.
    struct Run {
        book: Book,
        held: BTreeMap<String, Mute>,
        policy: Policy,
    }

    impl Run {
        fn new() -> Self {
            Self {
                book: Book::default(),
                held: BTreeMap::new(),
                policy: Policy {
                    pending_ms: 0,
                    hold_down_ms: 2 * MIN,
                },
            }
        }
        fn at(&mut self, minute: u64, holding: &[&Alert], silences: &[Silence]) -> Vec<String> {
            let holding: Vec<Alert> = holding.iter().map(|a| (*a).clone()).collect();
            let t = self.book.step(minute * MIN, &holding, &self.policy);
            decide(&self.book, &t, &mut self.held, silences, minute * MIN)
                .iter()
                .map(|n| {
                    let ids: Vec<_> = n.members.iter().map(|m| m.alert.id.as_str()).collect();
                    format!("{} {}: {}", n.event.as_str(), n.group, ids.join(", "))
                })
                .collect()
        }
    }

    #[test]
    fn features_failing_together_are_one_notice_and_resolve_together() {
        let a = alert(Category::WorkerErrorSpike, Some(P), "analytics");
        let b = alert(Category::WorkerErrorSpike, Some(P), "reports");
        let other = alert(Category::WorkerErrorSpike, Some("r8n4t6y1z5"), "analytics");
        let mut run = Run::new();
        assert_eq!(
            run.at(0, &[&a, &b, &other], &[]),
            [
                "trigger worker-error-spike/k3m9p2xw7q: worker-error-spike/k3m9p2xw7q/analytics, worker-error-spike/k3m9p2xw7q/reports",
                "trigger worker-error-spike/r8n4t6y1z5: worker-error-spike/r8n4t6y1z5/analytics",
            ]
        );
        assert!(run.at(1, &[], &[]).is_empty());
        assert_eq!(
            run.at(3, &[], &[]),
            [
                "resolve worker-error-spike/k3m9p2xw7q: worker-error-spike/k3m9p2xw7q/analytics, worker-error-spike/k3m9p2xw7q/reports",
                "resolve worker-error-spike/r8n4t6y1z5: worker-error-spike/r8n4t6y1z5/analytics",
            ]
        );
    }

    #[test]
    fn a_member_joining_later_pages_alone_and_the_others_are_not_paged_again() {
        let a = alert(Category::WorkerErrorSpike, Some(P), "analytics");
        let b = alert(Category::WorkerErrorSpike, Some(P), "reports");
        let c = alert(Category::WorkerErrorSpike, Some(P), "billing");
        let mut run = Run::new();
        assert_eq!(run.at(0, &[&a, &b], &[]).len(), 1);
        assert_eq!(
            run.at(1, &[&a, &b, &c], &[]),
            ["trigger worker-error-spike/k3m9p2xw7q: worker-error-spike/k3m9p2xw7q/billing"]
        );
        // A member leaves and the group goes on: nothing is re-sent for the others.
        assert!(run.at(2, &[&a, &c], &[]).is_empty());
        assert!(run.at(3, &[&a, &c], &[]).is_empty());
        assert_eq!(
            run.at(4, &[&a, &c], &[]),
            ["resolve worker-error-spike/k3m9p2xw7q: worker-error-spike/k3m9p2xw7q/reports"]
        );
    }

    #[test]
    fn auth_down_inhibits_the_spikes_until_it_resolves_then_they_page() {
        let auth = alert(Category::AuthWorkerDown, Some(P), "auth");
        let spike = alert(Category::WorkerErrorSpike, Some(P), "analytics");
        let mut run = Run::new();
        assert_eq!(
            run.at(0, &[&auth, &spike], &[]),
            ["trigger auth-worker-down/k3m9p2xw7q: auth-worker-down/k3m9p2xw7q/auth"]
        );
        assert_eq!(
            run.held[&spike.id],
            Mute::Inhibited {
                by: auth.id.clone()
            }
        );
        // Auth recovers; within its hold-down it still inhibits.
        assert!(run.at(1, &[&spike], &[]).is_empty());
        assert!(run.at(2, &[&spike], &[]).is_empty());
        // Auth resolves while the spike still holds: the spike pages now.
        assert_eq!(
            run.at(3, &[&spike], &[]),
            [
                "trigger worker-error-spike/k3m9p2xw7q: worker-error-spike/k3m9p2xw7q/analytics",
                "resolve auth-worker-down/k3m9p2xw7q: auth-worker-down/k3m9p2xw7q/auth",
            ]
        );
        assert!(run.held.is_empty());
    }

    #[test]
    fn an_inhibited_alert_that_ends_first_sends_nothing_at_all() {
        let auth = alert(Category::AuthWorkerDown, Some(P), "auth");
        let spike = alert(Category::WorkerErrorSpike, Some(P), "analytics");
        let mut run = Run::new();
        run.at(0, &[&auth, &spike], &[]);
        assert!(run.at(1, &[&auth], &[]).is_empty());
        assert!(run.at(2, &[&auth], &[]).is_empty());
        // The spike's resolve (minute 3): it never paged, nothing to close.
        assert!(run.at(3, &[&auth], &[]).is_empty());
        assert!(run.held.is_empty());
        assert!(!run.book.alerts.contains_key(&spike.id));
    }

    #[test]
    fn a_gateway_outage_inhibits_the_fleets_request_alerts() {
        let gateway = alert(Category::NnoObjective, None, "gateway-p99");
        let spikes: Vec<Alert> = ["a1b2c3d4e5", "f6g7h8i9j0", "k3m9p2xw7q"]
            .iter()
            .map(|p| alert(Category::WorkerErrorSpike, Some(p), "analytics"))
            .collect();
        let build = alert(Category::PagesBuildFailure, Some(P), "b1");
        let mut holding: Vec<&Alert> = spikes.iter().collect();
        holding.push(&gateway);
        holding.push(&build);
        let mut run = Run::new();
        assert_eq!(
            run.at(0, &holding, &[]),
            [
                "trigger nno-objective/nno: nno-objective/nno/gateway-p99",
                "trigger pages-build-failure/k3m9p2xw7q: pages-build-failure/k3m9p2xw7q/b1",
            ]
        );
        assert_eq!(run.held.len(), 3);
    }

    #[test]
    fn a_silence_holds_back_the_trigger_and_it_pages_when_the_silence_expires() {
        let spike = alert(Category::WorkerErrorSpike, Some(P), "analytics");
        let silence = Silence {
            id: "s-1".into(),
            matcher: spike.id.clone(),
            reason: "deploy".into(),
            author: "ana".into(),
            created_ms: 0,
            until_ms: 10 * MIN,
        };
        let silences = std::slice::from_ref(&silence);
        let mut run = Run::new();
        for minute in 0..10 {
            assert!(run.at(minute, &[&spike], silences).is_empty(), "{minute}");
        }
        assert_eq!(
            run.held[&spike.id],
            Mute::Silenced {
                silence: "s-1".into(),
                until_ms: 10 * MIN
            }
        );
        assert_eq!(
            run.at(10, &[&spike], silences),
            ["trigger worker-error-spike/k3m9p2xw7q: worker-error-spike/k3m9p2xw7q/analytics"]
        );
        // Paged once: it resolves like any other.
        assert!(run.at(11, &[&spike], silences).is_empty());
        run.at(12, &[], silences);
        assert_eq!(run.at(14, &[], silences).len(), 1);
    }

    #[test]
    fn a_silence_over_an_alert_that_ended_sends_nothing() {
        let spike = alert(Category::WorkerErrorSpike, Some(P), "analytics");
        let silence = Silence {
            id: "s-1".into(),
            matcher: "worker-error-spike/".into(),
            reason: "deploy".into(),
            author: "ana".into(),
            created_ms: 0,
            until_ms: 2 * MIN,
        };
        let silences = std::slice::from_ref(&silence);
        let mut run = Run::new();
        assert!(run.at(0, &[&spike], silences).is_empty());
        // Gone before the silence expires: clearing when it does, never sent, resolve silent.
        assert!(run.at(1, &[], silences).is_empty());
        assert!(run.at(2, &[], silences).is_empty());
        assert!(run.at(3, &[], silences).is_empty());
        assert!(run.book.alerts.is_empty() && run.held.is_empty());
    }

    #[test]
    fn a_silence_does_not_hold_back_the_resolve_of_a_page_sent_before_it() {
        let spike = alert(Category::WorkerErrorSpike, Some(P), "analytics");
        let mut run = Run::new();
        assert_eq!(run.at(0, &[&spike], &[]).len(), 1);
        let silence = Silence {
            id: "s-1".into(),
            matcher: spike.id.clone(),
            reason: "known".into(),
            author: "ana".into(),
            created_ms: MIN,
            until_ms: 60 * MIN,
        };
        let silences = std::slice::from_ref(&silence);
        assert!(run.at(1, &[], silences).is_empty());
        assert_eq!(
            run.at(3, &[], silences),
            ["resolve worker-error-spike/k3m9p2xw7q: worker-error-spike/k3m9p2xw7q/analytics"]
        );
    }
}
