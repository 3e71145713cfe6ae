//! `nno-obs` as a user runs it: real commands on a real store, real output.

use assert_cmd::Command;
use nno_obs::clock::Clock;
use nno_obs::{fields, Obs, Telemetry};
use nno_obs_store::fs::{EventMeta, Invocation, LocalStore};
use nno_obs_store::layout::ScriptName;
use nno_obs_store::record::Outcome;
use std::path::Path;
use std::sync::Arc;

/// 2026-02-22T10:34:00Z.
const T0: u64 = 1_771_756_440_000;

fn invocation(
    store: &Arc<LocalStore>,
    at: u64,
    script: &str,
    service: &str,
    trace: &str,
    ray: &str,
    body: impl FnOnce(&Obs),
) {
    let clock = Clock::manual(at);
    let capture = Invocation::start(store.clone(), clock.clone());
    let telemetry = Telemetry::builder()
        .log_sink(capture.clone())
        .clock(clock.clone())
        .build();
    let obs = Obs::from_headers(
        telemetry,
        service,
        &[("x-trace-id", trace), ("x-request-id", "rq-1")],
    );
    body(&obs);
    clock.advance(3);
    obs.info("← response", fields! { status: 200 });
    capture
        .finish(
            &ScriptName::parse(script).unwrap(),
            Outcome::Ok,
            EventMeta::fetch("GET", "https://x.example/", 200).with_ray_id(ray),
        )
        .unwrap();
}

/// A small store: an auth login, a feature error, a registry read (another trace), and an
/// exception with no log line.
fn fixture(root: &Path) {
    let store = Arc::new(LocalStore::open(root).unwrap());
    invocation(
        &store,
        T0,
        "k3m9p2xw7q-auth-prod",
        "auth",
        "tr-login",
        "ray00000000000a1",
        |obs| {
            obs.info(
                "Login success",
                fields! { platformId: "k3m9p2xw7q", userId: "u-42", method: "password" },
            );
        },
    );
    invocation(
        &store,
        T0 + 10,
        "k3m9p2xw7q-r8n4t6y1z5-analytics-prod",
        "analytics",
        "tr-login",
        "ray00000000000a2",
        |obs| {
            obs.error(
                "Unhandled error",
                fields! { featureId: "analytics", error: "boom\nat line 2" },
            );
        },
    );
    invocation(
        &store,
        T0 + 20,
        "nno-registry-prod",
        "registry",
        "tr-other",
        "ray00000000000a3",
        |obs| {
            obs.warn(
                "Query timeout (>500ms)",
                fields! { query: "SELECT 1", durationMs: 612 },
            );
        },
    );
    let clock = Clock::manual(T0 + 30);
    let crash = Invocation::start(store.clone(), clock);
    crash.exception("TypeError", "x is undefined");
    crash
        .finish(
            &ScriptName::parse("nno-gateway-prod").unwrap(),
            Outcome::Exception,
            EventMeta::fetch("POST", "https://x.example/p", 500).with_ray_id("ray00000000000a4"),
        )
        .unwrap();
    store.close().unwrap();
}

fn nno_obs(root: &Path) -> Command {
    let mut command = Command::cargo_bin("nno-obs").unwrap();
    command.env("NNO_OBS_STORE", root);
    command
}

fn stdout(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn check_golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("NNO_BLESS").is_some_and(|value| value == "1") {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        actual, expected,
        "golden {name} differs (NNO_BLESS=1 rewrites it)"
    );
}

#[test]
fn the_table_is_aligned_ordered_and_golden() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    // Off a terminal without COLUMNS: 100 columns.
    let table = stdout(
        nno_obs(dir.path())
            .env_remove("COLUMNS")
            .args(["logs", "search"]),
    );
    check_golden("search.txt", &table);
    assert!(table.lines().all(|line| line.chars().count() <= 100));
    let expanded = stdout(
        nno_obs(dir.path())
            .env_remove("COLUMNS")
            .args(["logs", "search", "--level", "error", "--expand"]),
    );
    check_golden("search-expand.txt", &expanded);
    // An expansion ends with a blank line, before the `more: --cursor …` on stderr.
    assert!(expanded.ends_with("    }\n\n"), "{expanded:?}");
    // At 60 columns, each message is cut to fit, ending in an ellipsis; nothing wraps.
    let narrow = stdout(
        nno_obs(dir.path())
            .env("COLUMNS", "60")
            .args(["logs", "search"]),
    );
    check_golden("search-60.txt", &narrow);
    assert!(
        narrow.lines().all(|line| line.chars().count() <= 60),
        "{narrow}"
    );
    assert!(narrow.contains("Query tim…"), "{narrow}");
}

