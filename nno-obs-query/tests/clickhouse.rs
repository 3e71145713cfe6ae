//! The differential test: every question's plans, rendered as SQL and run by ClickHouse (chdb)
//! over tables with Analytics Engine's schema, must give what the local evaluator gives over
//! the same points read from the local store's files.
//!
//! Point sets: a generated one (sample intervals 1–50, fractional durations, a hostile feature
//! name and trace id, rows on both range ends and just outside, a one-point group, ties at
//! quantile boundaries, a platform whose rows are all outside the range) and the fleet
//! simulator's output (3 platforms × 1 hour).
//!
//! Equality: text, counts and times exactly; floats exactly when both are integers (every
//! quantile, and sums of integer products), otherwise within 1e-9 relative: ClickHouse may add
//! a group's products in another order, and for n non-negative terms reordering changes the sum
//! by at most n·ε relative (n ≤ 10⁴ here: 2·10⁻¹² ≪ 10⁻⁹).
//!
//! It needs chdb (`scripts/chdb.sh` installs it into `.tools/chdb`); `scripts/test.sh` runs it
//! with `--ignored` after that, so `cargo test` alone never needs Python.

mod common;

use common::{
    all_plans, row, write_dataset, HOSTILE_FEATURE, PLATFORM_A, PLATFORM_B, PLATFORM_EMPTY,
};
use nno_obs_query::dialect::{Conditional, DatasetQuote, Dialect, Prefix, Quantile, TimeBucket};
use nno_obs_query::local::LocalEngine;
use nno_obs_query::memory::MemoryEngine;
use nno_obs_query::questions::*;
use nno_obs_query::{Plan, Question, Table, TimeRange, Value};
use nno_obs_store::layout::PlatformId;
use nno_obs_store::points::{PointRow, CLICKHOUSE_STRUCTURE};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

const T0: i64 = 1_771_754_400; // 2026-02-22 10:00:00 UTC
const HOSTILE_TRACE: &str = "tr'x\\' OR 1=1; -- é\"";

fn chdb_python() -> PathBuf {
    if let Ok(python) = std::env::var("NNO_CHDB_PYTHON") {
        return PathBuf::from(python);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/chdb/bin/python")
}

/// Loads every dataset folder of `root` as a table, and every other dataset the plans name as
/// an empty one (the answer the client gives for a dataset never written: no rows — see
/// tests/sql_api.rs), and runs the plans' SQL.
fn run_chdb(
    root: &Path,
    plans: &[(String, Plan)],
) -> Vec<Result<Vec<serde_json::Map<String, serde_json::Value>>, String>> {
    let queries: Vec<(String, Vec<&str>)> = plans
        .iter()
        .map(|(_, plan)| (plan.sql(), Vec::new()))
        .collect();
    run_chdb_queries(root, plans, &queries)
}

/// As [`run_chdb`], for any statements over the plans' datasets, each with the forms the
/// emulator refuses for it (`scripts/ae_dialect.py`): a refused statement is an `Err`.
fn run_chdb_queries(
    root: &Path,
    plans: &[(String, Plan)],
    queries: &[(String, Vec<&str>)],
) -> Vec<Result<Vec<serde_json::Map<String, serde_json::Value>>, String>> {
    let refuse: Vec<&Vec<&str>> = queries.iter().map(|(_, refuse)| refuse).collect();
    let queries: Vec<&String> = queries.iter().map(|(sql, _)| sql).collect();
    let mut tables = serde_json::Map::new();
    for (_, plan) in plans {
        tables.insert(plan.dataset().name(), serde_json::Value::Array(Vec::new()));
    }
    for dataset in std::fs::read_dir(root.join("analytics-engine")).unwrap() {
        let dataset = dataset.unwrap();
        let mut files = Vec::new();
        let mut stack = vec![dataset.path()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                let name = path.to_string_lossy().into_owned();
                if path.is_dir() {
                    stack.push(path);
                } else if name.ends_with(".json.gz") || name.ends_with(".json") {
                    files.push(serde_json::Value::String(name));
                }
            }
        }
        tables.insert(
            dataset.file_name().to_string_lossy().into_owned(),
            files.into(),
        );
    }
    let spec = serde_json::json!({
        "structure": CLICKHOUSE_STRUCTURE,
        "tables": tables,
        "queries": queries,
        "refuse": refuse,
    });
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/chdb_tables.py");
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
        .write_all(spec.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "chdb failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answers: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    answers
        .into_iter()
        .map(|answer| match answer.get("rows") {
            Some(serde_json::Value::Array(rows)) => Ok(rows
                .iter()
                .map(|r| r.as_object().cloned().unwrap_or_default())
                .collect()),
            _ => Err(answer["error"].as_str().unwrap_or("?").to_owned()),
        })
        .collect()
}

#[derive(Default, Debug)]
struct Tally {
    plans: usize,
    rows: usize,
    cells: usize,
    inexact_floats: usize,
    max_relative: f64,
}

fn same_float(a: Option<f64>, b: Option<f64>, tally: &mut Tally) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) if a == b => true,
        (Some(a), Some(b)) if a.fract() == 0.0 && b.fract() == 0.0 => false,
        (Some(a), Some(b)) => {
            let relative = (a - b).abs() / a.abs().max(b.abs()).max(1.0);
            tally.inexact_floats += 1;
            tally.max_relative = tally.max_relative.max(relative);
            relative <= 1e-9
        }
        _ => false,
    }
}

