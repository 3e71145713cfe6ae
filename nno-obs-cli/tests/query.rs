//! `nno-obs query` and `nno-obs trace` as a user runs them, on a simulated store (3 platforms,
//! 2 hours, seed 1, ending 2026-11-28T09:00:00Z: its incidents are at fixed times).

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const UNTIL: &str = "2026-11-28T09:00:00Z";
const UNTIL_S: i64 = 1_795_856_400;

fn store() -> &'static Path {
    static STORE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = STORE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        let status = Command::cargo_bin("nno-obs")
            .unwrap()
            .args([
                "simulate",
                "--platforms",
                "3",
                "--hours",
                "2",
                "--seed",
                "1",
            ])
            .args(["--until", UNTIL, "--threads", "2"])
            .arg("--store")
            .arg(&path)
            .output()
            .unwrap()
            .status;
        assert!(status.success());
        (dir, path)
    });
    path
}

fn nno_obs(args: &[&str]) -> (bool, String, String) {
    let output = Command::cargo_bin("nno-obs")
        .unwrap()
        .args(args)
        .env("NNO_OBS_STORE", store())
        .env_remove("CF_ACCOUNT_ID")
        .env_remove("CF_ANALYTICS_READ_TOKEN")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn features_print_an_aligned_table() {
    let (ok, out, err) = nno_obs(&[
        "query",
        "features",
        "--platform",
        "k3m9p2xw7q",
        "--range",
        "2h",
        "--until",
        UNTIL,
    ]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("feature    requests  req/min"),
        "{out}"
    );
    assert_eq!(lines.len(), 5, "{out}");
    // Numbers are right-aligned under their header.
    let end = lines[0].find("requests").unwrap() + "requests".len();
    for row in &lines[1..] {
        assert!(row[..end].ends_with(|c: char| c.is_ascii_digit()), "{row}");
    }
    for feature in ["analytics", "auth", "exports", "reports"] {
        assert!(out.contains(feature), "{out}");
    }
}

#[test]
fn json_and_csv_carry_the_same_rows() {
    let common = [
        "--platform",
        "k3m9p2xw7q",
        "--range",
        "2h",
        "--until",
        UNTIL,
    ];
    let (ok, json, _) = nno_obs(
        &[
            &["query", "slowest-endpoints", "--format", "json"][..],
            &common,
        ]
        .concat(),
    );
    assert!(ok);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let (ok, csv, _) = nno_obs(
        &[
            &["query", "slowest-endpoints", "--format", "csv"][..],
            &common,
        ]
        .concat(),
    );
    assert!(ok);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "feature,endpoint,requests,errors,error %,avg ms,p95 ms"
    );
    assert_eq!(lines.len(), rows.len() + 1);
    assert!(!rows.is_empty() && rows.len() <= 10);
    assert!(lines[1].starts_with(&format!(
        "{},{},{}",
        rows[0]["feature"].as_str().unwrap(),
        rows[0]["endpoint"].as_str().unwrap(),
        rows[0]["requests"]
    )));
}

#[test]
fn sql_prints_the_statement_with_the_same_bounds() {
    let (ok, out, _) = nno_obs(&[
        "query",
        "features",
        "--platform",
        "k3m9p2xw7q",
        "--until",
        UNTIL,
        "--sql",
    ]);
    assert!(ok);
    assert!(out.contains("FROM \"k3m9p2xw7q-perf\""), "{out}");
    assert!(
        out.contains(&format!(
            "timestamp >= toDateTime({}) AND timestamp < toDateTime({UNTIL_S})",
            UNTIL_S - 86_400
        )),
        "{out}"
    );
    assert!(out.trim_end().ends_with(';'));
    let (ok, out, _) = nno_obs(&[
        "query",
        "fleet",
        "--platform",
        "k3m9p2xw7q",
        "--platform",
        "bud8m6y4fn",
        "--sql",
        "--until",
        UNTIL,
    ]);
    assert!(ok);
    assert_eq!(out.lines().count(), 2, "one statement per platform: {out}");
}

#[test]
fn the_incidents_show() {
    // The silent auth Worker (bud8m6y4fn, 08:06–08:09).
    let (ok, out, err) = nno_obs(&[
        "query",
        "health",
        "--platform",
        "bud8m6y4fn",
        "--range",
        "2h",
        "--until",
        "2026-11-28T08:09:00Z",
        "--window",
        "3m",
    ]);
    assert!(ok, "{err}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("auth ") && l.contains("silent")),
        "{out}"
    );
    // The failed provisioning job, with its steps, its id, operation and platform.
    let (ok, out, _) = nno_obs(&["query", "failed-jobs", "--range", "2h", "--until", UNTIL]);
    assert!(ok);
    assert!(
        out.contains("configure-dns:error") && out.contains("rollback:ok"),
        "{out}"
    );
    assert!(
        out.contains("job-prov-failed-0001") && out.contains("PROVISION_PLATFORM"),
        "{out}"
    );
    assert!(!out.contains("nno-internal"), "the job's platform: {out}");
    // One job by its id; an id no job has is no row; the flag is only for failed-jobs.
    let by_id = |id: &str| {
        let (ok, json, err) = nno_obs(&[
            "query",
            "failed-jobs",
            "--range",
            "2h",
            "--until",
            UNTIL,
            "--job-id",
            id,
            "--format",
            "json",
        ]);
        assert!(ok, "{err}");
        serde_json::from_str::<Vec<serde_json::Value>>(&json).unwrap()
    };
    let one = by_id("job-prov-failed-0001");
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["job_id"], "job-prov-failed-0001");
    assert!(by_id("job-none").is_empty());
    let (ok, _, err) = nno_obs(&["query", "jobs", "--job-id", "job-prov-failed-0001"]);
    assert!(!ok && err.contains("--job-id does not apply"), "{err}");
    // Every platform in the fleet overview, the order said above the table.
    let (ok, out, _) = nno_obs(&["query", "fleet", "--range", "2h", "--until", UNTIL]);
    assert!(ok);
    assert_eq!(out.lines().count(), 5, "{out}");
    assert_eq!(
        out.lines().next(),
        Some("platforms by 5xx rate, worst first")
    );
}

