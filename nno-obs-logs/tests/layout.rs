//! Every layout is read, and what a name says is trusted only as far as Logpush guarantees it:
//! late records, crashed rotations, read-only stores.

mod common;

use common::build::paths_under;
use common::{write_fleet, T0};
use nno_obs_logs::{LocalSearch, LogQuery};
use nno_obs_store::fs::LocalStore;
use nno_obs_store::layout::ScriptName;
use nno_obs_store::record::{TraceEventRecord, TraceLog};
use std::path::PathBuf;

fn record(script: &ScriptName, event_ms: u64, trace: &str) -> TraceEventRecord {
    TraceEventRecord {
        script_name: Some(script.as_str().to_owned()),
        event_timestamp_ms: Some(event_ms),
        logs: vec![TraceLog {
            level: Some("log".into()),
            // A plain console text: the entry's message.
            message: vec![serde_json::Value::String(trace.to_owned())],
            timestamp_ms: Some(event_ms),
        }],
        ..TraceEventRecord::default()
    }
}

fn count(search: &LocalSearch, query: &LogQuery) -> usize {
    search.run(query, None, usize::MAX - 1).hits.len()
}

#[test]
fn a_late_record_is_never_skipped_by_a_range_search() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    let script = ScriptName::parse("k3m9p2xw7q-auth-prod").unwrap();
    let hour = 3_600_000;
    // A record every minute for six hours, each arriving when it happened...
    for minute in 0..360 {
        let at = T0 + minute * 60_000;
        store
            .append_record_at(&script, &record(&script, at, "on-time"), at)
            .unwrap();
    }
    // ...and one that happened at T0 + 5 s but was delivered five hours later: its object's
    // name says T0 + 5 h, its record says T0.
    store
        .append_record_at(&script, &record(&script, T0 + 5_000, "late"), T0 + 5 * hour)
        .unwrap();
    store.close().unwrap();
    let late_object = paths_under(dir.path())
        .into_iter()
        .find(|p| {
            let text = p.to_string_lossy();
            text.ends_with(".log.gz") && text.contains("T150000Z_")
        })
        .unwrap();
    assert!(late_object.to_string_lossy().contains("/20260222/"));

    let search = LocalSearch::store(dir.path(), &nno_obs_access::testing::operator()).unwrap();
    let first_minute = LogQuery {
        from_ms: Some(T0),
        to_ms: Some(T0 + 60_000),
        ..Default::default()
    };
    let page = search.run(&first_minute, None, 100);
    let traces: Vec<_> = page.hits.iter().map(|h| h.entry.message.clone()).collect();
    assert_eq!(traces, ["on-time", "late"]);
    // The range search still skipped most objects, by their index sidecars.
    assert!(page.files_pruned > page.files_read, "{page:?}");

    // A range that starts after an object's `{end}` (plus the slack) skips it by name alone,
    // sidecar unread; never an object whose records could be later.
    let last_hour = LogQuery {
        from_ms: Some(T0 + 5 * hour),
        ..Default::default()
    };
    let by_name = paths_under(dir.path())
        .iter()
        .map(|path| {
            path.strip_prefix(dir.path())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|key| nno_obs_logs::prune::is_data_file(key.rsplit('/').next().unwrap()))
        .filter(|key| {
            nno_obs_store::batch::latest_record_ms(key).is_some_and(|latest| latest < T0 + 5 * hour)
        })
        .count();
    assert!(by_name > 0);
    let page = search.run(&last_hour, None, usize::MAX - 1);
    assert!(page.files_pruned >= by_name, "{page:?}");
    let full = LocalSearch::store(dir.path(), &nno_obs_access::testing::operator())
        .unwrap()
        .without_indexes();
    assert_eq!(page.hits.len(), count(&full, &last_hour));
    assert_eq!(page.hits.len(), 60);
    for query in [first_minute, last_hour, LogQuery::default()] {
        assert_eq!(count(&search, &query), count(&full, &query), "{query:?}");
    }
}

