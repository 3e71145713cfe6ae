//! Which objects a search reads: the rules of the search over an
//! [`crate::source::ObjectSource`] ([`crate::objects`]) and of `index_bucket`, kept apart so
//! that they read as rules (no threads, no filesystem: builds for wasm32).
//!
//! - [`is_data_file`]: which names hold records at all;
//! - [`rotated`]: the crash rule — an open batch whose closed object exists is not read;
//! - [`key_admits`]: what an object's key guarantees (an upper time bound, see
//!   [`nno_obs_store::batch`]);
//! - [`delivery_admits`]: what its `{DATE}` folder guarantees (a lower bound, with a day for late
//!   deliveries);
//! - [`sidecar_admits`]: what its index sidecar says (times, trace and user ids).
//!
//! ```
//! use nno_obs_logs::prune::{is_data_file, rotated};
//!
//! assert!(is_data_file("20220131T001500Z_20220131T002000Z_0f8fad5b.log.gz"));
//! assert!(!is_data_file("20220131T001500Z_20220131T002000Z_0f8fad5b.log.gz.idx"));
//! let files = [
//!     ("20220131", "20220131T001500Z_20220131T002000Z_0f8fad5b.log.gz"),
//!     ("20220131", "20220131T001500Z_open_0f8fad5b.json"),
//! ];
//! assert_eq!(rotated(&files), vec![false, true]);
//! ```

use crate::matcher::Matcher;
use crate::query::LogQuery;
use nno_obs_store::batch::{BatchName, LogpushDate};
use nno_obs_store::index::FileIndex;
use nno_obs_store::layout::{CLOSED_SUFFIX, INDEX_SUFFIX, OPEN_SUFFIX};
use std::collections::HashSet;
use std::hash::Hash;