#[test]
fn fleet_puts_the_worst_platform_first_in_every_format() {
    // The analytics 5xx spike (k3m9p2xw7q, 07:48–07:53) makes its platform the worst hour.
    let args = [
        "query",
        "fleet",
        "--since",
        "30m",
        "--until",
        "2026-11-28T08:00:00Z",
    ];
    let (ok, out, err) = nno_obs(&[&args[..], &["--format", "json"]].concat());
    assert!(ok, "{err}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let rates: Vec<f64> = rows
        .iter()
        .map(|r| r["error_rate"].as_f64().unwrap_or(-1.0))
        .collect();
    assert_eq!(rows[0]["platform"], "k3m9p2xw7q", "{out}");
    assert!(rates.windows(2).all(|w| w[0] >= w[1]), "{rates:?}");
    let (ok, out, _) = nno_obs(&[&args[..], &["--format", "csv"]].concat());
    assert!(ok);
    assert!(
        out.lines().nth(1).unwrap().starts_with("k3m9p2xw7q,"),
        "{out}"
    );
}

#[test]
fn heatmap_draws_a_grid_on_a_table_and_keeps_rows_in_json() {
    let args = [
        "query", "heatmap", "--since", "2h", "--until", UNTIL, "--bucket", "5m",
    ];
    let (ok, out, err) = nno_obs(&args);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "5xx rate per platform and 5m bucket, 2026-11-28T07:00:00.000Z → \
         2026-11-28T09:00:00.000Z (UTC)"
    );
    assert_eq!(
        lines[1].trim_end(),
        format!("platform{}07{}08", " ".repeat(4), " ".repeat(22))
    );
    // 24 buckets of two characters per platform; the spike (07:48–07:53) shades
    // k3m9p2xw7q's 07:45 and 07:50 buckets (the 10th and 11th), and only those.
    let spike = lines.iter().find(|l| l.starts_with("k3m9p2xw7q")).unwrap();
    let cells: Vec<char> = spike.chars().skip(12).take(48).collect();
    assert!(cells[..9 * 2].iter().all(|c| *c == '░'), "{spike}");
    assert!(cells[9 * 2..11 * 2].iter().all(|c| *c == '▒'), "{spike}");
    assert!(cells[11 * 2..].iter().all(|c| *c == '░'), "{spike}");
    assert_eq!(lines.len(), 2 + 3 + 1, "{out}");
    assert!(lines[5].starts_with("· no traffic   ░ < 1 %"), "{out}");
    // json: the rows, one per platform and bucket.
    let (ok, out, _) = nno_obs(&[&args[..], &["--format", "json"]].concat());
    assert!(ok);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(rows.len(), 3 * 24);
}

#[test]
fn health_never_calls_a_silent_worker_ok_and_says_its_window() {
    // 08:09: the auth Worker of bud8m6y4fn has been silent since 08:06. The default 15-minute
    // window has 12 minutes of its traffic, yet the light is silent (seed §6.2: 0 requests
    // for 2 minutes), not ok.
    let (ok, out, err) = nno_obs(&[
        "query",
        "health",
        "--platform",
        "bud8m6y4fn",
        "--range",
        "2h",
        "--until",
        "2026-11-28T08:09:00Z",
    ]);
    assert!(ok, "{err}");
    let auth = out.lines().find(|l| l.starts_with("auth ")).unwrap();
    assert!(auth.contains("silent") && !auth.contains(" ok "), "{out}");
    assert!(
        err.contains(
            "health judged on 2026-11-28T07:54:00.000Z → 2026-11-28T08:09:00.000Z (15m); \
             silent: no request in its last 2m (seed §6.2)"
        ),
        "{err}"
    );
    // The same Worker before its silence is judged on its traffic.
    let (ok, out, err) = nno_obs(&[
        "query",
        "health",
        "--platform",
        "bud8m6y4fn",
        "--range",
        "2h",
        "--until",
        "2026-11-28T08:06:00Z",
    ]);
    assert!(ok, "{err}");
    let auth = out.lines().find(|l| l.starts_with("auth ")).unwrap();
    assert!(!auth.contains("silent"), "{out}");
}

