//! Index building over an object source: `index_bucket` (what `nno-obs logs index` and the
//! Worker's cron run) writes the sidecars a search writes as it reads objects whole, byte for
//! byte, and counts the same objects.

mod common;

use common::build::files_under;
use common::write_fleet;
use nno_obs_logs::sidecars::{index_bucket, BucketIndexed};
use nno_obs_logs::source::now_or_never;
use nno_obs_logs::{LocalFolder, LocalSearch, LogQuery};
use nno_obs_store::layout::{Bucket, INDEX_SUFFIX};

#[test]
fn index_building_over_folders_writes_what_a_search_writes() {
    let walked = tempfile::tempdir().unwrap();
    write_fleet(walked.path(), 400, 3, 11);
    // No sidecars yet (an R2 download), and one object damaged (truncated).
    let files = files_under(walked.path());
    for file in files
        .iter()
        .filter(|f| f.to_string_lossy().ends_with(INDEX_SUFFIX))
    {
        std::fs::remove_file(walked.path().join(file)).unwrap();
    }
    let damaged = files
        .iter()
        .find(|f| f.to_string_lossy().ends_with(".log.gz"))
        .unwrap();
    let bytes = std::fs::read(walked.path().join(damaged)).unwrap();
    std::fs::write(walked.path().join(damaged), &bytes[..bytes.len() / 2]).unwrap();
    let listed = tempfile::tempdir().unwrap();
    for file in files_under(walked.path()) {
        let to = listed.path().join(&file);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(walked.path().join(&file), to).unwrap();
    }

    // A search without a range reads every object whole, writing each valid one's sidecar.
    let searched = LocalSearch::store(walked.path(), &nno_obs_access::testing::operator())
        .unwrap()
        .run(&LogQuery::default(), None, 1);
    let written = files_under(walked.path())
        .iter()
        .filter(|f| f.to_string_lossy().ends_with(INDEX_SUFFIX))
        .count();
    let mut total = BucketIndexed::default();
    for entry in std::fs::read_dir(listed.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if Bucket::parse(&name).is_err() {
            continue;
        }
        let done = now_or_never(index_bucket(&LocalFolder::new(&path)))
            .unwrap()
            .unwrap();
        total.objects += done.objects;
        total.already += done.already;
        total.written += done.written;
        total.damaged += done.damaged;
        total.failed += done.failed;
    }
    assert!(written > 10, "{written}");
    assert_eq!(total.objects, searched.files_total);
    assert_eq!(searched.problems.len(), 1, "the damaged object is reported");
    assert_eq!(total.written, written);
    assert_eq!((total.already, total.damaged, total.failed), (0, 1, 0));
    // The same sidecars, byte for byte.
    assert_eq!(files_under(walked.path()), files_under(listed.path()));
    for file in files_under(walked.path()) {
        if file.to_string_lossy().ends_with(INDEX_SUFFIX) {
            assert_eq!(
                std::fs::read(walked.path().join(&file)).unwrap(),
                std::fs::read(listed.path().join(&file)).unwrap(),
                "{}",
                file.display()
            );
        }
    }
    // Run again: everything is indexed already.
    let mut again = 0;
    for entry in std::fs::read_dir(listed.path()).unwrap() {
        let path = entry.unwrap().path();
        if Bucket::parse(path.file_name().unwrap().to_str().unwrap()).is_ok() {
            let done = now_or_never(index_bucket(&LocalFolder::new(&path)))
                .unwrap()
                .unwrap();
            assert_eq!(done.written, 0);
            again += done.already;
        }
    }
    assert_eq!(again, written);
}
