//! Silences (beyond the seed, as Alertmanager has them): "this alert, or every alert whose id
//! starts with this prefix, sends nothing until then, because …, says who". A silence is
//! stored with the alert state ([`State::silences`]), so every host that evaluates that state
//! — `nno-obs alerts check`, the Worker's cron over KV — honours it. A silenced alert still
//! fires in the book and is listed (`/alerts`, `alerts check`); only its notifications are held
//! back, and if it still holds when the silence expires (or is removed) it pages then
//! ([`crate::notify`]).
//!
//! Bad input has a defined outcome ([`SilenceError`]): a duration of zero or over
//! [`MAX_SILENCE_MS`], an empty reason or author, and a matcher that names no alert the state
//! knows (firing, pending, or resolved in the last 24 hours) are refused.

use crate::outbox::State;
use crate::text::{fnv_hex, one_line};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest silence: 30 days. A silence longer than that is a forgotten one; disable the
/// alert in its configuration instead.
pub const MAX_SILENCE_MS: u64 = 30 * 24 * 3_600_000;

/// Longest reason kept, in chars (made one line, cut like every other interpolated value).
pub const MAX_REASON_CHARS: usize = 120;

/// One silence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Silence {
    /// `s-` and 12 hex digits, stable for its matcher, author and creation time.
    pub id: String,
    /// An alert id, or a prefix of alert ids (`worker-error-spike/k3m9p2xw7q/`).
    pub matcher: String,
    /// Why (one line).
    pub reason: String,
    /// Who (one line).
    pub author: String,
    /// Created, ms since the epoch.
    pub created_ms: u64,
    /// Ends (exclusive), ms since the epoch.
    pub until_ms: u64,
}

impl Silence {
    /// Whether it silences `alert_id` at `now_ms`: the id starts with the matcher and the
    /// silence has not expired.
    ///
    /// ```
    /// use nno_obs_alerts::silence::Silence;
    /// let s = Silence { id: "s-1".into(), matcher: "worker-error-spike/k3m9p2xw7q/".into(),
    ///     reason: "deploy".into(), author: "ana".into(), created_ms: 0, until_ms: 60_000 };
    /// assert!(s.silences("worker-error-spike/k3m9p2xw7q/analytics", 59_999));
    /// assert!(!s.silences("worker-error-spike/k3m9p2xw7q/analytics", 60_000));
    /// assert!(!s.silences("auth-worker-down/k3m9p2xw7q/auth", 0));
    /// ```
    pub fn silences(&self, alert_id: &str, now_ms: u64) -> bool {
        now_ms < self.until_ms && alert_id.starts_with(&self.matcher)
    }
}

/// Why a silence was not created or removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SilenceError {
    /// `--for` is zero.
    ZeroDuration,
    /// `--for` is longer than [`MAX_SILENCE_MS`].
    TooLong,
    /// The reason is empty.
    NoReason,
    /// The author is empty.
    NoAuthor,
    /// The matcher is empty (it would silence everything).
    EmptyMatcher,
    /// No alert the state knows has this id or prefix.
    UnknownAlert(String),
    /// No silence has this id.
    UnknownSilence(String),
}

impl fmt::Display for SilenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SilenceError::ZeroDuration => f.write_str("--for must be longer than 0s"),
            SilenceError::TooLong => f.write_str("--for must be at most 30 days (720h)"),
            SilenceError::NoReason => f.write_str("--reason must say why (it is empty)"),
            SilenceError::NoAuthor => {
                f.write_str("--author is empty (and $USER is not set): say who silences")
            }
            SilenceError::EmptyMatcher => f.write_str(
                "give an alert id or an id prefix; an empty one would silence every alert",
            ),
            SilenceError::UnknownAlert(matcher) => write!(
                f,
                "no alert firing, pending or resolved in the last 24 h has the id or prefix {:?}",
                one_line(matcher)
            ),
            SilenceError::UnknownSilence(id) => {
                write!(f, "no silence has the id {:?}", one_line(id))
            }
        }
    }
}

impl std::error::Error for SilenceError {}

/// What a new silence says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSilence<'a> {
    /// An alert id or a prefix of ids.
    pub matcher: &'a str,
    /// How long, ms.
    pub duration_ms: u64,
    /// Why.
    pub reason: &'a str,
    /// Who.
    pub author: &'a str,
}

