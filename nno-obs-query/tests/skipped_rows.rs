//! Points rows another writer timed to the millisecond or in RFC 3339 are read, cut to the
//! second (what Analytics Engine stores); rows no reader can take are counted and reported by
//! every local engine and path (JSON, the columnar sidecar, memory), never dropped silently.

use flate2::write::GzEncoder;
use nno_obs_query::local::LocalEngine;
use nno_obs_query::memory::MemoryEngine;
use nno_obs_query::questions::FeatureStats;
use nno_obs_query::{Engine, Question, TimeRange};
use nno_obs_store::layout::PlatformId;
use std::io::Write;
use std::path::Path;

/// 2026-02-22T10:00:00Z and the hour after.
const HOUR: (i64, i64) = (1_771_754_400, 1_771_758_000);

fn row(timestamp: &str, feature: &str) -> String {
    format!(
        r#"{{"timestamp":"{timestamp}","index1":"{feature}","blob1":"{feature}","blob2":"GET /a","blob3":"200","blob4":"","double1":1,"double2":45,"double3":0,"_sample_interval":1}}"#
    )
}

/// One closed file (gzip) and one open file, each with readable rows in every accepted
/// timestamp form and unreadable lines.
fn store(root: &Path) {
    let hour = root.join("analytics-engine/k3m9p2xw7q-perf/2026-02-22/10");
    std::fs::create_dir_all(&hour).unwrap();
    let closed = [
        row("2026-02-22 10:34:00", "analytics"),
        row("2026-02-22 10:34:00.123", "analytics"),
        row("2026-02-22T10:34:00.999Z", "analytics"),
        row("2026-02-22T11:34:01+01:00", "analytics"),
        row("22/02/2026 10:34", "analytics"), // no time: counted
        "{\"torn".to_owned(),                 // counted
        String::new(),                        // blank: neither
    ]
    .join("\n");
    let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(closed.as_bytes()).unwrap();
    std::fs::write(hour.join("points-a.json.gz"), gz.finish().unwrap()).unwrap();
    let open = [
        row("2026-02-22 10:35:00.5", "reports"),
        row("2026-02-22 10:35", "reports"), // counted
    ]
    .join("\n");
    std::fs::write(hour.join("points-b.json"), open).unwrap();
}

fn requests(engine: &dyn Engine) -> Vec<(String, u64)> {
    let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
    let question = FeatureStats::new(&scope, TimeRange::new(HOUR.0, HOUR.1).unwrap());
    let mut rows: Vec<(String, u64)> = pollster::block_on(question.ask(engine))
        .unwrap()
        .into_iter()
        .map(|row| (row.feature, row.requests))
        .collect();
    rows.sort();
    rows
}

#[test]
fn millisecond_and_rfc3339_rows_are_read_and_the_rest_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    store(dir.path());
    let expected = vec![("analytics".to_owned(), 4), ("reports".to_owned(), 1)];
    let engines: Vec<(&str, Box<dyn Engine>)> = vec![
        ("json", Box::new(LocalEngine::json_only(dir.path()))),
        ("columns (built)", Box::new(LocalEngine::new(dir.path()))),
        ("columns (sidecar)", Box::new(LocalEngine::new(dir.path()))),
        ("memory", Box::new(MemoryEngine::new(dir.path()))),
    ];
    for (name, engine) in engines {
        assert_eq!(engine.skipped_rows(), 0, "{name}: nothing read yet");
        assert_eq!(requests(engine.as_ref()), expected, "{name}");
        assert_eq!(engine.skipped_rows(), 3, "{name}");
        // Asked again, the same files count once.
        requests(engine.as_ref());
        assert_eq!(engine.skipped_rows(), 3, "{name}: counted once");
    }
    assert!(dir
        .path()
        .join("analytics-engine/k3m9p2xw7q-perf/2026-02-22/10/points-a.json.gz.cols")
        .exists());
}
