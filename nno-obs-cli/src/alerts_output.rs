//! What `nno-obs alerts check` prints: one line per alert — new, already firing or resolved —
//! with its severity, category, platform, what it is about and since when (seed §6), and
//! where it goes or why it goes nowhere (silenced, inhibited); or the same alerts as the read
//! API's `AlertView`s (`--format json`).

use crate::format::Format;
use crate::metrics_output::table;
use nno_obs_alerts::alert::Alert;
use nno_obs_alerts::channel::{texts, Event};
use nno_obs_alerts::group::group_alert;
use nno_obs_alerts::limits::UsageLimits;
use nno_obs_alerts::notify::Notice;
use nno_obs_alerts::outbox::State;
use nno_obs_alerts::route::Destinations;
use nno_obs_alerts::state::{Phase, Transition};
use nno_obs_api::handlers::alerts::{alert_view, with_mute};
use nno_obs_api::views::AlertView;
use nno_obs_store::time::format_rfc3339_ms;
use serde::Serialize;
use std::io::{self, Write};

/// An evaluation's outcome, as `--format json` prints it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckView {
    /// The evaluation time.
    pub at: String,
    /// Whether nothing was sent or saved.
    pub dry_run: bool,
    /// Fired by this evaluation.
    pub new: Vec<AlertView>,
    /// Firing before this evaluation and still firing.
    pub already_firing: Vec<AlertView>,
    /// Resolved by this evaluation.
    pub resolved: Vec<AlertView>,
    /// What the usage category compared with: the tier-limit source (`null` when there is
    /// none: no usage alert can fire) and the platforms without a limit. Absent for a
    /// hand-written measurements file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage_limits: Option<UsageLimits>,
}

/// Whether an alert is new, was already firing, or resolved now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    New,
    Firing,
    Resolved,
}

impl Status {
    fn word(self, dry_run: bool) -> &'static str {
        match (self, dry_run) {
            (Status::New, true) => "would fire",
            (Status::New, false) => "new",
            (Status::Firing, _) => "firing",
            (Status::Resolved, true) => "would resolve",
            (Status::Resolved, false) => "resolved",
        }
    }
}

/// One line of the table.
struct Line<'a> {
    status: Status,
    alert: &'a Alert,
    fired_ms: u64,
    resolved_ms: Option<u64>,
}

/// The evaluation's alerts: new first, then already firing, then resolved; each group in
/// the order of their ids.
fn lines<'a>(at_ms: u64, transitions: &'a [Transition], state: &'a State) -> Vec<Line<'a>> {
    let fired_ms = |id: &str| match state.book.alerts.get(id).map(|t| &t.phase) {
        Some(Phase::Firing { fired_ms } | Phase::Clearing { fired_ms, .. }) => *fired_ms,
        _ => at_ms,
    };
    let mut new = Vec::new();
    let mut resolved = Vec::new();
    for transition in transitions {
        match transition {
            Transition::Fire { alert, .. } => new.push(Line {
                status: Status::New,
                alert,
                fired_ms: fired_ms(&alert.id),
                resolved_ms: None,
            }),
            Transition::Resolve { alert, at_ms, .. } => resolved.push(Line {
                status: Status::Resolved,
                alert,
                fired_ms: state
                    .resolved
                    .iter()
                    .rev()
                    .find(|r| r.alert.id == alert.id)
                    .map_or(*at_ms, |r| r.fired_ms),
                resolved_ms: Some(*at_ms),
            }),
        }
    }
    let is_new = |id: &str| new.iter().any(|line: &Line<'_>| line.alert.id == id);
    let mut firing: Vec<Line<'a>> = state
        .book
        .alerts
        .values()
        .filter(|tracked| !is_new(&tracked.alert.id))
        .filter_map(|tracked| match tracked.phase {
            Phase::Firing { fired_ms } | Phase::Clearing { fired_ms, .. } => Some(Line {
                status: Status::Firing,
                alert: &tracked.alert,
                fired_ms,
                resolved_ms: None,
            }),
            Phase::Pending { .. } => None,
        })
        .collect();
    new.sort_by(|a, b| a.alert.id.cmp(&b.alert.id));
    resolved.sort_by(|a, b| a.alert.id.cmp(&b.alert.id));
    new.append(&mut firing);
    new.append(&mut resolved);
    new
}

/// Where an alert goes: `email/platform, slack/operator`, that nothing is configured, or why
/// it is held back (`silenced by s-… until …`, `inhibited by …`).
fn routes(alert: &Alert, destinations: &Destinations) -> String {
    let routes: Vec<String> = destinations
        .routes(alert)
        .iter()
        .map(|(channel, audience)| format!("{}/{}", channel.as_str(), audience.as_str()))
        .collect();
    if routes.is_empty() {
        "no destination configured".to_owned()
    } else {
        routes.join(", ")
    }
}

/// Whether this evaluation sends `alert`'s trigger (`resolve` false) or resolve.
fn sent(notices: &[Notice], alert: &Alert, resolve: bool) -> bool {
    notices.iter().any(|n| {
        matches!(n.event, Event::Resolve { .. }) == resolve
            && n.members.iter().any(|m| m.alert.id == alert.id)
    })
}

/// The TO column: where a line's notification goes now, why it goes nowhere, or `-` when
/// nothing is due (already sent when it fired).
fn to(line: &Line<'_>, check: &Check<'_>) -> String {
    let alert = line.alert;
    let held = check.state.held.get(&alert.id);
    match line.status {
        Status::Resolved if sent(check.notices, alert, true) => routes(alert, check.destinations),
        // Its trigger was never sent: nothing to close.
        Status::Resolved => "- (never sent)".to_owned(),
        _ if sent(check.notices, alert, false) => {
            let to = routes(alert, check.destinations);
            match line.status {
                Status::Firing => format!("{to} (held back until now)"),
                _ => to,
            }
        }
        _ => match held {
            Some(mute) => mute.describe(),
            None => "-".to_owned(),
        },
    }
}

/// What [`print`] shows.
pub struct Check<'a> {
    /// The evaluation time.
    pub at_ms: u64,
    /// What fired and resolved.
    pub transitions: &'a [Transition],
    /// What is sent (held back alerts are not; alerts whose silence or inhibitor ended are).
    pub notices: &'a [Notice],
    /// The state after the evaluation.
    pub state: &'a State,
    /// Where alerts go.
    pub destinations: &'a Destinations,
    /// Nothing sent, nothing saved.
    pub dry_run: bool,
    /// Also print each new or resolved alert's message (seed §6.3) under the table.
    pub messages: bool,
    /// The usage category's limits source, as measured.
    pub usage_limits: Option<&'a UsageLimits>,
}