impl State {
    /// Adds a silence at `now_ms` and returns it. The matcher must name an alert the state
    /// knows: a typo must not create a silence that silences nothing.
    ///
    /// ```
    /// use nno_obs_alerts::outbox::State;
    /// use nno_obs_alerts::route::Destinations;
    /// use nno_obs_alerts::rules::{evaluate, seed_example};
    /// use nno_obs_alerts::silence::{NewSilence, SilenceError};
    /// use nno_obs_alerts::state::Policy;
    ///
    /// let (m, configs) = seed_example();
    /// let mut state = State::default();
    /// state.evaluate(m.at_ms, &evaluate(&m, &configs), &Policy::default(), &Destinations::default());
    /// let new = NewSilence { matcher: "worker-error-spike/k3m9p2xw7q/", duration_ms: 7_200_000,
    ///     reason: "deploying a fix", author: "ana" };
    /// let silence = state.silence(&new, m.at_ms).unwrap();
    /// assert_eq!(silence.until_ms, m.at_ms + 7_200_000);
    /// let typo = NewSilence { matcher: "worker-eror", ..new };
    /// assert!(matches!(state.silence(&typo, m.at_ms), Err(SilenceError::UnknownAlert(_))));
    /// ```
    pub fn silence(&mut self, new: &NewSilence<'_>, now_ms: u64) -> Result<Silence, SilenceError> {
        if new.duration_ms == 0 {
            return Err(SilenceError::ZeroDuration);
        }
        if new.duration_ms > MAX_SILENCE_MS {
            return Err(SilenceError::TooLong);
        }
        let reason = one_line(new.reason.trim());
        if reason.is_empty() {
            return Err(SilenceError::NoReason);
        }
        let author = one_line(new.author.trim());
        if author.is_empty() {
            return Err(SilenceError::NoAuthor);
        }
        let matcher = new.matcher.trim();
        if matcher.is_empty() {
            return Err(SilenceError::EmptyMatcher);
        }
        let known = self
            .book
            .alerts
            .keys()
            .chain(self.resolved.iter().map(|r| &r.alert.id))
            .any(|id| id.starts_with(matcher));
        if !known {
            return Err(SilenceError::UnknownAlert(matcher.to_owned()));
        }
        let hash = fnv_hex(&format!("{matcher}\n{author}\n{now_ms}\n{reason}"));
        let silence = Silence {
            id: format!("s-{}", &hash[..12]),
            matcher: matcher.to_owned(),
            reason,
            author,
            created_ms: now_ms,
            until_ms: now_ms.saturating_add(new.duration_ms),
        };
        // The same silence given twice (same second, same words) is one silence.
        self.silences.retain(|s| s.id != silence.id);
        self.silences.push(silence.clone());
        Ok(silence)
    }

    /// Removes a silence by id; the alerts it held back page at the next evaluation if they
    /// still hold.
    ///
    /// ```
    /// use nno_obs_alerts::outbox::State;
    /// use nno_obs_alerts::silence::SilenceError;
    /// assert_eq!(State::default().unsilence("s-0"), Err(SilenceError::UnknownSilence("s-0".into())));
    /// ```
    pub fn unsilence(&mut self, id: &str) -> Result<Silence, SilenceError> {
        let at = self
            .silences
            .iter()
            .position(|s| s.id == id)
            .ok_or_else(|| SilenceError::UnknownSilence(id.to_owned()))?;
        Ok(self.silences.remove(at))
    }

    /// The silences in force at `now_ms`, soonest to expire first.
    pub fn active_silences(&self, now_ms: u64) -> Vec<&Silence> {
        let mut active: Vec<&Silence> = self
            .silences
            .iter()
            .filter(|s| s.until_ms > now_ms)
            .collect();
        active.sort_by(|a, b| (a.until_ms, &a.id).cmp(&(b.until_ms, &b.id)));
        active
    }

    /// The silence holding `alert_id` back at `now_ms`, the longest-lasting one if several do.
    pub fn silence_for(&self, alert_id: &str, now_ms: u64) -> Option<&Silence> {
        self.silences
            .iter()
            .filter(|s| s.silences(alert_id, now_ms))
            .max_by_key(|s| s.until_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::Destinations;
    use crate::rules::{evaluate, seed_example};
    use crate::state::Policy;

    const H: u64 = 3_600_000;

    fn firing() -> (State, u64) {
        let (m, configs) = seed_example();
        let mut state = State::default();
        state.evaluate(
            m.at_ms,
            &evaluate(&m, &configs),
            &Policy::default(),
            &Destinations::default(),
        );
        (state, m.at_ms)
    }

    fn new<'a>(
        matcher: &'a str,
        duration_ms: u64,
        reason: &'a str,
        author: &'a str,
    ) -> NewSilence<'a> {
        NewSilence {
            matcher,
            duration_ms,
            reason,
            author,
        }
    }