#[test]
fn trace_draws_the_waterfall_then_the_log_lines() {
    let (ok, json, _) = nno_obs(&[
        "query",
        "failed-jobs",
        "--range",
        "2h",
        "--until",
        UNTIL,
        "--format",
        "json",
    ]);
    assert!(ok);
    let jobs: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let trace = jobs[0]["trace_id"].as_str().unwrap().to_owned();
    let (ok, out, err) = nno_obs(&["trace", &trace, "--until", UNTIL]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], format!("trace {trace}: 8 spans"));
    assert!(
        lines[1].starts_with("span ") && lines[1].ends_with("outcome"),
        "{out}"
    );
    assert!(
        lines[2].starts_with("gateway POST /api/platforms/:id/activate"),
        "{out}"
    );
    assert!(
        out.contains("      provisioning run-job") && out.contains('█'),
        "{out}"
    );
    assert!(out.contains("log lines"), "{out}");
    assert!(
        out.contains("job failed") && out.contains("rollback started"),
        "{out}"
    );
    let (ok, json, _) = nno_obs(&["trace", &trace, "--until", UNTIL, "--format", "json"]);
    assert!(ok);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["spans"].as_array().unwrap().len(), 8);
    let (_, older, _) = nno_obs(&["trace", &trace, "--until", UNTIL, "--json"]);
    assert_eq!(older, json, "--json is --format json");
    assert!(doc["logs"].as_array().unwrap().len() >= 10);

    // The read API answers the same trace with the same document (one library call).
    let from_api = api_get(&format!("/api/observability/traces/{trace}"));
    assert_eq!(doc, from_api);
}

#[test]
fn a_trace_is_not_cut_by_a_range() {
    // The failed job's trace looked up from a moment long after it: every span is still found
    // (the lookup has no time filter, seed §4.2), and looked up just after its root ended.
    let (_, json, _) = nno_obs(&[
        "query",
        "failed-jobs",
        "--range",
        "2h",
        "--until",
        UNTIL,
        "--format",
        "json",
    ]);
    let jobs: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let trace = jobs[0]["trace_id"].as_str().unwrap().to_owned();
    for until in ["2026-12-20T00:00:00Z", UNTIL] {
        let (ok, json, err) = nno_obs(&["trace", &trace, "--until", until, "--json"]);
        assert!(ok, "{until}: {err}");
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        let spans = doc["spans"].as_array().unwrap();
        assert_eq!(spans.len(), 8, "{until}");
        let roots = spans.iter().filter(|s| s["parentSpanId"] == "").count();
        assert_eq!(roots, 1, "{until}: one root, no dangling parent");
    }
}

