//! The search over an object source: the same answers as `LocalSearch` on a real store,
//! damaged objects, index sidecars written once and then used, path safety, and bounded calls
//! whose continuations give every hit exactly once, in order.

mod common;

use common::build::{every_bucket_queries, gzip, one_line_record};
use common::{write_fleet, PLATFORMS, T0};
use nno_obs_logs::cursor::Cursor;
use nno_obs_logs::objects::{Continuation, Limits, ObjectPage, ObjectSearch};
use nno_obs_logs::search::Hit;
use nno_obs_logs::source::{now_or_never, MemorySource, ObjectSource};
use nno_obs_logs::{LocalFolder, LocalSearch, LogQuery, OperatorBucket};
use nno_obs_store::batch::BatchName;
use nno_obs_store::layout::{Bucket, PlatformId};
use proptest::prelude::*;
use std::io::Read;
use std::path::Path;

fn run(
    search: &ObjectSearch,
    query: &LogQuery,
    at: &Continuation,
    limit: usize,
    limits: Limits,
) -> ObjectPage {
    now_or_never(search.run(query, at, limit, limits))
        .expect("a local source never waits")
        .expect("the bucket lists")
}

/// Every hit, following continuations; panics if the calls do not end.
fn page_through(
    search: &ObjectSearch,
    query: &LogQuery,
    limit: usize,
    limits: Limits,
) -> (Vec<Hit>, usize) {
    let mut at = Continuation::default();
    let mut hits = Vec::new();
    for calls in 1..100_000 {
        let page = run(search, query, &at, limit, limits);
        assert!(page.hits.len() <= limit);
        assert!(page.complete || page.next.is_some());
        hits.extend(page.hits);
        match page.next {
            Some(next) => at = next,
            None => return (hits, calls),
        }
    }
    panic!("the continuations did not end");
}

/// An operator's view of one bucket.
fn one_bucket(bucket: Bucket) -> OperatorBucket {
    OperatorBucket::new(&nno_obs_access::testing::operator(), bucket)
}

fn keys(hits: &[Hit]) -> Vec<(Option<u64>, String, u64, u32, String)> {
    hits.iter()
        .map(|h| {
            (
                h.key.time_ms,
                h.key.file.clone(),
                h.key.line,
                h.key.entry,
                h.entry.message.clone(),
            )
        })
        .collect()
}

/// Leaves, next to one closed object, the open batch it was rotated from (a writer that died
/// between compressing and removing): both searches must read the closed object alone.
fn leave_a_rotated_open_batch(bucket: &Path) {
    let day = std::fs::read_dir(bucket)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let closed = std::fs::read_dir(&day)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".log.gz"))
        .unwrap();
    let name = BatchName::parse(closed.file_name().unwrap().to_str().unwrap()).unwrap();
    let open = BatchName::open(name.start_s() * 1000, name.random());
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&closed).unwrap())
        .read_to_end(&mut plain)
        .unwrap();
    std::fs::write(day.join(open.file_name()), plain).unwrap();
}

#[test]
fn the_same_hits_as_local_search_pages_and_all() {
    let store = tempfile::tempdir().unwrap();
    write_fleet(store.path(), 400, 3, 7);
    let buckets = [
        Bucket::Internal,
        Bucket::Platform(PlatformId::parse(PLATFORMS[0]).unwrap()),
    ];
    leave_a_rotated_open_batch(&store.path().join(buckets[0].name()));
    for bucket in &buckets {
        let folder = LocalFolder::bucket(store.path(), bucket);
        let name = format!("{}/", bucket.name());
        let objects = ObjectSearch::new(&folder, &name);
        for query in every_bucket_queries() {
            // Before any sidecar exists (the object search writes them), then with them.
            let first = run(
                &objects,
                &query,
                &Continuation::default(),
                10_000,
                Limits::UNLIMITED,
            );
            let local = LocalSearch::store(store.path(), &one_bucket(bucket.clone())).unwrap();
            let expected = LocalSearch::store(store.path(), &one_bucket(bucket.clone()))
                .unwrap()
                .without_indexes()
                .run(&query, None, 10_000);
            assert!(
                !expected.hits.is_empty() || query.trace_id.is_some(),
                "{query:?}"
            );
            assert_eq!(keys(&first.hits), keys(&expected.hits), "{query:?}");
            assert!(first.complete && first.next.is_none());
            let indexed = run(
                &objects,
                &query,
                &Continuation::default(),
                10_000,
                Limits::UNLIMITED,
            );
            assert_eq!(keys(&indexed.hits), keys(&expected.hits), "{query:?}");
            assert_eq!(indexed.sidecars_written, 0, "{query:?}");

            // Pages of 7: the same pages as LocalSearch's cursors.
            let mut cursor: Option<Cursor> = None;
            let mut at = Continuation::default();
            loop {
                let want = local.run(&query, cursor.as_ref(), 7);
                let got = run(&objects, &query, &at, 7, Limits::UNLIMITED);
                assert_eq!(keys(&got.hits), keys(&want.hits), "{query:?}");
                assert_eq!(got.next.is_some(), want.next.is_some());
                match (got.next, want.next) {
                    (Some(next), Some(cursor_next)) => {
                        assert_eq!(next.after.as_ref(), Some(cursor_next.after()));
                        at = next;
                        cursor = Some(cursor_next);
                    }
                    _ => break,
                }
            }
            // Bounded calls give the same hits, in order.
            let limits = Limits {
                max_objects: 2,
                max_bytes: 1 << 20,
            };
            let (paged, _) = page_through(&objects, &query, 25, limits);
            assert_eq!(keys(&paged), keys(&expected.hits), "{query:?}");
        }
    }
}