fn compare(label: &str, sql: &str, local: &Table, clickhouse: &Table, tally: &mut Tally) {
    assert_eq!(local.columns, clickhouse.columns, "{label}");
    assert_eq!(
        local.rows.len(),
        clickhouse.rows.len(),
        "{label}: row counts differ\nSQL: {sql}\nlocal: {:?}\nclickhouse: {:?}",
        local.rows,
        clickhouse.rows
    );
    for (at, (l, c)) in local.rows.iter().zip(&clickhouse.rows).enumerate() {
        for (column, (x, y)) in local.columns.iter().zip(l.iter().zip(c)) {
            let same = match (x, y) {
                (Value::Float(a), Value::Float(b)) => same_float(*a, *b, tally),
                (a, b) => a == b,
            };
            assert!(same, "{label}: row {at} column {column}: local {x:?}, clickhouse {y:?}\nSQL: {sql}\nlocal: {l:?}\nclickhouse: {c:?}");
            tally.cells += 1;
        }
    }
    tally.plans += 1;
    tally.rows += local.rows.len();
}

fn differential(root: &Path, plans: &[(String, Plan)]) -> Tally {
    let answers = run_chdb(root, plans);
    // The local answers read closed files from their columnar sidecars (built on the first
    // read); the same engine reading JSON only must agree with them exactly.
    let engine = LocalEngine::new(root);
    let json = LocalEngine::json_only(root);
    // The in-memory engine (the alert replay's) must give the same answers.
    let memory = MemoryEngine::new(root);
    let mut tally = Tally::default();
    for ((label, plan), answer) in plans.iter().zip(answers) {
        let rows = answer
            .unwrap_or_else(|error| panic!("{label}: ClickHouse refused\n{}\n{error}", plan.sql()));
        let clickhouse = Table::from_json_rows(plan, &rows).unwrap();
        let local = engine.run_now(plan).unwrap();
        assert_eq!(
            format!("{local:?}"),
            format!("{:?}", json.run_now(plan).unwrap()),
            "{label}: columns and JSON disagree"
        );
        compare(label, &plan.sql(), &local, &clickhouse, &mut tally);
        let in_memory = memory.run_now(plan).unwrap();
        compare(
            &format!("{label} (memory)"),
            &plan.sql(),
            &in_memory,
            &clickhouse,
            &mut Tally::default(),
        );
    }
    // Closed points files now have their sidecars (those in hours some plan reads): the
    // columns path really was taken.
    let (closed, sidecars) = count_files(&root.join("analytics-engine"));
    assert!(
        sidecars > 0 && sidecars <= closed,
        "{closed} .json.gz, {sidecars} .cols"
    );
    tally
}

