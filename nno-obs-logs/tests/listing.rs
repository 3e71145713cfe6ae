//! Listing without walking the whole bucket: a ranged search lists the bucket's top level and
//! then only the `{DATE}` folders its range can touch (late deliveries included), every folder of
//! another layout whole, and finds exactly what a search of the whole bucket finds in its range.

mod common;

use common::build::{gzip, one_line_record};
use nno_obs_logs::objects::{Continuation, Limits, ObjectSearch};
use nno_obs_logs::source::{now_or_never, ListCall, MemorySource, ObjectSource};
use nno_obs_logs::{LocalFolder, LogQuery};

/// 2026-02-22T00:00:00Z.
const DAY_22: u64 = 1_771_718_400_000;
const HOUR: u64 = 3_600_000;
const DAY: u64 = 24 * HOUR;

/// A record at `ms` of one line `text` in trace `t-{text}`, with its `\n`.
fn record(ms: u64, text: &str) -> String {
    one_line_record(Some(ms), text, &format!("t-{text}")) + "\n"
}

/// `(key, record time, text)` of every object of the bucket.
fn objects() -> Vec<(String, u64, String)> {
    let mut objects = Vec::new();
    // One object a day, 2026-02-15 … 2026-02-26, each with a record at 10:10 that day.
    for day in 15..=26u64 {
        let at = DAY_22 - 22 * DAY + day * DAY + 10 * HOUR + 10 * 60_000;
        objects.push((
            format!("202602{day}/202602{day}T101500Z_202602{day}T101500Z_000000{day}.log.gz"),
            at,
            format!("day{day}"),
        ));
    }
    // Delivered the next day, 15 hours after it happened (10:30 on the 22nd).
    objects.push((
        "20260223/20260223T013000Z_20260223T013000Z_000000aa.log.gz".into(),
        DAY_22 + 10 * HOUR + 30 * 60_000,
        "late-15h".into(),
    ));
    // Delivered four days after it happened (10:40 on the 22nd): past the documented bound.
    objects.push((
        "20260226/20260226T104000Z_20260226T104000Z_000000bb.log.gz".into(),
        DAY_22 + 10 * HOUR + 40 * 60_000,
        "late-4d".into(),
    ));
    // The seed's layout, an object at the bucket's top, a download's own folder.
    objects.push((
        "2026-02-22/10/nno-registry-prod-u.json.gz".into(),
        DAY_22 + 10 * HOUR + 20 * 60_000,
        "seed-layout".into(),
    ));
    objects.push((
        "export.json.gz".into(),
        DAY_22 + 10 * HOUR + 50 * 60_000,
        "loose".into(),
    ));
    objects.push((
        "r2-download/20260222T100500Z_20260222T100500Z_0000beef.log.gz".into(),
        DAY_22 + 10 * HOUR + 5 * 60_000,
        "download".into(),
    ));
    objects
}

fn bucket() -> MemorySource {
    let bucket = MemorySource::new();
    for (key, at, text) in objects() {
        bucket.insert(&key, gzip(record(at, &text)));
    }
    bucket
}

/// 10:00 → 11:00 on the 22nd.
fn ranged() -> LogQuery {
    LogQuery {
        from_ms: Some(DAY_22 + 10 * HOUR),
        to_ms: Some(DAY_22 + 11 * HOUR),
        ..LogQuery::default()
    }
}

fn messages(source: &dyn ObjectSource, query: &LogQuery) -> Vec<String> {
    let search = ObjectSearch::new(source, "nno-logs-internal/").without_writing();
    let page = now_or_never(search.run(query, &Continuation::default(), 1000, Limits::UNLIMITED))
        .expect("a memory source never waits")
        .expect("the bucket lists");
    assert!(page.complete && page.next.is_none());
    page.hits.into_iter().map(|hit| hit.entry.message).collect()
}

#[test]
fn a_ranged_search_lists_only_the_folders_its_range_can_touch() {
    let bucket = bucket();
    let found = messages(&bucket, &ranged());
    assert_eq!(
        found,
        ["download", "day22", "seed-layout", "late-15h", "loose"]
    );
    let lists = bucket.lists();
    // The top level once, then the 22nd, the next day (late deliveries) and every folder that
    // is not a date, each on its own; never the whole bucket, never another day.
    assert_eq!(
        lists[0],
        ListCall {
            prefix: String::new(),
            one_level: true,
            returned: 1 + 12 + 2 // export.json.gz; twelve days; 2026-02-22/ and r2-download/
        }
    );
    let listed: Vec<&str> = lists[1..].iter().map(|l| l.prefix.as_str()).collect();
    assert_eq!(
        listed,
        ["2026-02-22/", "20260222/", "20260223/", "r2-download/"]
    );
    assert!(lists[1..].iter().all(|l| !l.one_level));
    // Only the objects of those folders were listed.
    let keys_listed: usize = lists[1..].iter().map(|l| l.returned).sum();
    let in_listed = objects()
        .iter()
        .filter(|(key, _, _)| listed.iter().any(|prefix| key.starts_with(prefix)))
        .count();
    assert_eq!(keys_listed, in_listed);
    assert!(keys_listed < objects().len() / 2, "{keys_listed}");
}

