//! Decoding and searching a batch of fetched objects: in parallel on a native host (rayon,
//! feature `native`), one after the other in wasm32, where there are no threads.
//!
//! The object search ([`crate::objects`]) fetches objects one at a time — a source's futures
//! are not `Send` — and hands them here [`BATCH`] at a time: inflating and parsing is where a
//! search spends its time, and on a native host that work is spread over the cores. In a
//! Worker a batch is one object, so one object is held at a
//! time.
//!
//! ```
//! use nno_obs_logs::decode::{search_all, Job};
//! use nno_obs_logs::{LogQuery, Matcher};
//!
//! let line = br#"{"ScriptName":"nno-registry-prod","Outcome":"ok","EventTimestampMs":1,"Logs":[{"Level":"log","Message":["{\"level\":\"info\",\"message\":\"hello\"}"],"TimestampMs":1}]}"#;
//! let jobs = vec![Job { display: "a".into(), bytes: &line[..], build_index: false }; 3];
//! let found = search_all(&jobs, &Matcher::new(&LogQuery::default()), None, 10);
//! assert_eq!(found.len(), 3);
//! assert!(found.into_iter().all(|f| f.hits.into_sorted().len() == 1));
//! ```

use crate::cursor::SortKey;
use crate::matcher::Matcher;
use crate::search::{search_file, FileSearch};

/// Objects held and decoded at once: enough to keep both cores of a small machine busy with
/// room for uneven objects, a few MB of gzip; one in a Worker (one thread, 128 MB).
pub const BATCH: usize = if cfg!(feature = "native") { 32 } else { 1 };

/// One fetched object to search.
#[derive(Clone, Debug)]
pub struct Job<'a> {
    /// Its key as hits name it (`{bucket}/{key}`).
    pub display: String,
    /// Its bytes, as stored.
    pub bytes: &'a [u8],
    /// Whether to build its index (it has no sidecar).
    pub build_index: bool,
}

/// Searches every job for `matcher`'s entries after `after` (the best `keep` of each); the
/// results in the jobs' order.
pub fn search_all(
    jobs: &[Job<'_>],
    matcher: &Matcher,
    after: Option<&SortKey>,
    keep: usize,
) -> Vec<FileSearch> {
    let one = |job: &Job<'_>| {
        search_file(
            &job.display,
            job.bytes,
            matcher,
            after,
            keep,
            job.build_index,
        )
    };
    #[cfg(feature = "native")]
    {
        use rayon::prelude::*;
        jobs.par_iter().map(one).collect()
    }
    #[cfg(not(feature = "native"))]
    {
        jobs.iter().map(one).collect()
    }
}