/// (`.json.gz` files, `.json.gz.cols` files) under `dir`.
fn count_files(dir: &Path) -> (usize, usize) {
    let (mut closed, mut sidecars) = (0, 0);
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.to_string_lossy().into_owned();
        if path.is_dir() {
            let (c, s) = count_files(&path);
            closed += c;
            sidecars += s;
        } else if name.ends_with(".json.gz") {
            closed += 1;
        } else if name.ends_with(".json.gz.cols") {
            sidecars += 1;
        }
    }
    (closed, sidecars)
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn generated_points(root: &Path) -> Vec<String> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let range_end = T0 + 7200;
    // {A}-perf: weighted traffic, a hostile feature, fractional durations, range edges.
    let features = ["analytics", "auth", "exports", HOSTILE_FEATURE];
    let endpoints = [
        "GET /api/data",
        "POST /api/data/export",
        "GET /api/report/:id",
        "GET /session",
    ];
    let mut perf_a = Vec::new();
    for i in 0..3000 {
        let t = T0 - 30 + rng.below(7200 + 60) as i64;
        let feature = features[rng.below(4) as usize];
        let endpoint = endpoints[rng.below(4) as usize];
        let error = rng.below(10) == 0;
        let mut ms = (1 + rng.below(800)) as f64;
        if i % 7 == 0 {
            ms += 0.25 * (1 + rng.below(3)) as f64;
        }
        let status = if error { "503" } else { "200" };
        let weight = 1 + rng.below(50) as u32;
        perf_a.push(row(
            t,
            feature,
            &[feature, endpoint, status, "r8n4t6y1z5"],
            &[1.0, ms, f64::from(u8::from(error))],
            weight,
        ));
    }
    for (t, ms) in [
        (T0, 11.0),
        (range_end - 1, 12.0),
        (range_end, 13.0),
        (T0 - 1, 14.0),
    ] {
        perf_a.push(row(
            t,
            "edges",
            &["edges", "GET /edge", "200"],
            &[1.0, ms, 0.0],
            1,
        ));
    }
    perf_a.push(row(
        T0 + 100,
        "solo",
        &["solo", "GET /one", "500"],
        &[1.0, 42.0, 1.0],
        7,
    ));
    // Ties: p50 of 10,20,30,40 (weight 1 each) sits exactly on the boundary after 20;
    // weights 5+5 put p50 exactly on the first value's last copy.
    for (ms, w) in [(10.0, 1), (20.0, 1), (30.0, 1), (40.0, 1)] {
        perf_a.push(row(
            T0 + 200,
            "ties",
            &["ties", "GET /ties", "200"],
            &[1.0, ms, 0.0],
            w,
        ));
    }
    for (ms, w) in [(100.0, 5), (200.0, 5)] {
        perf_a.push(row(
            T0 + 300,
            "ties",
            &["ties", "GET /ties5", "200"],
            &[1.0, ms, 0.0],
            w,
        ));
    }
    // A silent Worker: traffic early in the range only.
    perf_a.push(row(
        T0 + 10,
        "silent",
        &["silent", "GET /x", "200"],
        &[1.0, 5.0, 0.0],
        3,
    ));
    write_dataset(root, &format!("{PLATFORM_A}-perf"), &perf_a);

    let perf_b: Vec<PointRow> = (0..50)
        .map(|i| {
            row(
                T0 + i * 137,
                "reports",
                &[
                    "reports",
                    "GET /api/reports",
                    if i % 9 == 0 { "500" } else { "200" },
                ],
                &[1.0, (i * 3) as f64, f64::from(u8::from(i % 9 == 0))],
                2,
            )
        })
        .collect();
    write_dataset(root, &format!("{PLATFORM_B}-perf"), &perf_b);
    // Every row of this platform is outside the range: empty groups everywhere.
    write_dataset(
        root,
        &format!("{PLATFORM_EMPTY}-perf"),
        &[row(
            T0 - 5000,
            "auth",
            &["auth", "GET /session", "200"],
            &[1.0, 9.0, 0.0],
            4,
        )],
    );

    let mut core = Vec::new();
    for i in 0..600 {
        let t = T0 + rng.below(7200) as i64;
        let (service, operation) = match i % 6 {
            0 => ("gateway", "GET /api/platforms/:id"),
            1 => ("registry", "GET /platforms/:id"),
            2 => ("registry", "PUT /platforms/:id"),
            3 => ("provisioning", "PROVISION_PLATFORM"),
            4 => ("provisioning", "ACTIVATE_FEATURE"),
            _ => ("provisioning", "POST /jobs"),
        };
        let error = rng.below(8) == 0;
        let outcome = if error { "error" } else { "success" };
        core.push(row(
            t,
            service,
            &[service, operation, outcome, PLATFORM_A],
            &[
                1.0,
                (1 + rng.below(5000)) as f64,
                f64::from(u8::from(error)),
            ],
            1 + rng.below(4) as u32,
        ));
    }
    write_dataset(root, "nno-core-ops", &core);

    let mut builds = Vec::new();
    for (i, platform) in [PLATFORM_A, PLATFORM_B, PLATFORM_A, PLATFORM_A, PLATFORM_B]
        .iter()
        .enumerate()
    {
        let outcome = ["success", "failure", "canceled"][i % 3];
        builds.push(row(
            T0 + 60 * i as i64,
            platform,
            &[platform, &format!("b-{i}"), outcome, "manual"],
            &[
                1.0,
                60_000.0 + i as f64 * 1000.0,
                f64::from(u8::from(outcome == "failure")),
            ],
            1,
        ));
    }
    write_dataset(root, "nno-builds", &builds);

    // {A}-usage: invocations (whole units) and a fractional metric, weighted, range edges.
    let usage: Vec<PointRow> = (0..400)
        .map(|i| {
            let t = T0 - 30 + rng.below(7200 + 60) as i64;
            let (metric, units) = if i % 4 == 0 {
                ("rows-exported", 0.5 * (1 + rng.below(40)) as f64)
            } else {
                ("invocations", 1.0)
            };
            row(
                t,
                "analytics",
                &["analytics", "r8n4t6y1z5", metric],
                &[units],
                1 + rng.below(3) as u32,
            )
        })
        .collect();
    write_dataset(root, &format!("{PLATFORM_A}-usage"), &usage);

    // Spans: a failed job with steps and a rollback, a hostile trace id, same-second ties.
    let span = |t: i64,
                trace: &str,
                id: &str,
                parent: &str,
                service: &str,
                op: &str,
                outcome: &str,
                platform: &str,
                ms: f64| {
        row(
            t,
            trace,
            &[trace, id, parent, service, op, outcome, platform],
            &[ms, f64::from(u8::from(outcome == "error"))],
            1,
        )
    };
    let job = "tr-job-0001";
    let spans = vec![
        span(
            T0 + 500,
            job,
            "a1",
            "",
            "gateway",
            "POST /api/platforms/:id/activate",
            "error",
            PLATFORM_A,
            3000.0,
        ),
        span(
            T0 + 500,
            job,
            "a2",
            "a1",
            "provisioning",
            "POST /jobs",
            "error",
            PLATFORM_A,
            2900.0,
        ),
        span(
            T0 + 500,
            job,
            "a3",
            "a2",
            "provisioning",
            "run-job",
            "error",
            PLATFORM_A,
            2800.0,
        ),
        span(
            T0 + 498,
            job,
            "a4",
            "a3",
            "provisioning",
            "create-d1",
            "ok",
            PLATFORM_A,
            400.0,
        ),
        span(
            T0 + 499,
            job,
            "a5",
            "a3",
            "provisioning",
            "configure-dns",
            "error",
            PLATFORM_A,
            900.0,
        ),
        span(
            T0 + 500,
            job,
            "a6",
            "a3",
            "provisioning",
            "rollback",
            "ok",
            PLATFORM_A,
            300.0,
        ),
        span(
            T0 + 900,
            HOSTILE_TRACE,
            "b1",
            "",
            "gateway",
            "GET /x",
            "ok",
            PLATFORM_A,
            10.0,
        ),
        span(
            T0 + 900,
            HOSTILE_TRACE,
            "b0",
            "b1",
            "registry",
            "GET /platforms/:id",
            "ok",
            PLATFORM_A,
            5.0,
        ),
        span(
            T0 + 900,
            HOSTILE_TRACE,
            "b2",
            "b1",
            "auth",
            "GET /session",
            "ok",
            PLATFORM_B,
            5.0,
        ),
        span(
            T0 + 950,
            "tr-other",
            "c1",
            "",
            "gateway",
            "GET /y",
            "ok",
            PLATFORM_B,
            10.0,
        ),
    ];
    write_dataset(root, "nno-core-ops-spans", &spans);
    vec![
        job.to_owned(),
        HOSTILE_TRACE.to_owned(),
        "tr-missing".to_owned(),
    ]
}