#[test]
fn an_exception_row_carries_the_trace_of_its_invocation() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(LocalStore::open(dir.path()).unwrap());
    let clock = Clock::manual(T0);
    let capture = Invocation::start(store.clone(), clock.clone());
    let telemetry = Telemetry::builder()
        .log_sink(capture.clone())
        .clock(clock)
        .build();
    let obs = Obs::from_headers(telemetry, "reports", &[("x-trace-id", "tr-crash")]);
    obs.error(
        "unhandled error",
        fields! { error: "D1_ERROR: database is locked" },
    );
    capture.exception("Error", "D1_ERROR: database is locked");
    capture
        .finish(
            &ScriptName::parse("k3m9p2xw7q-r8n4t6y1z5-reports-prod").unwrap(),
            Outcome::Exception,
            EventMeta::fetch("GET", "https://x.example/", 500).with_ray_id("ray00000000000b1"),
        )
        .unwrap();
    store.close().unwrap();
    let table = stdout(
        nno_obs(dir.path())
            .env("COLUMNS", "120")
            .args(["logs", "search"]),
    );
    assert_eq!(
        table,
        "\
TIME          LEVEL  WHERE               TRACE     MESSAGE
2026-02-22 (UTC)
10:34:00.000  error  k3m9p2xw7q/reports  tr-crash  unhandled error error=\"D1_ERROR: database is locked\"
10:34:00.000  error  k3m9p2xw7q/reports  tr-crash  Error: D1_ERROR: database is locked
"
    );
    // The trace is shown, not searched: the exception entry itself has no trace id.
    let csv = stdout(nno_obs(dir.path()).args(["logs", "search", "--format", "csv"]));
    assert!(
        csv.ends_with(",,Error: D1_ERROR: database is locked\n"),
        "{csv}"
    );
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    // Not a terminal (a pipe): no escape codes.
    assert!(!stdout(nno_obs(dir.path()).args(["logs", "search"])).contains('\x1b'));
    let coloured = stdout(nno_obs(dir.path()).args(["logs", "search", "--color", "always"]));
    assert!(coloured.contains("\x1b[1;31merror"));
    // NO_COLOR: never, unless asked on the command line.
    let plain = stdout(
        nno_obs(dir.path())
            .env("NO_COLOR", "1")
            .args(["logs", "search"]),
    );
    assert!(!plain.contains('\x1b'));
}

#[test]
fn every_filter() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let lines = |args: &[&str]| -> Vec<serde_json::Value> {
        let mut all = vec![
            "logs",
            "search",
            "--format",
            "ndjson",
            "--now",
            "2026-02-22T10:35:00Z",
        ];
        all.extend_from_slice(args);
        stdout(nno_obs(dir.path()).args(&all))
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    assert_eq!(lines(&[]).len(), 7);
    assert_eq!(lines(&["--trace-id", "tr-login"]).len(), 4);
    assert_eq!(lines(&["--user-id", "u-42"]).len(), 1);
    assert_eq!(lines(&["--level", "warn"]).len(), 3);
    assert_eq!(lines(&["--service", "registry"]).len(), 2);
    assert_eq!(lines(&["--feature", "analytics"]).len(), 2);
    assert_eq!(lines(&["--feature", "auth"]).len(), 2);
    assert_eq!(lines(&["--text", "TIMEOUT"]).len(), 1);
    assert_eq!(
        lines(&["--text", "612"]).len(),
        1,
        "field values are searched"
    );
    assert_eq!(lines(&["--since", "1m"]).len(), 7);
    assert_eq!(lines(&["--since", "1s"]).len(), 0);
    assert_eq!(
        lines(&[
            "--from",
            "2026-02-22T10:34:00.010Z",
            "--to",
            "2026-02-22T10:34:00.020Z"
        ])
        .len(),
        2
    );
    let platform = lines(&["--platform", "k3m9p2xw7q"]);
    assert_eq!(platform.len(), 4);
    assert!(platform
        .iter()
        .all(|l| l["ScriptName"].as_str().unwrap().starts_with("k3m9p2xw7q-")));
    // ndjson: the LogEntry as written, with the record's fields alongside.
    let first = &lines(&["--user-id", "u-42"])[0];
    assert_eq!(first["message"], "Login success");
    assert_eq!(first["traceId"], "tr-login");
    assert_eq!(first["ScriptName"], "k3m9p2xw7q-auth-prod");
    assert_eq!(first["Outcome"], "ok");
    assert_eq!(first["Ray"], "ray00000000000a1");
    let exception = &lines(&["--text", "undefined"])[0];
    assert_eq!(exception["kind"], "exception");
    assert_eq!(exception["message"], "TypeError: x is undefined");
    assert_eq!(exception["Outcome"], "exception");
}

