//! Following a search: a write to the store wakes the follower at once, the follower's own
//! searches (reads, index sidecars) never do, and each catch-up gives only what is new.

use nno_obs_logs::follow::{Follower, StoreWatch, Wake};
use nno_obs_logs::{LocalSearch, LogQuery};
use nno_obs_store::fs::LocalStore;
use nno_obs_store::layout::ScriptName;
use nno_obs_store::record::TraceEventRecord;
use std::path::Path;
use std::time::{Duration, Instant};

/// 2026-02-22T10:34:00Z.
const T0: u64 = 1_771_756_440_000;

fn append(store: &LocalStore, at: u64, message: &str) {
    let record: TraceEventRecord = serde_json::from_value(serde_json::json!({
        "ScriptName": "nno-registry-prod", "Outcome": "ok", "EventTimestampMs": at,
        "Logs": [{"Level": "warn", "Message": [message], "TimestampMs": at}],
    }))
    .unwrap();
    store
        .append_record(&ScriptName::parse("nno-registry-prod").unwrap(), &record)
        .unwrap();
}

fn messages(follower: &mut Follower, root: &Path) -> Vec<String> {
    let mut seen = Vec::new();
    follower
        .catch_up(
            || LocalSearch::store(root, &nno_obs_access::testing::operator()),
            |page| {
                seen.extend(page.hits.iter().map(|hit| hit.entry.message.clone()));
                Ok(())
            },
        )
        .unwrap();
    seen
}

#[test]
fn a_write_wakes_the_follower_and_each_catch_up_gives_only_what_is_new() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    append(&store, T0, "before");
    let watch = StoreWatch::new(&[dir.path().to_path_buf()]);
    assert_eq!(watch.problem(), None);
    let mut follower = Follower::new(LogQuery::default(), None, 1, watch);
    // One hit a page: the catch-up pages until the end.
    assert_eq!(messages(&mut follower, dir.path()), ["before"]);
    assert!(messages(&mut follower, dir.path()).is_empty());

    // Appended to the same open batch (no file created) by another thread while the
    // follower waits.
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        append(&store, T0 + 1000, "after 1");
        append(&store, T0 + 1001, "after 2");
        store
    });
    let started = Instant::now();
    assert_eq!(follower.wait(), Wake::Changed);
    // Woken by the write, not by the 10 s recheck.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let _store = writer.join().unwrap();
    assert_eq!(messages(&mut follower, dir.path()), ["after 1", "after 2"]);
}

#[test]
fn the_followers_own_searches_do_not_wake_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    append(&store, T0, "closed");
    store.close().unwrap();
    // Without their index sidecars, the closed objects get one written by the next search.
    let mut removed = 0;
    for day in std::fs::read_dir(dir.path().join("nno-logs-internal")).unwrap() {
        for file in std::fs::read_dir(day.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            if path.to_string_lossy().ends_with(".idx") {
                std::fs::remove_file(&path).unwrap();
                removed += 1;
            }
        }
    }
    assert!(removed > 0);
    let mut watch = StoreWatch::new(&[dir.path().to_path_buf()]);
    let page = LocalSearch::store(dir.path(), &nno_obs_access::testing::operator())
        .unwrap()
        .run(&LogQuery::default(), None, 10);
    assert_eq!(page.hits.len(), 1);
    assert!(std::fs::read_dir(dir.path().join("nno-logs-internal"))
        .unwrap()
        .flat_map(|day| std::fs::read_dir(day.unwrap().path()).unwrap())
        .any(|f| f.unwrap().path().to_string_lossy().ends_with(".idx")));
    // The reads and the sidecar written are not changes of the store.
    assert_eq!(
        watch.wait_at_most(Duration::from_millis(1500)),
        Wake::Recheck
    );
}
