//! Runs the demo as a user would and checks what it wrote: the console, and the local store.

use serde_json::Value;
use std::process::Command;

fn read_lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn the_demo_plays_the_scenario_into_console_and_store() {
    let dir = std::env::temp_dir().join(format!("nno-obs-demo-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let output = Command::new(env!("CARGO_BIN_EXE_nno-obs-demo"))
        .args(["--store", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();

    // The console: info/warn/debug lines on stdout, the failed step on stderr, and the store's
    // location at the end.
    let canonical = std::fs::canonicalize(&dir).unwrap();
    assert!(
        stdout.contains(&format!("local store in {}", canonical.display())),
        "{stdout}"
    );
    let errors: Vec<Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["message"], "step failed");
    assert_eq!(errors[0]["step"], "configure-dns");

    // The store holds every line, all in the client's trace.
    let logs = read_lines(&dir.join("logs.ndjson"));
    assert_eq!(
        logs.len(),
        stdout.lines().filter(|l| l.starts_with('{')).count() + 1
    );
    assert!(logs.iter().all(|line| line["traceId"] == "tr_demo0001"));
    let services: Vec<&str> = logs
        .iter()
        .map(|l| l["service"].as_str().unwrap())
        .collect();
    assert_eq!(services.first(), Some(&"gateway"));
    assert!(services.contains(&"registry") && services.contains(&"provisioning"));
    let response = logs.iter().find(|l| l["message"] == "← response").unwrap();
    assert_eq!(response["status"], 502);

    // Spans: the job and its three steps form one tree; the third step failed.
    let spans = read_lines(&dir.join("nno-core-ops-spans.ndjson"));
    assert_eq!(spans.len(), 4);
    let job = spans
        .iter()
        .find(|s| s["blobs"][4] == "PROVISION_PLATFORM")
        .unwrap();
    let steps: Vec<&Value> = spans
        .iter()
        .filter(|s| s["blobs"][4] != "PROVISION_PLATFORM")
        .collect();
    assert!(steps.iter().all(|s| s["blobs"][2] == job["blobs"][1]));
    assert_eq!(job["blobs"][5], "error");
    assert_eq!(steps[2]["blobs"][4], "configure-dns");
    assert_eq!(steps[2]["blobs"][5], "error");
    assert!(spans
        .iter()
        .all(|s| s["indexes"][0] == "tr_demo0001" && s["blobs"][6] == "k3m9p2xw7q"));

    let core_ops = read_lines(&dir.join("nno-core-ops.ndjson"));
    let outcomes: Vec<(&str, &str)> = core_ops
        .iter()
        .map(|p| {
            (
                p["blobs"][0].as_str().unwrap(),
                p["blobs"][2].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("registry", "success"),
            ("provisioning", "error"),
            ("gateway", "error")
        ]
    );
    assert_eq!(read_lines(&dir.join("nno_metrics.ndjson")).len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}
