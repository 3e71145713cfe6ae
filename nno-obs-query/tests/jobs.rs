//! Jobs from Analytics Engine points alone (the job extension of the §3.2/§4.2 layouts):
//! failed jobs with their id, operation, platform and steps, running jobs however long they
//! run, and points written before the extension still read.

mod common;

use common::{row, write_dataset};
use nno_obs_query::memory::MemoryEngine;
use nno_obs_query::questions::{FailedJobs, RunningJobs, TraceSpans};
use nno_obs_query::{Question, TimeRange};
use nno_obs_store::points::PointRow;
use std::path::Path;

const T0: i64 = 1_771_754_400; // 2026-02-22 10:00:00 UTC
const PLATFORM: &str = "k3m9p2xw7q";

/// A span point of the provisioning service, as `nno_obs` writes it; `job` appends blob8/9.
/// `ids` is the span's id and its parent's.
fn span(
    at: i64,
    trace: &str,
    (id, parent): (&str, &str),
    operation: &str,
    outcome: &str,
    duration_ms: f64,
    job: Option<(&str, &str)>,
) -> PointRow {
    let error = if outcome == "error" { 1.0 } else { 0.0 };
    let mut blobs = vec![
        trace,
        id,
        parent,
        "provisioning",
        operation,
        outcome,
        PLATFORM,
    ];
    if let Some((job_id, job_operation)) = job {
        blobs.extend([job_id, job_operation]);
    }
    row(at, trace, &blobs, &[duration_ms, error], 1)
}

/// A job's `nno-core-ops` point (blob5 its id).
fn job_op(at: i64, job_id: &str, outcome: &str) -> PointRow {
    let error = if outcome == "success" { 0.0 } else { 1.0 };
    row(
        at,
        "provisioning",
        &[
            "provisioning",
            "PROVISION_PLATFORM",
            outcome,
            PLATFORM,
            job_id,
        ],
        &[1.0, 1000.0, error],
        1,
    )
}

fn store(spans: &[PointRow], ops: &[PointRow]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), spans, ops);
    dir
}

fn write(root: &Path, spans: &[PointRow], ops: &[PointRow]) {
    write_dataset(root, "nno-core-ops-spans", spans);
    write_dataset(root, "nno-core-ops", ops);
}

fn ask<Q: Question>(root: &Path, question: &Q) -> Q::Answer {
    pollster::block_on(question.ask(&MemoryEngine::new(root))).unwrap()
}

const PROV: Option<(&str, &str)> = Some(("job-prov-0001", "PROVISION_PLATFORM"));

/// A job started at T0 - 20, whose first step ended before T0, that failed at T0 + 10.
fn failed_job_across_the_lower_edge() -> Vec<PointRow> {
    vec![
        span(
            T0 - 20,
            "tr1",
            ("job", "req"),
            "run-job",
            "started",
            0.0,
            PROV,
        ),
        span(
            T0 - 5,
            "tr1",
            ("s1", "job"),
            "create-d1",
            "ok",
            15_000.0,
            None,
        ),
        span(
            T0 + 8,
            "tr1",
            ("s2", "job"),
            "configure-dns",
            "error",
            13_000.0,
            None,
        ),
        span(T0 + 9, "tr1", ("s3", "job"), "rollback", "ok", 40.0, None),
        span(
            T0 + 10,
            "tr1",
            ("job", "req"),
            "run-job",
            "error",
            30_000.0,
            PROV,
        ),
    ]
}

#[test]
fn a_failed_job_is_named_by_its_points_and_keeps_steps_before_the_range() {
    let dir = store(&failed_job_across_the_lower_edge(), &[]);
    let range = TimeRange::new(T0, T0 + 60).unwrap();
    let jobs = ask(
        dir.path(),
        &FailedJobs::new(&nno_obs_access::testing::operator(), range),
    );
    assert_eq!(jobs.len(), 1, "the failing step is not a job: {jobs:?}");
    let job = &jobs[0];
    assert_eq!(job.job_id.as_deref(), Some("job-prov-0001"));
    assert_eq!(job.operation.as_deref(), Some("PROVISION_PLATFORM"));
    assert_eq!(job.platform, PLATFORM);
    let steps: Vec<&str> = job.steps.iter().map(|s| s.operation.as_str()).collect();
    assert_eq!(steps, ["create-d1", "configure-dns", "rollback"]);
    assert_eq!(job.failed_step(), Some("configure-dns"));
}

