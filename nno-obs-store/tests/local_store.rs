//! The local store as its users see it: files on disk in the production layout.

use flate2::read::GzDecoder;
use nno_obs::clock::Clock;
use nno_obs::sink::PointSink;
use nno_obs::{fields, DataPoint, Telemetry};
use nno_obs_store::fs::{prune_datasets, EventMeta, Invocation, LocalStore};
use nno_obs_store::index::FileIndex;
use nno_obs_store::layout::ScriptName;
use nno_obs_store::record::{Outcome, TraceEventRecord};
use nno_obs_store::retention::PruneMode;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const T0: u64 = 1_771_756_440_000; // 2026-02-22T10:34:00Z

fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn relative(root: &Path, paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
        .collect()
}

fn gunzip(path: &Path) -> String {
    let mut text = String::new();
    GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    text
}

fn one_invocation(store: &Arc<LocalStore>, clock: &Clock, script: &str, trace: &str, user: &str) {
    let invocation = Invocation::start(store.clone(), clock.clone());
    let telemetry = Telemetry::builder()
        .log_sink(invocation.clone())
        .clock(clock.clone())
        .build();
    let obs = nno_obs::Obs::from_headers(
        telemetry,
        "analytics",
        &[("x-trace-id", trace), ("x-request-id", "rq")],
    );
    obs.info("report built", fields! { userId: user, rows: 42 });
    clock.advance(5);
    obs.error("export failed", fields! { userId: user });
    let script = ScriptName::parse(script).unwrap();
    invocation
        .finish(
            &script,
            Outcome::Ok,
            EventMeta::fetch("GET", "https://k3m9p2xw7q.example/api/data", 200)
                .with_ray_id("8b2e4f1a2b3c4d5e"),
        )
        .unwrap();
}

#[test]
fn an_invocation_becomes_one_record_in_its_platform_bucket() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(LocalStore::open(dir.path()).unwrap());
    let clock = Clock::manual(T0);
    one_invocation(
        &store,
        &clock,
        "k3m9p2xw7q-r8n4t6y1z5-analytics-prod",
        "tr-1",
        "u-1",
    );

    // Before the batch closes: one plain file, the bucket's open batch, one line.
    let open = files_under(dir.path());
    let names = relative(dir.path(), &open);
    assert_eq!(names.len(), 1);
    assert!(
        names[0].starts_with("nno-logs-k3m9p2xw7q/20260222/20260222T103400Z_open_"),
        "{names:?}"
    );
    assert!(names[0].ends_with(".json"));
    let random =
        names[0]["nno-logs-k3m9p2xw7q/20260222/20260222T103400Z_open_".len()..][..8].to_owned();
    let text = std::fs::read_to_string(&open[0]).unwrap();
    assert_eq!(text.lines().count(), 1);
    let line = text.lines().next().unwrap();
    // Golden: the exact record (the trace ids are the request's; the clock is manual).
    assert_eq!(
        line,
        concat!(
            r#"{"ScriptName":"k3m9p2xw7q-r8n4t6y1z5-analytics-prod","Outcome":"ok","EventTimestampMs":1771756440000,"#,
            r#""EventType":"fetch","Event":{"RayID":"8b2e4f1a2b3c4d5e","Request":{"URL":"https://k3m9p2xw7q.example/api/data","Method":"GET"},"Response":{"Status":200}},"#,
            r#""Logs":[{"Level":"log","Message":["{\"timestamp\":\"2026-02-22T10:34:00.000Z\",\"level\":\"info\",\"service\":\"analytics\",\"traceId\":\"tr-1\",\"requestId\":\"rq\",\"message\":\"report built\",\"userId\":\"u-1\",\"rows\":42}"],"TimestampMs":1771756440000},"#,
            r#"{"Level":"error","Message":["{\"timestamp\":\"2026-02-22T10:34:00.005Z\",\"level\":\"error\",\"service\":\"analytics\",\"traceId\":\"tr-1\",\"requestId\":\"rq\",\"message\":\"export failed\",\"userId\":\"u-1\"}"],"TimestampMs":1771756440005}],"#,
            r#""Exceptions":[]}"#
        )
    );

    // Closing: the Logpush-named object + index; the open file is gone.
    store.close().unwrap();
    let closed = files_under(dir.path());
    let names = relative(dir.path(), &closed);
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(
        names[0],
        format!("nno-logs-k3m9p2xw7q/20260222/20260222T103400Z_20260222T103400Z_{random}.log.gz")
    );
    assert_eq!(names[1], format!("{}.idx", names[0]));
    assert_eq!(gunzip(&closed[0]), text);
    let index = FileIndex::from_json(&std::fs::read(&closed[1]).unwrap()).unwrap();
    assert_eq!(index.records, 1);
    assert_eq!(index.entries, 2);
    assert_eq!((index.min_ms, index.max_ms), (Some(T0), Some(T0 + 5)));
    assert!(index.may_hold_trace("tr-1") && index.may_hold_user("u-1"));
    assert_eq!(
        index.data_bytes,
        std::fs::metadata(&closed[0]).unwrap().len()
    );
}