#[test]
#[ignore = "needs chdb: scripts/test.sh installs it and runs this"]
fn generated_points_agree_with_clickhouse() {
    let dir = tempfile::tempdir().unwrap();
    let traces = generated_points(dir.path());
    let platforms: Vec<PlatformId> = [PLATFORM_A, PLATFORM_B, PLATFORM_EMPTY]
        .iter()
        .map(|p| PlatformId::parse(p).unwrap())
        .collect();
    let mut plans = Vec::new();
    for range in [
        TimeRange::new(T0, T0 + 7200).unwrap(),
        TimeRange::new(T0 + 1234, T0 + 4321).unwrap(),
        TimeRange::new(T0 - 10_000, T0 - 9_000).unwrap(), // nothing anywhere
    ] {
        plans.extend(all_plans(range, &platforms, &traces));
    }
    let tally = differential(dir.path(), &plans);
    eprintln!("generated: {tally:?}");
    assert!(tally.rows > 200, "{tally:?}");
    assert!(
        tally.inexact_floats > 0,
        "the fractional durations should exercise the tolerance"
    );

    // The hostile values reached ClickHouse as data: the hostile trace and feature are found.
    let engine = LocalEngine::new(dir.path());
    let operator = nno_obs_access::testing::operator();
    let range = TimeRange::new(T0, T0 + 7200).unwrap();
    let question = TraceSpans::new(&operator, HOSTILE_TRACE, range).unwrap();
    let trace = pollster::block_on(question.ask(&engine)).unwrap();
    assert_eq!(
        trace
            .spans
            .iter()
            .map(|s| s.span_id.as_str())
            .collect::<Vec<_>>(),
        ["b1", "b0", "b2"]
    );
    let scope = nno_obs_access::testing::platform(platforms[0].clone());
    let features = pollster::block_on(FeatureStats::new(&scope, range).ask(&engine)).unwrap();
    assert!(features.iter().any(|f| f.feature == HOSTILE_FEATURE));
    let jobs = pollster::block_on(FailedJobs::new(&operator, range).ask(&engine)).unwrap();
    assert_eq!(jobs.len(), 1);
    let steps: Vec<&str> = jobs[0].steps.iter().map(|s| s.operation.as_str()).collect();
    assert_eq!(steps, ["create-d1", "configure-dns", "rollback"]);
}

