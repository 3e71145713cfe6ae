//! Which keys of a bucket a search lists: never the whole bucket for a ranged query, only the
//! `{DATE}` folders its range can touch (no threads, no filesystem: builds for wasm32).
//!
//! Logpush writes each batch into the `YYYYMMDD` folder of the day it *delivered* it (its
//! processing time, see `docs/logs.md`, "What Cloudflare writes"). So a folder bounds its
//! records' times both ways, each with a margin:
//!
//! - **From above**: a record is processed after it happened, so no record of folder `D` is later
//!   than `D`'s end — plus [`KEY_TIME_SLACK_MS`] for clock skew and a batch that crosses
//!   midnight (the bound [`nno_obs_store::batch::latest_record_ms`] gives every key of the
//!   folder). A folder is skipped when the range starts after that.
//! - **From below**: a record reaches the folder of its delivery day, which is at most
//!   [`crate::prune::LATE_DELIVERY_MS`] after its own time. A folder is skipped when it starts that long
//!   after the range ends.
//!
//! What is not a `{DATE}` folder is listed whole and timed by its records (sidecars, reading):
//! objects at the bucket's top (an R2 download put back, loose files) and any other folder (the
//! seed's `{YYYY-MM-DD}/{HH}` layout, which older stores still hold; a download's own folders).
//! A query without a time bound (a trace lookup without range) lists everything and relies on
//! the sidecars.
//!
//! ```
//! use nno_obs_logs::listing::listing;
//! use nno_obs_logs::source::{now_or_never, MemorySource};
//! use nno_obs_logs::LogQuery;
//!
//! let bucket = MemorySource::new();
//! bucket.insert("20260220/a.log.gz", vec![1]);
//! bucket.insert("20260222/b.log.gz", vec![1]);
//! bucket.insert("export.json.gz", vec![1]);
//! // 2026-02-22 10:00 → 11:00 UTC.
//! let query = LogQuery { from_ms: Some(1_771_754_400_000), to_ms: Some(1_771_758_000_000), ..LogQuery::default() };
//! let keys: Vec<String> = now_or_never(listing(&bucket, &query)).unwrap().unwrap()
//!     .into_iter().map(|object| object.key).collect();
//! assert_eq!(keys, ["20260222/b.log.gz", "export.json.gz"]);
//! assert_eq!(bucket.lists().len(), 2); // the top level, then one day folder (no 20260223/ exists)
//! ```

use crate::prune::{delivery_admits, key_admits};
use crate::query::LogQuery;
use crate::source::{ObjectMeta, ObjectSource, SourceError};
use nno_obs_store::batch::{LogpushDate, KEY_TIME_SLACK_MS};

/// Whether the `{DATE}` folder of `date` can hold a record in `query`'s range (see the
/// [module](self)).
///
/// ```
/// use nno_obs_logs::listing::folder_admits;
/// use nno_obs_logs::LogQuery;
/// use nno_obs_store::batch::LogpushDate;
///
/// let day = |text| LogpushDate::parse(text).unwrap();
/// // 2026-02-22 10:00 → 11:00 UTC.
/// let query = LogQuery { from_ms: Some(1_771_754_400_000), to_ms: Some(1_771_758_000_000), ..LogQuery::default() };
/// assert!(!folder_admits(day("20260221"), &query)); // ends (with slack) before 10:00
/// assert!(folder_admits(day("20260222"), &query));
/// assert!(folder_admits(day("20260223"), &query)); // late deliveries of the range
/// assert!(!folder_admits(day("20260224"), &query)); // starts over a day after 11:00
/// ```
pub fn folder_admits(date: LogpushDate, query: &LogQuery) -> bool {
    // The same two rules the search applies to each object of the folder, so a folder is
    // skipped only when every object in it would be.
    key_admits(Some(date.end_ms().saturating_add(KEY_TIME_SLACK_MS)), query)
        && delivery_admits(Some(date), query)
}

/// The objects of `source` that a search for `query` must consider, sorted by key: everything
/// for a query without a time bound or a source that cannot list one level
/// ([`ObjectSource::list_level`]); otherwise the bucket's top level, the `{DATE}` folders
/// [`folder_admits`] keeps and every other folder whole (see the [module](self)).
///
/// Fails only when a listing fails.
pub async fn listing(
    source: &dyn ObjectSource,
    query: &LogQuery,
) -> Result<Vec<ObjectMeta>, SourceError> {
    if !query.has_time_bound() {
        return source.list("").await;
    }
    let Some(top) = source.list_level("").await? else {
        // A source that cannot list one level: the whole bucket, once; the search then prunes
        // object by object by the same rules (`crate::prune::delivery_admits`).
        return source.list("").await;
    };
    let mut objects = top.objects;
    for folder in &top.folders {
        let name = folder.strip_suffix('/').unwrap_or(folder);
        if LogpushDate::parse(name).is_some_and(|date| !folder_admits(date, query)) {
            continue;
        }
        objects.extend(source.list(folder).await?);
    }
    objects.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(objects)
}