fn object_key(n: usize) -> String {
    format!("20260222/20260222T10{n:02}00Z_20260222T10{n:02}59Z_0000{n:04x}.log.gz")
}

#[test]
fn damaged_objects_are_reported_and_the_rest_answered() {
    let bucket = MemorySource::new();
    let lines = |n: u64| {
        (0..20)
            .map(|i| one_line_record(Some(T0 + n * 100 + i), &format!("line {n} {i}"), "t"))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    };
    bucket.insert(&object_key(0), gzip(lines(0)));
    let mut corrupt = gzip(lines(1));
    let middle = corrupt.len() / 2;
    corrupt[middle..middle + 8].copy_from_slice(b"\xff\x00\xff\x00\xff\x00\xff\x00");
    bucket.insert(&object_key(1), corrupt);
    let mut truncated = gzip(lines(2));
    truncated.truncate(truncated.len() * 2 / 3);
    bucket.insert(&object_key(2), truncated);
    let search = ObjectSearch::new(&bucket, "");
    let page = run(
        &search,
        &LogQuery::default(),
        &Continuation::default(),
        1000,
        Limits::UNLIMITED,
    );
    let damaged: Vec<&str> = page.problems.iter().map(|(key, _)| key.as_str()).collect();
    assert_eq!(damaged, [object_key(1), object_key(2)]);
    assert!(page
        .problems
        .iter()
        .all(|(_, report)| report.corrupt.is_some() || report.truncated_tail));
    assert_eq!(
        page.hits
            .iter()
            .filter(|h| h.key.file == object_key(0))
            .count(),
        20
    );
    assert!(page.complete && page.objects_read == 3);
    // A damaged object gets no sidecar (it would describe a part of it).
    assert_eq!(page.sidecars_written, 1);
    assert!(bucket.object(&format!("{}.idx", object_key(1))).is_none());
}

fn traced_bucket(objects: usize) -> MemorySource {
    let bucket = MemorySource::new();
    for n in 0..objects {
        let text: String = (0..10)
            .map(|i| {
                one_line_record(
                    Some(T0 + (n * 10 + i) as u64),
                    "hello",
                    &format!("trace-{n}"),
                ) + "\n"
            })
            .collect();
        bucket.insert(&object_key(n), gzip(&text));
    }
    bucket
}

#[test]
fn a_sidecar_is_written_once_and_then_prunes() {
    let bucket = traced_bucket(6);
    let search = ObjectSearch::new(&bucket, "nno-logs-internal/");
    let query = LogQuery {
        trace_id: Some("trace-4".into()),
        ..Default::default()
    };
    let first = run(
        &search,
        &query,
        &Continuation::default(),
        100,
        Limits::UNLIMITED,
    );
    assert_eq!(first.hits.len(), 10);
    assert_eq!((first.objects_read, first.sidecars_written), (6, 6));
    bucket.clear_reads();
    let second = run(
        &search,
        &query,
        &Continuation::default(),
        100,
        Limits::UNLIMITED,
    );
    assert_eq!(keys(&second.hits), keys(&first.hits));
    assert_eq!(
        (
            second.objects_read,
            second.sidecars_written,
            second.sidecars_read
        ),
        (1, 0, 6)
    );
    let data_reads: Vec<String> = bucket
        .reads()
        .into_iter()
        .filter(|key| !key.ends_with(".idx"))
        .collect();
    assert_eq!(data_reads, [object_key(4)]);
}

#[test]
fn a_read_only_bucket_is_searched_without_sidecars() {
    let writable = traced_bucket(3);
    let bucket = MemorySource::new().read_only();
    for n in 0..3 {
        bucket.insert(&object_key(n), writable.object(&object_key(n)).unwrap());
    }
    let search = ObjectSearch::new(&bucket, "");
    let page = run(
        &search,
        &LogQuery::default(),
        &Continuation::default(),
        100,
        Limits::UNLIMITED,
    );
    assert_eq!((page.hits.len(), page.sidecars_written), (30, 0));
    assert!(page.complete);
}

