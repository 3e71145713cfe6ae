//! Grouping (beyond the seed, as Alertmanager's `group_by: [category, platform]`): the alerts
//! of one category and one platform that fire — or resolve — in the same evaluation go out as
//! ONE email or Slack message per audience, listing them.
//!
//! The §6.3 shape, extended minimally: the first line is the first member's (by id) with
//! `(+N more)`; each subject line lists every member's value (`Feature: analytics, reports`);
//! `Current:` counts them, and `Affected:` gives one line per member with its own current
//! value (and, indented, its own list, e.g. its endpoints). A group of one is the member's own
//! message, unchanged.
//!
//! ```text
//! [NNO ALERT] Platform k3m9p2xw7q — analytics Worker error rate critical (+1 more)
//! Platform: AcmeCorp (k3m9p2xw7q)
//! Feature: analytics, reports
//! Alert: Worker error rate exceeded threshold
//! Threshold: 5%
//! Current: 2 alerts
//! Time: 2026-02-22 10:34:00 UTC
//! Affected:
//! analytics — 12.4% (over last 5 minutes)
//!   POST /api/data/export — 45% error rate
//! reports — 9% (over last 5 minutes)
//! Action: Review logs at https://portal.nno.app/platforms/k3m9p2xw7q/observability
//! Trace a recent error: https://portal.nno.app/platforms/k3m9p2xw7q/logs?traceId=tr_abc123
//! —
//! NNO Platform Monitoring
//! ```
//!
//! Timing, as Alertmanager's: `group_wait` is 0 (members that fire in the same evaluation are
//! one message) and `group_interval` is the evaluation step. A member that joins a group
//! already paged is sent in a later message of its own (or with the others that joined with
//! it): members already paged are never paged again. PagerDuty stays one event per alert —
//! its `dedup_key` is the alert id, so each resolve closes its own — with `payload.group` the
//! platform, which PagerDuty's alert grouping folds into one incident.

use crate::alert::{alert_id, Alert};
use crate::message::{Details, Message, DASH};
use crate::text::fnv_hex;

/// The group an alert belongs to: `{category}/{platform or nno}`.
///
/// ```
/// use nno_obs_alerts::group::key;
/// let (m, c) = nno_obs_alerts::rules::seed_example();
/// let alert = nno_obs_alerts::rules::evaluate(&m, &c).remove(0);
/// assert_eq!(key(&alert), "worker-error-spike/k3m9p2xw7q");
/// ```
pub fn key(alert: &Alert) -> String {
    format!(
        "{}/{}",
        alert.category.slug(),
        alert.platform_id.as_deref().unwrap_or("nno")
    )
}

/// One alert of a notification: the alert and its episode.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// The alert as it fired.
    pub alert: Alert,
    /// Its episode in the book.
    pub episode: u64,
}

/// The alert a group is sent as: for one member the member itself; for several, an alert of
/// the same category and platform whose id is `{category}/{platform}/group-{hash of the
/// members' ids and episodes}` (a stable, unique email idempotency key), whose severity is the
/// highest, whose recipients are all of theirs, and whose message lists them (see the module).
/// `None` for no member.
pub fn group_alert(members: &[Member]) -> Option<Alert> {
    let mut sorted: Vec<&Member> = members.iter().collect();
    sorted.sort_by(|a, b| a.alert.id.cmp(&b.alert.id));
    let first = sorted.first()?;
    if sorted.len() == 1 {
        return Some(first.alert.clone());
    }
    let alerts: Vec<&Alert> = sorted.iter().map(|m| &m.alert).collect();
    let names: Vec<String> = sorted
        .iter()
        .map(|m| format!("{}#{}", m.alert.id, m.episode))
        .collect();
    let hash = fnv_hex(&names.join("\n"));
    let subject = format!("group-{}", &hash[..12]);
    let mut recipients: Vec<_> = alerts
        .iter()
        .flat_map(|a| a.recipients.iter().copied())
        .collect();
    recipients.sort();
    recipients.dedup();
    Some(Alert {
        id: alert_id(
            first.alert.category,
            first.alert.platform_id.as_deref(),
            &subject,
        ),
        category: first.alert.category,
        severity: alerts
            .iter()
            .map(|a| a.severity)
            .max()
            .unwrap_or(first.alert.severity),
        platform_id: first.alert.platform_id.clone(),
        recipients,
        message: message(&first.alert, &alerts),
    })
}

/// Distinct values in order of first appearance, joined.
fn distinct(values: impl Iterator<Item = String>, separator: &str) -> String {
    let mut seen: Vec<String> = Vec::new();
    for value in values {
        if !seen.contains(&value) {
            seen.push(value);
        }
    }
    seen.join(separator)
}

