//! Files named on the command line, as an object source: only they (and their sidecars) are
//! reachable, a named link is followed once, a sidecar is never read or written through a link.

use nno_obs_logs::source::{now_or_never, ObjectSource, SourceErrorKind};
use nno_obs_logs::{GivenFiles, LocalSearch, LogQuery};

const RECORD: &str = r#"{"Outcome":"ok","EventTimestampMs":1771756440000,"Logs":[{"Level":"log","Message":["named"],"TimestampMs":1771756440000}]}"#;

#[test]
fn only_named_files_and_their_sidecars_are_reachable() {
    let dir = tempfile::tempdir().unwrap();
    let named = dir.path().join("a.ndjson");
    let other = dir.path().join("b.ndjson");
    std::fs::write(&named, format!("{RECORD}\n")).unwrap();
    std::fs::write(&other, format!("{RECORD}\n")).unwrap();
    let files = GivenFiles::new(std::slice::from_ref(&named));
    let key = named.to_string_lossy().into_owned();
    let listed = now_or_never(files.list("")).unwrap().unwrap();
    assert_eq!(listed.len(), 1);
    let other_key = other.to_string_lossy().into_owned();
    for hostile in [
        other_key.as_str(),
        "../b.ndjson",
        "b.ndjson",
        "",
        "/etc/passwd",
    ] {
        assert_eq!(
            now_or_never(files.get(hostile)).unwrap().unwrap(),
            None,
            "{hostile}"
        );
    }
    // Nothing but a named file's sidecar can be written.
    for refused in [key.clone(), other_key.clone(), format!("{other_key}.idx")] {
        let error = now_or_never(files.put(&refused, b"x".to_vec()))
            .unwrap()
            .unwrap_err();
        assert_eq!(error.kind(), SourceErrorKind::ReadOnly, "{refused}");
    }
    now_or_never(files.put(&format!("{key}.idx"), b"{}".to_vec()))
        .unwrap()
        .unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("a.ndjson.idx")).unwrap(),
        b"{}"
    );
    let range = now_or_never(files.get_range(&key, 2, 5)).unwrap().unwrap();
    assert_eq!(range.as_deref(), Some(&RECORD.as_bytes()[2..7]));
}

#[cfg(unix)]
#[test]
fn a_named_link_is_followed_but_never_a_sidecar_link() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.ndjson");
    std::fs::write(&real, format!("{RECORD}\n")).unwrap();
    let link = dir.path().join("link.ndjson");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    // A sidecar that is a link to a file elsewhere: neither read nor written through.
    let secret = dir.path().join("secret");
    std::fs::write(&secret, b"do not touch").unwrap();
    std::os::unix::fs::symlink(&secret, dir.path().join("link.ndjson.idx")).unwrap();
    let files = GivenFiles::new(std::slice::from_ref(&link));
    let key = link.to_string_lossy().into_owned();
    assert!(now_or_never(files.get(&key)).unwrap().unwrap().is_some());
    assert_eq!(
        now_or_never(files.get(&format!("{key}.idx")))
            .unwrap()
            .unwrap(),
        None
    );
    // Written "successfully" into memory, never through the link.
    now_or_never(files.put(&format!("{key}.idx"), b"{}".to_vec()))
        .unwrap()
        .unwrap();
    assert_eq!(std::fs::read(&secret).unwrap(), b"do not touch");
    // And the CLI's search over the named link finds its entry.
    let page = LocalSearch::paths(&[link])
        .unwrap()
        .run(&LogQuery::default(), None, 10);
    assert_eq!(page.hits.len(), 1);
    assert_eq!(page.hits[0].key.file, key);
}

#[test]
fn two_given_folders_with_the_same_names_keep_every_entry_apart() {
    // Two buckets' downloads: the same object name in each, different lines.
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for (dir, text) in [(&a, "from a"), (&b, "from b")] {
        let folder = dir.path().join("20260222");
        std::fs::create_dir_all(&folder).unwrap();
        let line = RECORD.replace("named", text);
        std::fs::write(folder.join("x.ndjson"), format!("{line}\n{line}\n")).unwrap();
    }
    let search = LocalSearch::paths(&[a.path().to_path_buf(), b.path().to_path_buf()]).unwrap();
    let whole = search.run(&LogQuery::default(), None, 10);
    assert_eq!(whole.hits.len(), 4);
    // Each shown under the folder given (whichever sorts first).
    for dir in [&a, &b] {
        let under = format!("{}/20260222/x.ndjson", dir.path().display());
        assert_eq!(whole.hits.iter().filter(|h| h.key.file == under).count(), 2);
    }
    // Page by page, one entry at a time: all four, none twice.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = search.run(&LogQuery::default(), cursor.as_ref(), 1);
        seen.extend(page.hits.iter().map(|h| (h.key.file.clone(), h.key.line)));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let whole: Vec<_> = whole
        .hits
        .iter()
        .map(|h| (h.key.file.clone(), h.key.line))
        .collect();
    assert_eq!(seen, whole);
}