#[test]
fn bad_arguments_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    for (args, reason) in [
        (vec!["--platform", "../nno-logs-internal"], "platform id"),
        (vec!["--platform", "/etc"], "platform id"),
        (vec!["--level", "fatal"], "unknown level"),
        (vec!["--since", "yesterday"], "not a duration"),
        (vec!["--from", "10:00"], "RFC 3339"),
        (vec!["--cursor", "../../etc/passwd"], "not a cursor"),
        (vec!["--since", "0s"], "not a duration"),
        (vec!["--limit", "0"], "--limit must be at least 1"),
        (vec!["--trace-id", ""], "--trace-id is empty"),
        (
            vec![
                "--from",
                "2026-02-22T11:00:00Z",
                "--until",
                "2026-02-22T10:00:00Z",
            ],
            "the range is empty",
        ),
    ] {
        let mut all = vec!["logs", "search"];
        all.extend(args.iter().copied());
        let output = nno_obs(dir.path()).args(&all).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(reason), "{args:?}: {stderr}");
    }
}

#[test]
fn pages_follow_the_cursor_and_json_has_it() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let page = |cursor: Option<&str>| -> serde_json::Value {
        let mut args = vec!["logs", "search", "--format", "json", "--limit", "3"];
        if let Some(cursor) = cursor {
            args.extend(["--cursor", cursor]);
        }
        serde_json::from_str(&stdout(nno_obs(dir.path()).args(&args))).unwrap()
    };
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let body = page(cursor.as_deref());
        // One Logpush object per bucket: the platform's and the internal one, both read for
        // the first page; a later page skips an object whose sidecar shows it ends before
        // the cursor.
        let scanned = body["scanned"]["files"].as_u64().unwrap();
        match cursor {
            None => assert_eq!(scanned, 2),
            Some(_) => assert!((1..=2).contains(&scanned), "{body}"),
        }
        for entry in body["entries"].as_array().unwrap() {
            seen.push(entry["message"].as_str().unwrap().to_owned());
        }
        match body["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7);
    let all = stdout(nno_obs(dir.path()).args(["logs", "search", "--format", "ndjson"]));
    let messages: Vec<String> = all
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["message"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(seen, messages);
}

#[test]
fn export_writes_records_that_search_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let out = dir.path().join("export.json.gz");
    let output = nno_obs(dir.path())
        .args(["logs", "export", "--output"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("exported 7 entries"));
    // Each line is a record of the store's own format (seed §2.4), one entry each.
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(&out).unwrap()),
        &mut text,
    )
    .unwrap();
    assert_eq!(text.lines().count(), 7);
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["ScriptName"], "k3m9p2xw7q-auth-prod");
    assert_eq!(first["EventTimestampMs"], T0);
    assert_eq!(first["Logs"].as_array().unwrap().len(), 1);
    // Searching the export finds what searching the store finds: by trace id, by time, by
    // platform, and everything — the same entries, in the same order, at the same times.
    for filters in [
        &["--trace-id", "tr-login"][..],
        &[
            "--trace-id",
            "tr-login",
            "--from",
            "2026-02-22T10:34:00Z",
            "--to",
            "2026-02-22T10:35:00Z",
        ][..],
        &["--feature", "analytics", "--level", "error"][..],
        &["--level", "warn", "--text", "timeout"][..],
        &[][..],
    ] {
        let from_store = stdout(
            nno_obs(dir.path())
                .args(["logs", "search", "--format", "ndjson"])
                .args(filters),
        );
        let from_export = stdout(
            nno_obs(dir.path())
                .args(["logs", "search", "--format", "ndjson"])
                .args(filters)
                .arg(&out),
        );
        assert!(!from_store.is_empty(), "{filters:?}");
        assert_eq!(from_export, from_store, "{filters:?}");
    }
}