/// The batch names under `root`, relative, sorted.
fn names_under(root: &Path) -> Vec<String> {
    relative(root, &files_under(root))
}

#[test]
fn batches_close_like_logpush_and_late_records_join_the_open_batch() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(LocalStore::open(dir.path()).unwrap());
    let clock = Clock::manual(T0);
    // Two core services in one bucket: one batch, several scripts (one Logpush job a bucket).
    one_invocation(&store, &clock, "nno-registry-prod", "a", "u");
    clock.set(T0 + 60_000);
    one_invocation(&store, &clock, "nno-iam-prod", "b", "u");
    let names = names_under(dir.path());
    assert_eq!(names.len(), 1, "{names:?}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join(&names[0]))
            .unwrap()
            .lines()
            .count(),
        2
    );

    // A late record: it started at 10:35 but finished at 10:39:10, after the window of the
    // 10:34 batch (300 s) ended. The 10:34 batch closes; the record opens the next batch, whose
    // `{start}` is after the record's own time.
    clock.set(T0 + 60_000);
    let invocation = Invocation::start(store.clone(), clock.clone());
    let telemetry = Telemetry::builder()
        .log_sink(invocation.clone())
        .clock(clock.clone())
        .build();
    telemetry.logger("iam").info("slow", fields! {});
    clock.set(T0 + 310_000);
    invocation
        .finish(
            &ScriptName::parse("nno-iam-prod").unwrap(),
            Outcome::Ok,
            EventMeta::scheduled(),
        )
        .unwrap();
    let names = names_under(dir.path());
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names[0].starts_with("nno-logs-internal/20260222/20260222T103400Z_20260222T103500Z_"));
    assert!(names[0].ends_with(".log.gz"));
    assert_eq!(names[1], format!("{}.idx", names[0]));
    assert!(names[2].starts_with("nno-logs-internal/20260222/20260222T103910Z_open_"));
    let index = FileIndex::from_json(&std::fs::read(dir.path().join(&names[1])).unwrap()).unwrap();
    assert_eq!(index.records, 2);

    // Another bucket's arrivals never close this bucket's batch (its writer may run on a clock
    // of its own); the bucket's own next arrival after the window does.
    clock.set(T0 + 610_000);
    one_invocation(&store, &clock, "k3m9p2xw7q-auth-prod", "c", "u");
    let names = names_under(dir.path());
    assert!(names
        .iter()
        .any(|n| n.starts_with("nno-logs-internal/20260222/20260222T103910Z_open_")));
    clock.set(T0 + 620_000);
    one_invocation(&store, &clock, "nno-iam-prod", "d", "u");
    let names = names_under(dir.path());
    let late = names
        .iter()
        .find(|n| n.starts_with("nno-logs-internal/20260222/20260222T103910Z_20260222T103910Z_"))
        .unwrap_or_else(|| panic!("{names:?}"));
    let text = gunzip(&dir.path().join(late));
    let record: TraceEventRecord = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    // The record's own time is before its object's `{start}`: only `{end}` bounds it.
    assert_eq!(record.event_timestamp_ms, Some(T0 + 60_000));
    assert!(names
        .iter()
        .any(|n| n.starts_with("nno-logs-k3m9p2xw7q/20260222/20260222T104410Z_open_")));

    // A batch never spans two UTC days: `{DATE}` is the day of `{start}` and `{end}`.
    let midnight = 1_771_804_800_000; // 2026-02-23T00:00:00Z
    clock.set(midnight - 1_000);
    one_invocation(&store, &clock, "k3m9p2xw7q-auth-prod", "d", "u");
    clock.set(midnight + 1_000);
    one_invocation(&store, &clock, "k3m9p2xw7q-auth-prod", "e", "u");
    store.close().unwrap();
    let names = names_under(dir.path());
    assert!(names.iter().all(|n| !n.ends_with(".json")), "{names:?}");
    assert!(names
        .iter()
        .any(|n| n.starts_with("nno-logs-k3m9p2xw7q/20260222/20260222T235959Z_20260222T235959Z_")));
    assert!(names
        .iter()
        .any(|n| n.starts_with("nno-logs-k3m9p2xw7q/20260223/20260223T000001Z_20260223T000001Z_")));
    assert_eq!(names.iter().filter(|n| n.ends_with(".log.gz")).count(), 6);
}