#[test]
#[ignore = "needs chdb: scripts/test.sh installs it and runs this"]
fn the_simulated_fleet_agrees_with_clickhouse() {
    let dir = tempfile::tempdir().unwrap();
    let until_ms = 1_771_761_600_000; // 2026-02-22 12:00 UTC
    let config = nno_obs_sim::run::SimConfig {
        platforms: 3,
        hours: 1,
        seed: 7,
        until_ms,
        threads: 2,
    };
    let store = Arc::new(nno_obs_store::fs::LocalStore::open(dir.path()).unwrap());
    let summary = nno_obs_sim::run::run(&config, store.clone(), &|_, _| {}).unwrap();
    store.close().unwrap();
    let engine = LocalEngine::new(dir.path());
    let platforms = engine.platforms().unwrap();
    assert_eq!(platforms.len(), 3);
    let until_s = (until_ms / 1000) as i64;
    let range = TimeRange::ending(until_s, "1h").unwrap();
    let operator = nno_obs_access::testing::operator();
    // The traces of the failed jobs, and one ordinary trace.
    let mut traces: Vec<String> = FailedJobs::new(&operator, range)
        .answer(vec![engine
            .run_now(&FailedJobs::new(&operator, range).plans()[0])
            .unwrap()])
        .unwrap()
        .into_iter()
        .map(|job| job.trace_id)
        .collect();
    traces.truncate(3);
    let mut plans = all_plans(range, &platforms, &traces);
    plans.extend(all_plans(
        TimeRange::ending(until_s - 600, "15m").unwrap(),
        &platforms[..1],
        &[],
    ));
    let tally = differential(dir.path(), &plans);
    eprintln!("simulated ({} invocations): {tally:?}", summary.invocations);
    assert!(tally.rows > 100, "{tally:?}");
}

