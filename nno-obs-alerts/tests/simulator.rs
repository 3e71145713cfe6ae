//! The simulator's 24 hours on a simulated clock, one evaluation per minute, through the rules
//! and the state machine: every scheduled incident raises its alert (category, severity,
//! recipients, as seed §6.2's rows say) within its window, under its own id (platform, feature,
//! job), and resolves after it within the hold-down, and nothing else fires.
//!
//! The measurements here are an oracle read off the incident schedule — what a perfect query
//! layer would measure — so this test pins the rules and the state machine alone, quickly.
//! `simulator_replay.rs` runs the same loop on measurements taken through the query layer
//! from what the simulated Workers wrote.

mod incidents;

use incidents::{assert_every_kind, expected_id, seed_row};
use nno_obs_alerts::measure::{
    FeatureErrors, Job, JobState, Measurements, ObjectiveMeasurement, PlatformMeasurements,
    WindowValue,
};
use nno_obs_alerts::rules::{evaluate, Configs};
use nno_obs_alerts::state::{Book, Policy, Transition};
use nno_obs_alerts::text::utc_time;
use nno_obs_alerts::{Category, Recipient, Severity};
use nno_obs_sim::fleet::platforms;
use nno_obs_sim::incidents::{schedule, Incident, IncidentKind};
use std::collections::BTreeMap;

const MIN: u64 = 60_000;

/// An alert's row of the timeline: category, severity, recipients, fired, resolved.
type Row = (Category, Severity, Vec<Recipient>, u64, Option<u64>);
const UNTIL: u64 = 1_771_804_800_000; // 2026-02-23 00:00:00 UTC
const FROM: u64 = UNTIL - 24 * 60 * MIN;

fn platform<'a>(m: &'a mut Measurements, id: &str, name: &str) -> &'a mut PlatformMeasurements {
    if let Some(at) = m.platforms.iter().position(|p| p.platform_id == id) {
        return &mut m.platforms[at];
    }
    m.platforms.push(PlatformMeasurements {
        platform_id: id.to_owned(),
        platform_name: Some(name.to_owned()),
        ..Default::default()
    });
    m.platforms.last_mut().unwrap()
}

/// What a perfect evaluator measures at `at` while `incidents` run.
fn oracle(at: u64, incidents: &[Incident], names: &BTreeMap<String, String>) -> Measurements {
    let mut m = Measurements {
        at_ms: at,
        ..Default::default()
    };
    for incident in incidents.iter().filter(|i| i.covers(at)) {
        let minutes = (at - incident.start_ms) / MIN + 1;
        let name = |id: &str| names.get(id).cloned().unwrap_or_default();
        match &incident.kind {
            IncidentKind::FeatureErrorSpike {
                platform: id,
                feature,
                rate,
            } => {
                platform(&mut m, id, &name(id))
                    .features
                    .push(FeatureErrors {
                        feature: feature.clone(),
                        error_rate: *rate,
                        window_minutes: 5,
                        ..Default::default()
                    });
            }
            IncidentKind::AuthSilent { platform: id } => {
                let p = platform(&mut m, id, &name(id));
                p.auth_silent_minutes = Some(minutes);
                // The simulated platforms serve tens of logins a minute by day.
                p.auth_expected_requests = Some(30.0 * minutes as f64);
            }
            IncidentKind::SlowRegistryReads { p99_ms } => {
                m.nno.registry_read_p99 = Some(WindowValue {
                    value: *p99_ms as f64,
                    window_minutes: 5,
                });
            }
            IncidentKind::ProvisioningJobFailed { platform, job_id } => m.nno.jobs.push(Job {
                job_id: job_id.clone(),
                platform_id: platform.clone(),
                operation: "PROVISION_PLATFORM".into(),
                state: JobState::Failed,
                running_minutes: minutes,
                failed_step: None,
            }),
            IncidentKind::GatewayErrors { rate } => m.nno.objectives.push(ObjectiveMeasurement {
                id: "gateway-5xx".into(),
                value: Some(*rate),
                events: 1000,
                bad: rate * 1000.0,
                window_minutes: 5,
                burn: None,
            }),
            IncidentKind::SlowRegistryWrites { p99_ms } => {
                m.nno.objectives.push(ObjectiveMeasurement {
                    id: "registry-write-p99".into(),
                    value: Some(*p99_ms as f64),
                    events: 100,
                    bad: 100.0,
                    window_minutes: 5,
                    burn: None,
                })
            }
            IncidentKind::AuthQuiet { platform: id } => {
                // A small platform at night: 16 logins in the hour before, 8 expected over
                // the 30 quiet minutes — under the expectation, no page.
                let p = platform(&mut m, id, &name(id));
                p.auth_silent_minutes = Some(minutes);
                p.auth_expected_requests = Some(16.0 * minutes.min(30) as f64 / 60.0);
            }
            IncidentKind::Provisioned { platform: id } => {
                // No history: silent, nothing expected.
                platform(&mut m, id, &name(id)).auth_silent_minutes = Some(minutes);
            }
            IncidentKind::ProvisioningJobHung {
                platform, job_id, ..
            }
            | IncidentKind::ProvisioningJobSlow { platform, job_id } => m.nno.jobs.push(Job {
                job_id: job_id.clone(),
                platform_id: platform.clone(),
                operation: "PROVISION_PLATFORM".into(),
                state: JobState::Running,
                running_minutes: minutes,
                failed_step: None,
            }),
            IncidentKind::PagesBuildFailed {
                platform: id,
                build_id,
            } => {
                platform(&mut m, id, &name(id))
                    .failed_builds
                    .push(build_id.clone());
            }
            IncidentKind::UsageThreshold {
                platform: id,
                percent,
            } => {
                platform(&mut m, id, &name(id)).usage_ratio =
                    Some(f64::from(*percent) / 100.0 + 0.004);
            }
        }
    }
    m
}