#[test]
fn a_crashed_rotation_counts_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    let script = ScriptName::parse("nno-registry-prod").unwrap();
    for n in 0..5 {
        let at = T0 + n * 1_000;
        store
            .append_record_at(&script, &record(&script, at, "t"), at)
            .unwrap();
    }
    // The writer dies after its object was renamed into place but before the open file went:
    // both are on disk.
    let open = paths_under(dir.path()).remove(0);
    let copy = std::fs::read(&open).unwrap();
    store.close().unwrap();
    std::fs::write(&open, copy).unwrap();
    // The seed's layout, the same way: `x.json` next to its `x.json.gz`.
    let seed_folder = dir.path().join("nno-logs-internal/2026-02-22/10");
    std::fs::create_dir_all(&seed_folder).unwrap();
    let object = paths_under(dir.path())
        .into_iter()
        .find(|p| p.to_string_lossy().ends_with(".log.gz"))
        .unwrap();
    let seed_name = "nno-registry-prod-0f8fad5b-d9cb-469f-a165-70867728950e.json";
    std::fs::copy(&object, seed_folder.join(format!("{seed_name}.gz"))).unwrap();
    std::fs::copy(&open, seed_folder.join(seed_name)).unwrap();

    let search = LocalSearch::store(dir.path(), &nno_obs_access::testing::operator()).unwrap();
    let page = search.run(&LogQuery::default(), None, usize::MAX - 1);
    assert_eq!((page.files_total, page.files_read), (2, 2), "{page:?}");
    assert!(page.hits.iter().all(|h| h.key.file.ends_with(".gz")));
    assert_eq!(page.hits.len(), 10);
    // Given paths are deduplicated the same way.
    let given = LocalSearch::paths(&[dir.path().join("nno-logs-internal")]).unwrap();
    assert_eq!(count(&given, &LogQuery::default()), 10);
    // An open batch alone (the writer died before renaming) is read: it is the only copy.
    std::fs::remove_file(&object).unwrap();
    let search = LocalSearch::store(dir.path(), &nno_obs_access::testing::operator()).unwrap();
    assert_eq!(count(&search, &LogQuery::default()), 10);
}

#[test]
fn every_layout_and_loose_files_are_read() {
    let dir = tempfile::tempdir().unwrap();
    write_fleet(dir.path(), 40, 1, 3);
    let objects: Vec<PathBuf> = paths_under(dir.path())
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".log.gz"))
        .collect();
    let total = count(
        &LocalSearch::store(dir.path(), &nno_obs_access::testing::operator()).unwrap(),
        &LogQuery::default(),
    );
    // The same records as an R2 download of Logpush objects, in the seed's layout, and as loose
    // plain files with names of no layout.
    let other = tempfile::tempdir().unwrap();
    for (n, object) in objects.iter().enumerate() {
        let name = object.file_name().unwrap();
        let download = other.path().join("download/20260222");
        std::fs::create_dir_all(&download).unwrap();
        std::fs::copy(object, download.join(name)).unwrap();
        let seed = other.path().join("seed/2026-02-22/10");
        std::fs::create_dir_all(&seed).unwrap();
        std::fs::copy(object, seed.join(format!("nno-registry-prod-{n}.json.gz"))).unwrap();
        let mut plain = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(std::fs::File::open(object).unwrap()),
            &mut plain,
        )
        .unwrap();
        std::fs::write(other.path().join(format!("loose-{n}.ndjson")), plain).unwrap();
    }
    let search = LocalSearch::paths(&[other.path().to_path_buf()]).unwrap();
    assert_eq!(count(&search, &LogQuery::default()), 3 * total);
    // Timed by their records: the same range gives the same share of each copy.
    let range = LogQuery {
        from_ms: Some(T0 + 600_000),
        to_ms: Some(T0 + 1_200_000),
        ..Default::default()
    };
    let store_hits = count(
        &LocalSearch::store(dir.path(), &nno_obs_access::testing::operator()).unwrap(),
        &range,
    );
    assert!(store_hits > 0);
    assert_eq!(count(&search, &range), 3 * store_hits);
}

/// A fleet's store where no sidecar exists and none can be written: each sidecar's path is a
/// directory, which a rename cannot replace (a read-only folder, even for root).
fn read_only_fleet() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_fleet(dir.path(), 60, 2, 5);
    for file in paths_under(dir.path()) {
        if file.to_string_lossy().ends_with(".idx") {
            std::fs::remove_file(&file).unwrap();
            std::fs::create_dir(&file).unwrap();
        }
    }
    dir
}