#[test]
fn export_to_dash_writes_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let output = nno_obs(dir.path())
        .current_dir(dir.path())
        .args(["logs", "export", "--trace-id", "tr-login", "-o", "-"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(!dir.path().join("-").exists(), "a file named - was written");
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&output.stdout[..]),
        &mut text,
    )
    .unwrap();
    assert_eq!(text.lines().count(), 4);
    assert!(String::from_utf8_lossy(&output.stderr).contains("exported 4 entries to stdout"));
}

#[test]
fn a_time_range_that_hides_untimed_matches_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("untimed.json");
    std::fs::write(
        &file,
        concat!(
            r#"{"ScriptName":"nno-registry-prod","Outcome":"ok","Logs":[{"Level":"warn","Message":["no time here"]}]}"#,
            "\n",
            r#"{"ScriptName":"nno-registry-prod","Outcome":"ok","EventTimestampMs":1771756440000,"Logs":[{"Level":"warn","Message":["timed"]}]}"#,
            "\n"
        ),
    )
    .unwrap();
    let search = |args: &[&str]| {
        let output = nno_obs(dir.path())
            .args(["logs", "search", "--format", "ndjson"])
            .args(args)
            .arg(&file)
            .output()
            .unwrap();
        assert!(output.status.success());
        (
            String::from_utf8_lossy(&output.stdout).lines().count(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (found, err) = search(&["--from", "2026-02-22T00:00:00Z"]);
    assert_eq!(found, 1);
    assert!(
        err.contains("warning: 1 matching entries have no time"),
        "{err}"
    );
    // Without a range the entry is found, and nothing is hidden.
    let (found, err) = search(&[]);
    assert_eq!((found, err.contains("no time")), (2, false), "{err}");
    // An untimed entry that fails another filter is not counted.
    let (found, err) = search(&["--from", "2026-02-22T00:00:00Z", "--text", "timed"]);
    assert_eq!((found, err.contains("no time")), (1, false), "{err}");
}

#[test]
fn index_and_prune() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    // Remove the sidecars the store wrote; `logs index` puts them back.
    for entry in walk(dir.path()) {
        if entry.to_string_lossy().ends_with(".idx") {
            std::fs::remove_file(entry).unwrap();
        }
    }
    let said = stdout(nno_obs(dir.path()).args(["logs", "index"]));
    assert_eq!(said, "2 files: 0 already indexed, 2 indexes written\n");
    let said = stdout(nno_obs(dir.path()).args(["logs", "index"]));
    assert_eq!(said, "2 files: 2 already indexed, 0 indexes written\n");
    // 31 days later the platform's bucket is past retention, the internal one is not. First
    // what would go; then, not on a terminal, nothing without --yes.
    let prune = ["store", "prune", "--now", "2026-03-25T12:00:00Z"];
    let before = walk(dir.path()).len();
    let said = stdout(nno_obs(dir.path()).args(prune).arg("--dry-run"));
    assert!(said.starts_with("would remove 2 files"), "{said}");
    let json = stdout(
        nno_obs(dir.path())
            .args(prune)
            .args(["--dry-run", "--format", "json"]),
    );
    let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(plan["removed"], false);
    assert_eq!(plan["files"], 2);
    assert_eq!(plan["dayFolders"], 1);
    assert_eq!(plan["at"], "2026-03-25T12:00:00.000Z");
    let csv = nno_obs(dir.path())
        .args(prune)
        .args(["--dry-run", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(csv.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&csv.stderr).contains("`store prune` prints table or json"));
    let refused = nno_obs(dir.path()).args(prune).output().unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("give --yes"));
    assert_eq!(
        walk(dir.path()).len(),
        before,
        "the dry run and the refusal removed nothing"
    );
    let said = stdout(nno_obs(dir.path()).args(prune).arg("--yes"));
    assert!(said.starts_with("removed 2 files"), "{said}");
    assert!(said.contains("in 1 day and 0 hour folders"), "{said}");
    let left = walk(dir.path());
    assert!(
        left.iter()
            .all(|p| p.to_string_lossy().contains("nno-logs-internal")),
        "{left:?}"
    );
}

#[test]
fn a_damaged_file_is_reported_and_the_search_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    // A foreign file in the seed's layout, next to the store's Logpush objects.
    let damaged = dir
        .path()
        .join("nno-logs-internal/2026-02-22/10/broken.json.gz");
    std::fs::create_dir_all(damaged.parent().unwrap()).unwrap();
    std::fs::write(
        &damaged,
        [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff],
    )
    .unwrap();
    let output = nno_obs(dir.path())
        .args(["logs", "search", "--format", "ndjson"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 7);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning: nno-logs-internal/2026-02-22/10/broken.json.gz: damaged at byte"),
        "{stderr}"
    );
}

