//! `nno-obs simulate` as a user runs it.

use assert_cmd::Command;

fn nno_obs() -> Command {
    Command::cargo_bin("nno-obs").unwrap()
}

#[test]
fn a_dry_run_prints_the_incident_schedule_as_an_aligned_table() {
    let output = nno_obs()
        .args([
            "simulate",
            "--platforms",
            "3",
            "--hours",
            "2",
            "--seed",
            "7",
        ])
        .args(["--until", "2026-02-22T12:00:00Z", "--dry-run"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "3 platforms, 2026-02-22T10:00:00.000Z → 2026-02-22T12:00:00.000Z"
    );
    assert!(lines[2].starts_with("INCIDENT "), "{text}");
    // Nine incidents (two hung jobs among them), the usage one a row per level crossed
    // (50, 75, 90 %, perhaps 100 %).
    assert!((3 + 11..=3 + 12).contains(&lines.len()), "{text}");
    assert!(text.contains("at 90 % of its daily limit"), "{text}");
    // The jobs are named as the Workers run them (what failed-jobs and the alerts show).
    assert!(text.contains(" job job-prov-failed-0001 "), "{text}");
    assert!(text.contains(" job job-prov-slow-0001 "), "{text}");
    // Aligned (in characters, as a terminal shows them): every row's FROM column starts
    // where the header's does.
    let column = lines[2][..lines[2].find("FROM").unwrap()].chars().count();
    for row in &lines[3..] {
        let from: String = row.chars().skip(column).take(4).collect();
        assert_eq!(from, "2026", "{row}");
    }
    assert!(text.contains("k3m9p2xw7q analytics (12 % 5xx)"), "{text}");
}

#[test]
fn the_schedule_as_json_is_the_same_for_the_same_seed() {
    let run = || {
        let output = nno_obs()
            .args([
                "simulate",
                "--platforms",
                "2",
                "--hours",
                "1",
                "--seed",
                "9",
            ])
            .args([
                "--until",
                "2026-02-22T12:00:00Z",
                "--dry-run",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        assert!(output.status.success());
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()
    };
    let first = run();
    assert_eq!(first, run());
    // Eight kinds of incident in a short run; the usage one is a crossing per level (50, 75,
    // 90 %, …).
    let incidents = first["schedule"]["incidents"].as_array().unwrap();
    let mut kinds: Vec<_> = incidents
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    assert_eq!(kinds.len(), 8, "{kinds:?}");
    assert_eq!(first["schedule"]["platforms"][0]["id"], "k3m9p2xw7q");
}

#[test]
fn a_simulation_writes_a_store_the_search_reads() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().to_str().unwrap();
    let output = nno_obs()
        .args([
            "simulate",
            "--platforms",
            "1",
            "--hours",
            "1",
            "--seed",
            "3",
        ])
        .args(["--until", "2026-02-22T12:00:00Z", "--store", store])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("invocations"), "{stdout}");
    // Progress goes to stderr, off a terminal one line per tenth.
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.lines().last().unwrap_or("").contains("100 %"),
        "{stderr}"
    );

    let search = nno_obs()
        .args([
            "logs",
            "search",
            "--store",
            store,
            "--from",
            "2026-02-22T11:00:00Z",
        ])
        .args([
            "--to",
            "2026-02-22T12:00:00Z",
            "--level",
            "error",
            "--format",
            "ndjson",
        ])
        .output()
        .unwrap();
    assert!(search.status.success());
    let lines = String::from_utf8(search.stdout).unwrap();
    assert!(lines.lines().count() > 0);
    for line in lines.lines() {
        let entry: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(entry["ScriptName"].is_string(), "{line}");
    }
}

#[test]
fn bad_arguments_are_refused_with_a_message() {
    let output = nno_obs()
        .args(["simulate", "--platforms", "0", "--dry-run"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr)
        .contains("--platforms and --hours must be at least 1"));
    let output = nno_obs()
        .args(["simulate", "--until", "yesterday", "--dry-run"])
        .output()
        .unwrap();
    assert!(!output.status.success());
}