/// Prints `check` as a table (`colour` on a terminal) or as JSON.
pub fn print(
    out: &mut impl Write,
    format: Format,
    check: &Check<'_>,
    colour: bool,
) -> io::Result<()> {
    let lines = lines(check.at_ms, check.transitions, check.state);
    if format == Format::Json {
        let view = |line: &Line<'_>| {
            let view = alert_view(line.alert, line.fired_ms, line.resolved_ms);
            match line.status {
                Status::Resolved => view,
                _ => with_mute(view, check.state.held.get(&line.alert.id), check.at_ms),
            }
        };
        let of = |status: Status| {
            lines
                .iter()
                .filter(|l| l.status == status)
                .map(view)
                .collect()
        };
        let answer = CheckView {
            at: format_rfc3339_ms(check.at_ms),
            dry_run: check.dry_run,
            new: of(Status::New),
            already_firing: of(Status::Firing),
            resolved: of(Status::Resolved),
            usage_limits: check.usage_limits.cloned(),
        };
        serde_json::to_writer_pretty(&mut *out, &answer).map_err(io::Error::other)?;
        return writeln!(out);
    }
    // Loudly, before anything else: usage alerts that cannot fire are not "no usage alert".
    if let Some(warning) = check.usage_limits.and_then(UsageLimits::warning) {
        writeln!(out, "WARNING: {warning}")?;
    }
    let count = |status: Status| lines.iter().filter(|l| l.status == status).count();
    writeln!(
        out,
        "{} {}, {} already firing, {} {} at {}{}",
        count(Status::New),
        Status::New.word(check.dry_run),
        count(Status::Firing),
        count(Status::Resolved),
        Status::Resolved.word(check.dry_run),
        format_rfc3339_ms(check.at_ms),
        if check.dry_run {
            " (dry run: nothing sent)"
        } else {
            ""
        }
    )?;
    if lines.is_empty() {
        return Ok(());
    }
    let header: Vec<String> = [
        "STATUS", "SEVERITY", "CATEGORY", "PLATFORM", "WHAT", "SINCE", "TO",
    ]
    .map(str::to_owned)
    .to_vec();
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|line| {
            let alert = line.alert;
            vec![
                line.status.word(check.dry_run).to_owned(),
                alert.severity.as_str().to_owned(),
                alert.category.slug().to_owned(),
                alert
                    .platform_id
                    .clone()
                    .unwrap_or_else(|| "nno".to_owned()),
                alert.message.headline.clone(),
                format_rfc3339_ms(line.fired_ms),
                to(line, check),
            ]
        })
        .collect();
    table(out, &header, &rows, colour)?;
    if check.messages {
        for line in lines.iter().filter(|l| l.status != Status::Firing) {
            let event = match line.resolved_ms {
                Some(at_ms) => Event::Resolve { at_ms },
                None => Event::Trigger,
            };
            writeln!(out, "\n=== {}", line.alert.id)?;
            writeln!(out, "{}", texts(line.alert, event).1)?;
        }
        // A group goes out by email and Slack as one message: show it as sent.
        for notice in check.notices.iter().filter(|n| n.members.len() > 1) {
            let Some(group) = group_alert(&notice.members) else {
                continue;
            };
            let ids: Vec<&str> = notice.members.iter().map(|m| m.alert.id.as_str()).collect();
            writeln!(
                out,
                "\n=== {} (one email/Slack message for {})",
                notice.group,
                ids.join(", ")
            )?;
            writeln!(out, "{}", texts(&group, notice.event).1)?;
        }
    }
    Ok(())
}