fn walk(root: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path)
            } else {
                out.push(path)
            }
        }
    }
    out
}

#[test]
fn sql_prints_the_clickhouse_query_of_the_same_filters() {
    let dir = tempfile::tempdir().unwrap();
    let sql = stdout(nno_obs(dir.path()).args([
        "logs",
        "sql",
        "--platform",
        "k3m9p2xw7q",
        "--text",
        "it's",
        "--limit",
        "5",
    ]));
    assert!(
        sql.contains("/nno-logs-k3m9p2xw7q/**/*.gz', 'JSONEachRow'"),
        "{sql}"
    );
    assert!(sql.contains("platform = 'k3m9p2xw7q'"));
    assert!(sql.contains(r"'it\'s'"));
    let r2 = stdout(nno_obs(dir.path()).args([
        "logs",
        "sql",
        "--r2-account",
        "0123456789abcdef0123456789abcdef",
    ]));
    assert!(r2.contains("s3('https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com/nno-logs-internal/**/*.gz'"));
}

#[test]
fn given_files_and_r2_layout_directories_are_searched_as_they_are() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    // An R2 download of one bucket: {DATE}/{start}_{end}_{random}.log.gz at its top, and no
    // index sidecars.
    let download = tempfile::tempdir().unwrap();
    let mut gz_files = Vec::new();
    for file in walk(&dir.path().join("nno-logs-k3m9p2xw7q")) {
        let name = file.to_string_lossy().into_owned();
        if name.ends_with(".log.gz") {
            let relative = file
                .strip_prefix(dir.path().join("nno-logs-k3m9p2xw7q"))
                .unwrap();
            let target = download.path().join(relative);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(&file, &target).unwrap();
            gz_files.push(target);
        }
    }
    let found = stdout(
        nno_obs(dir.path())
            .args(["logs", "search", "--format", "ndjson"])
            .arg(download.path()),
    );
    assert_eq!(found.lines().count(), 4);
    // Given paths are read, never written to: no index appears next to them.
    assert!(walk(download.path())
        .iter()
        .all(|p| !p.to_string_lossy().ends_with(".idx")));
    // Single files too, with filters.
    let found = stdout(
        nno_obs(dir.path())
            .args(["logs", "search", "--format", "ndjson", "--level", "error"])
            .args(&gz_files),
    );
    assert_eq!(found.lines().count(), 1);
}

