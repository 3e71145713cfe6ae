//! The search over a real store: filters, order, pages, indexes, scopes, path safety.

mod common;

use common::build::{fleet_queries, trace};
use common::{write_fleet, write_fleet_ledger, Middle, Written, PLATFORMS, T0};
use nno_obs_logs::entry::EntryKind;
use nno_obs_logs::{Level, LocalSearch, LogQuery};
use nno_obs_store::layout::PlatformId;
use std::path::PathBuf;

fn all(search: &LocalSearch, query: &LogQuery) -> Vec<nno_obs_logs::search::Hit> {
    search.run(query, None, usize::MAX - 1).hits
}

/// The `.gz` data files under `dir`.
fn gz_files(dir: &std::path::Path) -> Vec<PathBuf> {
    common::build::paths_under(dir)
        .into_iter()
        .filter(|path| path.to_string_lossy().ends_with(".gz"))
        .collect()
}

/// Whether `file` has an index sidecar that describes it as it is now.
fn valid_sidecar(file: &std::path::Path) -> bool {
    let mut sidecar = file.as_os_str().to_owned();
    sidecar.push(".idx");
    let size = std::fs::metadata(file).unwrap().len();
    std::fs::read(PathBuf::from(sidecar))
        .ok()
        .and_then(|bytes| nno_obs_store::index::FileIndex::from_json(&bytes))
        .is_some_and(|index| index.data_bytes == size)
}

/// The fleet's queries, and those that find nothing or one invocation's lines.
fn queries() -> Vec<LogQuery> {
    let mut queries = fleet_queries();
    queries.extend([
        trace("no-such-trace"),
        trace("tr-7-42\"/é"),
        LogQuery {
            user_id: Some("user-3".into()),
            ..trace("tr-7-42")
        },
        LogQuery {
            from_ms: Some(T0 + 9_000_000),
            to_ms: Some(T0 + 9_000_001),
            ..Default::default()
        },
    ]);
    queries
}

#[test]
fn an_index_never_hides_a_match() {
    let dir = tempfile::tempdir().unwrap();
    write_fleet(dir.path(), 600, 3, 7);
    let indexed = LocalSearch::store(dir.path(), &nno_obs_access::testing::operator()).unwrap();
    let gz = gz_files(dir.path());
    assert!(!gz.is_empty());
    assert!(
        gz.iter().all(|file| valid_sidecar(file)),
        "every .gz file is indexed"
    );
    let full = LocalSearch::store(dir.path(), &nno_obs_access::testing::operator())
        .unwrap()
        .without_indexes();
    for query in queries() {
        let a = all(&indexed, &query);
        let b = all(&full, &query);
        assert_eq!(a, b, "{query:?}");
    }
    // And the index does prune: a one-trace lookup opens only the file(s) holding it.
    let page = indexed.run(
        &LogQuery {
            trace_id: Some("tr-7-42".into()),
            ..Default::default()
        },
        None,
        100,
    );
    assert_eq!(page.files_read, 1, "{page:?}");
    assert_eq!(page.hits.len(), 3);
    assert!(page
        .hits
        .iter()
        .all(|h| h.entry.trace_id.as_deref() == Some("tr-7-42")));
}

