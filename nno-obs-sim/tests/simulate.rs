//! A small fleet simulated into a real store, then read back as a user would: through the
//! log search and the stored points. Every scheduled incident must be visible in what the
//! instrumented Workers wrote, and the same seed must give the same run.

use nno_obs_logs::{Level, LocalSearch, LogQuery};
use nno_obs_sim::incidents::IncidentKind;
use nno_obs_sim::run::{run, SimConfig, Summary};
use nno_obs_store::fs::LocalStore;
use nno_obs_store::points::PointRow;
use std::path::Path;
use std::sync::Arc;

/// 2026-02-22T12:00:00Z: the seed's day.
const UNTIL_MS: u64 = 1_771_761_600_000;

fn simulate(dir: &Path, platforms: usize, seed: u64, threads: usize) -> Summary {
    let config = SimConfig {
        platforms,
        hours: 1,
        seed,
        until_ms: UNTIL_MS,
        threads,
    };
    let store = Arc::new(LocalStore::open(dir).unwrap());
    let summary = run(&config, store.clone(), &|_, _| {}).unwrap();
    store.close().unwrap();
    summary
}

/// One simulated store shared by the tests that only read it (debug builds are slow).
fn fixture() -> &'static (tempfile::TempDir, Summary) {
    static FIXTURE: std::sync::OnceLock<(tempfile::TempDir, Summary)> = std::sync::OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let summary = simulate(dir.path(), 4, 11, 2);
        (dir, summary)
    })
}

fn search(dir: &Path, query: LogQuery) -> Vec<nno_obs_logs::entry::Entry> {
    let search = LocalSearch::store(dir, &nno_obs_access::testing::operator()).unwrap();
    let page = search.run(&query, None, 1_000_000);
    assert!(page.unreadable.is_empty(), "{:?}", page.unreadable);
    page.hits.into_iter().map(|hit| hit.entry).collect()
}

/// Every stored point of `dataset`.
fn points(dir: &Path, dataset: &str) -> Vec<PointRow> {
    let dataset = nno_obs_store::layout::DatasetName::parse(dataset).unwrap();
    nno_obs_store::fs::read_points(dir, &dataset).unwrap()
}

