//! `nno-obs logs search --follow`: new matching entries print as the store is written.

use nno_obs::clock::Clock;
use nno_obs::{fields, Obs, Telemetry};
use nno_obs_store::fs::{EventMeta, Invocation, LocalStore};
use nno_obs_store::layout::ScriptName;
use nno_obs_store::record::Outcome;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// 2026-02-22T10:34:00Z.
const T0: u64 = 1_771_756_440_000;

fn write(store: &Arc<LocalStore>, at: u64, trace: &str, message: &str) {
    let clock = Clock::manual(at);
    let capture = Invocation::start(store.clone(), clock.clone());
    let telemetry = Telemetry::builder()
        .log_sink(capture.clone())
        .clock(clock)
        .build();
    let obs = Obs::from_headers(telemetry, "registry", &[("x-trace-id", trace)]);
    obs.warn(message, fields! { n: 1 });
    let script = ScriptName::parse("nno-registry-prod").unwrap();
    capture
        .finish(
            &script,
            Outcome::Ok,
            EventMeta::fetch("GET", "https://r.example/", 200),
        )
        .unwrap();
}

#[test]
fn follow_prints_what_is_written_after_it_started_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(LocalStore::open(dir.path()).unwrap());
    write(&store, T0, "tr-before", "slow query");
    write(&store, T0 + 1, "tr-other", "not a match");

    let mut child = Command::new(assert_cmd::cargo::cargo_bin("nno-obs"))
        .args(["logs", "search", "--store", dir.path().to_str().unwrap()])
        .args([
            "--text",
            "slow",
            "--format",
            "ndjson",
            "--follow",
            "--follow-polls",
            "60",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (lines, received) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let next = || received.recv_timeout(Duration::from_secs(30)).unwrap();

    // What was there when it started.
    assert!(next().contains("tr-before"));
    // Written while it follows: printed once, in order; the non-matching line never.
    write(&store, T0 + 60_000, "tr-after-1", "slow query again");
    write(&store, T0 + 60_001, "tr-skip", "fast");
    write(&store, T0 + 60_002, "tr-after-2", "slow, slower");
    assert!(next().contains("tr-after-1"));
    assert!(next().contains("tr-after-2"));
    // Nothing printed twice across polls.
    assert!(received.recv_timeout(Duration::from_millis(2500)).is_err());
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn follow_of_a_range_that_has_ended_prints_it_and_exits() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(LocalStore::open(dir.path()).unwrap());
    write(&store, T0, "tr-before", "slow query");
    store.close().unwrap();
    // No --follow-polls: without the rule it would poll forever (the test's timeout would
    // fail it).
    let output = assert_cmd::Command::cargo_bin("nno-obs")
        .unwrap()
        .args(["logs", "search", "--store", dir.path().to_str().unwrap()])
        .args(["--text", "slow", "--format", "ndjson", "--follow"])
        .args([
            "--from",
            "2026-02-22T10:00:00Z",
            "--to",
            "2026-02-22T11:00:00Z",
        ])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("tr-before"));
}

#[test]
fn a_followed_table_prints_its_header_once_and_csv_its_header_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(LocalStore::open(dir.path()).unwrap());
    write(&store, T0, "tr-other", "fast");
    for (format, header) in [("table", "TIME "), ("csv", "time,level")] {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("nno-obs"))
            .args(["logs", "search", "--store", dir.path().to_str().unwrap()])
            .args(["--text", "slow", "--format", format, "--color", "never"])
            .args(["--follow", "--follow-polls", "60"])
            .env("COLUMNS", "120")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let (lines, received) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let mut seen = Vec::new();
        let mut until = |needle: &str| loop {
            let line = received.recv_timeout(Duration::from_secs(30)).unwrap();
            seen.push(line.clone());
            if line.contains(needle) {
                break;
            }
        };
        // Nothing matches when it starts; then two batches, polls apart.
        let trace_1 = format!("tr-{format}-1");
        let trace_2 = format!("tr-{format}-2");
        write(&store, T0 + 60_000, &trace_1, "slow query");
        until(&trace_1);
        write(&store, T0 + 120_000, &trace_2, "slow again");
        until(&trace_2);
        let _ = child.kill();
        let _ = child.wait();
        let headers = seen.iter().filter(|l| l.starts_with(header)).count();
        assert_eq!(headers, 1, "{format}: {seen:#?}");
        assert!(seen[0].starts_with(header), "{format}: {seen:#?}");
    }
}

#[test]
fn follow_refuses_one_json_document() {
    let dir = tempfile::tempdir().unwrap();
    let output = assert_cmd::Command::cargo_bin("nno-obs")
        .unwrap()
        .args(["logs", "search", "--store", dir.path().to_str().unwrap()])
        .args(["--format", "json", "--follow"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("--format ndjson"), "{stderr}");
}