/// `--platform` means one thing: the bucket `nno-logs-{ID}` of the store. A folder of
/// downloaded objects has no bucket, so `--platform` with PATHs is refused, naming both,
/// rather than read as a filter on the lines' `platformId` (which would return core
/// services' lines that carry one).
#[test]
fn platform_with_paths_is_refused_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let download = dir.path().join("nno-logs-k3m9p2xw7q");
    for command in ["search", "export"] {
        let mut run = nno_obs(dir.path());
        run.args(["logs", command, "--platform", "k3m9p2xw7q"]);
        if command == "export" {
            run.args(["--output"]).arg(dir.path().join("out.json.gz"));
        }
        let output = run.arg(&download).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{command}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("--platform") && stderr.contains("PATH"),
            "{command}: {stderr}"
        );
        assert!(
            stderr.contains("nno-logs-k3m9p2xw7q"),
            "{command}: {stderr}"
        );
        assert!(output.stdout.is_empty(), "{command}");
    }
    assert!(!dir.path().join("out.json.gz").exists());
    // Each alone still works.
    let by_bucket = stdout(nno_obs(dir.path()).args([
        "logs",
        "search",
        "--format",
        "ndjson",
        "--platform",
        "k3m9p2xw7q",
    ]));
    let by_paths = stdout(
        nno_obs(dir.path())
            .args(["logs", "search", "--format", "ndjson"])
            .arg(&download),
    );
    assert_eq!(by_bucket.lines().count(), by_paths.lines().count());
}

/// A core service's console line that is not a `LogEntry`, its exception and a silent failure
/// carry the service of the script name (`nno-{service}-{env}`), so `--service` finds them.
#[test]
fn service_finds_a_core_services_every_entry_kind() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("core.json");
    std::fs::write(
        &file,
        [
            r#"{"ScriptName":"nno-provisioning-prod","Outcome":"exception","EventTimestampMs":1771756440000,"Logs":[{"Level":"log","Message":["step started job-9"],"TimestampMs":1771756440001}],"Exceptions":[{"Name":"Error","Message":"boom","TimestampMs":1771756440002}]}"#,
            r#"{"ScriptName":"nno-provisioning-prod","Outcome":"canceled","EventTimestampMs":1771756440003,"Logs":[],"Exceptions":[]}"#,
            r#"{"ScriptName":"nno-registry-prod","Outcome":"ok","EventTimestampMs":1771756440004,"Logs":[{"Level":"log","Message":["registry text"],"TimestampMs":1771756440004}]}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    let found = stdout(
        nno_obs(dir.path())
            .args([
                "logs",
                "search",
                "--format",
                "ndjson",
                "--service",
                "provisioning",
            ])
            .arg(&file),
    );
    let messages: Vec<String> = found
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(value["service"], "provisioning", "{line}");
            value["message"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        messages,
        [
            "step started job-9",
            "Error: boom",
            "invocation ended: canceled"
        ]
    );
}

#[test]
fn search_prints_each_of_the_four_formats() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let search = |format: &str| {
        stdout(nno_obs(dir.path()).args([
            "logs",
            "search",
            "--trace-id",
            "tr-login",
            "--format",
            format,
        ]))
    };
    // json: the read API's `/logs` page.
    let page: serde_json::Value = serde_json::from_str(&search("json")).unwrap();
    assert_eq!(page["entries"].as_array().unwrap().len(), 4);
    assert_eq!(page["entries"][2]["message"], "Unhandled error");
    assert_eq!(page["entries"][2]["traceId"], "tr-login");
    assert_eq!(page["entries"][2]["entry"]["error"], "boom\nat line 2");
    assert!(page["entries"][2]["object"]
        .as_str()
        .unwrap()
        .ends_with(".log.gz"));
    assert_eq!(page["next"], serde_json::Value::Null);
    assert_eq!(page["complete"], true);
    assert!(page["scanned"]["files"].as_u64().unwrap() >= 1);
    assert_eq!(page["problems"], serde_json::json!([]));
    // ndjson: each entry as written.
    let ndjson = search("ndjson");
    assert_eq!(ndjson.lines().count(), 4);
    assert!(ndjson
        .lines()
        .all(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["traceId"] == "tr-login"));
    // csv: the table's columns, quoted where a cell needs it.
    let csv = search("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "time,level,script,trace,message");
    assert_eq!(
        lines[3],
        "2026-02-22T10:34:00.010Z,error,k3m9p2xw7q-r8n4t6y1z5-analytics-prod,tr-login,Unhandled error"
    );
    assert_eq!(lines.len(), 5);
    assert!(search("table").starts_with("TIME "));
    // `--json` is the older spelling of `--format json`.
    let old: serde_json::Value = serde_json::from_str(&stdout(nno_obs(dir.path()).args([
        "logs",
        "search",
        "--trace-id",
        "tr-login",
        "--json",
    ])))
    .unwrap();
    assert_eq!(old["entries"], page["entries"]);
}