/// The message of several alerts (sorted by id, `first` among them).
fn message(first: &Alert, alerts: &[&Alert]) -> Message {
    let first = &first.message;
    let mut labels: Vec<&str> = Vec::new();
    for alert in alerts {
        for (label, _) in &alert.message.subjects {
            if !labels.contains(&label.as_str()) {
                labels.push(label);
            }
        }
    }
    let subjects = labels
        .iter()
        .map(|label| {
            let values = alerts.iter().flat_map(|a| {
                a.message
                    .subjects
                    .iter()
                    .filter(|(l, _)| l == label)
                    .map(|(_, v)| v.clone())
            });
            ((*label).to_owned(), distinct(values, ", "))
        })
        .collect();
    let mut items = Vec::new();
    for alert in alerts {
        let what = alert
            .message
            .subjects
            .iter()
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let what = if what.is_empty() {
            alert.message.headline.as_str()
        } else {
            what.as_str()
        };
        items.push(format!("{what} {DASH} {}", alert.message.current));
        if let Some(details) = &alert.message.details {
            items.extend(details.items.iter().map(|item| format!("  {item}")));
        }
    }
    Message {
        platform: first.platform.clone(),
        headline: format!(
            "{} (+{} more)",
            first.headline,
            alerts.len().saturating_sub(1)
        ),
        subjects,
        alert: distinct(alerts.iter().map(|a| a.message.alert.clone()), "; "),
        threshold: distinct(alerts.iter().map(|a| a.message.threshold.clone()), "; "),
        current: format!("{} alerts", alerts.len()),
        time_ms: alerts
            .iter()
            .map(|a| a.message.time_ms)
            .min()
            .unwrap_or(first.time_ms),
        details: Some(Details {
            heading: "Affected".to_owned(),
            items,
        }),
        action: first.action.clone(),
        trace_url: alerts.iter().find_map(|a| a.message.trace_url.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{evaluate, seed_example};
    use crate::Severity;

    fn spike(feature: &str, current: &str, severity: Severity) -> Member {
        let (m, c) = seed_example();
        let mut alert = evaluate(&m, &c).remove(0);
        alert.id = alert_id(alert.category, Some("k3m9p2xw7q"), feature);
        alert.message.headline = format!("{feature} Worker error rate critical");
        alert.message.subjects = vec![("Feature".into(), feature.into())];
        alert.message.current = current.into();
        alert.severity = severity;
        if feature != "analytics" {
            alert.message.details = None;
            alert.message.trace_url = None;
        }
        Member { alert, episode: 1 }
    }

    #[test]
    fn one_member_is_its_own_message() {
        let one = spike("analytics", "12.4% (over last 5 minutes)", Severity::High);
        assert_eq!(group_alert(std::slice::from_ref(&one)), Some(one.alert));
        assert_eq!(group_alert(&[]), None);
    }

    #[test]
    fn several_members_are_one_message_listing_each() {
        // Given out of order: the message is in id order.
        let members = [
            spike("reports", "9% (over last 5 minutes)", Severity::High),
            spike("analytics", "12.4% (over last 5 minutes)", Severity::High),
        ];
        let group = group_alert(&members).unwrap();
        assert!(
            group.id.starts_with("worker-error-spike/k3m9p2xw7q/group-"),
            "{}",
            group.id
        );
        let expected = "\
[NNO ALERT] Platform k3m9p2xw7q — analytics Worker error rate critical (+1 more)
Platform: AcmeCorp (k3m9p2xw7q)
Feature: analytics, reports
Alert: Worker error rate exceeded threshold
Threshold: 5%
Current: 2 alerts
Time: 2026-02-22 10:34:00 UTC
Affected:
analytics — 12.4% (over last 5 minutes)
  POST /api/data/export — 45% error rate
  GET /api/report — 8% error rate
reports — 9% (over last 5 minutes)
Action: Review logs at https://portal.nno.app/platforms/k3m9p2xw7q/observability
Trace a recent error: https://portal.nno.app/platforms/k3m9p2xw7q/logs?traceId=tr_abc123
—
NNO Platform Monitoring";
        assert_eq!(group.message.firing(), expected);
        let resolved = group.message.resolved(1_771_757_340_000);
        assert!(resolved.starts_with(
            "[NNO RESOLVED] Platform k3m9p2xw7q — analytics Worker error rate critical (+1 more)\n\
             Platform: AcmeCorp (k3m9p2xw7q)\nFeature: analytics, reports\n"
        ));
    }

    #[test]
    fn the_group_id_is_stable_and_differs_by_membership_and_episode() {
        let a = spike("analytics", "x", Severity::High);
        let b = spike("reports", "y", Severity::High);
        let c = spike("billing", "z", Severity::High);
        let ab = group_alert(&[a.clone(), b.clone()]).unwrap().id;
        assert_eq!(group_alert(&[b.clone(), a.clone()]).unwrap().id, ab);
        assert_ne!(group_alert(&[a.clone(), c]).unwrap().id, ab);
        let mut again = b;
        again.episode = 2;
        assert_ne!(group_alert(&[a, again]).unwrap().id, ab);
    }

    #[test]
    fn the_group_takes_the_highest_severity() {
        let members = [
            spike("analytics", "x", Severity::Medium),
            spike("reports", "y", Severity::Critical),
        ];
        assert_eq!(group_alert(&members).unwrap().severity, Severity::Critical);
    }
}
