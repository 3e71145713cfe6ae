//! Retention over the object seam (`nno_obs_logs::retention`): the rule by folder names over a
//! bucket in memory, with and without one-level listing; a delete failing mid-way; a local
//! bucket folder's delete (its safety); and the whole local store as `nno-obs store prune`
//! prunes it (log buckets over the seam, datasets on the filesystem).

mod common;

use common::build::paths_under;
use nno_obs_logs::retention::{prune_bucket, PruneError, PruneMode, PruneReport};
use nno_obs_logs::source::{
    now_or_never, MemorySource, ObjectMeta, ObjectSource, SourceError, SourceErrorKind,
    SourceFuture,
};
use nno_obs_logs::LocalFolder;
use nno_obs_store::batch::{LogpushDate, KEY_TIME_SLACK_MS};
use nno_obs_store::fs::LocalStore;
use nno_obs_store::layout::{Bucket, DateHour, ScriptName};
use nno_obs_store::record::TraceEventRecord;
use nno_obs_store::retention::RetentionClass;
use std::cell::Cell;
use std::path::Path;
use std::sync::Arc;

const DAY: u64 = 86_400_000;
const T0: u64 = 1_771_756_440_000; // 2026-02-22T10:34:00Z

/// A source whose `fail_at`-th delete (from 1) fails, as R2 timing out would.
struct FailingDelete<'a> {
    inner: &'a MemorySource,
    fail_at: usize,
    deletes: Cell<usize>,
}

impl ObjectSource for FailingDelete<'_> {
    fn list<'a>(&'a self, prefix: &'a str) -> SourceFuture<'a, Vec<ObjectMeta>> {
        self.inner.list(prefix)
    }
    fn list_level<'a>(
        &'a self,
        prefix: &'a str,
    ) -> SourceFuture<'a, Option<nno_obs_logs::source::Level>> {
        self.inner.list_level(prefix)
    }
    fn get<'a>(&'a self, key: &'a str) -> SourceFuture<'a, Option<Vec<u8>>> {
        self.inner.get(key)
    }
    fn get_range<'a>(
        &'a self,
        key: &'a str,
        offset: u64,
        len: u64,
    ) -> SourceFuture<'a, Option<Vec<u8>>> {
        self.inner.get_range(key, offset, len)
    }
    fn put<'a>(&'a self, key: &'a str, bytes: Vec<u8>) -> SourceFuture<'a, ()> {
        self.inner.put(key, bytes)
    }
    fn delete<'a>(&'a self, key: &'a str) -> SourceFuture<'a, ()> {
        let n = self.deletes.get() + 1;
        self.deletes.set(n);
        if n == self.fail_at {
            return Box::pin(async {
                Err(SourceError::new(SourceErrorKind::Unavailable, "timed out"))
            });
        }
        self.inner.delete(key)
    }
}

fn run(
    source: &dyn ObjectSource,
    class: RetentionClass,
    now: u64,
    mode: PruneMode,
) -> Result<PruneReport, PruneError> {
    now_or_never(prune_bucket(source, class, now, mode)).expect("a memory source never waits")
}

fn keys(bucket: &MemorySource) -> Vec<String> {
    now_or_never(bucket.list(""))
        .unwrap()
        .unwrap()
        .into_iter()
        .map(|o| o.key)
        .collect()
}

/// A Logpush object key of `day`, its batch started at `start_ms`.
fn logpush_key(day: LogpushDate, start_ms: u64) -> String {
    let stamp = nno_obs_store::time::format_rfc3339_ms(start_ms);
    let compact: String = stamp[..19]
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .collect();
    format!("{}/{compact}Z_{compact}Z_0f8fad5b.log.gz", day.folder())
}

/// One bucket with a day folder (object + sidecar), its next day's folder holding a late
/// record's batch, an hour folder of the seed's layout, and strays that no rule touches.
fn bucket_with(day: LogpushDate, hour: DateHour) -> (MemorySource, Vec<&'static str>) {
    let bucket = MemorySource::new();
    let key = logpush_key(day, day.start_ms());
    bucket.insert(&key, vec![0; 10]);
    bucket.insert(&format!("{key}.idx"), vec![0; 3]);
    // Late: a record of the day's last minute, delivered just after midnight.
    let next = LogpushDate::of_unix_ms(day.end_ms());
    bucket.insert(&logpush_key(next, day.end_ms() - 30_000), vec![0; 7]);
    bucket.insert(&format!("{}/x.json.gz", hour.folder()), vec![0; 5]);
    let strays = vec![
        "loose.log.gz",
        "notadate/20200101T000000Z_20200101T000500Z_0f8fad5b.log.gz",
        "20201301/not-a-real-day.log.gz",
        "2020-01-01/directly-in-a-date-folder.json.gz",
        "2020-01-01/zz/not-an-hour.json.gz",
        "2020-01-01/24/not-an-hour.json.gz",
    ];
    for stray in &strays {
        bucket.insert(stray, vec![0; 1]);
    }
    (bucket, strays)
}

