//! The differential test of the ClickHouse rendering: the rendered SQL, run on chdb over the
//! same files, must find exactly what the Rust search finds.
//!
//! It needs chdb (`scripts/chdb.sh` installs it into `.tools/chdb`); `scripts/test.sh` runs it
//! with `--ignored` after that, so `cargo test` alone never needs Python.

mod common;

use common::build::{fleet_queries, gzip_file, text, trace};
use common::{write_fleet, PLATFORMS, T0};
use nno_obs_logs::sql::{render, SqlSource};
use nno_obs_logs::{Level, LocalSearch, LogQuery, Scope};
use nno_obs_store::layout::PlatformId;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

type Row = (
    String,
    Option<u64>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn chdb_python() -> PathBuf {
    if let Ok(python) = std::env::var("NNO_CHDB_PYTHON") {
        return PathBuf::from(python);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/chdb/bin/python")
}

fn run_chdb(sql: &str) -> Vec<serde_json::Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/chdb_query.py");
    let mut child = Command::new(chdb_python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chdb: run scripts/chdb.sh first");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(sql.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "chdb failed: {}",
        &error[error.find("RuntimeError").unwrap_or(0)..]
            [..300.min(error.len() - error.find("RuntimeError").unwrap_or(0))]
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn string_of(value: &serde_json::Value) -> Option<String> {
    value.as_str().map(str::to_owned)
}

fn clickhouse_rows(root: &Path, rows: Vec<serde_json::Value>) -> BTreeSet<Row> {
    let prefix = format!("{}/", root.canonicalize().unwrap().display());
    rows.into_iter()
        .map(|row| {
            let file = row["file"].as_str().unwrap();
            let file = file.strip_prefix(&prefix).unwrap_or(file).to_owned();
            let time = match &row["time_ms"] {
                serde_json::Value::String(s) => s.parse().ok(),
                serde_json::Value::Number(n) => n.as_u64(),
                _ => None,
            };
            (
                file,
                time,
                row["level"].as_str().unwrap().to_owned(),
                row["message"].as_str().unwrap().to_owned(),
                string_of(&row["service"]),
                string_of(&row["feature"]),
                string_of(&row["platform"]),
                string_of(&row["trace_id"]),
                string_of(&row["user_id"]),
            )
        })
        .collect()
}

fn rust_rows(search: &LocalSearch, query: &LogQuery) -> BTreeSet<Row> {
    search
        .run(query, None, 1_000_000)
        .hits
        .into_iter()
        .map(|hit| {
            let e = hit.entry;
            (
                hit.key.file,
                e.time_ms,
                e.level.to_string(),
                e.message,
                e.service,
                e.feature,
                e.platform,
                e.trace_id,
                e.user_id,
            )
        })
        .collect()
}

/// Records in the shapes the world sends (compact JSON, as Logpush writes it).
fn foreign_records(root: &Path) {
    let at = |ms: u64| T0 + ms;
    let lines = vec![
        format!(r#"{{"ScriptName":"k3m9p2xw7q-r8n4t6y1z5-analytics-prod","Outcome":"ok","EventTimestampMs":{},"Logs":[{{"Level":"log","Message":["plain text Billing report",42,{{"a":[1,2]}}],"TimestampMs":{}}},{{"Level":"warn","Message":["{{\"traceId\":\"tr-foreign\",\"msg\":\"pino\"}}"],"TimestampMs":{}}}],"Exceptions":[]}}"#, at(10), at(11), at(12)),
        format!(r#"{{"ScriptName":"k3m9p2xw7q-auth-prod","Outcome":"exception","EventTimestampMs":{},"Logs":[],"Exceptions":[{{"Name":"TypeError","Message":"x is undefined","TimestampMs":{}}},{{"Message":"no name"}}]}}"#, at(20), at(21)),
        format!(r#"{{"ScriptName":"nno-registry-prod","Outcome":"exceededCpu","EventTimestampMs":{},"Logs":[],"Exceptions":[]}}"#, at(30)),
        format!(r#"{{"ScriptName":"nno-registry-prod","Ray":"8b2e4f1a2b3c4d5e","Outcome":"ok","EventTimestampMs":{},"Logs":[{{"Level":"debug","Message":["{{\"timestamp\":\"2026-02-22T10:00:00.040Z\",\"level\":\"info\",\"service\":\"registry\",\"traceId\":\"abc\",\"message\":\"GET /api/data 200\",\"http\":{{\"durationMs\":45}},\"platformId\":\"p7c4v9b2n6\"}}","extra ARG"]}}]}}"#, at(40)),
        r#"{"ScriptName":"hello-world","Outcome":"ok","Logs":[{"Level":"log","Message":["no time at all"]}]}"#.to_owned(),
        // A core service's record of every entry kind: console text, a LogEntry without
        // `timestamp`, one with a `null` and one with a number as `timestamp`, an exception;
        // then a silent failure. Every entry has the script name's service.
        format!(r#"{{"ScriptName":"nno-provisioning-prod","Outcome":"exception","EventTimestampMs":{},"Logs":[{{"Level":"log","Message":["step started job-9"],"TimestampMs":{}}},{{"Level":"log","Message":["{{\"traceId\":\"tr-seed\",\"service\":\"provisioning\",\"level\":\"warn\",\"message\":\"no timestamp\"}}"],"TimestampMs":{}}},{{"Level":"log","Message":["{{\"timestamp\":null,\"level\":\"info\",\"service\":\"provisioning\",\"traceId\":\"tr-seed\",\"message\":\"null timestamp\"}}"],"TimestampMs":{}}},{{"Level":"log","Message":["{{\"timestamp\":5,\"level\":\"info\",\"service\":\"provisioning\",\"traceId\":\"tr-seed\",\"message\":\"number timestamp\"}}"],"TimestampMs":{}}}],"Exceptions":[{{"Name":"Error","Message":"boom","TimestampMs":{}}}]}}"#, at(50), at(51), at(52), at(53), at(54), at(55)),
        format!(r#"{{"ScriptName":"nno-provisioning-prod","Outcome":"canceled","EventTimestampMs":{},"Logs":[],"Exceptions":[]}}"#, at(60)),
        // Seed §2.4's record as written there (its LogEntry has no `timestamp`).
        r#"{"ScriptName":"k3m9p2xw7q-r8n4t6y1z5-analytics-prod","Ray":"8b2e4f1a2b3c4d5e","Outcome":"ok","EventTimestampMs":1740220440123,"Logs":[{"Level":"log","Message":["{\"traceId\":\"abc\",\"service\":\"analytics\",\"level\":\"info\",\"message\":\"GET /api/data 200\",\"http\":{\"durationMs\":45}}"],"TimestampMs":1740220440100}]}"#.to_owned(),
        // A failing request whose exception belongs to its trace: the record's first line
        // with a string `traceId` (not the pino line, not the number) names it; a later line's
        // other trace does not.
        format!(r#"{{"ScriptName":"nno-gateway-prod","Outcome":"exception","EventTimestampMs":{},"Logs":[{{"Level":"log","Message":["{{\"traceId\":\"tr-exc\",\"msg\":\"pino\"}}"]}},{{"Level":"log","Message":["{{\"level\":\"info\",\"service\":\"gateway\",\"traceId\":7,\"message\":\"number trace\"}}"]}},{{"Level":"log","Message":["{{\"level\":\"info\",\"service\":\"gateway\",\"traceId\":\"tr-exc\",\"message\":\"→ request\"}}"]}},{{"Level":"log","Message":["{{\"level\":\"info\",\"service\":\"gateway\",\"traceId\":\"tr-later\",\"message\":\"batch item\"}}"]}}],"Exceptions":[{{"Name":"RangeError","Message":"bad index","TimestampMs":{}}}]}}"#, at(70), at(71)),
        r#"{"ScriptName":"nno-stack-registry-prod","Outcome":"ok","EventTimestampMs":1771754400050,"Logs":[{"Level":"info","Message":[]},{"Level":"log","Message":["{\"timestamp\":\"2026-02-22T10:00:00.060Z\",\"level\":\"fatal\",\"service\":\"x\",\"message\":\"not ours\"}"]}]}"#.to_owned(),
    ];
    gzip_file(
        &root.join("nno-logs-k3m9p2xw7q/2026-02-22/12/foreign-1.json.gz"),
        &lines,
    );
}

/// The queries both sides answer (`matches_nothing` names the ones that find no row): the
/// fleet's, and those of the foreign records' shapes.
fn queries() -> Vec<LogQuery> {
    let mut queries = fleet_queries();
    queries.extend([
        LogQuery {
            platform: Some(PlatformId::parse(PLATFORMS[1]).unwrap()),
            ..Default::default()
        },
        LogQuery {
            feature: Some("auth".into()),
            ..Default::default()
        },
        LogQuery {
            service: Some("stack-registry".into()),
            ..Default::default()
        },
        LogQuery {
            service: Some("provisioning".into()),
            ..Default::default()
        },
        trace("tr-seed"),
        trace("tr-exc"),
        trace("tr-later"),
        LogQuery {
            from_ms: Some(1_740_220_440_100),
            to_ms: Some(1_740_220_440_101),
            ..trace("abc")
        },
        LogQuery {
            min_level: Some(Level::Error),
            ..Default::default()
        },
        trace("tr-foreign"),
        text("durationms"),
        text("extra arg"),
        text("2026"),
        text("\"a\""),
        text("it's -- ; DROP TABLE x"),
        LogQuery {
            min_level: Some(Level::Error),
            from_ms: Some(T0),
            to_ms: Some(T0 + 7_200_000),
            ..text("812")
        },
    ]);
    queries
}

/// Runs every query of [`queries`] both ways and returns how many rows each matched (both
/// sides found the same rows).
fn compare(root: &Path, scope: &dyn Scope, search: &LocalSearch) -> Vec<usize> {
    let mut compared = Vec::new();
    for query in queries() {
        let sql = render(
            &query,
            scope,
            &SqlSource::Store {
                root: root.canonicalize().unwrap().display().to_string(),
            },
            1_000_000,
        )
        .unwrap();
        let clickhouse = clickhouse_rows(root, run_chdb(&sql));
        let rust = rust_rows(search, &query);
        let only_rust: Vec<_> = rust.difference(&clickhouse).take(3).collect();
        let only_clickhouse: Vec<_> = clickhouse.difference(&rust).take(3).collect();
        assert!(
            only_rust.is_empty() && only_clickhouse.is_empty(),
            "{query:?}\nonly in Rust: {only_rust:#?}\nonly in ClickHouse: {only_clickhouse:#?}"
        );
        compared.push(rust.len());
    }
    compared
}

/// The queries that match nothing by design: `tr-foreign` (a pino line's `traceId`: not our
/// line, so not a trace id), the injection text, and, in a platform's scope, `tr-7-42` (another
/// platform's trace).
fn matches_nothing(query: &LogQuery, platform_scope: bool) -> bool {
    query.trace_id.as_deref() == Some("tr-foreign")
        || query.text.as_deref() == Some("it's -- ; DROP TABLE x")
        || (platform_scope && query.trace_id.as_deref() == Some("tr-7-42"))
}

/// Asserts that each query found rows, but those that match nothing by design: a
/// differential test that compares two empty answers proves nothing.
fn assert_rows(scope: &str, counts: &[usize], platform_scope: bool) {
    for (query, count) in queries().iter().zip(counts) {
        if matches_nothing(query, platform_scope) {
            assert_eq!(*count, 0, "{scope}: {query:?} must match nothing");
        } else {
            assert!(
                *count > 0,
                "{scope}: {query:?} matched no row on either side"
            );
        }
    }
}

#[test]
#[ignore = "needs chdb: scripts/test.sh installs it and runs this with --ignored"]
fn clickhouse_finds_what_the_rust_search_finds() {
    let dir = tempfile::tempdir().unwrap();
    write_fleet(dir.path(), 400, 3, 7);
    foreign_records(dir.path());
    let operator = LocalSearch::store(dir.path(), &nno_obs_access::testing::operator()).unwrap();
    let counts = compare(dir.path(), &nno_obs_access::testing::operator(), &operator);
    assert_rows("operator", &counts, false);
    let rows: usize = counts.iter().sum();
    assert!(rows > 1000, "{rows}");
    // Both sides agreed above; what they agreed on includes the failing request's exception
    // under its trace (and not under a later line's trace), so the agreement is not on a miss.
    let messages = |trace: &str| -> Vec<String> {
        let query = LogQuery {
            trace_id: Some(trace.into()),
            ..Default::default()
        };
        rust_rows(&operator, &query)
            .into_iter()
            .map(|row| row.3)
            .collect()
    };
    assert!(messages("tr-exc").contains(&"RangeError: bad index".to_owned()));
    assert!(messages("tr-seed").contains(&"Error: boom".to_owned()));
    assert_eq!(messages("tr-later"), ["batch item"]);
    let platform = nno_obs_access::testing::platform(PlatformId::parse(PLATFORMS[0]).unwrap());
    let scoped = LocalSearch::store(dir.path(), &platform).unwrap();
    let scoped_counts = compare(dir.path(), &platform, &scoped);
    assert_rows("platform", &scoped_counts, true);
    let scoped_rows: usize = scoped_counts.iter().sum();
    assert!(scoped_rows > 0, "the platform scope matched nothing");
    eprintln!("chdb differential: {} queries × 2 scopes, {rows} matching entries compared (operator scope)", queries().len());
}