#[test]
fn bounded_calls_say_so_and_continue() {
    let bucket = traced_bucket(5);
    let search = ObjectSearch::new(&bucket, "").without_writing();
    let limits = Limits {
        max_objects: 2,
        max_bytes: u64::MAX,
    };
    let page = run(
        &search,
        &LogQuery::default(),
        &Continuation::default(),
        100,
        limits,
    );
    assert!(!page.complete && page.next.is_some());
    assert_eq!(page.objects_read, 2);
    // Without sidecars nothing is known of the unread objects: nothing can be given yet.
    assert!(page.hits.is_empty());
    let (all, calls) = page_through(&search, &LogQuery::default(), 100, limits);
    assert_eq!(all.len(), 50);
    assert!(calls >= 3);
    // The continuation travels as text.
    let next = page.next.unwrap();
    let text = serde_json::to_string(&next).unwrap();
    assert_eq!(serde_json::from_str::<Continuation>(&text).unwrap(), next);
}

#[test]
fn keys_and_links_cannot_leave_the_bucket() {
    let store = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.log.gz"), b"secret").unwrap();
    let bucket_dir = store.path().join("nno-logs-internal");
    std::fs::create_dir_all(bucket_dir.join("20260222")).unwrap();
    std::fs::write(bucket_dir.join("20260222/a.log.gz"), b"a").unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(outside.path(), bucket_dir.join("20260223")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.log.gz"),
            bucket_dir.join("20260222/b.log.gz"),
        )
        .unwrap();
    }
    let folder = LocalFolder::bucket(store.path(), &Bucket::Internal);
    let listed = now_or_never(folder.list("")).unwrap().unwrap();
    let listed: Vec<&str> = listed.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(listed, ["20260222/a.log.gz"]);
    for key in ["20260223/secret.log.gz", "20260222/b.log.gz"] {
        assert_eq!(now_or_never(folder.get(key)).unwrap(), Ok(None), "{key}");
        assert!(
            now_or_never(folder.put(key, b"x".to_vec()))
                .unwrap()
                .is_err()
                || cfg!(not(unix))
        );
    }
    for key in [
        "../nno-logs-internal/20260222/a.log.gz",
        "/etc/passwd",
        "20260222/../x",
    ] {
        assert!(now_or_never(folder.get(key)).unwrap().is_err(), "{key}");
    }
    assert_eq!(
        std::fs::read(outside.path().join("secret.log.gz")).unwrap(),
        b"secret"
    );
    let range = now_or_never(folder.get_range("20260222/a.log.gz", 0, 10)).unwrap();
    assert_eq!(range, Ok(Some(b"a".to_vec())));
}

/// Random objects: some with sidecars, some without (an open batch, a plain `.ndjson`), some
/// entries untimed, times overlapping across objects.
fn random_bucket(objects: Vec<(bool, Vec<Option<u8>>)>) -> MemorySource {
    let bucket = MemorySource::new();
    for (n, (compressed, times)) in objects.into_iter().enumerate() {
        let text: String = times
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let word = if i % 3 == 0 { "odd" } else { "even" };
                one_line_record(t.map(|t| T0 + u64::from(t)), word, "t") + "\n"
            })
            .collect();
        if compressed {
            bucket.insert(&object_key(n), gzip(&text));
        } else {
            bucket.insert(&format!("20260222/x{n}.ndjson"), text.into_bytes());
        }
    }
    bucket
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Following continuations with tiny limits gives exactly the unlimited search's hits, in
    /// order — with sidecars written as it goes, or on a bucket that never gets any.
    #[test]
    fn bounded_paging_gives_every_hit_once_in_order(
        objects in proptest::collection::vec(
            (any::<bool>(), proptest::collection::vec(proptest::option::weighted(0.9, 0u8..40), 0..12)),
            0..8,
        ),
        limit in 1usize..5,
        max_objects in 1usize..3,
        max_bytes in 1u64..400,
        writable in any::<bool>(),
        odd_only in any::<bool>(),
    ) {
        let query = LogQuery { text: odd_only.then(|| "odd".to_owned()), ..Default::default() };
        let expected_bucket = random_bucket(objects.clone());
        let expected = run(
            &ObjectSearch::new(&expected_bucket, "").without_writing(),
            &query, &Continuation::default(), 100_000, Limits::UNLIMITED,
        );
        let bucket = random_bucket(objects);
        let search = if writable {
            ObjectSearch::new(&bucket, "")
        } else {
            ObjectSearch::new(&bucket, "").without_writing()
        };
        let (paged, _) = page_through(&search, &query, limit, Limits { max_objects, max_bytes });
        prop_assert_eq!(keys(&paged), keys(&expected.hits));
    }
}
