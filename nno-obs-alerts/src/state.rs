//! Alert state: pending → firing → resolved, with a hold-down, as data that is persisted
//! (natively a JSON file, in a Worker KV). Each step compares the alerts that hold now with
//! the book and says what to send; nothing here does I/O.
//!
//! | phase | condition holds | condition gone |
//! |---|---|---|
//! | (unknown) | `pending_ms` = 0: **fire**, → firing; else → pending | — |
//! | pending | after `pending_ms`: **fire**, → firing | forgotten, nothing was sent |
//! | firing | stays firing, nothing sent | → clearing (`hold_down_ms` = 0: **resolve** at once) |
//! | clearing | back to firing, nothing sent (a flap) | after `hold_down_ms`: **resolve**, forgotten |
//!
//! So an alert is sent once per episode, a condition flapping around its threshold more often
//! than the hold-down pages once, and its resolve comes `hold_down_ms` after it last held.

use crate::alert::Alert;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Timing of the state machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// How long a condition must hold before it fires. 0 by default: every rule already
    /// reduces over its window (5 minutes of 5xx, 2 minutes of silence).
    pub pending_ms: u64,
    /// How long a condition must stay gone before the alert resolves: a flap shorter than
    /// this is not a new alert.
    pub hold_down_ms: u64,
}

impl Default for Policy {
    /// No pending, a 5-minute hold-down.
    fn default() -> Self {
        Self {
            pending_ms: 0,
            hold_down_ms: 5 * 60_000,
        }
    }
}

/// Where an alert is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "kebab-case")]
pub enum Phase {
    /// Holding since `since_ms`, not yet sent.
    Pending {
        /// First seen.
        since_ms: u64,
    },
    /// Sent at `fired_ms`.
    Firing {
        /// When it fired.
        fired_ms: u64,
    },
    /// Sent at `fired_ms`, gone since `clear_since_ms`.
    Clearing {
        /// When it fired.
        fired_ms: u64,
        /// Last evaluation it held was before this.
        clear_since_ms: u64,
    },
}

/// One alert the book knows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tracked {
    /// Where it is.
    #[serde(flatten)]
    pub phase: Phase,
    /// The alert as it fired (its resolve repeats what was sent) or as last seen pending.
    pub alert: Alert,
    /// Episodes so far (makes idempotency keys unique per episode).
    pub episode: u64,
}

/// What to send.
#[derive(Clone, Debug, PartialEq)]
pub enum Transition {
    /// The alert fired.
    Fire {
        /// The alert.
        alert: Alert,
        /// Its episode (see [`Tracked::episode`]).
        episode: u64,
    },
    /// The alert ended at `at_ms`.
    Resolve {
        /// The alert as it fired.
        alert: Alert,
        /// When it resolved.
        at_ms: u64,
        /// Its episode.
        episode: u64,
    },
}

/// Every alert not yet resolved, by id.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Book {
    /// By alert id.
    pub alerts: BTreeMap<String, Tracked>,
    /// Episodes started so far, across alerts.
    pub episodes: u64,
}

impl Book {
    /// One evaluation at `now_ms` with the alerts that hold now.
    ///
    /// ```
    /// use nno_obs_alerts::rules::{evaluate, seed_example};
    /// use nno_obs_alerts::state::{Book, Policy, Transition};
    ///
    /// let (m, c) = seed_example();
    /// let alerts = evaluate(&m, &c);
    /// let mut book = Book::default();
    /// let policy = Policy::default();
    /// assert!(matches!(book.step(0, &alerts, &policy)[..], [Transition::Fire { .. }]));
    /// assert!(book.step(60_000, &alerts, &policy).is_empty()); // still firing: not sent again
    /// assert!(book.step(120_000, &[], &policy).is_empty()); // gone, holding down
    /// assert!(matches!(book.step(420_000, &[], &policy)[..], [Transition::Resolve { .. }]));
    /// ```
    pub fn step(&mut self, now_ms: u64, holding: &[Alert], policy: &Policy) -> Vec<Transition> {
        let mut out = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for alert in holding {
            if !seen.insert(alert.id.as_str()) {
                continue;
            }
            match self.alerts.get_mut(&alert.id) {
                None => {
                    self.episodes += 1;
                    let phase = if policy.pending_ms == 0 {
                        out.push(Transition::Fire {
                            alert: alert.clone(),
                            episode: self.episodes,
                        });
                        Phase::Firing { fired_ms: now_ms }
                    } else {
                        Phase::Pending { since_ms: now_ms }
                    };
                    let tracked = Tracked {
                        phase,
                        alert: alert.clone(),
                        episode: self.episodes,
                    };
                    self.alerts.insert(alert.id.clone(), tracked);
                }
                Some(tracked) => match tracked.phase {
                    Phase::Pending { since_ms } => {
                        tracked.alert = alert.clone();
                        if now_ms.saturating_sub(since_ms) >= policy.pending_ms {
                            tracked.phase = Phase::Firing { fired_ms: now_ms };
                            out.push(Transition::Fire {
                                alert: alert.clone(),
                                episode: tracked.episode,
                            });
                        }
                    }
                    Phase::Firing { .. } => {}
                    Phase::Clearing { fired_ms, .. } => {
                        tracked.phase = Phase::Firing { fired_ms };
                    }
                },
            }
        }
        let mut forget = Vec::new();
        for (id, tracked) in &mut self.alerts {
            if seen.contains(id.as_str()) {
                continue;
            }
            match tracked.phase {
                Phase::Pending { .. } => forget.push(id.clone()),
                Phase::Firing { fired_ms } if policy.hold_down_ms > 0 => {
                    tracked.phase = Phase::Clearing {
                        fired_ms,
                        clear_since_ms: now_ms,
                    };
                }
                Phase::Firing { .. } => {
                    out.push(Transition::Resolve {
                        alert: tracked.alert.clone(),
                        at_ms: now_ms,
                        episode: tracked.episode,
                    });
                    forget.push(id.clone());
                }
                Phase::Clearing { clear_since_ms, .. } => {
                    if now_ms.saturating_sub(clear_since_ms) >= policy.hold_down_ms {
                        out.push(Transition::Resolve {
                            alert: tracked.alert.clone(),
                            at_ms: now_ms,
                            episode: tracked.episode,
                        });
                        forget.push(id.clone());
                    }
                }
            }
        }
        for id in forget {
            self.alerts.remove(&id);
        }
        out
    }