fn incident(summary: &Summary, name: &str) -> nno_obs_sim::incidents::Incident {
    summary
        .schedule
        .incidents
        .iter()
        .find(|incident| incident.kind.name() == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .clone()
}

#[test]
fn every_scheduled_incident_is_in_what_the_workers_wrote() {
    let (dir, summary) = fixture();
    assert!(summary.invocations > 15_000, "{}", summary.invocations);

    // The feature 5xx spike: about 12 % of the feature's requests fail inside the window,
    // about 0.2 % outside.
    let spike = incident(summary, "feature 5xx spike");
    let IncidentKind::FeatureErrorSpike {
        platform, feature, ..
    } = &spike.kind
    else {
        unreachable!()
    };
    let perf = points(dir.path(), &format!("{platform}-perf"));
    let (inside, outside): (Vec<&PointRow>, Vec<&PointRow>) = perf
        .iter()
        .filter(|row| row.blobs[0] == *feature)
        .partition(|row| spike.covers(ms(row)));
    let rate = |rows: &[&PointRow]| {
        rows.iter().filter(|row| row.doubles[2] == 1.0).count() as f64 / rows.len() as f64
    };
    assert!(inside.len() > 80, "{}", inside.len());
    assert!((0.07..0.18).contains(&rate(&inside)), "{}", rate(&inside));
    assert!(rate(&outside) < 0.02, "{}", rate(&outside));
    // …and each failure wrote the seed's error line.
    let errors = search(
        dir.path(),
        LogQuery {
            from_ms: Some(spike.start_ms),
            to_ms: Some(spike.end_ms),
            feature: Some(feature.clone()),
            min_level: Some(Level::Error),
            text: Some("unhandled error".into()),
            ..LogQuery::default()
        },
    );
    assert!(!errors.is_empty());

    // The silent auth Worker: no record in its window, records around it.
    let silent = incident(summary, "auth Worker silent");
    let IncidentKind::AuthSilent { platform } = &silent.kind else {
        unreachable!()
    };
    let auth_points: Vec<_> = points(dir.path(), &format!("{platform}-perf"))
        .into_iter()
        .filter(|row| row.blobs[0] == "auth")
        .collect();
    assert!(auth_points.iter().all(|row| !silent.covers(ms(row))));
    assert!(auth_points.iter().any(|row| ms(row) < silent.start_ms));
    assert!(auth_points.iter().any(|row| ms(row) >= silent.end_ms));

    // Slow registry reads: p99 over 300 ms inside the window, far below outside.
    let slow = incident(summary, "slow registry reads");
    let mut inside: Vec<f64> = Vec::new();
    let mut outside: Vec<f64> = Vec::new();
    for row in points(dir.path(), "nno-core-ops") {
        if row.blobs[0] == "registry" && row.blobs[1] == "GET /platforms/:id" {
            if slow.covers(ms(&row)) {
                inside.push(row.doubles[1]);
            } else {
                outside.push(row.doubles[1]);
            }
        }
    }
    let p99 = |values: &mut Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[(values.len() * 99 / 100).min(values.len() - 1)]
    };
    assert!(inside.len() >= 10, "{}", inside.len());
    assert!(p99(&mut inside) > 300.0, "{inside:?}");
    // Every core-ops point names the platform its operation was for (seed §3.2 blob4), none
    // is NNO's own work in the simulated fleet.
    let platforms: Vec<&str> = summary
        .schedule
        .platforms
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    let ops = points(dir.path(), "nno-core-ops");
    let unnamed: Vec<_> = ops
        .iter()
        .filter(|row| !platforms.contains(&row.blobs[3].as_str()))
        .map(|row| {
            (
                row.blobs[0].clone(),
                row.blobs[1].clone(),
                row.blobs[3].clone(),
            )
        })
        .take(5)
        .collect();
    assert!(unnamed.is_empty(), "{unnamed:?}");
    assert!(p99(&mut outside) < 300.0);

    // The failed job: its step failed, it rolled back, and its core-ops point says error.
    let failed = search(
        dir.path(),
        LogQuery {
            text: Some("job-prov-failed-0001".into()),
            ..LogQuery::default()
        },
    );
    let messages: Vec<&str> = failed.iter().map(|entry| entry.message.as_str()).collect();
    for expected in [
        "job created",
        "step failed",
        "rollback started",
        "rollback completed",
        "job failed",
    ] {
        assert!(messages.contains(&expected), "{expected}: {messages:?}");
    }
    let jobs: Vec<_> = points(dir.path(), "nno-core-ops")
        .into_iter()
        .filter(|row| row.blobs[0] == "provisioning" && row.blobs[1] == "PROVISION_PLATFORM")
        .collect();
    assert!(jobs.iter().any(|row| row.blobs[2] == "error"));
    // The job's own points name it and the platform it was for (the job extension of §3.2
    // and §4.2), so alerts need no log line.
    let IncidentKind::ProvisioningJobFailed { platform, job_id } =
        incident(summary, "provisioning job failed").kind
    else {
        panic!("not a failed job");
    };
    assert_eq!(
        job_id, "job-prov-failed-0001",
        "the schedule names the real job"
    );
    let job_op = jobs
        .iter()
        .find(|row| row.blobs.get(4).map(String::as_str) == Some(job_id.as_str()))
        .expect("the job's core-ops point carries its id");
    assert_eq!(job_op.blobs[2..4], ["error".to_owned(), platform.clone()]);
    let job_spans: Vec<_> = points(dir.path(), "nno-core-ops-spans")
        .into_iter()
        .filter(|row| row.blobs.get(7).map(String::as_str) == Some(job_id.as_str()))
        .map(|row| {
            (
                row.blobs[5].clone(),
                row.blobs[6].clone(),
                row.blobs[8].clone(),
            )
        })
        .collect();
    let expected = |outcome: &str| {
        (
            outcome.to_owned(),
            platform.clone(),
            "PROVISION_PLATFORM".to_owned(),
        )
    };
    assert_eq!(job_spans, [expected("started"), expected("error")]);

    // The slow job ran for more than 10 minutes.
    let slow_job = search(
        dir.path(),
        LogQuery {
            text: Some("job-prov-slow-0001".into()),
            ..LogQuery::default()
        },
    );
    let created = slow_job
        .iter()
        .find(|e| e.message == "job created")
        .unwrap()
        .time_ms
        .unwrap();
    let completed = slow_job
        .iter()
        .find(|e| e.message == "job completed")
        .unwrap()
        .time_ms
        .unwrap();
    assert!(completed - created > 10 * 60_000);

    // The failed Pages build.
    let builds = points(dir.path(), "nno-builds");
    assert!(builds
        .iter()
        .any(|row| row.blobs[1] == "build-failed-0001" && row.blobs[2] == "failure"));

    // The usage thresholds: the platform's invocations (auth and features alike) reach each
    // level of its limit in the first minute of the level's window, 90 % among them.
    let usage: Vec<_> = summary
        .schedule
        .incidents
        .iter()
        .filter_map(|incident| match &incident.kind {
            IncidentKind::UsageThreshold { platform, percent } => {
                Some((platform.clone(), *percent, incident.start_ms))
            }
            _ => None,
        })
        .collect();
    assert!(
        usage.iter().any(|(_, percent, _)| *percent == 90),
        "{usage:?}"
    );
    for (platform, percent, start_ms) in &usage {
        let limit = summary
            .schedule
            .platforms
            .iter()
            .find(|p| &p.id == platform)
            .unwrap()
            .daily_invocation_limit as f64;
        let rows = points(dir.path(), &format!("{platform}-usage"));
        let used_before = |until: u64| {
            rows.iter()
                .filter(|row| ms(row) < until)
                .map(|row| row.doubles[0])
                .sum::<f64>()
        };
        let level = f64::from(*percent) / 100.0;
        assert!(used_before(*start_ms) < level * limit, "{percent} %");
        assert!(
            used_before(start_ms + 60_000) >= level * limit,
            "{percent} %"
        );
    }
}

