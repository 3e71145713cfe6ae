//! "Provisioning job timeout" (seed §6.2, job running > 10 min) and "Provisioning job failed"
//! from Analytics Engine points alone (no log search): a job stuck in its first step and one
//! hung for hours both page, and resolve only once the job's end is written.

use nno_obs_alerts::observe::{NoJobLogs, Windows};
use nno_obs_alerts::replay::{replay, Episode, Replay};
use nno_obs_alerts::rules::Configs;
use nno_obs_alerts::state::Policy;
use nno_obs_query::memory::MemoryEngine;
use nno_obs_query::time_range::format_datetime;
use nno_obs_store::layout::DateHour;
use nno_obs_store::points::{BLOB_COLUMNS, DOUBLE_COLUMNS};
use nno_obs_store::registry::RegistryFile;
use std::collections::BTreeMap;
use std::path::Path;

/// 2026-02-22 00:00:00 UTC.
const T0: i64 = 1_771_718_400;
const MIN: i64 = 60;
const PLATFORM: &str = "k3m9p2xw7q";

/// One point as a stored JSONEachRow line: every column, the rest empty.
fn line(at: i64, index: &str, blobs: &[&str], doubles: &[f64]) -> String {
    let mut map = serde_json::Map::new();
    map.insert("timestamp".into(), format_datetime(at).into());
    map.insert("index1".into(), index.into());
    for n in 0..BLOB_COLUMNS {
        let blob = blobs.get(n).copied().unwrap_or("");
        map.insert(format!("blob{}", n + 1), blob.into());
    }
    for n in 0..DOUBLE_COLUMNS {
        let double = doubles.get(n).copied().unwrap_or(0.0);
        map.insert(format!("double{}", n + 1), double.into());
    }
    map.insert("_sample_interval".into(), 1.into());
    serde_json::Value::Object(map).to_string()
}

/// The points a job writes (`#[nno_instrument(span, job, …)]`): its `started` span point,
/// and when it ended, its end span point and its `nno-core-ops` point.
struct Job {
    id: &'static str,
    trace: &'static str,
    started: i64,
    ended: Option<(i64, &'static str)>,
}

impl Job {
    fn span(&self, at: i64, outcome: &str, duration_ms: f64) -> String {
        let blobs = [
            self.trace,
            "00f067aa0ba902b7",
            "",
            "provisioning",
            "run-job",
            outcome,
            PLATFORM,
            self.id,
            "PROVISION_PLATFORM",
        ];
        let error = if outcome == "error" { 1.0 } else { 0.0 };
        line(at, self.trace, &blobs, &[duration_ms, error])
    }

    fn points(&self) -> Vec<(&'static str, i64, String)> {
        let mut points = vec![(
            "nno-core-ops-spans",
            self.started,
            self.span(self.started, "started", 0.0),
        )];
        if let Some((at, outcome)) = self.ended {
            let duration_ms = ((at - self.started) * 1000) as f64;
            let span_outcome = if outcome == "success" { "ok" } else { "error" };
            points.push((
                "nno-core-ops-spans",
                at,
                self.span(at, span_outcome, duration_ms),
            ));
            let blobs = [
                "provisioning",
                "PROVISION_PLATFORM",
                outcome,
                PLATFORM,
                self.id,
            ];
            let error = if outcome == "success" { 0.0 } else { 1.0 };
            points.push((
                "nno-core-ops",
                at,
                line(at, "provisioning", &blobs, &[1.0, duration_ms, error]),
            ));
        }
        points
    }
}

/// Writes the jobs' points as the store's open files, one per dataset and hour.
fn write_store(root: &Path, jobs: &[Job]) {
    let mut files: BTreeMap<(String, String), String> = BTreeMap::new();
    for job in jobs {
        for (dataset, at, text) in job.points() {
            let hour = DateHour::of_unix_ms(at as u64 * 1000).folder();
            let file = files.entry((dataset.to_owned(), hour)).or_default();
            file.push_str(&text);
            file.push('\n');
        }
    }
    for ((dataset, hour), text) in files {
        let dir = root.join("analytics-engine").join(dataset).join(hour);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("points-22222222-2222-4222-8222-222222222222.json"),
            text,
        )
        .unwrap();
    }
}

fn replay_jobs(jobs: &[Job], until: i64) -> Vec<Episode> {
    let dir = tempfile::tempdir().unwrap();
    write_store(dir.path(), jobs);
    let registry = RegistryFile { platforms: vec![] };
    let setup = Replay {
        operator: &nno_obs_access::testing::operator(),
        registry: &registry,
        configs: &Configs::new(),
        jobs: &NoJobLogs,
        limits: None,
        windows: Windows::default(),
        policy: Policy::default(),
        step_ms: 60_000,
    };
    let engine = MemoryEngine::new(dir.path());
    pollster::block_on(replay(
        &engine,
        &setup,
        T0 as u64 * 1000,
        until as u64 * 1000,
        &mut |_, _| {},
    ))
    .unwrap()
}

fn timeline(episodes: &[Episode]) -> Vec<String> {
    episodes.iter().map(Episode::row).collect()
}

#[test]
fn a_job_stuck_in_its_first_step_and_one_hung_for_hours_page_until_they_end() {
    let jobs = [
        // Stuck in its first step: nothing but its start for 30 minutes, then it fails.
        Job {
            id: "job-stuck",
            trace: "tr_stuck",
            started: T0 + 20 * MIN,
            ended: Some((T0 + 50 * MIN, "error")),
        },
        // Hung for three hours, then done.
        Job {
            id: "job-hung",
            trace: "tr_hung",
            started: T0 + 60 * MIN,
            ended: Some((T0 + 4 * 60 * MIN, "success")),
        },
        // Quick and fine: never pages.
        Job {
            id: "job-quick",
            trace: "tr_quick",
            started: T0 + 30 * MIN,
            ended: Some((T0 + 32 * MIN, "success")),
        },
    ];
    let episodes = replay_jobs(&jobs, T0 + 5 * 60 * MIN);
    assert_eq!(
        timeline(&episodes),
        [
            // Running for more than 10 minutes: fires at its 11th minute; the job's end is
            // written at 00:50:00, first seen by the evaluation at 00:51 (a range ending at t
            // holds what was written before t), and resolves after the 5-minute hold-down.
            "2026-02-22 00:31:00 UTC | provisioning-job-timeout/k3m9p2xw7q/job-stuck | Medium | 2026-02-22 00:56:00 UTC",
            // It failed: its own alert, held 15 minutes, then the hold-down.
            "2026-02-22 00:51:00 UTC | provisioning-job-failed/k3m9p2xw7q/job-stuck | High | 2026-02-22 01:11:00 UTC",
            // Three hours running: fires once, resolves only after it ended at 04:00.
            "2026-02-22 01:11:00 UTC | provisioning-job-timeout/k3m9p2xw7q/job-hung | Medium | 2026-02-22 04:06:00 UTC",
        ]
    );
    let stuck = &episodes[0].alert.message;
    assert!(
        stuck.firing().contains("PROVISION_PLATFORM"),
        "{}",
        stuck.firing()
    );
}

#[test]
fn a_job_still_running_at_the_end_is_still_firing() {
    let jobs = [Job {
        id: "job-forever",
        trace: "tr_forever",
        started: T0 + 20 * MIN,
        ended: None,
    }];
    let episodes = replay_jobs(&jobs, T0 + 10 * 60 * MIN);
    assert_eq!(
        timeline(&episodes),
        ["2026-02-22 00:31:00 UTC | provisioning-job-timeout/k3m9p2xw7q/job-forever | Medium | still firing"]
    );
}