#[test]
fn mistakes_are_errors_with_a_message() {
    for (args, says) in [
        (&["query", "features"][..], "give one --platform"),
        (
            &["query", "features", "--platform", "../etc"][..],
            "platform id",
        ),
        (
            &["query", "jobs", "--platform", "k3m9p2xw7q"][..],
            "operator question",
        ),
        (
            &[
                "query",
                "features",
                "--platform",
                "k3m9p2xw7q",
                "--feature",
                "a\u{1}b",
            ][..],
            "control character",
        ),
        (
            &[
                "query",
                "features",
                "--platform",
                "k3m9p2xw7q",
                "--range",
                "24 hours",
            ][..],
            "not a length",
        ),
        (
            &["query", "heatmap", "--bucket", "7m"][..],
            "does not divide a day",
        ),
        (
            &["query", "features", "--platform", "k3m9p2xw7q", "--cfae"][..],
            "CF_ACCOUNT_ID",
        ),
        (&["trace", "tr\u{1}x"][..], "traceId"),
        (
            &["query", "fleet", "--feature", "analytics"][..],
            "--feature does not apply to `fleet`",
        ),
        (
            &[
                "query",
                "features",
                "--platform",
                "k3m9p2xw7q",
                "--bucket",
                "5m",
            ][..],
            "--bucket does not apply to `features` (only to heatmap)",
        ),
        (
            &["query", "heatmap", "--window", "5m"][..],
            "--window does not apply to `heatmap`",
        ),
        (
            &["trace", "no-such-trace"][..],
            "no span and no log line in the 90 days",
        ),
    ] {
        let (ok, _, err) = nno_obs(args);
        assert!(!ok, "{args:?}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

// `nno-obs slo status` and the alert evaluator on the same simulated store: its incidents are
// at fixed times (the schedule's fractions of 07:00–09:00).

#[test]
fn slo_status_reports_every_objective_and_the_registry_breach() {
    let (ok, out, err) = nno_obs(&[
        "slo",
        "status",
        "--at",
        "2026-11-28T07:40:00Z",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let reports: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    // Every row of seed §5 is there, the sourceless ones saying so.
    for id in [
        "gateway-5xx",
        "registry-read-p99",
        "feature-5xx",
        "pages-build-duration",
    ] {
        assert!(reports.iter().any(|r| r["id"] == id), "{id}");
    }
    let ttfb: Vec<_> = reports.iter().filter(|r| r["id"] == "shell-ttfb").collect();
    assert_eq!(ttfb.len(), 3, "one per platform");
    assert!(ttfb.iter().all(|r| r["noDataSource"].is_string()));
    // Slow registry reads (07:36–07:42): p99 above the 300 ms alert threshold.
    let read = reports
        .iter()
        .find(|r| r["id"] == "registry-read-p99")
        .unwrap();
    assert_eq!(read["alertCrossed"], true, "{read}");
    assert_eq!(read["inBreach"], true);
    assert!(read["value"].as_f64().unwrap() > 300.0);
}

#[test]
fn slo_status_of_one_platform_is_an_aligned_table() {
    let (ok, out, err) = nno_obs(&[
        "slo",
        "status",
        "--platform",
        "k3m9p2xw7q",
        "--at",
        "2026-11-28T08:00:00Z",
    ]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("objective "), "{out}");
    // A platform admin's view: no core service, only this platform.
    assert!(!out.contains("NNO Gateway"), "{out}");
    assert!(out.contains("k3m9p2xw7q analytics"), "{out}");
    let status_column = lines[0].find("status").unwrap();
    for line in &lines[1..lines.len() - 1] {
        let cell = &line[status_column..];
        assert!(
            ["ok", "missed", "breach", "no data"]
                .iter()
                .any(|v| cell.starts_with(v)),
            "{line}"
        );
    }
    assert!(lines.last().unwrap().ends_with("in breach"), "{out}");
    let (ok, _, err) = nno_obs(&["slo", "status", "--platform", "../etc"]);
    assert!(!ok);
    assert!(err.contains("--platform"), "{err}");
}

#[test]
fn alerts_replay_fires_each_incident_of_the_store() {
    let (ok, out, err) = nno_obs(&[
        "alerts", "replay", "--since", "2h", "--until", UNTIL, "--format", "json",
    ]);
    assert!(ok, "{err}");
    let episodes: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = episodes.iter().map(|e| e["id"].as_str().unwrap()).collect();
    for prefix in [
        "provisioning-job-failed/",
        "registry-latency/nno/registry-read-p99",
        "worker-error-spike/k3m9p2xw7q/analytics",
        "auth-worker-down/",
        "provisioning-job-timeout/",
        "pages-build-failure/",
        "usage-threshold/",
    ] {
        assert!(
            ids.iter().any(|id| id.starts_with(prefix)),
            "{prefix}: {ids:?}"
        );
    }
    let spike = episodes
        .iter()
        .find(|e| e["id"] == "worker-error-spike/k3m9p2xw7q/analytics")
        .unwrap();
    assert_eq!(spike["severity"], "high");
    assert_eq!(spike["recipients"], serde_json::json!(["platform-admin"]));
}

#[test]
fn alerts_check_measures_the_store_and_prints_the_message() {
    let state = tempfile::tempdir().unwrap();
    let state = state.path().join("state.json");
    let (ok, out, err) = nno_obs(&[
        "alerts",
        "check",
        "--at",
        "2026-11-28T07:52:00Z",
        "--dry-run",
        "--messages",
        "--state",
        state.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("\n=== worker-error-spike/k3m9p2xw7q/analytics\n[NNO ALERT]"),
        "{out}"
    );
    assert!(
        out.contains("[NNO ALERT] Platform k3m9p2xw7q — analytics Worker error rate critical"),
        "{out}"
    );
    assert!(out.contains("Affected endpoints:"), "{out}");
    assert!(
        out.contains(
            "Trace a recent error: https://portal.nno.app/platforms/k3m9p2xw7q/logs?traceId="
        ),
        "{out}"
    );
    // A dry run changes nothing.
    assert!(!state.exists());
}

#[test]
fn slo_status_range_sets_every_window() {
    let (ok, out, err) = nno_obs(&[
        "slo",
        "status",
        "--platform",
        "k3m9p2xw7q",
        "--at",
        "2026-11-28T08:00:00Z",
        "--range",
        "1h",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let reports: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert!(reports.iter().all(|r| r["windowMinutes"] == 60), "{out}");
    let analytics = reports
        .iter()
        .find(|r| r["id"] == "feature-5xx" && r["subject"] == "k3m9p2xw7q analytics")
        .unwrap();
    // An hour of traffic: far more events than five minutes hold.
    assert!(analytics["events"].as_u64().unwrap() > 100, "{analytics}");
}

/// A points row with a millisecond timestamp is counted (cut to its second); a line no reader
/// can take is reported by one warning on stderr, never dropped without a word.
#[test]
fn rows_that_cannot_be_read_are_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let hour = dir
        .path()
        .join("analytics-engine/k3m9p2xw7q-perf/2026-02-22/10");
    std::fs::create_dir_all(&hour).unwrap();
    let row = |timestamp: &str| {
        format!(
            r#"{{"timestamp":"{timestamp}","index1":"analytics","blob1":"analytics","blob2":"GET /a","blob3":"200","blob4":"","double1":1,"double2":45,"double3":0,"_sample_interval":1}}"#
        )
    };
    let run = |lines: &[String]| {
        std::fs::write(hour.join("points-1.json"), lines.join("\n")).unwrap();
        let output = Command::cargo_bin("nno-obs")
            .unwrap()
            .args([
                "query",
                "features",
                "--platform",
                "k3m9p2xw7q",
                "--range",
                "1h",
            ])
            .args([
                "--until",
                "2026-02-22T11:00:00Z",
                "--format",
                "json",
                "--store",
            ])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(output.status.success());
        (
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    let (out, err) = run(&[
        row("2026-02-22 10:34:00.123"),
        row("2026-02-22T10:34:01Z"),
        row("not a time"),
    ]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json[0]["requests"], 2, "{out}");
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
    assert!(err.contains("1 line(s)"), "{err}");
    let (_, err) = run(&[row("2026-02-22 10:34:00")]);
    assert!(!err.contains("warning"), "{err}");
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    // `nno-obs logs search | head -1`: the reader goes away after one line.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("nno-obs"))
        .args([
            "logs",
            "search",
            "--from",
            "2026-11-28T07:00:00Z",
            "--limit",
            "1000",
        ])
        .env("NNO_OBS_STORE", store())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
}

#[test]
fn missing_empty_or_stale_data_is_never_healthy() {
    let run = |store: &Path, args: &[&str]| {
        let output = Command::cargo_bin("nno-obs")
            .unwrap()
            .args(args)
            .env("NNO_OBS_STORE", store)
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    // No store: an error that names it, not "0 in breach".
    let missing = Path::new("/does/not/exist");
    for args in [
        &["slo", "status", "--breaches"][..],
        &["query", "fleet"][..],
        &["alerts", "check", "--dry-run"][..],
        &["trace", "tr_abc123"][..],
    ] {
        let (code, out, err) = run(missing, args);
        assert_eq!(code, Some(1), "{args:?}: {out}{err}");
        assert!(
            err.contains("no store at /does/not/exist"),
            "{args:?}: {err}"
        );
        assert!(!out.contains("in breach"), "{args:?}: {out}");
    }
    // An empty store: no data (exit 3), neither healthy nor on fire.
    let empty = tempfile::tempdir().unwrap();
    for args in [
        &["slo", "status"][..],
        &["query", "fleet"][..],
        &["alerts", "check", "--dry-run"][..],
    ] {
        let (code, out, err) = run(empty.path(), args);
        assert_eq!(code, Some(3), "{args:?}: {out}{err}");
        assert!(err.starts_with("no data: the store at"), "{args:?}: {err}");
    }
    // A store whose data ends before the window: no data, with the store's range.
    for args in [
        &["slo", "status", "--at", "2026-12-20T00:00:00Z"][..],
        &[
            "alerts",
            "check",
            "--dry-run",
            "--at",
            "2026-11-28T09:15:00Z",
        ][..],
        &["query", "fleet", "--until", "2026-12-20T00:00:00Z"][..],
    ] {
        let (code, out, err) = run(store(), args);
        assert_eq!(code, Some(3), "{args:?}: {out}{err}");
        assert!(
            err.contains("no data points in")
                && err.contains("data points 2026-11-28T07:00:00.000Z → 2026-11-28T09:00:00.000Z"),
            "{args:?}: {err}"
        );
        assert!(!out.contains("Critical"), "{args:?}: {out}");
    }
    // Inside the data, the answer says where it looked.
    let (code, _, err) = run(store(), &["slo", "status", "--at", UNTIL]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("objectives at 2026-11-28T09:00:00.000Z over the store at"),
        "{err}"
    );
}

#[test]
fn job_durations_read_as_durations() {
    let (ok, out, err) = nno_obs(&["query", "failed-jobs", "--since", "2h", "--until", UNTIL]);
    assert!(ok, "{err}");
    let header = out.lines().next().unwrap();
    assert!(
        header.contains("duration") && !header.contains("duration ms"),
        "{out}"
    );
    // The failed job ran a few seconds: "4.1 s", not "4107".
    let row = out.lines().nth(1).unwrap();
    assert!(
        row.split("  ")
            .any(|cell| cell.trim().ends_with(" s") || cell.trim().ends_with(" ms")),
        "{out}"
    );
}

#[test]
fn a_platform_without_data_is_said_with_the_platforms_that_have_some() {
    for args in [
        &[
            "query",
            "features",
            "--platform",
            "zzzzzzzzzz",
            "--until",
            UNTIL,
        ][..],
        &[
            "query",
            "fleet",
            "--platform",
            "zzzzzzzzzz",
            "--until",
            UNTIL,
        ][..],
    ] {
        let output = Command::cargo_bin("nno-obs")
            .unwrap()
            .args(args)
            .env("NNO_OBS_STORE", store())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{args:?}: {err}");
        assert!(
            err.starts_with("no data: for platform zzzzzzzzzz in the store at"),
            "{args:?}: {err}"
        );
        // The platforms that do have data are named, so the typo can be seen.
        let listed = err.split("platforms with data: ").nth(1).unwrap_or("");
        assert_eq!(
            listed.trim().trim_end_matches(')').split(", ").count(),
            3,
            "{err}"
        );
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

/// What `--format` printed has that format's shape: one JSON document, one JSON object a line,
/// a CSV header with rows, or a table (neither JSON nor CSV).
fn assert_shape(format: &str, out: &str, what: &str) {
    match format {
        "json" => {
            serde_json::from_str::<serde_json::Value>(out)
                .unwrap_or_else(|e| panic!("{what}: not one JSON document ({e}): {out}"));
        }
        "ndjson" => {
            for line in out.lines() {
                let value: serde_json::Value = serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("{what}: not a JSON line ({e}): {line}"));
                assert!(value.is_object(), "{what}: {line}");
            }
        }
        "csv" => {
            let header = out.lines().next().unwrap_or_default();
            assert!(
                header.contains(',') && !header.starts_with(['{', '[']),
                "{what}: {out}"
            );
        }
        _ => {
            assert!(!out.trim_start().starts_with(['{', '[']), "{what}: {out}");
            assert!(
                serde_json::from_str::<serde_json::Value>(out).is_err(),
                "{what}"
            );
        }
    }
}

#[test]
fn every_command_prints_the_formats_it_offers_and_refuses_the_rest() {
    let (ok, json, _) = nno_obs(&[
        "query",
        "failed-jobs",
        "--since",
        "2h",
        "--until",
        UNTIL,
        "--format",
        "json",
    ]);
    assert!(ok);
    let jobs: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let trace = jobs[0]["trace_id"].as_str().unwrap().to_owned();
    let all: &[&str] = &["table", "json", "ndjson", "csv"];
    let commands: [(&[&str], &[&str]); 6] = [
        (&["query", "fleet", "--since", "2h", "--until", UNTIL], all),
        (
            &[
                "query",
                "features",
                "--platform",
                "k3m9p2xw7q",
                "--since",
                "2h",
                "--until",
                UNTIL,
            ],
            all,
        ),
        (&["slo", "status", "--until", "2026-11-28T07:40:00Z"], all),
        (
            &["alerts", "replay", "--since", "30m", "--until", UNTIL],
            all,
        ),
        (&["trace", &trace, "--until", UNTIL], &["table", "json"]),
        (
            &["simulate", "--dry-run", "--platforms", "2", "--hours", "1"],
            &["table", "json"],
        ),
    ];
    for (command, offered) in commands {
        for format in all {
            let mut args = command.to_vec();
            args.extend(["--format", format]);
            let (ok, out, err) = nno_obs(&args);
            let what = format!("{command:?} --format {format}");
            if offered.contains(format) {
                assert!(ok, "{what}: {err}");
                assert_shape(format, &out, &what);
            } else {
                assert!(!ok && out.is_empty(), "{what}: {out}");
                let name = if command[0] == "trace" || command[0] == "simulate" {
                    command[0]
                } else {
                    ""
                };
                assert!(
                    err.contains(&format!("--format {format}: `{name}"))
                        && err.contains("prints table or json"),
                    "{what}: {err}"
                );
            }
        }
    }
    // `--json`, the older spelling of `--format json`, still works (hidden) everywhere.
    let (ok, out, err) = nno_obs(&[
        "query", "fleet", "--since", "2h", "--until", UNTIL, "--json",
    ]);
    assert!(ok, "{err}");
    assert_shape("json", &out, "--json");
    let (ok, out, _) = nno_obs(&["trace", &trace, "--until", UNTIL, "--json"]);
    assert!(ok);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["traceId"],
        trace
    );
    // A format that is not one of the four is the command line's mistake (status 2).
    let status = Command::cargo_bin("nno-obs")
        .unwrap()
        .args(["query", "fleet", "--format", "yaml"])
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(2));
}

/// GET `path` from the read API over the same store, as an operator, at `UNTIL`.
fn api_get(path: &str) -> serde_json::Value {
    let secret = nno_obs_api::jwt::JwtSecret::new(b"k".to_vec()).unwrap();
    let api = nno_obs_api::Api::new(
        nno_obs_api::local::LocalBackend::new(store())
            .with_clock(Box::new(|| UNTIL_S as u64 * 1000)),
        secret.clone(),
    );
    let token = nno_obs_api::jwt::mint(
        &nno_obs_api::jwt::Claims {
            sub: "t".into(),
            role: "operator".into(),
            platform_id: None,
            exp: UNTIL_S + 60,
            nbf: None,
        },
        &secret,
    );
    let header = format!("Bearer {token}");
    let (route, query) = path.split_once('?').unwrap_or((path, ""));
    let answer = pollster::block_on(api.handle(&nno_obs_api::http::Request {
        method: "GET",
        path: route,
        query,
        authorization: Some(&header),
        ..Default::default()
    }));
    assert_eq!(
        answer.status,
        200,
        "{path}: {}",
        String::from_utf8_lossy(&answer.body)
    );
    serde_json::from_slice(&answer.body).unwrap()
}

/// The CLI and the read API are one library call each: on the same store and question they
/// give the same numbers (the CLI's rows are its own table shape, the API's the contract's).
#[test]
fn the_cli_and_the_api_give_the_same_answers() {
    let (_, json, _) = nno_obs(&[
        "query", "fleet", "--since", "2h", "--until", UNTIL, "--format", "json",
    ]);
    let cli: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let api = api_get(&format!("/api/observability/fleet?range=2h&until={UNTIL}"));
    let api = api["platforms"].as_array().unwrap();
    assert_eq!(cli.len(), 3);
    assert_eq!(cli.len(), api.len());
    for row in &cli {
        let platform = row["platform"].as_str().unwrap();
        let same = api
            .iter()
            .find(|p| p["platformId"] == platform)
            .unwrap_or_else(|| panic!("{platform} missing from the API's fleet"));
        assert_eq!(row["requests"], same["requests"], "{platform}");
        assert_eq!(row["errors"], same["errors"], "{platform}");
        assert_eq!(row["error_rate"], same["errorRate"], "{platform}");
        assert_eq!(row["workers"], same["workers"], "{platform}");
    }

    let platform = cli[0]["platform"].as_str().unwrap().to_owned();
    let (_, json, _) = nno_obs(&[
        "query",
        "features",
        "--platform",
        &platform,
        "--since",
        "2h",
        "--until",
        UNTIL,
        "--format",
        "json",
    ]);
    let cli: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let api = api_get(&format!(
        "/api/observability/features?platformId={platform}&range=2h&until={UNTIL}"
    ));
    let api = api["features"].as_array().unwrap();
    assert!(!cli.is_empty());
    assert_eq!(cli.len(), api.len());
    for (row, same) in cli.iter().zip(api) {
        assert_eq!(row["feature"], same["feature"]);
        assert_eq!(row["requests"], same["requests"]);
        assert_eq!(row["errors"], same["errors"]);
        assert_eq!(row["p50_ms"], same["p50Ms"]);
        assert_eq!(row["p99_ms"], same["p99Ms"]);
    }

    // The log search: the CLI's JSON page is the API's page type; the entries are equal.
    let from = "2026-11-28T07:00:00Z";
    let (ok, json, err) = nno_obs(&[
        "logs",
        "search",
        "--platform",
        &platform,
        "--level",
        "warn",
        "--from",
        from,
        "--until",
        UNTIL,
        "--limit",
        "50",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let cli: serde_json::Value = serde_json::from_str(&json).unwrap();
    let api = api_get(&format!(
        "/api/observability/logs?platformId={platform}&level=warn&from={from}&to={UNTIL}&limit=50"
    ));
    assert!(!cli["entries"].as_array().unwrap().is_empty());
    assert_eq!(cli["entries"], api["entries"]);
}

#[test]
fn the_provisioning_monitor_names_the_failed_job_and_its_error() {
    // Seed §8.2 through the read API: the job's id, operation and platform from its points,
    // its error from its failing step's line.
    let doc = api_get(&format!(
        "/api/observability/provisioning?range=2h&until={UNTIL}"
    ));
    let failed = doc["failed"].as_array().unwrap();
    let job = failed
        .iter()
        .find(|job| job["jobId"] == "job-prov-failed-0001")
        .unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(job["operation"], "PROVISION_PLATFORM");
    assert_ne!(job["platformId"], "nno-internal");
    assert_eq!(job["failedStep"], "configure-dns");
    assert_eq!(
        job["error"], "configure-dns: CF API returned 429 after 3 retries",
        "{job}"
    );
    assert_eq!(job["rolledBack"], true);
}

/// `nno-obs query QUESTION --format json` over the store, for one platform or the operator:
/// its standard output.
fn cli_json(question: &str, platform: Option<&str>, extra: &[&str]) -> String {
    let mut args = vec!["query", question, "--since", "2h", "--until", UNTIL];
    if let Some(platform) = platform {
        args.extend(["--platform", platform]);
    }
    args.extend(extra);
    args.extend(["--format", "json"]);
    let (ok, json, err) = nno_obs(&args);
    assert!(ok, "{question}: {err}");
    json
}

/// As [`cli_json`], parsed.
fn cli_rows(question: &str, platform: Option<&str>, extra: &[&str]) -> Vec<serde_json::Value> {
    let json = cli_json(question, platform, extra);
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{question}: {e}: {json}"))
}

/// The catalogue's answer to `request` (JSON, as an API caller would send it) over the store,
/// as the CLI's `--format json` writes rows.
fn catalogue_answer(request: serde_json::Value, platform: Option<&str>) -> String {
    use nno_obs_query::catalogue::{Asker, Request};
    let request: Request = serde_json::from_value(request).unwrap();
    let engine = nno_obs_query::local::LocalEngine::new(store());
    let operator = nno_obs_access::testing::operator();
    let platform_scope = platform.map(|id| {
        nno_obs_access::testing::platform(nno_obs_store::layout::PlatformId::parse(id).unwrap())
    });
    let asker = match &platform_scope {
        Some(scope) => Asker::Platform(scope),
        None => Asker::Operator(&operator),
    };
    let asked = request.build(asker).unwrap();
    let answer = pollster::block_on(asked.ask(&engine)).unwrap();
    serde_json::to_string_pretty(&answer).unwrap() + "\n"
}

/// The CLI is a shell over the catalogue: every question's JSON is the catalogue's answer to the
/// same request, sent as data (equal bytes).
#[test]
fn every_question_is_the_catalogues_answer() {
    let (_, json, _) = nno_obs(&[
        "query", "fleet", "--since", "2h", "--until", UNTIL, "--format", "json",
    ]);
    let fleet: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let platform = fleet[0]["platform"].as_str().unwrap().to_owned();
    let platforms: Vec<&str> = fleet
        .iter()
        .map(|r| r["platform"].as_str().unwrap())
        .collect();
    let range = serde_json::json!({"fromS": UNTIL_S - 7200, "untilS": UNTIL_S});
    let with = |question: &str, more: serde_json::Value| {
        let mut request = range.clone();
        request["question"] = question.into();
        for (key, value) in more.as_object().unwrap() {
            request[key] = value.clone();
        }
        request
    };
    let none = serde_json::json!({});
    let cases: Vec<(&str, bool, Vec<&str>, serde_json::Value)> = vec![
        ("features", true, vec![], none.clone()),
        (
            "features",
            true,
            vec!["--feature", "auth"],
            serde_json::json!({"feature": "auth"}),
        ),
        ("requests-per-hour", true, vec![], none.clone()),
        ("errors-per-hour", true, vec![], none.clone()),
        (
            "health",
            true,
            vec!["--window", "30m"],
            serde_json::json!({"windowS": 1800}),
        ),
        ("slowest-endpoints", true, vec![], none.clone()),
        ("erroring-endpoints", true, vec![], none.clone()),
        ("builds", true, vec![], none.clone()),
        ("builds", false, vec![], none.clone()),
        ("jobs", false, vec![], none.clone()),
        ("failed-jobs", false, vec![], none.clone()),
        ("services", false, vec![], none.clone()),
        ("registry", false, vec![], none.clone()),
        (
            "fleet",
            false,
            vec![],
            serde_json::json!({"platforms": platforms}),
        ),
        (
            "heatmap",
            false,
            vec!["--bucket", "30m"],
            serde_json::json!({"platforms": platforms, "bucketS": 1800}),
        ),
    ];
    for (question, for_platform, extra, more) in cases {
        let scope = for_platform.then_some(platform.as_str());
        // Byte for byte: the CLI prints the catalogue's answer, nothing of its own.
        let cli = cli_json(question, scope, &extra);
        let answer = catalogue_answer(with(question, more), scope);
        // Rows to compare (a platform of this store may have had no Pages build in 2 hours).
        assert!(cli != "[]\n" || question == "builds", "{question}: {cli}");
        assert_eq!(cli, answer, "{question} {extra:?}");
    }
}

/// The CLI's questions and the API's routes give the same numbers, question by question (the
/// CLI's rows are its table shape, the API's the contract's).
#[test]
fn every_question_the_api_serves_has_the_clis_numbers() {
    let (_, json, _) = nno_obs(&[
        "query", "fleet", "--since", "2h", "--until", UNTIL, "--format", "json",
    ]);
    let fleet: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let platform = fleet[0]["platform"].as_str().unwrap().to_owned();
    let pick = |rows: &[serde_json::Value], keys: &[&str]| -> Vec<Vec<serde_json::Value>> {
        rows.iter()
            .map(|row| keys.iter().map(|k| row[*k].clone()).collect())
            .collect()
    };
    let array = |doc: &serde_json::Value, key: &str| doc[key].as_array().unwrap().clone();

    let overview = api_get(&format!(
        "/api/observability/overview?platformId={platform}&range=2h&until={UNTIL}"
    ));
    let hours = cli_rows("requests-per-hour", Some(&platform), &[]);
    assert_eq!(hours.len(), 2);
    assert_eq!(
        pick(&hours, &["requests"]),
        pick(&array(&overview, "requestsPerHour"), &["requests"])
    );
    let feature_hours = cli_rows("errors-per-hour", Some(&platform), &[]);
    let api_feature_hours: Vec<serde_json::Value> = array(&overview, "errorRatePerFeature")
        .iter()
        .flat_map(|f| {
            f["hours"].as_array().unwrap().iter().map(|h| {
                serde_json::json!({"feature": f["feature"], "requests": h["requests"], "errors": h["errors"]})
            }).collect::<Vec<_>>()
        })
        .filter(|h| h["requests"] != 0)
        .collect();
    let mut cli_feature_hours = pick(&feature_hours, &["feature", "requests", "errors"]);
    cli_feature_hours.retain(|row| row[1] != 0);
    let mut api_feature_hours = pick(&api_feature_hours, &["feature", "requests", "errors"]);
    cli_feature_hours.sort_by_key(|row| serde_json::to_string(row).unwrap());
    api_feature_hours.sort_by_key(|row| serde_json::to_string(row).unwrap());
    assert!(!cli_feature_hours.is_empty());
    assert_eq!(cli_feature_hours, api_feature_hours);

    let features = api_get(&format!(
        "/api/observability/features?platformId={platform}&range=2h&until={UNTIL}"
    ));
    let slowest = cli_rows("slowest-endpoints", Some(&platform), &[]);
    assert!(!slowest.is_empty());
    assert_eq!(
        pick(&slowest, &["feature", "endpoint", "requests", "p95_ms"]),
        pick(
            &array(&features, "slowestEndpoints"),
            &["feature", "endpoint", "requests", "p95Ms"]
        )
    );
    let erroring = cli_rows("erroring-endpoints", Some(&platform), &[]);
    assert_eq!(
        pick(&erroring, &["feature", "endpoint", "requests", "errors"]),
        pick(
            &array(&features, "erroringEndpoints"),
            &["feature", "endpoint", "requests", "errors"]
        )
    );

    let heatmap = api_get(&format!(
        "/api/observability/heatmap?range=2h&until={UNTIL}&bucket=30m"
    ));
    let cells = cli_rows("heatmap", None, &["--bucket", "30m"]);
    let mut cli_cells = pick(&cells, &["platform", "requests", "errors"]);
    let mut api_cells = pick(
        &array(&heatmap, "cells"),
        &["platformId", "requests", "errors"],
    );
    cli_cells.retain(|c| c[1] != 0);
    api_cells.retain(|c| c[1] != 0);
    cli_cells.sort_by_key(|row| serde_json::to_string(row).unwrap());
    api_cells.sort_by_key(|row| serde_json::to_string(row).unwrap());
    assert!(!cli_cells.is_empty());
    assert_eq!(cli_cells, api_cells);

    let provisioning = api_get(&format!(
        "/api/observability/provisioning?range=2h&until={UNTIL}"
    ));
    let jobs = cli_rows("jobs", None, &[]);
    assert!(!jobs.is_empty());
    assert_eq!(
        pick(&jobs, &["operation", "jobs", "p50_ms", "p95_ms"]),
        pick(
            &array(&provisioning, "completion"),
            &["operation", "jobs", "p50Ms", "p95Ms"]
        )
    );
    let failed = cli_rows("failed-jobs", None, &[]);
    let mut cli_failed = pick(&failed, &["job_id"]);
    let mut api_failed = pick(&array(&provisioning, "failed"), &["jobId"]);
    cli_failed.sort_by_key(|row| serde_json::to_string(row).unwrap());
    api_failed.sort_by_key(|row| serde_json::to_string(row).unwrap());
    assert!(!cli_failed.is_empty());
    assert_eq!(cli_failed, api_failed);

    // `slo status` and `/slo`: the same objectives, the same values.
    let (ok, json, err) = nno_obs(&["slo", "status", "--until", UNTIL, "--format", "json"]);
    assert!(ok, "{err}");
    let cli: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let slo = api_get(&format!("/api/observability/slo?until={UNTIL}"));
    assert!(!cli.is_empty());
    assert_eq!(
        pick(&cli, &["id", "subject", "value", "events"]),
        pick(
            &array(&slo, "objectives"),
            &["objective", "subject", "value", "events"]
        )
    );
}