#[test]
fn folders_go_exactly_at_their_expiry_by_class_and_nothing_else_goes() {
    let day = LogpushDate::of_unix_ms(T0 - 200 * DAY);
    // The next day's 03:00 hour: it expires after the day folder (an hour after its slack).
    let hour = DateHour::of_unix_ms(day.end_ms() + 3 * 3_600_000);
    for class in [RetentionClass::PlatformLogs, RetentionClass::InternalLogs] {
        let days = u64::from(class.days());
        let day_expiry = day.end_ms() + KEY_TIME_SLACK_MS + days * DAY;
        let hour_expiry = hour.end_ms() + days * DAY;
        // (now, files, bytes, day folders, hour folders) expected.
        let table = [
            (day_expiry - 1, 0, 0, 0, 0),
            (day_expiry, 2, 13, 1, 0),
            (hour_expiry - 1, 2, 13, 1, 0),
            (hour_expiry, 3, 18, 1, 1),
        ];
        assert!(day_expiry < hour_expiry, "the table's order");
        for (now, files, bytes, days_removed, hours_removed) in table {
            let expected = PruneReport {
                files_removed: files,
                bytes_removed: bytes,
                hours_removed,
                days_removed,
            };
            for one_level in [true, false] {
                let (bucket, strays) = bucket_with(day, hour);
                // Without one-level listing the prune lists the bucket once.
                let bucket = if one_level { bucket } else { bucket.flat() };
                let all = keys(&bucket);
                let source: &dyn ObjectSource = &bucket;
                let what = format!("{class:?} at {now} (one level: {one_level})");
                // Count removes nothing and reports what Remove then removes.
                let plan = run(source, class, now, PruneMode::Count).unwrap();
                assert_eq!(plan, expected, "{what}");
                assert_eq!(keys(&bucket), all, "{what}: a count removed something");
                let done = run(source, class, now, PruneMode::Remove).unwrap();
                assert_eq!(done, expected, "{what}");
                let left = keys(&bucket);
                assert_eq!(
                    left.len() as u64,
                    all.len() as u64 - files,
                    "{what}: {left:?}"
                );
                for stray in &strays {
                    assert!(left.iter().any(|k| k == stray), "{what}: {stray} removed");
                }
                // The late record's folder is the next day's: kept past the day's expiry.
                let next = LogpushDate::of_unix_ms(day.end_ms()).folder();
                assert!(
                    left.iter().any(|k| k.starts_with(&format!("{next}/"))),
                    "{what}"
                );
                // Once pruned, nothing more to do.
                let again = run(source, class, now, PruneMode::Remove).unwrap();
                assert_eq!(again, PruneReport::default(), "{what}");
            }
        }
    }
}

#[test]
fn the_folders_are_found_one_level_at_a_time() {
    let day = LogpushDate::of_unix_ms(T0 - 200 * DAY);
    let hour = DateHour::of_unix_ms(T0 - 200 * DAY);
    let (bucket, _) = bucket_with(day, hour);
    run(&bucket, RetentionClass::PlatformLogs, T0, PruneMode::Count).unwrap();
    let lists = bucket.lists();
    // The top, each `YYYY-MM-DD/` folder, then only the folders past retention, whole.
    let whole: Vec<&str> = lists
        .iter()
        .filter(|l| !l.one_level)
        .map(|l| l.prefix.as_str())
        .collect();
    assert!(!whole.contains(&""), "listed the whole bucket: {lists:?}");
    let mut whole = whole;
    whole.sort_unstable();
    // The day, the next day (its late record's: past retention too by now), the hour.
    let expired_day = format!("{}/", day.folder());
    let next_day = format!("{}/", LogpushDate::of_unix_ms(day.end_ms()).folder());
    let expired_hour = format!("{}/", hour.folder());
    let mut expected = [
        expired_day.as_str(),
        next_day.as_str(),
        expired_hour.as_str(),
    ];
    expected.sort_unstable();
    assert_eq!(whole, expected, "{lists:?}");
    let levels: Vec<&str> = lists
        .iter()
        .filter(|l| l.one_level)
        .map(|l| l.prefix.as_str())
        .collect();
    let date = format!("{}/", hour.date_folder());
    assert_eq!(levels, ["", "2020-01-01/", date.as_str()], "{lists:?}");
}