#[test]
fn a_ranged_search_finds_what_the_whole_bucket_holds_in_its_range() {
    let bucket = bucket();
    let query = ranged();
    let everything = messages(&bucket, &LogQuery::default());
    let in_range: Vec<String> = objects()
        .into_iter()
        .filter(|(_, at, _)| query.range_meets(*at, *at))
        .map(|(_, _, text)| text)
        .filter(|text| everything.contains(text))
        .collect();
    let mut found = messages(&bucket, &query);
    // Everything in range but the record delivered four days late (past the documented day of
    // lateness: found without a range, or with one that reaches its delivery day).
    let mut expected: Vec<String> = in_range.into_iter().filter(|t| t != "late-4d").collect();
    found.sort();
    expected.sort();
    assert_eq!(found, expected);
    assert!(everything.contains(&"late-4d".to_owned()));
    let reaching = LogQuery {
        to_ms: Some(DAY_22 + 4 * DAY),
        ..ranged()
    };
    assert!(messages(&bucket, &reaching).contains(&"late-4d".to_owned()));
}

#[test]
fn a_search_without_range_lists_the_whole_bucket_once() {
    let bucket = bucket();
    let trace = LogQuery {
        trace_id: Some("t-late-4d".into()),
        ..LogQuery::default()
    };
    assert_eq!(messages(&bucket, &trace), ["late-4d"]);
    let lists = bucket.lists();
    assert_eq!(lists.len(), 1);
    assert_eq!((lists[0].prefix.as_str(), lists[0].one_level), ("", false));
}

#[test]
fn an_open_ended_range_lists_every_later_day() {
    let bucket = bucket();
    let since = LogQuery {
        from_ms: Some(DAY_22 + 3 * DAY), // the 25th, 00:00
        ..LogQuery::default()
    };
    let found = messages(&bucket, &since);
    assert_eq!(found, ["day25", "day26"]);
    let listed: Vec<String> = bucket.lists()[1..]
        .iter()
        .map(|l| l.prefix.clone())
        .collect();
    // The 24th's folder may hold records up to an hour past its end: listed (its object is
    // then pruned by its name); nothing before it.
    assert_eq!(
        listed,
        [
            "2026-02-22/",
            "20260224/",
            "20260225/",
            "20260226/",
            "r2-download/"
        ]
    );
}

#[test]
fn a_folder_lists_one_level_as_r2_does_and_never_follows_a_link() {
    let store = tempfile::tempdir().unwrap();
    let root = store.path().join("nno-logs-internal");
    let memory = bucket();
    for (key, _, _) in objects() {
        let path = root.join(&key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, memory.object(&key).unwrap()).unwrap();
    }
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.json.gz"), b"x").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path(), root.join("20260222").join("linked")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path(), root.join("20260224-link")).unwrap();
    let folder = LocalFolder::new(&root);
    for prefix in ["", "20260222/", "2026-02-22/", "2026-02-22/10/", "nowhere/"] {
        let level = now_or_never(folder.list_level(prefix)).unwrap().unwrap();
        let from_memory = now_or_never(memory.list_level(prefix)).unwrap().unwrap();
        assert!(level.is_some());
        assert_eq!(level, from_memory, "{prefix}");
    }
    // The same answers over the folder as over memory.
    assert_eq!(messages(&folder, &ranged()), messages(&memory, &ranged()));
    for hostile in ["../", "/", "a//"] {
        assert!(
            now_or_never(folder.list_level(hostile)).unwrap().is_err(),
            "{hostile}"
        );
    }
}

#[test]
fn a_source_that_cannot_list_a_level_is_listed_once_and_pruned_alike() {
    let flat = bucket().flat();
    assert_eq!(messages(&flat, &ranged()), messages(&bucket(), &ranged()));
    let lists = flat.lists();
    assert_eq!(lists.len(), 1);
    assert_eq!((lists[0].prefix.as_str(), lists[0].one_level), ("", false));
}