#[test]
fn failed_jobs_by_job_id() {
    let mut spans = failed_job_across_the_lower_edge();
    let other = Some(("job-act-0002", "ACTIVATE_FEATURE"));
    spans.push(span(
        T0 + 30,
        "tr2",
        ("j2", ""),
        "run-job",
        "error",
        1_000.0,
        other,
    ));
    let dir = store(&spans, &[]);
    let range = TimeRange::new(T0, T0 + 60).unwrap();
    let all = ask(
        dir.path(),
        &FailedJobs::new(&nno_obs_access::testing::operator(), range),
    );
    assert_eq!(all.len(), 2);
    let one = FailedJobs::new(&nno_obs_access::testing::operator(), range)
        .job_id("job-act-0002")
        .unwrap();
    let found = ask(dir.path(), &one);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].operation.as_deref(), Some("ACTIVATE_FEATURE"));
    let none = FailedJobs::new(&nno_obs_access::testing::operator(), range)
        .job_id("job-none")
        .unwrap();
    assert!(ask(dir.path(), &none).is_empty());
}

#[test]
fn a_job_written_before_the_extension_is_still_a_failed_job_without_an_id() {
    let spans = [
        span(
            T0 + 5,
            "tr9",
            ("s1", "old"),
            "create-d1",
            "error",
            100.0,
            None,
        ),
        span(
            T0 + 6,
            "tr9",
            ("old", ""),
            "run-job",
            "error",
            1_200.0,
            None,
        ),
    ];
    let dir = store(&spans, &[]);
    let range = TimeRange::new(T0, T0 + 60).unwrap();
    let jobs = ask(
        dir.path(),
        &FailedJobs::new(&nno_obs_access::testing::operator(), range),
    );
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].job_id, None);
    assert_eq!(jobs[0].operation, None);
    assert_eq!(jobs[0].steps.len(), 1);
}

#[test]
fn running_jobs_are_seen_stuck_in_their_first_step_and_hung_for_hours() {
    let until = T0 + 6 * 3600;
    let hung = Some(("job-hung", "PROVISION_PLATFORM"));
    let stuck = Some(("job-stuck", "ACTIVATE_FEATURE"));
    let done = Some(("job-done", "PROVISION_PLATFORM"));
    let spans = [
        // Hung for five hours: its first step ended long ago, nothing since.
        span(
            T0 + 3600,
            "trH",
            ("jH", ""),
            "run-job",
            "started",
            0.0,
            hung,
        ),
        span(
            T0 + 3700,
            "trH",
            ("sH", "jH"),
            "create-d1",
            "ok",
            100_000.0,
            None,
        ),
        // Stuck in its first step: only its start point.
        span(
            until - 15 * 60,
            "trS",
            ("jS", ""),
            "run-job",
            "started",
            0.0,
            stuck,
        ),
        // Ended: its core-ops point is written.
        span(
            until - 30 * 60,
            "trD",
            ("jD", ""),
            "run-job",
            "started",
            0.0,
            done,
        ),
        span(
            until - 20 * 60,
            "trD",
            ("jD", ""),
            "run-job",
            "ok",
            600_000.0,
            done,
        ),
        // Written before the extension: a step and no `run-job` span yet, and one done.
        span(
            until - 600,
            "trL",
            ("sL", ""),
            "create-d1",
            "ok",
            2_000.0,
            None,
        ),
        span(
            until - 500,
            "trE",
            ("sE", "jE"),
            "create-d1",
            "ok",
            2_000.0,
            None,
        ),
        span(
            until - 400,
            "trE",
            ("jE", ""),
            "run-job",
            "ok",
            3_000.0,
            None,
        ),
    ];
    let ops = [job_op(until - 20 * 60, "job-done", "success")];
    let dir = store(&spans, &ops);
    let range = TimeRange::new(until - 24 * 3600, until).unwrap();
    let running = ask(
        dir.path(),
        &RunningJobs::new(&nno_obs_access::testing::operator(), range),
    );
    let seen: Vec<(Option<&str>, &str, i64)> = running
        .iter()
        .map(|job| (job.job_id.as_deref(), job.trace_id.as_str(), job.started_ms))
        .collect();
    assert_eq!(
        seen,
        [
            (Some("job-hung"), "trH", (T0 + 3600) * 1000),
            (Some("job-stuck"), "trS", (until - 15 * 60) * 1000),
            (None, "trL", (until - 600) * 1000 - 2_000),
        ]
    );
    assert_eq!(running[1].operation.as_deref(), Some("ACTIVATE_FEATURE"));
    assert_eq!(running[1].platform, PLATFORM);
    assert!(running[1].steps_done.is_empty());
}

#[test]
fn a_job_that_ended_is_one_span_in_its_trace() {
    let dir = store(&failed_job_across_the_lower_edge(), &[]);
    let range = TimeRange::new(T0 - 60, T0 + 60).unwrap();
    let trace = ask(
        dir.path(),
        &TraceSpans::new(&nno_obs_access::testing::operator(), "tr1", range).unwrap(),
    );
    let spans: Vec<(&str, &str)> = trace
        .spans
        .iter()
        .map(|s| (s.span_id.as_str(), s.outcome.as_str()))
        .collect();
    assert_eq!(
        spans,
        [
            ("job", "error"),
            ("s1", "ok"),
            ("s2", "error"),
            ("s3", "ok")
        ]
    );
}