    #[test]
    fn bad_input_is_refused_with_its_reason() {
        let (mut state, now) = firing();
        let id = "worker-error-spike/k3m9p2xw7q/analytics";
        let cases = [
            (new(id, 0, "x", "ana"), SilenceError::ZeroDuration),
            (
                new(id, MAX_SILENCE_MS + 1, "x", "ana"),
                SilenceError::TooLong,
            ),
            (new(id, H, "  ", "ana"), SilenceError::NoReason),
            (new(id, H, "x", ""), SilenceError::NoAuthor),
            (new(" ", H, "x", "ana"), SilenceError::EmptyMatcher),
            (
                new("worker-error-spike/zzzzzzzzzz/", H, "x", "ana"),
                SilenceError::UnknownAlert("worker-error-spike/zzzzzzzzzz/".into()),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(state.silence(&input, now), Err(expected), "{input:?}");
        }
        assert!(state.silences.is_empty());
        // At the bounds: exactly 30 days and 1 ms are accepted.
        assert!(state
            .silence(&new(id, MAX_SILENCE_MS, "x", "ana"), now)
            .is_ok());
        assert!(state.silence(&new(id, 1, "y", "ana"), now).is_ok());
        assert_eq!(state.silences.len(), 2);
    }

    #[test]
    fn a_silence_matches_by_prefix_until_it_expires() {
        let (mut state, now) = firing();
        let s = state
            .silence(
                &new("worker-error-spike/k3m9p2xw7q/", 2 * H, "deploy", "ana"),
                now,
            )
            .unwrap();
        assert!(s.id.starts_with("s-") && s.id.len() == 14, "{}", s.id);
        let id = "worker-error-spike/k3m9p2xw7q/analytics";
        assert_eq!(
            state.silence_for(id, now).map(|s| s.id.clone()),
            Some(s.id.clone())
        );
        assert_eq!(
            state.silence_for(id, now + 2 * H - 1).map(|s| &s.id),
            Some(&s.id)
        );
        assert!(state.silence_for(id, now + 2 * H).is_none());
        assert!(state
            .silence_for("worker-error-spike/k3m9p2xw7r/x", now)
            .is_none());
        assert_eq!(state.active_silences(now).len(), 1);
        assert!(state.active_silences(now + 2 * H).is_empty());
    }

    #[test]
    fn reasons_and_authors_are_one_line() {
        let (mut state, now) = firing();
        let s = state
            .silence(
                &new("worker-error-spike/", H, "a\nThreshold: 0%", "ana\r"),
                now,
            )
            .unwrap();
        assert_eq!(s.reason, "a\u{FFFD}Threshold: 0%");
        assert_eq!(s.author, "ana");
    }

    #[test]
    fn unsilence_removes_only_that_silence() {
        let (mut state, now) = firing();
        let a = state
            .silence(&new("worker-error-spike/", H, "a", "ana"), now)
            .unwrap();
        let b = state
            .silence(&new("worker-error-spike/", H, "b", "ana"), now)
            .unwrap();
        assert_ne!(a.id, b.id);
        assert_eq!(state.unsilence(&a.id), Ok(a.clone()));
        assert_eq!(state.silences, [b]);
        assert_eq!(
            state.unsilence(&a.id),
            Err(SilenceError::UnknownSilence(a.id))
        );
    }

    #[test]
    fn a_resolved_alert_can_be_silenced() {
        let (mut state, now) = firing();
        let p = Policy {
            pending_ms: 0,
            hold_down_ms: 0,
        };
        state.evaluate(now + 60_000, &[], &p, &Destinations::default());
        assert!(state.book.alerts.is_empty());
        assert!(state
            .silence(
                &new(
                    "worker-error-spike/k3m9p2xw7q/analytics",
                    H,
                    "flaps daily",
                    "ana"
                ),
                now
            )
            .is_ok());
    }
}