/// Each fallback spelling ([`Dialect`]) against an engine that refuses the spellings it
/// replaces: no statement is refused (the SQL no longer uses the form), and every plan's answer
/// is ClickHouse's answer in its default spellings (which the tests above hold to the local
/// engine's). Each refused form, asked of a dialect that spells it, is refused somewhere: the
/// emulator does see it, so the first half can fail.
#[test]
#[ignore = "needs chdb: scripts/test.sh installs it and runs this"]
fn every_fallback_gives_the_same_answers_on_clickhouse() {
    let dir = tempfile::tempdir().unwrap();
    let traces = generated_points(dir.path());
    let platforms: Vec<PlatformId> = [PLATFORM_A, PLATFORM_B]
        .iter()
        .map(|p| PlatformId::parse(p).unwrap())
        .collect();
    let mut plans = all_plans(TimeRange::new(T0, T0 + 7200).unwrap(), &platforms, &traces);
    plans.extend(all_plans(
        TimeRange::new(T0 + 1234, T0 + 4321).unwrap(),
        &platforms[..1],
        &traces,
    ));
    let base = Dialect::CLICKHOUSE;
    let multi_if = Dialect {
        conditional: Conditional::MultiIf,
        ..base
    };
    let starts_with = Dialect {
        prefix: Prefix::StartsWith,
        ..base
    };
    // (a dialect, the forms refused to it: the spellings of the same feature it passed over)
    let cases: Vec<(Dialect, Vec<&str>)> = vec![
        (base, vec![]),
        (
            Dialect {
                dataset: DatasetQuote::Backticks,
                ..base
            },
            vec!["dataset-double-quotes"],
        ),
        (
            Dialect {
                quantile: Quantile::Weighted,
                ..base
            },
            vec!["quantileExactWeighted"],
        ),
        (multi_if, vec!["if"]),
        (
            Dialect {
                conditional: Conditional::Case,
                ..base
            },
            vec!["if", "multiIf"],
        ),
        (
            Dialect {
                bucket: TimeBucket::IntDiv,
                ..base
            },
            vec!["toStartOfInterval"],
        ),
        (starts_with, vec!["like"]),
        (
            Dialect {
                prefix: Prefix::Position,
                ..base
            },
            vec!["like", "startsWith"],
        ),
        (
            Dialect::ALL_FALLBACKS,
            vec![
                "dataset-double-quotes",
                "quantileExactWeighted",
                "if",
                "multiIf",
                "toStartOfInterval",
                "like",
                "startsWith",
            ],
        ),
    ];
    // (a dialect that spells the form, the form)
    let sightings: Vec<(Dialect, &str)> = vec![
        (base, "dataset-double-quotes"),
        (base, "quantileExactWeighted"),
        (base, "if"),
        (multi_if, "multiIf"),
        (base, "toStartOfInterval"),
        (base, "like"),
        (starts_with, "startsWith"),
    ];
    // One chdb run for everything: each case's plans, then each sighting's.
    let mut queries: Vec<(String, Vec<&str>)> = Vec::new();
    for (dialect, refuse) in &cases {
        for (_, plan) in &plans {
            queries.push((plan.sql_in(dialect), refuse.clone()));
        }
    }
    for (dialect, form) in &sightings {
        for (_, plan) in &plans {
            queries.push((plan.sql_in(dialect), vec![*form]));
        }
    }
    let mut answers = run_chdb_queries(dir.path(), &plans, &queries).into_iter();
    let mut expected: Vec<Table> = Vec::new();
    for (dialect, _) in &cases {
        let mut tally = Tally::default();
        for (at, (label, plan)) in plans.iter().enumerate() {
            let sql = plan.sql_in(dialect);
            let rows = answers
                .next()
                .unwrap()
                .unwrap_or_else(|error| panic!("{label} in {dialect:?}: {error}\n{sql}"));
            let table = Table::from_json_rows(plan, &rows).unwrap();
            match expected.get(at) {
                None => expected.push(table),
                Some(want) => compare(
                    &format!("{label} in {dialect:?}"),
                    &sql,
                    want,
                    &table,
                    &mut tally,
                ),
            }
        }
        eprintln!("{dialect:?}: {tally:?}");
    }
    assert!(expected.iter().map(|t| t.rows.len()).sum::<usize>() > 200);
    for (dialect, form) in &sightings {
        let refused = answers
            .by_ref()
            .take(plans.len())
            .filter(|answer| answer.is_err())
            .count();
        assert!(refused > 0, "{form} is never refused in {dialect:?}");
    }
}
