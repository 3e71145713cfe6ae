//! The alert message of seed §6.3, exactly, for every category, and its resolved form.
//!
//! ```text
//! [NNO ALERT] Platform k3m9p2xw7q — analytics Worker error rate critical
//! Platform: AcmeCorp (k3m9p2xw7q)
//! Feature: analytics
//! Alert: Worker error rate exceeded threshold
//! Threshold: 5%
//! Current: 12.4% (over last 5 minutes)
//! Time: 2026-02-22 10:34:00 UTC
//! Affected endpoints:
//! POST /api/data/export — 45% error rate
//! GET /api/report — 8% error rate
//! Action: Review logs at https://portal.nno.app/platforms/k3m9p2xw7q/observability
//! Trace a recent error: https://portal.nno.app/platforms/k3m9p2xw7q/logs?traceId=tr_abc123
//! —
//! NNO Platform Monitoring
//! ```
//!
//! Lines are joined with `\n`, without a trailing newline, as the seed prints it. Every value
//! taken from a measurement went through [`one_line`](crate::text::one_line) when the message
//! was built, so none can add, hide or forge a line.

use crate::text::utc_time;
use serde::{Deserialize, Serialize};

/// The em dash of the headline, endpoint lines and separator.
pub const DASH: &str = "—";
/// The sign-off.
pub const SIGN_OFF: &str = "NNO Platform Monitoring";

/// A platform as messages name it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformRef {
    /// The id (validated).
    pub id: String,
    /// The display name (made one line, bounded); the id when unknown.
    pub name: String,
}

/// A list under a heading (`Affected endpoints:`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Details {
    /// The heading, without its colon.
    pub heading: String,
    /// One line each.
    pub items: Vec<String>,
}

/// One alert's message, as values; [`Message::firing`] and [`Message::resolved`] write it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The platform, for platform-scoped alerts.
    pub platform: Option<PlatformRef>,
    /// After the dash of the first line (`analytics Worker error rate critical`).
    pub headline: String,
    /// Labelled lines after `Platform:` (`Feature: analytics`, `Job: job-1`).
    pub subjects: Vec<(String, String)>,
    /// `Alert:`.
    pub alert: String,
    /// `Threshold:`.
    pub threshold: String,
    /// `Current:`.
    pub current: String,
    /// `Time:`, ms since the epoch.
    pub time_ms: u64,
    /// An optional list (`Affected endpoints:`).
    pub details: Option<Details>,
    /// `Action:`.
    pub action: String,
    /// `Trace a recent error:`, a URL.
    pub trace_url: Option<String>,
}

impl Message {
    /// The first line: `[NNO ALERT] Platform {id} — {headline}`, or `[NNO ALERT] NNO — …` for
    /// an alert about NNO itself.
    pub fn subject(&self) -> String {
        self.title("[NNO ALERT]")
    }

    /// The resolved message's first line.
    pub fn resolved_subject(&self) -> String {
        self.title("[NNO RESOLVED]")
    }

    fn title(&self, tag: &str) -> String {
        match &self.platform {
            Some(platform) => format!("{tag} Platform {} {DASH} {}", platform.id, self.headline),
            None => format!("{tag} NNO {DASH} {}", self.headline),
        }
    }

    /// The whole text of seed §6.3.
    ///
    /// ```
    /// let (m, configs) = nno_obs_alerts::rules::seed_example();
    /// let text = nno_obs_alerts::rules::evaluate(&m, &configs)[0].message.firing();
    /// assert!(text.starts_with("[NNO ALERT] Platform k3m9p2xw7q — analytics"));
    /// assert!(text.ends_with("—\nNNO Platform Monitoring"));
    /// ```
    pub fn firing(&self) -> String {
        let mut lines = vec![self.subject()];
        self.push_scope(&mut lines);
        lines.push(format!("Alert: {}", self.alert));
        lines.push(format!("Threshold: {}", self.threshold));
        lines.push(format!("Current: {}", self.current));
        lines.push(format!("Time: {}", utc_time(self.time_ms)));
        if let Some(details) = &self.details {
            lines.push(format!("{}:", details.heading));
            lines.extend(details.items.iter().cloned());
        }
        self.push_footer(&mut lines);
        lines.join("\n")
    }

    /// The message sent when the alert ends: the same first line tagged `[NNO RESOLVED]`,
    /// what fired and when, when it resolved.
    ///
    /// ```
    /// let (m, configs) = nno_obs_alerts::rules::seed_example();
    /// let text = nno_obs_alerts::rules::evaluate(&m, &configs)[0].message.resolved(1_771_757_340_000);
    /// assert!(text.contains("\nFired: 2026-02-22 10:34:00 UTC\nResolved: 2026-02-22 10:49:00 UTC\n"));
    /// ```
    pub fn resolved(&self, resolved_ms: u64) -> String {
        let mut lines = vec![self.resolved_subject()];
        self.push_scope(&mut lines);
        lines.push(format!("Alert: {}", self.alert));
        lines.push(format!("Threshold: {}", self.threshold));
        lines.push(format!("Fired: {}", utc_time(self.time_ms)));
        lines.push(format!("Resolved: {}", utc_time(resolved_ms)));
        lines.push(format!("Action: {}", self.action));
        lines.push(DASH.to_owned());
        lines.push(SIGN_OFF.to_owned());
        lines.join("\n")
    }

    fn push_scope(&self, lines: &mut Vec<String>) {
        if let Some(platform) = &self.platform {
            lines.push(format!("Platform: {} ({})", platform.name, platform.id));
        }
        for (label, value) in &self.subjects {
            lines.push(format!("{label}: {value}"));
        }
    }

    fn push_footer(&self, lines: &mut Vec<String>) {
        lines.push(format!("Action: {}", self.action));
        if let Some(url) = &self.trace_url {
            lines.push(format!("Trace a recent error: {url}"));
        }
        lines.push(DASH.to_owned());
        lines.push(SIGN_OFF.to_owned());
    }
}