#[test]
fn a_delete_failing_mid_way_stops_and_reports_what_went() {
    let day = LogpushDate::of_unix_ms(T0 - 200 * DAY);
    let bucket = MemorySource::new();
    for i in 0..5 {
        bucket.insert(&format!("{}/{i}.log.gz", day.folder()), vec![0; 4]);
    }
    let class = RetentionClass::PlatformLogs;
    let failing = FailingDelete {
        inner: &bucket,
        fail_at: 3,
        deletes: Cell::new(0),
    };
    let error = run(&failing, class, T0, PruneMode::Remove).unwrap_err();
    assert_eq!(error.error.kind(), SourceErrorKind::Unavailable);
    // Two deleted before the third failed; the folder is not counted (objects are left).
    assert_eq!(
        error.removed,
        PruneReport {
            files_removed: 2,
            bytes_removed: 8,
            hours_removed: 0,
            days_removed: 0
        }
    );
    assert_eq!(keys(&bucket).len(), 3);
    assert_eq!(failing.deletes.get(), 3, "it stopped at the failure");
    // A second run removes the rest.
    let rest = run(&bucket, class, T0, PruneMode::Remove).unwrap();
    assert_eq!((rest.files_removed, rest.days_removed), (3, 1));
    assert!(keys(&bucket).is_empty());
}

#[test]
fn a_read_only_source_refuses_and_nothing_is_counted_as_removed() {
    let day = LogpushDate::of_unix_ms(T0 - 200 * DAY);
    let bucket = MemorySource::new().read_only();
    bucket.insert(&format!("{}/a.log.gz", day.folder()), vec![0; 4]);
    let error = run(&bucket, RetentionClass::PlatformLogs, T0, PruneMode::Remove).unwrap_err();
    assert_eq!(error.error.kind(), SourceErrorKind::ReadOnly);
    assert_eq!(error.removed, PruneReport::default());
    assert_eq!(keys(&bucket).len(), 1);
}

fn local_delete(folder: &LocalFolder, key: &str) -> Result<(), SourceError> {
    now_or_never(folder.delete(key)).unwrap()
}

#[test]
fn a_local_folder_deletes_only_inside_its_bucket() {
    let store = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret");
    std::fs::write(&secret, b"keep").unwrap();
    let root = store.path().join("nno-logs-internal");
    std::fs::create_dir_all(root.join("20200101")).unwrap();
    std::fs::write(store.path().join("sibling"), b"keep").unwrap();
    let bucket = LocalFolder::bucket(store.path(), &Bucket::Internal);
    // Traversal keys are refused before anything is touched.
    for hostile in [
        "../sibling",
        "20200101/../../sibling",
        "/etc/passwd",
        "a//b",
        "",
    ] {
        let refused = local_delete(&bucket, hostile).unwrap_err();
        assert_eq!(refused.kind(), SourceErrorKind::InvalidKey, "{hostile}");
    }
    assert!(store.path().join("sibling").exists());
    // A linked folder is not followed: the file through it is not this bucket's.
    std::os::unix::fs::symlink(outside.path(), root.join("20200102")).unwrap();
    local_delete(&bucket, "20200102/secret").unwrap();
    assert!(secret.exists());
    assert!(root.join("20200102").exists(), "the link itself stays");
    // A linked file is removed as a link; what it points to stays.
    std::os::unix::fs::symlink(&secret, root.join("20200101/link.log.gz")).unwrap();
    local_delete(&bucket, "20200101/link.log.gz").unwrap();
    assert!(std::fs::symlink_metadata(root.join("20200101/link.log.gz")).is_err());
    assert!(secret.exists());
    // A folder is not an object.
    std::fs::create_dir_all(root.join("2020-01-01/00")).unwrap();
    let refused = local_delete(&bucket, "2020-01-01/00").unwrap_err();
    assert_eq!(refused.kind(), SourceErrorKind::InvalidKey);
    // Missing: fine.
    local_delete(&bucket, "20200103/none.log.gz").unwrap();
    local_delete(&bucket, "2020-01-01/00/none.json.gz").unwrap();
}