#[test]
fn points_are_rows_with_analytics_engine_columns() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    let point = DataPoint::new()
        .blob("analytics")
        .blob("GET /api/data")
        .blob("200")
        .blob("r8n4t6y1z5")
        .double(1.0)
        .double(45.0)
        .double(0.0)
        .index("analytics");
    store
        .write_point("k3m9p2xw7q-perf", T0 + 999, &point)
        .unwrap();
    // A dataset name that could escape the folder is refused.
    assert!(store.write_point("../../etc", T0, &point).is_err());
    store.close().unwrap();
    let files = files_under(dir.path());
    let names = relative(dir.path(), &files);
    // The `.json.gz`, its columnar sidecar and its index.
    assert_eq!(names.len(), 3);
    assert!(names[0].starts_with("analytics-engine/k3m9p2xw7q-perf/2026-02-22/10/points-"));
    assert_eq!(names[1], format!("{}.cols", names[0]));
    assert_eq!(names[2], format!("{}.idx", names[0]));
    let mut buffer = Vec::new();
    let (from_columns, origin) = nno_obs_store::fs::with_columns(&files[0], &mut buffer, |c| {
        (
            c.rows(),
            c.timestamp(0),
            c.text(2).value(0).to_owned(),
            c.double(2).get(0),
        )
    })
    .unwrap();
    assert_eq!(origin, nno_obs_store::fs::ColumnsOrigin::Sidecar);
    assert_eq!(
        from_columns,
        (1, 1_771_756_440, "GET /api/data".to_owned(), 45.0)
    );
    let rows = gunzip(&files[0]);
    let row = nno_obs_store::points::PointRow::from_line(rows.lines().next().unwrap().as_bytes())
        .unwrap();
    assert_eq!(row.timestamp_s, 1_771_756_440);
    assert_eq!(row.index1, "analytics");
    assert_eq!(
        row.blobs[..4],
        ["analytics", "GET /api/data", "200", "r8n4t6y1z5"]
    );
    assert_eq!(row.doubles[..3], [1.0, 45.0, 0.0]);
}

#[test]
fn concurrent_writers_in_one_process_leave_whole_records() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(LocalStore::open(dir.path()).unwrap());
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                let clock = Clock::manual(T0);
                for n in 0..50 {
                    one_invocation(
                        &store,
                        &clock,
                        "k3m9p2xw7q-auth-prod",
                        &format!("t{t}-{n}"),
                        "u",
                    );
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    store.close().unwrap();
    let files = files_under(dir.path());
    let gz: Vec<_> = files
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(".gz"))
        .collect();
    assert_eq!(gz.len(), 1);
    let text = gunzip(gz[0]);
    assert_eq!(text.lines().count(), 400);
    for line in text.lines() {
        let record: TraceEventRecord = serde_json::from_str(line).unwrap();
        assert_eq!(record.logs.len(), 2);
    }
}

/// The log buckets are pruned over the object seam (`nno_obs_logs::retention`, whose tests
/// cover them and the whole store as `nno-obs store prune` prunes it); the filesystem prune is
/// the datasets' only.
#[test]
fn prune_datasets_removes_expired_hours_of_datasets_only() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let now = T0;
    let day = 86_400_000u64;
    for (folder, age_days) in [
        ("analytics-engine/nno-core-ops", 91),
        ("analytics-engine/nno-core-ops", 89),
        ("analytics-engine/nno-edge", 92),
        ("nno-logs-k3m9p2xw7q", 400),
        ("not-a-bucket", 400),
    ] {
        let hour = nno_obs_store::layout::DateHour::of_unix_ms(now - age_days * day);
        let path = root.join(folder).join(hour.folder());
        std::fs::create_dir_all(&path).unwrap();
        std::fs::write(path.join("f.json.gz"), b"xy").unwrap();
    }
    // A day folder of a dataset is not the points layout: left alone.
    std::fs::create_dir_all(root.join("analytics-engine/nno-core-ops/20200101")).unwrap();
    std::fs::write(root.join("analytics-engine/nno-core-ops/20200101/x"), b"x").unwrap();
    let before = relative(root, &files_under(root));
    let plan = prune_datasets(root, now, PruneMode::Count).unwrap();
    assert_eq!(
        relative(root, &files_under(root)),
        before,
        "a count removes nothing"
    );
    let report = prune_datasets(root, now, PruneMode::Remove).unwrap();
    assert_eq!(report, plan);
    assert_eq!((report.files_removed, report.bytes_removed), (2, 4));
    assert_eq!((report.hours_removed, report.days_removed), (2, 0));
    let left = relative(root, &files_under(root));
    assert_eq!(left.len(), 4, "{left:?}");
    assert!(left.iter().any(|n| n.starts_with("nno-logs-k3m9p2xw7q/")));
    assert!(left.iter().any(|n| n.starts_with("not-a-bucket/")));
    // The emptied dataset folder's date folder went with its hour.
    assert!(!root
        .join("analytics-engine/nno-edge")
        .read_dir()
        .unwrap()
        .any(|_| true));
}