#[test]
fn the_same_seed_gives_the_same_run_whatever_the_threads() {
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    let a = simulate(one.path(), 2, 5, 1);
    let b = simulate(two.path(), 2, 5, 2);
    assert_eq!(a.invocations, b.invocations);
    assert_eq!(
        serde_json::to_string(&a.schedule).unwrap(),
        serde_json::to_string(&b.schedule).unwrap()
    );
    // The same lines: trace ids, messages and times (span ids are random by design).
    let lines = |dir: &Path| {
        let mut lines: Vec<(Option<u64>, Option<String>, String)> =
            search(dir, LogQuery::default())
                .into_iter()
                .map(|entry| (entry.time_ms, entry.trace_id, entry.message))
                .collect();
        lines.sort();
        lines
    };
    assert_eq!(lines(one.path()), lines(two.path()));
    // Another seed, another fleet and traffic.
    let other = nno_obs_sim::run::schedule(&SimConfig {
        platforms: 2,
        hours: 1,
        seed: 6,
        until_ms: UNTIL_MS,
        threads: 1,
    });
    assert_ne!(other.platforms[1], a.schedule.platforms[1]);
}

#[test]
fn a_trace_is_found_across_the_gateway_and_the_registry() {
    let (dir, _) = fixture();
    let gateway_lines = search(
        dir.path(),
        LogQuery {
            service: Some("gateway".into()),
            text: Some("← response".into()),
            ..LogQuery::default()
        },
    );
    let trace = gateway_lines[0].trace_id.clone().unwrap();
    let trace_lines = search(
        dir.path(),
        LogQuery {
            trace_id: Some(trace.clone()),
            ..LogQuery::default()
        },
    );
    let services: std::collections::BTreeSet<_> = trace_lines
        .iter()
        .filter_map(|entry| entry.service.clone())
        .collect();
    assert!(
        services.contains("gateway") && services.len() >= 2,
        "{services:?}"
    );
    assert!(trace_lines
        .iter()
        .all(|entry| entry.trace_id.as_deref() == Some(trace.as_str())));
}

/// A row's time in ms (Analytics Engine keeps whole seconds).
fn ms(row: &PointRow) -> u64 {
    u64::try_from(row.timestamp_s).unwrap_or(0) * 1000
}