#[test]
fn every_incident_fires_once_in_its_window_and_resolves_after_it() {
    let fleet = platforms(20, 1);
    let ids: Vec<String> = fleet.iter().map(|p| p.id.clone()).collect();
    let names: BTreeMap<_, _> = fleet
        .iter()
        .map(|p| (p.id.clone(), p.name.clone()))
        .collect();
    let incidents = schedule(&ids, FROM, UNTIL);
    let policy = Policy::default();
    let mut book = Book::default();
    // alert id -> (category, severity, recipients, fired, resolved)
    let mut timeline: BTreeMap<String, Row> = BTreeMap::new();
    let mut at = FROM;
    while at < UNTIL {
        let alerts = evaluate(&oracle(at, &incidents, &names), &Configs::new());
        for transition in book.step(at, &alerts, &policy) {
            match transition {
                Transition::Fire { alert, .. } => {
                    let previous = timeline.insert(
                        alert.id.clone(),
                        (
                            alert.category,
                            alert.severity,
                            alert.recipients.clone(),
                            at,
                            None,
                        ),
                    );
                    assert!(previous.is_none(), "{} fired twice", alert.id);
                }
                Transition::Resolve { alert, at_ms, .. } => {
                    timeline.get_mut(&alert.id).unwrap().4 = Some(at_ms);
                }
            }
        }
        at += MIN;
    }

    // The schedule holds every kind of incident (its usage incident is the 90 % level).
    assert_eq!(assert_every_kind(&incidents), [90]);
    // Quiet stretches page nothing.
    let incidents: Vec<Incident> = incidents.into_iter().filter(|i| i.kind.pages()).collect();
    assert_eq!(
        timeline.len(),
        incidents.len(),
        "one alert per incident, nothing else: {timeline:#?}"
    );
    for incident in &incidents {
        let id = expected_id(&incident.kind, str::to_owned);
        let (category, severity, recipients) = seed_row(&incident.kind);
        let Some((fired_category, fired_severity, fired_recipients, fired, resolved)) =
            timeline.get(&id)
        else {
            panic!("no alert {id} for {incident:?}: {timeline:#?}");
        };
        assert!(incident.covers(*fired), "{incident:?} fired at {fired}");
        assert_eq!(*fired_category, category, "{id}");
        assert_eq!(*fired_severity, severity, "{id}");
        assert_eq!(fired_recipients.as_slice(), recipients, "{id}");
        match resolved {
            // The oracle's condition ends with the incident: the alert resolves once the
            // 5-minute hold-down has passed, not before the end and not later.
            Some(resolved) => assert!(
                (incident.end_ms..=incident.end_ms + 5 * MIN).contains(resolved),
                "{incident:?} resolved at {}",
                utc_time(*resolved)
            ),
            // Only an incident that lasts to the end of the run may still be firing.
            None => assert_eq!(incident.end_ms, UNTIL, "{incident:?} never resolved"),
        }
    }

    // The timeline, pinned.
    let mut rows: Vec<_> = timeline
        .iter()
        .map(|(id, (_, severity, _, fired, resolved))| {
            let resolved = resolved
                .map(utc_time)
                .unwrap_or_else(|| "still firing".into());
            (
                fired,
                format!("{} | {id} | {severity} | {resolved}", utc_time(*fired)),
            )
        })
        .collect();
    rows.sort();
    let text: Vec<_> = rows.into_iter().map(|(_, row)| row).collect();
    let text = text.join("\n") + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/simulator-timeline.txt");
    if std::env::var_os("NNO_BLESS").is_some_and(|value| value == "1") {
        std::fs::write(&path, &text).unwrap();
    }
    assert_eq!(text, std::fs::read_to_string(&path).unwrap());
}