    /// The episode number of a tracked alert (0 if unknown).
    pub fn episode(&self, id: &str) -> u64 {
        self.alerts.get(id).map(|t| t.episode).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{evaluate, seed_example};

    const MIN: u64 = 60_000;

    fn alert() -> Vec<Alert> {
        let (m, c) = seed_example();
        evaluate(&m, &c)
    }

    fn kinds(t: &[Transition]) -> Vec<&'static str> {
        t.iter()
            .map(|t| match t {
                Transition::Fire { .. } => "fire",
                Transition::Resolve { .. } => "resolve",
            })
            .collect()
    }

    #[test]
    fn fires_once_while_it_holds() {
        let mut book = Book::default();
        let p = Policy::default();
        let a = alert();
        assert_eq!(kinds(&book.step(0, &a, &p)), ["fire"]);
        for minute in 1..60 {
            assert!(book.step(minute * MIN, &a, &p).is_empty());
        }
    }

    #[test]
    fn flapping_every_minute_pages_once() {
        let mut book = Book::default();
        let p = Policy::default();
        let a = alert();
        let mut sent = Vec::new();
        for minute in 0..30 {
            let holding = if minute % 2 == 0 { &a[..] } else { &[] };
            sent.extend(kinds(&book.step(minute * MIN, holding, &p)));
        }
        assert_eq!(sent, ["fire"]);
        // It stops flapping: the resolve follows the hold-down.
        for minute in 30..40 {
            sent.extend(kinds(&book.step(minute * MIN, &[], &p)));
        }
        assert_eq!(sent, ["fire", "resolve"]);
    }

    #[test]
    fn resolve_after_the_hold_down_then_a_new_episode() {
        let mut book = Book::default();
        let p = Policy {
            pending_ms: 0,
            hold_down_ms: 3 * MIN,
        };
        let a = alert();
        book.step(0, &a, &p);
        assert!(book.step(MIN, &[], &p).is_empty());
        assert!(book.step(3 * MIN, &[], &p).is_empty());
        let t = book.step(4 * MIN, &[], &p);
        assert!(matches!(&t[..], [Transition::Resolve { at_ms, .. }] if *at_ms == 4 * MIN));
        assert!(book.alerts.is_empty());
        assert_eq!(kinds(&book.step(5 * MIN, &a, &p)), ["fire"]);
        assert_eq!(book.episode(&a[0].id), 2);
    }

    #[test]
    fn pending_needs_to_hold() {
        let mut book = Book::default();
        let p = Policy {
            pending_ms: 2 * MIN,
            hold_down_ms: 0,
        };
        let a = alert();
        assert!(book.step(0, &a, &p).is_empty());
        assert!(book.step(MIN, &a, &p).is_empty());
        assert_eq!(kinds(&book.step(2 * MIN, &a, &p)), ["fire"]);
        // Without hold-down, the resolve is immediate.
        assert_eq!(kinds(&book.step(3 * MIN, &[], &p)), ["resolve"]);
        // A blip shorter than pending never fires nor resolves.
        assert!(book.step(4 * MIN, &a, &p).is_empty());
        assert!(book.step(5 * MIN, &[], &p).is_empty());
        assert!(book.alerts.is_empty());
    }

    #[test]
    fn the_resolve_repeats_the_alert_as_it_fired() {
        let mut book = Book::default();
        let p = Policy {
            pending_ms: 0,
            hold_down_ms: 0,
        };
        let a = alert();
        book.step(0, &a, &p);
        let mut later = a.clone();
        later[0].message.current = "50% (over last 5 minutes)".into();
        book.step(MIN, &later, &p);
        let t = book.step(2 * MIN, &[], &p);
        let Transition::Resolve { alert, .. } = &t[0] else {
            panic!("{t:?}")
        };
        assert_eq!(alert.message.current, "12.4% (over last 5 minutes)");
    }

    #[test]
    fn the_book_round_trips_through_json() {
        let mut book = Book::default();
        book.step(0, &alert(), &Policy::default());
        book.step(MIN, &[], &Policy::default());
        let json = serde_json::to_string(&book).unwrap();
        assert_eq!(serde_json::from_str::<Book>(&json).unwrap(), book);
    }
}