/// Whether a file name is a data file: the names Logpush itself uses (`.log.gz`, `.gz`,
/// `.ndjson`, `.log`), the seed's and points' `.json.gz`, and `.json` (an open batch or
/// file). Index sidecars and temporary files are not.
///
/// ```
/// use nno_obs_logs::prune::is_data_file;
///
/// assert!(is_data_file("x.json") && is_data_file("x.ndjson") && is_data_file("x.json.gz"));
/// assert!(!is_data_file(".x.json") && !is_data_file("x.idx.12.tmp") && !is_data_file("x.txt"));
/// ```
pub fn is_data_file(name: &str) -> bool {
    !name.starts_with('.')
        && !name.ends_with(INDEX_SUFFIX)
        && !name.ends_with(".tmp")
        && [".gz", OPEN_SUFFIX, ".ndjson", ".log"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
}

/// For each `(folder, file name)`, whether it is an open file whose closed object is also
/// present: it was rotated and the writer died before removing it, so only the closed object is
/// read and nothing counts twice. Seed layout: `x.json` and `x.json.gz`; Logpush layout:
/// `{start}_open_{random}.json` and `{start}_{end}_{random}.log.gz` in the same folder.
///
/// `F` is whatever names a folder for the caller (a path, a key prefix).
///
/// ```
/// use nno_obs_logs::prune::rotated;
///
/// let files = [("a", "x.json"), ("a", "x.json.gz"), ("b", "y.json"), ("c", "y.json.gz")];
/// assert_eq!(rotated(&files), vec![true, false, false, false]);
/// ```
pub fn rotated<F: Eq + Hash + Clone>(files: &[(F, &str)]) -> Vec<bool> {
    let names: HashSet<(F, &str)> = files
        .iter()
        .filter(|(_, name)| name.ends_with(CLOSED_SUFFIX))
        .map(|(folder, name)| (folder.clone(), *name))
        .collect();
    let closed_batches: HashSet<(F, u64, String)> = files
        .iter()
        .filter_map(|(folder, name)| Some((folder, BatchName::parse(name)?)))
        .filter(|(_, batch)| batch.end_s().is_some())
        .map(|(folder, batch)| (folder.clone(), batch.start_s(), batch.random().to_owned()))
        .collect();
    files
        .iter()
        .map(|(folder, name)| match BatchName::parse(name) {
            Some(batch) if batch.end_s().is_none() => closed_batches.contains(&(
                folder.clone(),
                batch.start_s(),
                batch.random().to_owned(),
            )),
            Some(_) => false,
            None => {
                name.ends_with(OPEN_SUFFIX)
                    && names.contains(&(folder.clone(), format!("{name}.gz").as_str()))
            }
        })
        .collect()
}

/// Whether an object whose key guarantees no record later than `latest_ms` (see
/// [`nno_obs_store::batch::latest_record_ms`]) can hold a match of `query`: the key is never a
/// lower bound (late records), so it is refused only when the range starts after it.
///
/// ```
/// use nno_obs_logs::{prune::key_admits, LogQuery};
///
/// let query = LogQuery { from_ms: Some(100), ..Default::default() };
/// assert!(!key_admits(Some(99), &query));
/// assert!(key_admits(Some(100), &query) && key_admits(None, &query));
/// ```
pub fn key_admits(latest_ms: Option<u64>, query: &LogQuery) -> bool {
    match (query.from_ms, latest_ms) {
        (Some(from), Some(latest)) => latest >= from,
        _ => true,
    }
}

/// How long after its own time a record may reach the `{DATE}` folder of its delivery day:
/// an object in a `YYYYMMDD` folder that starts this long after a query's range ends is not
/// read (nor listed, [`crate::listing`]).
///
/// Cloudflare documents that Logpush delivers "as quickly as possible", retries a failed
/// delivery for about five minutes and, "on rare occasions", later still; a Workers Trace Events
/// record is emitted when its invocation ends, and its time is when the invocation started (a
/// Cron Trigger or a Queue consumer may run 15 minutes). A day covers all of these many times
/// over, and costs a ranged search at most one more folder. A record delivered more than a day
/// after its own time is found by a search without a range, or one whose range reaches the
/// day of its delivery (`docs/logs.md`, "The rules that follow").
pub const LATE_DELIVERY_MS: u64 = 86_400_000;

/// The `{DATE}` folder directly holding `key` (`/`-separated), when that folder is a `YYYYMMDD`
/// date: the day Logpush delivered the object.
///
/// ```
/// use nno_obs_logs::prune::delivery_day;
///
/// assert!(delivery_day("20260222/20260222T103400Z_20260222T103859Z_00ff00ff.log.gz").is_some());
/// assert!(delivery_day("nno-logs-internal/20260222/export.json.gz").is_some());
/// assert!(delivery_day("2026-02-22/10/nno-registry-prod-u.json.gz").is_none());
/// assert!(delivery_day("loose.log.gz").is_none());
/// ```
pub fn delivery_day(key: &str) -> Option<LogpushDate> {
    let mut components = key.rsplit(['/', '\\']);
    components.next()?;
    LogpushDate::parse(components.next()?)
}

/// Whether an object delivered on `day` (its [`delivery_day`]) can hold a record of `query`'s
/// range: refused only when the day starts [`LATE_DELIVERY_MS`] or more after the range ends.
/// `None` (no date folder) always admits.
///
/// ```
/// use nno_obs_logs::{prune::delivery_admits, LogQuery};
/// use nno_obs_store::batch::LogpushDate;
///
/// let day = LogpushDate::parse("20260224").unwrap(); // starts 1_771_891_200_000
/// let until = |ms| LogQuery { to_ms: Some(ms), ..LogQuery::default() };
/// assert!(!delivery_admits(Some(day), &until(1_771_891_200_000 - 86_400_000)));
/// assert!(delivery_admits(Some(day), &until(1_771_891_200_000 - 86_399_999)));
/// assert!(delivery_admits(None, &until(0)));
/// ```
pub fn delivery_admits(day: Option<LogpushDate>, query: &LogQuery) -> bool {
    match (day, query.to_ms) {
        (Some(day), Some(to)) => day.start_ms() < to.saturating_add(LATE_DELIVERY_MS),
        _ => true,
    }
}

/// What a valid index sidecar says of its object's times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexSpan {
    /// The earliest entry time.
    pub min_ms: Option<u64>,
    /// The latest entry time.
    pub max_ms: Option<u64>,
    /// Entries with no time at all (they sort before every timed one).
    pub untimed_entries: u64,
}