/// The child of `a_crash_never_leaves_a_torn_record`: writes big records until killed.
#[test]
#[ignore = "run as a child process by a_crash_never_leaves_a_torn_record"]
fn crash_child() {
    let Ok(dir) = std::env::var("NNO_STORE_CRASH_DIR") else {
        return;
    };
    let store = Arc::new(LocalStore::open(dir).unwrap());
    let clock = Clock::manual(T0);
    let big = "x".repeat(256 * 1024);
    loop {
        let invocation = Invocation::start(store.clone(), clock.clone());
        let telemetry = Telemetry::builder()
            .log_sink(invocation.clone())
            .clock(clock.clone())
            .build();
        telemetry.logger("registry").info(&big, fields! {});
        invocation
            .finish(
                &ScriptName::parse("nno-registry-prod").unwrap(),
                Outcome::Ok,
                EventMeta::scheduled(),
            )
            .unwrap();
    }
}

#[test]
fn a_crash_never_leaves_a_torn_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("NNO_STORE_CRASH_DIR", dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Let it write at least a few MB, then kill it mid-stream (SIGKILL: no drop, no rotation).
    let started = std::time::Instant::now();
    loop {
        let size: u64 = files_under(dir.path())
            .iter()
            .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
            .sum();
        if size > 4 << 20 || started.elapsed().as_secs() > 60 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let files = files_under(dir.path());
    assert_eq!(
        files.len(),
        1,
        "the killed writer never closed its batch: one plain file"
    );
    // The open batch's name, never a Logpush one: no `.log.gz` is ever partial.
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    let batch = nno_obs_store::batch::BatchName::parse(&name).unwrap();
    assert_eq!(
        (batch.end_s(), name.ends_with(".json")),
        (None, true),
        "{name}"
    );
    let bytes = std::fs::read(&files[0]).unwrap();
    // Every `\n`-terminated line is a whole record; at most an unterminated tail follows, which
    // readers drop as truncated (nno-obs-logs counts it).
    let mut whole = 0;
    let mut lines = bytes.split(|b| *b == b'\n').peekable();
    while let Some(line) = lines.next() {
        if lines.peek().is_none() {
            break; // the tail after the last newline (empty if the kill fell between records)
        }
        let record: TraceEventRecord = serde_json::from_slice(line).unwrap();
        assert_eq!(record.logs.len(), 1);
        whole += 1;
    }
    assert!(whole >= 4, "{whole} records");
}

#[test]
fn a_late_point_goes_to_the_folder_of_its_own_hour() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    let dataset = nno_obs_store::layout::DatasetName::parse("nno-core-ops-spans").unwrap();
    let point = |blob: &'static str| nno_obs::DataPoint::new().blob(blob).double(1.0);
    // 11:00:01 opens the 11 file; a request of 10:59 ends after it; an hour-09 straggler too.
    let at = |h: u64, m: u64, s: u64| 1_771_718_400_000 + (h * 3600 + m * 60 + s) * 1000;
    store
        .append_point(&dataset, at(11, 0, 1), &point("eleven"))
        .unwrap();
    store
        .append_point(&dataset, at(10, 59, 59), &point("ten"))
        .unwrap();
    store
        .append_point(&dataset, at(11, 0, 2), &point("eleven"))
        .unwrap();
    store
        .append_point(&dataset, at(9, 30, 0), &point("nine"))
        .unwrap();
    store
        .append_point(&dataset, at(10, 59, 58), &point("ten"))
        .unwrap();
    store.close().unwrap();
    for (hour, expected) in [("09", "nine"), ("10", "ten"), ("11", "eleven")] {
        let folder = dir
            .path()
            .join("analytics-engine/nno-core-ops-spans/2026-02-22")
            .join(hour);
        let mut blobs = Vec::new();
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.to_string_lossy().ends_with(".json.gz") {
                let mut text = String::new();
                GzDecoder::new(std::fs::File::open(&path).unwrap())
                    .read_to_string(&mut text)
                    .unwrap();
                for line in text.lines() {
                    let row: serde_json::Value = serde_json::from_str(line).unwrap();
                    blobs.push(row["blob1"].as_str().unwrap().to_owned());
                }
            }
        }
        assert!(!blobs.is_empty(), "{hour}");
        assert!(blobs.iter().all(|b| b == expected), "{hour}: {blobs:?}");
    }
}
