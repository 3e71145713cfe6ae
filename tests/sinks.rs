//! The sinks, observed from outside: real stdout/stderr of a child process, and the NDJSON
//! store read back after a crash.

use nno_obs::sink::{LogLine, LogSink, MemorySink, NdjsonStore, Tee};
use nno_obs::{fields, Binding, LogLevel, Obs, Telemetry};
use nno_obs_tests::{json_lines, memory_telemetry};
use std::process::Command;
use std::sync::Arc;

const EMIT: &str = env!("CARGO_BIN_EXE_nno-obs-emit");

fn run(args: &[&str]) -> std::process::Output {
    Command::new(EMIT)
        .args(args)
        .output()
        .expect("run nno-obs-emit")
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("nno-obs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn console_writes_error_to_stderr_and_the_rest_to_stdout() {
    let output = run(&["console"]);
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    let out_lines = json_lines(&stdout);
    let err_lines = json_lines(&stderr);
    assert_eq!(out_lines.len(), 3, "{stdout}");
    assert_eq!(err_lines.len(), 1, "{stderr}");
    let levels: Vec<String> = out_lines
        .iter()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["level"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(levels, ["info", "warn", "debug"]);
    let error: serde_json::Value = serde_json::from_str(err_lines[0]).unwrap();
    assert_eq!(error["level"], "error");
    assert_eq!(error["traceId"], "tr_abc123");
    assert_eq!(error["requestId"], "req-1");
    assert_eq!(error["n"], 4);
    // Exactly the line and its newline: nothing else on stdout.
    assert_eq!(stdout.lines().count(), 3);
}

#[test]
fn record_metric_without_binding_prints_the_development_line_on_stdout() {
    let output = run(&["metric-fallback"]);
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.stderr.is_empty());
    let line = stdout.strip_suffix('\n').unwrap();
    let prefix = r#"{"metric":"gateway.request.count","value":1,"labels":{"route":"/api/data","method":"GET"},"timestamp":""#;
    assert!(line.starts_with(prefix), "{line}");
    let timestamp = &line[prefix.len()..line.len() - 2];
    assert_eq!(&line[line.len() - 2..], "\"}");
    assert_eq!(timestamp.len(), 24);
    assert!(timestamp.ends_with('Z'));
}

#[test]
fn the_store_survives_a_crash_without_torn_lines() {
    let dir = temp_dir("crash");
    let output = run(&["store-crash", dir.to_str().unwrap()]);
    assert!(!output.status.success(), "the child must have aborted");

    let logs = std::fs::read_to_string(dir.join("logs.ndjson")).unwrap();
    assert!(logs.ends_with('\n'));
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // 500 steps, the one warning of the request's exhausted point budget, and whatever the
    // two busy threads wrote before the abort — every one of them whole.
    assert!(lines.len() > 501, "the busy writers wrote nothing");
    assert!(lines[501..].iter().all(|l| l["message"] == "busy"));
    let steps: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["message"] == "step completed")
        .collect();
    assert_eq!(steps.len(), 500);
    for (n, step) in steps.iter().enumerate() {
        assert_eq!(step["n"], n);
    }
    assert_eq!(
        lines
            .iter()
            .filter(|l| l["message"] == "data point budget exceeded")
            .count(),
        1
    );

    let ops = std::fs::read_to_string(dir.join("nno-core-ops.ndjson")).unwrap();
    let ops: Vec<serde_json::Value> = ops
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // The request budget stops points after 250 writes (core ops and metrics together).
    let metrics = std::fs::read_to_string(dir.join("nno_metrics.ndjson")).unwrap();
    assert_eq!(ops.len(), 250);
    assert_eq!(ops[0]["dataset"], "nno-core-ops");
    assert_eq!(ops[0]["blobs"][0], "provisioning");
    assert_eq!(ops[0]["indexes"][0], "provisioning");
    // Points written through a dataset handle directly are not limited by the request budget.
    assert_eq!(metrics.lines().count(), 500);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_second_reader_sees_whole_lines_while_the_store_is_written() {
    let dir = temp_dir("reader");
    let store = Arc::new(NdjsonStore::open(&dir).unwrap());
    let telemetry = Telemetry::builder()
        .log_sink(store.clone())
        .all_datasets(store.clone())
        .build();
    let writer = std::thread::spawn({
        let telemetry = telemetry.clone();
        move || {
            let logger = telemetry.logger("registry");
            for n in 0..2000 {
                logger.info("tick", fields! { n: n, pad: "p".repeat(n % 700) });
            }
        }
    });
    let mut reads = 0;
    while !writer.is_finished() || reads == 0 {
        let text = std::fs::read_to_string(store.log_path()).unwrap();
        // Every complete line parses; at most the last one may be incomplete... and the store
        // never produces one, because each line is a single append.
        if !text.is_empty() {
            assert!(text.ends_with('\n'));
        }
        for line in text.lines() {
            serde_json::from_str::<serde_json::Value>(line).unwrap();
        }
        reads += 1;
    }
    writer.join().unwrap();
    assert_eq!(
        std::fs::read_to_string(store.log_path())
            .unwrap()
            .lines()
            .count(),
        2000
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn reopening_the_store_appends() {
    let dir = temp_dir("append");
    for round in 0..2 {
        let store = NdjsonStore::open(&dir).unwrap();
        store
            .write_line(
                LogLevel::Info,
                LogLine::new(&format!("{{\"round\":{round}}}\n")),
            )
            .unwrap();
    }
    let text = std::fs::read_to_string(dir.join("logs.ndjson")).unwrap();
    assert_eq!(text, "{\"round\":0}\n{\"round\":1}\n");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn memory_sink_finds_lines_and_points() {
    let (telemetry, memory, _) = memory_telemetry(Some("k3m9p2xw7q"));
    let a = Obs::from_headers(telemetry.clone(), "gateway", &[("x-trace-id", "tr_a")]);
    let b = Obs::from_headers(telemetry, "gateway", &[("x-trace-id", "tr_b")]);
    a.info("one", &[]);
    b.info("one", &[]);
    a.warn("two", &[]);
    a.record_perf("analytics", "GET /", 200, 1);
    assert_eq!(memory.lines_with_trace("tr_a").len(), 2);
    assert_eq!(memory.lines_with_message("one").len(), 2);
    assert_eq!(memory.lines()[2].message().as_deref(), Some("two"));
    assert_eq!(memory.points_in("k3m9p2xw7q-perf").len(), 1);
    assert!(memory.points_in("nno-core-ops").is_empty());
    memory.clear();
    assert!(memory.lines().is_empty() && memory.points().is_empty());
}

#[test]
fn tee_writes_to_both_and_a_failing_log_sink_is_counted() {
    struct Full;
    impl LogSink for Full {
        fn write_line(&self, _: LogLevel, _: LogLine<'_>) -> std::io::Result<()> {
            Err(std::io::Error::other("disk full"))
        }
    }
    let memory = MemorySink::new();
    let telemetry = Telemetry::builder()
        .log_sink(Tee(Full, memory.clone()))
        .build();
    telemetry.logger("registry").info("still captured", &[]);
    assert_eq!(memory.lines().len(), 1);
    assert_eq!(telemetry.stats().lines_failed, 1);
    assert_eq!(telemetry.stats().lines_written, 0);
}

#[test]
fn min_level_filters_lines() {
    let memory = MemorySink::new();
    let telemetry = Telemetry::builder()
        .log_sink(memory.clone())
        .min_level(LogLevel::Info)
        .build();
    let logger = telemetry.logger("registry");
    logger.debug("hidden", &[]);
    logger.info("shown", &[]);
    assert_eq!(memory.lines().len(), 1);
    assert!(telemetry.dataset(Binding::Spans).is_none());
}
