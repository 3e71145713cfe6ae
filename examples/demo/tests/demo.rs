//! Runs the demo as a user would and checks what it wrote: the console, the store in the
//! production shape (trace-event records, Analytics Engine rows), and the trace found again.

use nno_obs_logs::{LocalSearch, LogQuery};
use nno_obs_store::fs::read_points;
use nno_obs_store::layout::DatasetName;
use nno_obs_store::points::PointRow;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn points(dir: &Path, dataset: &str) -> Vec<PointRow> {
    read_points(dir, &DatasetName::parse(dataset).unwrap()).unwrap()
}

#[test]
fn the_demo_plays_the_scenario_into_console_and_store() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_nno-obs-demo"))
        .args(["--store", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();

    // The console: info/warn/debug lines on stdout, the errors on stderr, and the store's
    // location and the trace found again at the end.
    let canonical = std::fs::canonicalize(dir.path()).unwrap();
    assert!(
        stdout.contains(&format!("local store in {}", canonical.display())),
        "{stdout}"
    );
    assert!(
        // The three services are core services: one Logpush job, one bucket, one batch object.
        stdout.contains("the log search finds 25 lines of trace tr_demo0001 in 1 Logpush object:"),
        "{stdout}"
    );
    let errors: Vec<Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // The failed step, then the failed job, both written by #[nno_instrument].
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["message"], "step failed");
    assert_eq!(errors[0]["step"], "configure-dns");
    assert_eq!(errors[0]["willRollback"], true);
    assert_eq!(errors[1]["step"], "PROVISION_PLATFORM");

    // The store: one Workers Trace Events record per service invocation, in the one Logpush
    // object of nno-logs-internal's batch (the three are core services), and every line of the
    // trace in it.
    let search = LocalSearch::store(dir.path(), &nno_obs_access::testing::operator()).unwrap();
    let page = search.run(
        &LogQuery {
            trace_id: Some("tr_demo0001".into()),
            ..LogQuery::default()
        },
        None,
        1000,
    );
    assert_eq!(page.files_read, 1);
    let console_lines = stdout.lines().filter(|l| l.starts_with('{')).count() + errors.len();
    assert_eq!(page.hits.len(), console_lines);
    let scripts: std::collections::BTreeSet<String> = page
        .hits
        .iter()
        .filter_map(|hit| hit.entry.record.script.clone())
        .collect();
    assert_eq!(
        scripts.into_iter().collect::<Vec<_>>(),
        [
            "nno-gateway-prod",
            "nno-provisioning-prod",
            "nno-registry-prod"
        ]
    );
    // The gateway's response ends the trace (lines of one millisecond may tie).
    let last_ms = page.hits.last().unwrap().entry.time_ms;
    assert!(page.hits.iter().any(|hit| hit.entry.time_ms == last_ms
        && hit.entry.service.as_deref() == Some("gateway")
        && hit.entry.message == "← response"));

    // Spans: one tree for the whole trace. The gateway's request span is the only root; the
    // registry's and provisioning's request spans are children of the gateway's call spans
    // (through traceparent, in the W3C trace-id derived from tr_demo0001); the job's steps
    // are children of the job.
    let spans = points(dir.path(), "nno-core-ops-spans");
    let operation = |span: &PointRow| span.blobs[4].clone();
    // The job's span is written at its start (outcome `started`) and its end: the end one.
    let by_operation = |name: &str| {
        spans
            .iter()
            .rfind(|span| span.blobs[4] == name)
            .unwrap_or_else(|| panic!("no span {name}"))
    };
    assert_eq!(
        spans.len(),
        11,
        "{:?}",
        spans.iter().map(operation).collect::<Vec<_>>()
    );
    let roots: Vec<String> = spans
        .iter()
        .filter(|span| span.blobs[2].is_empty())
        .map(operation)
        .collect();
    assert_eq!(roots, ["POST /api/platforms/:id/provision"]);
    for span in &spans {
        let parent = &span.blobs[2];
        assert!(
            parent.is_empty() || spans.iter().any(|other| other.blobs[1] == *parent),
            "dangling parent of {}",
            operation(span)
        );
    }
    let parent_of = |name: &str| by_operation(name).blobs[2].clone();
    let id_of = |name: &str| by_operation(name).blobs[1].clone();
    assert_eq!(parent_of("GET /platforms/:id"), id_of("GET registry"));
    assert_eq!(parent_of("POST /jobs"), id_of("POST provisioning"));
    for step in ["create-d1", "deploy-worker", "configure-dns", "rollback"] {
        assert_eq!(parent_of(step), id_of("PROVISION_PLATFORM"), "{step}");
    }
    assert_eq!(by_operation("configure-dns").blobs[5], "error");
    assert_eq!(by_operation("PROVISION_PLATFORM").blobs[5], "error");
    // The job names itself and its platform (the job extension of §4.2).
    let job = by_operation("PROVISION_PLATFORM");
    assert_eq!(
        job.blobs[6..9],
        ["k3m9p2xw7q", "job-0001", "PROVISION_PLATFORM"]
    );
    assert_eq!(by_operation("POST /jobs").blobs[5], "error");
    assert!(spans.iter().all(|s| s.index1 == "tr_demo0001"));

    // Core services write nno-core-ops, one point per request, each naming the platform the
    // operation was for (seed §3.2 blob4, from the handler's platform context).
    let ops = points(dir.path(), "nno-core-ops");
    assert!(ops.iter().all(|p| p.blobs[3] == "k3m9p2xw7q"), "{ops:?}");
    let mut outcomes: Vec<(String, String)> = points(dir.path(), "nno-core-ops")
        .into_iter()
        .map(|p| (p.blobs[0].clone(), p.blobs[2].clone()))
        .collect();
    outcomes.sort();
    assert_eq!(
        outcomes,
        [
            ("gateway".to_owned(), "error".to_owned()),
            ("provisioning".to_owned(), "error".to_owned()),
            // The job's own point (PROVISION_PLATFORM, blob5 its id).
            ("provisioning".to_owned(), "error".to_owned()),
            ("registry".to_owned(), "success".to_owned()),
        ]
    );
    assert_eq!(points(dir.path(), "nno_metrics").len(), 1);
}