/// `(trace id, message)` of each hit, sorted: what a filter found, to compare with what the
/// fixture wrote.
fn found(hits: &[nno_obs_logs::search::Hit]) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = hits
        .iter()
        .map(|h| {
            (
                h.entry.trace_id.clone().unwrap_or_default(),
                h.entry.message.clone(),
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn every_filter_does_what_it_says() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = write_fleet_ledger(dir.path(), 300, 3, 11);
    let search = LocalSearch::store(dir.path(), &nno_obs_access::testing::operator()).unwrap();
    let everything = all(&search, &LogQuery::default());
    // Three lines per invocation and one entry per exception: nothing lost, nothing made up.
    let exceptions: Vec<&Written> = ledger.iter().filter(|w| w.exception).collect();
    assert!(!exceptions.is_empty());
    assert_eq!(everything.len(), 3 * ledger.len() + exceptions.len());
    let count = |keep: &dyn Fn(&Written) -> bool| ledger.iter().filter(|w| keep(w)).count();
    let lines_and_exception = |keep: &dyn Fn(&Written) -> bool| {
        ledger
            .iter()
            .filter(|w| keep(w))
            .map(|w| 3 + usize::from(w.exception))
            .sum::<usize>()
    };

    let in_range = |from: u64, to: u64| {
        ledger
            .iter()
            .flat_map(|w| &w.times_ms)
            .filter(|t| (from..to).contains(*t))
            .count()
    };

    // Each structured filter's count, from what the fixture wrote.
    let platform = PlatformId::parse(PLATFORMS[0]).unwrap();
    let expected_counts: Vec<(LogQuery, usize)> = vec![
        (
            LogQuery {
                service: Some("registry".into()),
                ..Default::default()
            },
            lines_and_exception(&|w| w.service == "registry"),
        ),
        (
            // The warn and error lines, and every exception.
            LogQuery {
                min_level: Some(Level::Warn),
                ..Default::default()
            },
            count(&|w| matches!(w.middle, Middle::PermissionDenied | Middle::SlowQuery))
                + exceptions.len(),
        ),
        (
            // The analytics Worker's entries, and every other `featureId: "analytics"` line.
            LogQuery {
                feature: Some("analytics".into()),
                ..Default::default()
            },
            lines_and_exception(&|w| w.service == "analytics")
                + count(&|w| w.service != "analytics" && w.middle == Middle::SlowQuery),
        ),
        (
            // The platform's Workers' entries, and the core services' lines naming it.
            LogQuery {
                platform: Some(platform),
                ..Default::default()
            },
            lines_and_exception(&|w| w.script.starts_with(PLATFORMS[0]))
                + count(&|w| {
                    w.platform == PLATFORMS[0]
                        && !w.script.starts_with(PLATFORMS[0])
                        && matches!(w.middle, Middle::PermissionDenied | Middle::LoginSuccess)
                }),
        ),
        (
            LogQuery {
                from_ms: Some(T0 + 3_600_000),
                to_ms: Some(T0 + 5_400_000),
                ..Default::default()
            },
            in_range(T0 + 3_600_000, T0 + 5_400_000),
        ),
        (
            // One millisecond: the lines written in it.
            LogQuery {
                from_ms: Some(T0 + 9_000_000),
                to_ms: Some(T0 + 9_000_001),
                ..Default::default()
            },
            in_range(T0 + 9_000_000, T0 + 9_000_001),
        ),
    ];
    for (query, expected) in &expected_counts {
        assert!(*expected > 0, "{query:?}");
        assert_eq!(all(&search, query).len(), *expected, "{query:?}");
    }

    // The trace filter: exactly the three lines of that invocation, in order.
    let w = &ledger[42];
    let trace = all(
        &search,
        &LogQuery {
            trace_id: Some(w.trace.clone()),
            ..Default::default()
        },
    );
    let messages: Vec<&str> = trace.iter().map(|h| h.entry.message.as_str()).collect();
    assert_eq!(messages, ["→ request", w.middle.message(), "← response"]);
    for hit in &trace {
        assert_eq!(hit.entry.trace_id.as_deref(), Some(w.trace.as_str()));
        assert_eq!(hit.entry.service.as_deref(), Some(w.service));
        assert_eq!(hit.entry.record.script.as_deref(), Some(w.script.as_str()));
    }
    // A failing invocation's trace: its three lines and then its exception, which has no
    // trace id of its own but belongs to the invocation (its record) whose lines carry it.
    let failed = exceptions[0];
    let trace = all(
        &search,
        &LogQuery {
            trace_id: Some(failed.trace.clone()),
            ..Default::default()
        },
    );
    let kinds: Vec<EntryKind> = trace.iter().map(|h| h.entry.kind).collect();
    assert_eq!(
        kinds,
        [
            EntryKind::Line,
            EntryKind::Line,
            EntryKind::Line,
            EntryKind::Exception
        ]
    );
    assert!(trace
        .iter()
        .all(|h| h.entry.effective_trace_id() == Some(failed.trace.as_str())));
    // Trace and user together: its middle line, when that line names the user.
    let both = all(
        &search,
        &LogQuery {
            trace_id: Some(w.trace.clone()),
            user_id: Some(w.user.clone()),
            ..Default::default()
        },
    );
    let expected: Vec<(String, String)> = ledger[42..43]
        .iter()
        .filter(|w| w.middle.has_user())
        .map(|w| (w.trace.clone(), w.middle.message().to_owned()))
        .collect();
    assert_eq!(found(&both), expected);

    // The user filter: one line per invocation whose line named that user, hit by hit.
    let user = all(
        &search,
        &LogQuery {
            user_id: Some("user-3".into()),
            ..Default::default()
        },
    );
    let mut expected: Vec<(String, String)> = ledger
        .iter()
        .filter(|w| w.user == "user-3" && w.middle.has_user())
        .map(|w| (w.trace.clone(), w.middle.message().to_owned()))
        .collect();
    expected.sort();
    assert!(!expected.is_empty());
    assert_eq!(found(&user), expected);
    assert!(user
        .iter()
        .all(|h| h.entry.user_id.as_deref() == Some("user-3")));

    // The text filter, case-insensitive, on a field value, an exception and a number.
    for (text, min_level, wrote) in [
        ("billing.WRITE", None, Middle::PermissionDenied),
        ("812", Some(Level::Error), Middle::SlowQuery),
    ] {
        let hits = all(
            &search,
            &LogQuery {
                text: Some(text.into()),
                min_level,
                ..Default::default()
            },
        );
        let mut expected: Vec<(String, String)> = ledger
            .iter()
            .filter(|w| w.middle == wrote)
            .map(|w| (w.trace.clone(), wrote.message().to_owned()))
            .collect();
        expected.sort();
        assert!(!expected.is_empty());
        assert_eq!(found(&hits), expected, "{text}");
    }
    let typeerror = all(
        &search,
        &LogQuery {
            text: Some("typeerror".into()),
            ..Default::default()
        },
    );
    let mut scripts: Vec<&str> = typeerror
        .iter()
        .map(|h| {
            assert_eq!(h.entry.kind, EntryKind::Exception);
            assert_eq!(
                h.entry.message,
                "TypeError: Cannot read properties of undefined (reading 'id')"
            );
            h.entry.record.script.as_deref().unwrap()
        })
        .collect();
    scripts.sort_unstable();
    let mut expected: Vec<&str> = exceptions.iter().map(|w| w.script.as_str()).collect();
    expected.sort_unstable();
    assert_eq!(scripts, expected);

    // Whatever the filter, every hit satisfies it.
    for query in queries() {
        let hits = all(&search, &query);
        for hit in &hits {
            let e = &hit.entry;
            if let (Some(from), Some(to)) = (query.from_ms, query.to_ms) {
                assert!((from..to).contains(&e.time_ms.unwrap()));
            }
            if let Some(level) = query.min_level {
                assert!(e.level >= level);
            }
            if let Some(feature) = &query.feature {
                assert_eq!(e.feature.as_ref(), Some(feature));
            }
            if let Some(service) = &query.service {
                assert_eq!(e.service.as_ref(), Some(service));
            }
            if let Some(platform) = &query.platform {
                assert_eq!(e.platform.as_deref(), Some(platform.as_str()));
            }
            if let Some(trace) = &query.trace_id {
                assert_eq!(e.effective_trace_id(), Some(trace.as_str()));
            }
            if let Some(user) = &query.user_id {
                assert_eq!(e.user_id.as_ref(), Some(user));
            }
        }
    }
    // Spot checks against what the fleet wrote.
    let feature = all(
        &search,
        &LogQuery {
            feature: Some("analytics".into()),
            ..Default::default()
        },
    );
    assert!(feature.iter().any(|h| h
        .entry
        .record
        .script
        .as_deref()
        .unwrap()
        .contains("-analytics-")));
    assert!(
        feature
            .iter()
            .any(|h| h.entry.service.as_deref() == Some("registry")),
        "featureId wins over the script"
    );
    let exceptions = all(
        &search,
        &LogQuery {
            text: Some("typeerror".into()),
            ..Default::default()
        },
    );
    assert!(
        !exceptions.is_empty()
            && exceptions
                .iter()
                .all(|h| h.entry.kind == EntryKind::Exception)
    );
}

#[test]
fn results_are_ordered_and_pages_neither_repeat_nor_skip() {
    let dir = tempfile::tempdir().unwrap();
    write_fleet(dir.path(), 200, 2, 3);
    let search = LocalSearch::store(dir.path(), &nno_obs_access::testing::operator()).unwrap();
    let query = LogQuery {
        min_level: Some(Level::Info),
        ..Default::default()
    };
    let everything = all(&search, &query);
    assert!(everything.windows(2).all(|w| w[0].key < w[1].key));
    let mut paged = Vec::new();
    let mut cursor = None;
    loop {
        let page = search.run(&query, cursor.as_ref(), 37);
        assert!(page.hits.len() <= 37);
        paged.extend(page.hits);
        match page.next {
            Some(next) => {
                // The cursor round-trips through its text form.
                cursor = Some(search.cursor(&next.to_string(), &query).unwrap());
            }
            None => break,
        }
    }
    assert_eq!(paged, everything);
    // A cursor is bound to its query.
    let other = LogQuery::default();
    let text = search.run(&query, None, 5).next.unwrap().to_string();
    assert!(search.cursor(&text, &other).is_err());
}

#[test]
fn late_records_are_found_by_their_own_time_not_their_folder() {
    let dir = tempfile::tempdir().unwrap();
    // Delivered in the 12:00 folder, entries from 10:30: the index knows their real range.
    let folder = dir.path().join("nno-logs-internal/2026-02-22/12");
    std::fs::create_dir_all(&folder).unwrap();
    let line = format!(
        "{{\"ScriptName\":\"nno-registry-prod\",\"Outcome\":\"ok\",\"EventTimestampMs\":{},\"Logs\":[{{\"Level\":\"log\",\"Message\":[\"late\"],\"TimestampMs\":{}}}]}}\n",
        T0 + 1_800_000,
        T0 + 1_800_000
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, line.as_bytes()).unwrap();
    std::fs::write(
        folder.join("20260222T120000Z_20260222T120100Z_abc.log.gz"),
        gz.finish().unwrap(),
    )
    .unwrap();
    let query = LogQuery {
        from_ms: Some(T0),
        to_ms: Some(T0 + 3_600_000),
        ..Default::default()
    };
    // First read: no index, so the file is read (and an index written).
    let first = LocalSearch::store(dir.path(), &nno_obs_access::testing::operator())
        .unwrap()
        .run(&query, None, 10);
    assert_eq!(first.hits.len(), 1);
    assert!(folder
        .join("20260222T120000Z_20260222T120100Z_abc.log.gz.idx")
        .exists());
    // Second read: through the index, still found.
    let data = folder.join("20260222T120000Z_20260222T120100Z_abc.log.gz");
    assert!(valid_sidecar(&data));
    let second = LocalSearch::store(dir.path(), &nno_obs_access::testing::operator()).unwrap();
    assert_eq!(second.run(&query, None, 10).hits.len(), 1);
    // A stale index (the file changed size) is ignored, never trusted.
    std::fs::write(folder.join("20260222T120000Z_20260222T120100Z_abc.log.gz.idx"),
        br#"{"format":2,"dataBytes":1,"records":0,"entries":0,"untimedEntries":0,"minMs":null,"maxMs":null,"traceIds":[],"userIds":[]}"#).unwrap();
    assert!(!valid_sidecar(&data));
    // Trusted, its empty id lists and times would rule the file out of every query.
    let stale = LocalSearch::store(dir.path(), &nno_obs_access::testing::operator()).unwrap();
    let page = stale.run(&query, None, 10);
    assert_eq!((page.hits.len(), page.files_read), (1, 1));
}

#[test]
fn a_platform_scope_opens_only_its_bucket() {
    let dir = tempfile::tempdir().unwrap();
    write_fleet(dir.path(), 120, 1, 5);
    let mine = PlatformId::parse(PLATFORMS[0]).unwrap();
    let search =
        LocalSearch::store(dir.path(), &nno_obs_access::testing::platform(mine.clone())).unwrap();
    let page = search.run(&LogQuery::default(), None, usize::MAX - 1);
    let in_store = gz_files(dir.path()).len();
    let in_bucket = gz_files(&dir.path().join("nno-logs-k3m9p2xw7q")).len();
    assert!(in_bucket > 0 && in_bucket < in_store);
    assert_eq!(
        page.files_total, in_bucket,
        "only its bucket's files are listed"
    );
    let hits = page.hits;
    assert!(hits
        .iter()
        .all(|h| h.key.file.starts_with("nno-logs-k3m9p2xw7q/")));
    assert!(hits.iter().all(|h| h
        .entry
        .record
        .script
        .as_deref()
        .unwrap()
        .starts_with("k3m9p2xw7q-")));
}

#[cfg(unix)]
#[test]
fn nothing_outside_the_store_is_reachable() {
    let outside = tempfile::tempdir().unwrap();
    write_fleet(outside.path(), 20, 1, 9);
    let dir = tempfile::tempdir().unwrap();
    write_fleet(dir.path(), 20, 1, 10);
    // A bucket that is a symbolic link to another store's bucket, and a link inside a bucket.
    std::os::unix::fs::symlink(
        outside.path().join("nno-logs-p7c4v9b2n6"),
        dir.path().join("nno-logs-aaaaaaaaaa"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("nno-logs-internal"),
        dir.path().join("nno-logs-internal/20260222/linked"),
    )
    .unwrap();
    let search = LocalSearch::store(dir.path(), &nno_obs_access::testing::operator()).unwrap();
    let everything = search.run(&LogQuery::default(), None, usize::MAX - 1);
    assert!(!everything.hits.is_empty());
    for hit in &everything.hits {
        let real = dir.path().join(&hit.key.file).canonicalize().unwrap();
        assert!(
            real.starts_with(dir.path().canonicalize().unwrap()),
            "{real:?}"
        );
    }
    let linked = PlatformId::parse("aaaaaaaaaa").unwrap();
    let page = LocalSearch::store(dir.path(), &nno_obs_access::testing::platform(linked))
        .unwrap()
        .run(&LogQuery::default(), None, 10);
    assert_eq!((page.files_total, page.hits.len()), (0, 0));
    // Ids with `..`, separators or absolute paths cannot even be built.
    for hostile in [
        "..",
        "../nno-logs-internal",
        "/etc/passwd",
        "k3m9p2xw7q/../../",
        "k3m9p2xw7q\0",
    ] {
        assert!(PlatformId::parse(hostile).is_err());
    }
    // A cursor naming an outside file is only a sort position: it opens nothing new.
    let query = LogQuery::default();
    let forged = nno_obs_logs::Cursor::new(
        &query,
        "operator",
        nno_obs_logs::cursor::SortKey {
            time_ms: None,
            file: "/etc/passwd".into(),
            line: 0,
            entry: 0,
        },
    );
    let page = search.run(&query, Some(&forged), 10);
    assert!(page.hits.iter().all(|h| !h.key.file.starts_with('/')));
    let _ = PathBuf::new();
}