#[test]
fn a_local_folder_removes_the_folders_a_delete_leaves_empty() {
    let store = tempfile::tempdir().unwrap();
    let root = store.path().join("nno-logs-internal");
    std::fs::create_dir_all(root.join("2020-01-01/00")).unwrap();
    std::fs::create_dir_all(root.join("2020-01-01/01")).unwrap();
    std::fs::write(root.join("2020-01-01/00/a.json.gz"), b"a").unwrap();
    std::fs::write(root.join("2020-01-01/00/b.json.gz"), b"b").unwrap();
    std::fs::write(root.join("2020-01-01/01/c.json.gz"), b"c").unwrap();
    let bucket = LocalFolder::bucket(store.path(), &Bucket::Internal);
    local_delete(&bucket, "2020-01-01/00/a.json.gz").unwrap();
    assert!(root.join("2020-01-01/00").is_dir(), "b is still in it");
    local_delete(&bucket, "2020-01-01/00/b.json.gz").unwrap();
    assert!(!root.join("2020-01-01/00").exists());
    assert!(root.join("2020-01-01").is_dir(), "01 is still in it");
    local_delete(&bucket, "2020-01-01/01/c.json.gz").unwrap();
    assert!(!root.join("2020-01-01").exists());
    assert!(root.is_dir(), "the bucket folder stays");
}

#[test]
fn a_local_folder_forgets_a_sidecar_it_kept_in_memory() {
    let store = tempfile::tempdir().unwrap();
    let root = store.path().join("nno-logs-internal");
    let day = LogpushDate::of_unix_ms(T0 - 200 * DAY);
    let object = logpush_key(day, day.start_ms());
    std::fs::create_dir_all(root.join(&object).parent().unwrap()).unwrap();
    std::fs::write(root.join(&object), b"data").unwrap();
    // A directory where the sidecar goes: it cannot be written, so it is kept in memory.
    let sidecar = format!("{object}.idx");
    std::fs::create_dir_all(root.join(&sidecar)).unwrap();
    let bucket = LocalFolder::bucket(store.path(), &Bucket::Internal);
    now_or_never(bucket.put(&sidecar, b"{}".to_vec()))
        .unwrap()
        .unwrap();
    let listed = now_or_never(bucket.list("")).unwrap().unwrap();
    assert!(listed.iter().any(|o| o.key == sidecar), "{listed:?}");
    // The prune lists it, deletes it (from memory) and its object, and counts both.
    let report = now_or_never(prune_bucket(
        &bucket,
        RetentionClass::InternalLogs,
        T0,
        PruneMode::Remove,
    ))
    .unwrap()
    .unwrap();
    assert_eq!((report.files_removed, report.days_removed), (2, 1));
    assert_eq!(now_or_never(bucket.get(&sidecar)).unwrap().unwrap(), None);
    let listed = now_or_never(bucket.list("")).unwrap().unwrap();
    assert!(listed.is_empty(), "{listed:?}");
}

// -- the whole local store, as `nno-obs store prune` prunes it ------------------------------

/// Each bucket folder over the seam, then the datasets on the filesystem.
fn prune_store(root: &Path, now: u64) -> PruneReport {
    let mut report = PruneReport::default();
    for entry in std::fs::read_dir(root).unwrap() {
        let entry = entry.unwrap();
        let Ok(bucket) = Bucket::parse(entry.file_name().to_str().unwrap()) else {
            continue;
        };
        let folder = LocalFolder::bucket(root, &bucket);
        let class = RetentionClass::of_bucket(&bucket);
        let one = now_or_never(prune_bucket(&folder, class, now, PruneMode::Remove));
        report.add(&one.unwrap().unwrap());
    }
    let datasets = nno_obs_store::fs::prune_datasets(root, now, PruneMode::Remove).unwrap();
    report.add(&datasets);
    report
}

fn names_under(root: &Path) -> Vec<String> {
    paths_under(root)
        .iter()
        .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
        .collect()
}