#[test]
fn a_read_only_store_keeps_its_indexes_in_memory() {
    let dir = read_only_fleet();
    let query = LogQuery {
        trace_id: Some("no-such-trace".into()),
        ..Default::default()
    };
    let first = LocalSearch::store(dir.path(), &nno_obs_access::testing::operator())
        .unwrap()
        .run(&query, None, 10);
    assert!(first.files_read > 0 && first.files_pruned == 0, "{first:?}");
    // The next query of the process (a new search over the same store) reads no file whole
    // again: the indexes built by the first are kept in memory.
    let second = LocalSearch::store(dir.path(), &nno_obs_access::testing::operator())
        .unwrap()
        .run(&query, None, 10);
    assert_eq!(
        (second.files_read, second.files_pruned),
        (0, first.files_read),
        "{second:?}"
    );
    // Nothing was left behind by the failed writes.
    assert!(paths_under(dir.path())
        .iter()
        .all(|p| !p.to_string_lossy().ends_with(".tmp")));
    // And a query that matches still finds everything it should.
    let everything = LocalSearch::store(dir.path(), &nno_obs_access::testing::operator()).unwrap();
    let full = LocalSearch::store(dir.path(), &nno_obs_access::testing::operator())
        .unwrap()
        .without_indexes();
    let trace = LogQuery {
        trace_id: Some("tr-5-7".into()),
        ..Default::default()
    };
    assert!(count(&everything, &trace) > 0);
    assert_eq!(count(&everything, &trace), count(&full, &trace));
}

#[test]
fn a_read_only_bucket_folder_keeps_its_sidecars_in_memory() {
    use nno_obs_logs::objects::{Continuation, Limits, ObjectSearch};
    use nno_obs_logs::source::now_or_never;
    use nno_obs_logs::LocalFolder;
    use nno_obs_store::layout::Bucket;

    let dir = read_only_fleet();
    let folder = LocalFolder::bucket(dir.path(), &Bucket::Internal);
    let search = || ObjectSearch::new(&folder, "nno-logs-internal/");
    let run = |query: &LogQuery| {
        now_or_never(search().run(query, &Continuation::default(), 1000, Limits::UNLIMITED))
            .unwrap()
            .unwrap()
    };
    let query = LogQuery {
        trace_id: Some("no-such-trace".into()),
        ..Default::default()
    };
    let first = run(&query);
    assert!(
        first.objects_read > 0 && first.sidecars_read == 0,
        "{first:?}"
    );
    // The next search of the process reads no object whole again: it prunes with the sidecars
    // the first one built and kept in memory.
    let second = run(&query);
    assert_eq!(
        (second.objects_read, second.sidecars_read),
        (0, first.objects_read),
        "{second:?}"
    );
    assert!(paths_under(dir.path())
        .iter()
        .all(|p| !p.to_string_lossy().ends_with(".tmp")));
    // A query that matches still finds what a search without sidecars finds.
    let trace = LogQuery {
        trace_id: Some("tr-5-7".into()),
        ..Default::default()
    };
    let indexed = run(&trace);
    // The full scan: the same objects in memory, without any sidecar.
    let copy = nno_obs_logs::source::MemorySource::new();
    for object in now_or_never(folder_list(&folder)).unwrap().unwrap() {
        if !object.key.ends_with(".idx") {
            let bytes = now_or_never(nno_obs_logs::source::ObjectSource::get(
                &folder,
                &object.key,
            ));
            copy.insert(&object.key, bytes.unwrap().unwrap().unwrap());
        }
    }
    let full = ObjectSearch::new(&copy, "nno-logs-internal/").without_writing();
    let full = now_or_never(full.run(&trace, &Continuation::default(), 1000, Limits::UNLIMITED));
    assert!(!indexed.hits.is_empty());
    assert_eq!(indexed.hits, full.unwrap().unwrap().hits);
}

fn folder_list(
    folder: &nno_obs_logs::LocalFolder,
) -> nno_obs_logs::source::SourceFuture<'_, Vec<nno_obs_logs::source::ObjectMeta>> {
    nno_obs_logs::source::ObjectSource::list(folder, "")
}