/// Whether the object of `data_bytes` bytes described by the sidecar `bytes` can hold a match
/// of `matcher`'s query, and what the sidecar says of its times; `None` when the sidecar is not
/// a valid index of the object as it is now (then the object must be read).
///
/// The same decision as [`crate::search::index_admits`] on [`FileIndex::from_json`], made
/// cheaper: the id sets are not built. A trace or user id of characters JSON never escapes is
/// looked up as its quoted text in the sidecar (serde_json writes such a string literally),
/// which can only err towards reading the object (the id could be in the other set); any other
/// id, or a sidecar with a `\u` escape, takes the full parse.
///
/// ```
/// use nno_obs_logs::{prune::sidecar_admits, LogQuery, Matcher};
/// use nno_obs_store::{entry::EntryKeys, index::FileIndex};
///
/// let mut index = FileIndex { data_bytes: 10, ..FileIndex::default() };
/// index.add_record(&[EntryKeys { time_ms: Some(5), trace_id: Some("t1".into()), user_id: None }]);
/// let sidecar = index.to_json();
/// let trace = |id: &str| Matcher::new(&LogQuery { trace_id: Some(id.into()), ..Default::default() });
/// assert_eq!(sidecar_admits(&sidecar, 10, &trace("t1")).map(|(admits, _)| admits), Some(true));
/// assert_eq!(sidecar_admits(&sidecar, 10, &trace("t2")).map(|(admits, _)| admits), Some(false));
/// assert_eq!(sidecar_admits(&sidecar, 11, &trace("t2")), None); // the object changed
/// ```
pub fn sidecar_admits(
    bytes: &[u8],
    data_bytes: u64,
    matcher: &Matcher,
) -> Option<(bool, IndexSpan)> {
    let query = matcher.query();
    let ids: Vec<&String> = [&query.trace_id, &query.user_id]
        .into_iter()
        .flatten()
        .collect();
    let literal = !crate::prefilter::may_have_unicode_escape(bytes)
        && ids
            .iter()
            .all(|id| !id.is_empty() && id.bytes().all(crate::prefilter::is_plain));
    if !literal {
        let index = FileIndex::from_json(bytes).filter(|i| i.data_bytes == data_bytes)?;
        let span = IndexSpan {
            min_ms: index.min_ms,
            max_ms: index.max_ms,
            untimed_entries: index.untimed_entries,
        };
        return Some((crate::search::index_admits(Some(&index), matcher), span));
    }
    let summary = IndexSummary::from_json(bytes).filter(|s| s.data_bytes == data_bytes)?;
    let mut admitted = !query.has_time_bound()
        || match (summary.min_ms, summary.max_ms) {
            (Some(min), Some(max)) => query.range_meets(min, max),
            _ => false,
        };
    for id in ids {
        let quoted = format!("\"{id}\"");
        admitted &= memchr::memmem::find(bytes, quoted.as_bytes()).is_some();
    }
    let span = IndexSpan {
        min_ms: summary.min_ms,
        max_ms: summary.max_ms,
        untimed_entries: summary.untimed_entries,
    };
    Some((admitted, span))
}

/// The members of an index sidecar that say which times it spans, read without its id sets.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct IndexSummary {
    format: u32,
    data_bytes: u64,
    untimed_entries: u64,
    min_ms: Option<u64>,
    max_ms: Option<u64>,
}

impl IndexSummary {
    fn from_json(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice::<Self>(bytes)
            .ok()
            .filter(|s| s.format == nno_obs_store::index::INDEX_FORMAT)
    }
}
