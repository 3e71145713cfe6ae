//! The sinks, observed from outside: real stdout/stderr of a child process; memory and tee.
//! (The local store's crash test is in nno-obs-store.)

use nno_obs::sink::{LogLine, LogSink, MemorySink, Tee};
use nno_obs::{Binding, LogLevel, Obs, Telemetry};
use nno_obs_tests::{json_lines, memory_telemetry};
use std::process::Command;

const EMIT: &str = env!("CARGO_BIN_EXE_nno-obs-emit");

fn run(args: &[&str]) -> std::process::Output {
    Command::new(EMIT)
        .args(args)
        .output()
        .expect("run nno-obs-emit")
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