/// Was nno-obs-store's `prune_removes_expired_hours_only` (the filesystem prune of every
/// folder), with the same store and the same counts: the log buckets now go over the seam.
#[test]
fn a_store_prune_removes_expired_folders_only() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let now = T0;
    for (folder, age_days) in [
        ("nno-logs-k3m9p2xw7q", 31),
        ("nno-logs-k3m9p2xw7q", 29),
        ("nno-logs-internal", 89),
        ("nno-logs-internal", 91),
        ("analytics-engine/nno-core-ops", 91),
        ("not-a-bucket", 400),
    ] {
        let hour = DateHour::of_unix_ms(now - age_days * DAY);
        let path = root.join(folder).join(hour.folder());
        std::fs::create_dir_all(&path).unwrap();
        std::fs::write(path.join("f.json.gz"), b"x").unwrap();
    }
    // Logpush's day folders, with an object and its sidecar each.
    for (folder, age_days) in [
        ("nno-logs-k3m9p2xw7q", 32),
        ("nno-logs-k3m9p2xw7q", 29),
        ("nno-logs-internal", 92),
        ("nno-logs-internal", 89),
    ] {
        let day = LogpushDate::of_unix_ms(now - age_days * DAY);
        let path = root.join(folder).join(day.folder());
        std::fs::create_dir_all(&path).unwrap();
        let name = format!(
            "{}T000000Z_{}T000500Z_0f8fad5b.log.gz",
            day.folder(),
            day.folder()
        );
        std::fs::write(path.join(&name), b"x").unwrap();
        std::fs::write(path.join(format!("{name}.idx")), b"{}").unwrap();
    }
    // A day folder of a dataset is not the points layout: left alone.
    std::fs::create_dir_all(root.join("analytics-engine/nno-core-ops/20200101")).unwrap();
    std::fs::write(root.join("analytics-engine/nno-core-ops/20200101/x"), b"x").unwrap();
    let report = prune_store(root, now);
    assert_eq!(report.files_removed, 3 + 4);
    assert_eq!((report.hours_removed, report.days_removed), (3, 2));
    let left = names_under(root);
    assert_eq!(left.len(), 3 + 4 + 1, "{left:?}");
    assert!(left.iter().any(|n| n.starts_with("not-a-bucket/")));
}

/// Was nno-obs-store's test of the same name, over the filesystem prune.
#[test]
fn prune_never_deletes_a_late_record_before_its_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(LocalStore::open(dir.path()).unwrap());
    let midnight = 1_771_804_800_000; // 2026-02-23T00:00:00Z
    let script = ScriptName::parse("k3m9p2xw7q-auth-prod").unwrap();
    let record = |event_ms: u64, trace: &str| TraceEventRecord {
        script_name: Some(script.as_str().to_owned()),
        event_timestamp_ms: Some(event_ms),
        logs: vec![nno_obs_store::record::TraceLog {
            level: Some("log".into()),
            message: vec![serde_json::Value::String(format!(
                r#"{{"level":"info","service":"auth","traceId":"{trace}","message":"m"}}"#
            ))],
            timestamp_ms: Some(event_ms),
        }],
        ..TraceEventRecord::default()
    };
    // On time, on the 22nd; late: happened at 23:59:30 on the 22nd, delivered on the 23rd.
    store
        .append_record_at(
            &script,
            &record(midnight - 12 * 3_600_000, "early"),
            midnight - 12 * 3_600_000,
        )
        .unwrap();
    store
        .append_record_at(
            &script,
            &record(midnight - 30_000, "late"),
            midnight + 30_000,
        )
        .unwrap();
    store.close().unwrap();
    let names = names_under(dir.path());
    assert!(names
        .iter()
        .any(|n| n.starts_with("nno-logs-k3m9p2xw7q/20260222/")));
    assert!(names
        .iter()
        .any(|n| n.starts_with("nno-logs-k3m9p2xw7q/20260223/20260223T000030Z_")));

    let slack = KEY_TIME_SLACK_MS;
    // 30 days after the late record's own time (and its own day's end): nothing of the 23rd goes.
    let report = prune_store(dir.path(), midnight + slack + 30 * DAY);
    assert_eq!(report.days_removed, 1);
    let names = names_under(dir.path());
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names
        .iter()
        .all(|n| n.starts_with("nno-logs-k3m9p2xw7q/20260223/")));
    // Kept at least 30 days after its own time; gone a day later, with its folder.
    let report = prune_store(dir.path(), midnight + DAY + slack + 30 * DAY);
    assert_eq!(report.days_removed, 1);
    assert!(names_under(dir.path()).is_empty());
}
