//! The log search over one bucket's [`ObjectSource`] (no threads, no filesystem: what a Worker
//! runs over R2, and the same search over a local folder).
//!
//! It lists the bucket (only the `{DATE}` folders a ranged query can touch, [`crate::listing`]),
//! keeps the data objects ([`crate::prune`]: data names, the rotated open batch dropped), skips
//! those the key, the `{DATE}` folder or the index sidecar rules out, reads the others with
//! [`search_file`](crate::search::search_file) and merges their hits in [`SortKey`] order. An
//! object read whole without a sidecar gets one written (best effort: a read-only source is
//! still searched). Every host runs it: the `nno-logging` Worker over R2, `nno-obs serve` and
//! the CLI (`LocalSearch`, feature `native`) over the store's folders; several buckets' pages
//! are merged by [`ObjectPage::merge`].
//!
//! # Bounded calls and the continuation rule
//!
//! A call reads at most [`Limits::max_objects`] objects and [`Limits::max_bytes`] bytes (at least
//! one object, so every call makes progress; sidecars are read in addition, to decide what to
//! read). When it cannot read every object it must, it answers `complete: false` and a
//! [`Continuation`]. Following continuations gives every matching entry exactly once, in order,
//! over a bucket that does not change in between:
//!
//! 1. Each object to read has a *lower bound*: no entry of it sorts before it. It is the
//!    [`SortKey`] `(minMs, key, 0, 0)` from a valid sidecar (`(none, key, 0, 0)` when the sidecar
//!    counts untimed entries, which sort first), or the object's next hit recorded in the
//!    continuation by an earlier call that read it; without either it is *unknown* (it could
//!    hold anything).
//! 2. Objects are read in order of their lower bound, unknown first (they block everything).
//! 3. The *frontier* is the least lower bound of the objects left unread. Only hits before the
//!    frontier are returned: every hit of an unread object is at or after it, so nothing can come
//!    before them later. An unknown bound left unread returns nothing.
//! 4. The continuation holds the last hit returned and, for each object read, its next hit not
//!    returned (or that it has none): a re-read object is then bounded by its own next hit. The
//!    object with the least bound is read first, so each call returns a hit or raises a bound to
//!    a later hit of its object: following continuations ends.
//!
//! Objects that the key or sidecar show end before the last hit returned are skipped, and their
//! records leave the continuation, so it holds only objects near the position it continues from.
//!
//! ```
//! use nno_obs_logs::objects::{Continuation, Limits, ObjectSearch};
//! use nno_obs_logs::source::{now_or_never, MemorySource};
//! use nno_obs_logs::LogQuery;
//!
//! let bucket = MemorySource::new();
//! let record = |ms: u64, text: &str| format!(
//!     r#"{{"Outcome":"ok","EventTimestampMs":{ms},"Logs":[{{"Level":"log","Message":["{text}"],"TimestampMs":{ms}}}]}}"#
//! );
//! bucket.insert("20260222/a.ndjson", format!("{}\n{}\n", record(1, "one"), record(4, "four")).into_bytes());
//! bucket.insert("20260222/b.ndjson", format!("{}\n", record(2, "two")).into_bytes());
//! let search = ObjectSearch::new(&bucket, "nno-logs-internal/");
//! let query = LogQuery::default();
//! let one_object = Limits { max_objects: 1, max_bytes: u64::MAX };
//! let mut at = Continuation::default();
//! let mut seen = Vec::new();
//! loop {
//!     let page = now_or_never(search.run(&query, &at, 10, one_object)).unwrap().unwrap();
//!     seen.extend(page.hits.into_iter().map(|hit| hit.entry.message));
//!     match page.next {
//!         Some(next) => at = next,
//!         None => break,
//!     }
//! }
//! assert_eq!(seen, ["one", "two", "four"]);
//! ```

use crate::cursor::SortKey;
use crate::matcher::Matcher;
use crate::prune::{
    delivery_admits, delivery_day, is_data_file, key_admits, rotated, sidecar_admits, IndexSpan,
};
use crate::query::LogQuery;
use crate::reader::FileReport;
use crate::search::{FileSearch, Hit, TopHits};
use crate::source::{ObjectSource, SourceError};
use nno_obs_store::batch::latest_record_ms;
use nno_obs_store::layout::INDEX_SUFFIX;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// How much one call may read.
///
/// ```
/// use nno_obs_logs::objects::Limits;
///
/// assert_eq!(Limits::UNLIMITED.max_objects, usize::MAX);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most data objects read (at least one is always read).
    pub max_objects: usize,
    /// Most bytes of data objects read, as stored (one object may pass it: at least one is
    /// always read).
    pub max_bytes: u64,
}

impl Limits {
    /// No bound: every object the query needs is read, and the answer is complete.
    pub const UNLIMITED: Limits = Limits {
        max_objects: usize::MAX,
        max_bytes: u64::MAX,
    };
}

/// Where the next call continues: the last hit given and what earlier calls learnt of the
/// objects they read (see the [module](self) for the rule). Serialisable, to travel in a
/// cursor; a plain cursor position is `Continuation { after, objects: vec![] }`.
///
/// ```
/// use nno_obs_logs::cursor::SortKey;
/// use nno_obs_logs::objects::Continuation;
///
/// let after = SortKey { time_ms: Some(5), file: "a.log.gz".into(), line: 3, entry: 0 };
/// let at = Continuation::after(Some(after.clone()));
/// assert_eq!(at.after, Some(after));
/// assert!(at.objects.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Continuation {
    /// The last hit given.
    #[serde(rename = "a", default)]
    pub after: Option<SortKey>,
    /// Objects read by earlier calls whose hits after `after` are known to start later (or not
    /// to exist).
    #[serde(rename = "o", default)]
    pub objects: Vec<ObjectProgress>,
}

impl Continuation {
    /// Continues after `after` with nothing known of the objects (a plain cursor).
    pub fn after(after: Option<SortKey>) -> Self {
        Self {
            after,
            objects: Vec::new(),
        }
    }
}

/// What an earlier call learnt of one object it read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectProgress {
    /// The object's key in the bucket.
    #[serde(rename = "k")]
    pub key: String,
    /// Its size then (the record is ignored if the object changed).
    #[serde(rename = "s")]
    pub size: u64,
    /// Its first hit after the continuation's `after`; `None`: it has none.
    #[serde(rename = "n")]
    pub next: Option<SortKey>,
}

/// What one call gave.
#[derive(Debug, Default)]
pub struct ObjectPage {
    /// At most `limit` hits after the continuation, in order.
    pub hits: Vec<Hit>,
    /// Where to continue, when more may follow.
    pub next: Option<Continuation>,
    /// Whether every object the query needs was read (otherwise `next` is set).
    pub complete: bool,
    /// Data objects listed.
    pub objects_listed: usize,
    /// Skipped by their key, sidecar or the continuation.
    pub objects_pruned: usize,
    /// Read.
    pub objects_read: usize,
    /// Their bytes, as stored.
    pub bytes_read: u64,
    /// Index sidecars read.
    pub sidecars_read: usize,
    /// Index sidecars written.
    pub sidecars_written: usize,
    /// Entries of the objects read that match every filter but the time range, having no time
    /// (see [`FileReport::untimed_matches`]): a ranged answer is never silent about them.
    pub untimed_matches: u64,
    /// Objects with something skipped, repaired or damaged, with what (keys as in hits).
    pub problems: Vec<(String, FileReport)>,
    /// Objects that could not be read, with why.
    pub unreadable: Vec<(String, String)>,
}

impl ObjectPage {
    /// Several buckets' pages of one query, each run from the same plain position
    /// ([`Continuation::after`]) with the same `limit`, as one page: the least `limit` hits of
    /// them all, in order; counts and problems summed; complete when every page was.
    ///
    /// `next` continues after the last hit given (or from where the pages started, when they
    /// gave none) when any bucket has more. Over complete pages
    /// that is exact (each page holds its bucket's first hits after the position). A page cut
    /// short by its [`Limits`] may leave entries before its last hit unread: the merge is then
    /// `complete: false`, and a host shows it as a partial answer.
    ///
    /// ```
    /// use nno_obs_logs::objects::{Continuation, Limits, ObjectPage, ObjectSearch};
    /// use nno_obs_logs::source::{now_or_never, MemorySource};
    /// use nno_obs_logs::LogQuery;
    ///
    /// let record = |ms: u64| format!(
    ///     r#"{{"Outcome":"ok","EventTimestampMs":{ms},"Logs":[{{"Level":"log","Message":["at {ms}"],"TimestampMs":{ms}}}]}}"#
    /// );
    /// let (a, b) = (MemorySource::new(), MemorySource::new());
    /// a.insert("20260222/x.ndjson", format!("{}\n{}\n", record(1), record(3)).into_bytes());
    /// b.insert("20260222/y.ndjson", format!("{}\n", record(2)).into_bytes());
    /// let pages = [(&a, "nno-logs-internal/"), (&b, "nno-logs-k3m9p2xw7q/")].map(|(bucket, name)| {
    ///     let search = ObjectSearch::new(bucket, name);
    ///     now_or_never(search.run(&LogQuery::default(), &Continuation::default(), 2, Limits::UNLIMITED))
    ///         .unwrap()
    ///         .unwrap()
    /// });
    /// let page = ObjectPage::merge(pages, 2);
    /// let messages: Vec<_> = page.hits.iter().map(|hit| hit.entry.message.as_str()).collect();
    /// assert_eq!(messages, ["at 1", "at 2"]);
    /// assert!(page.complete && page.next.is_some() && page.objects_read == 2);
    /// ```
    pub fn merge(pages: impl IntoIterator<Item = ObjectPage>, limit: usize) -> ObjectPage {
        let mut merged = ObjectPage {
            complete: true,
            ..ObjectPage::default()
        };
        let mut more = false;
        // Where a page that gave nothing continues from: the position all pages started at.
        let mut started_after = None;
        for page in pages {
            if let Some(next) = &page.next {
                more = true;
                started_after.get_or_insert_with(|| next.after.clone());
            }
            merged.complete &= page.complete;
            merged.objects_listed += page.objects_listed;
            merged.objects_pruned += page.objects_pruned;
            merged.objects_read += page.objects_read;
            merged.bytes_read += page.bytes_read;
            merged.sidecars_read += page.sidecars_read;
            merged.sidecars_written += page.sidecars_written;
            merged.untimed_matches += page.untimed_matches;
            merged.problems.extend(page.problems);
            merged.unreadable.extend(page.unreadable);
            merged.hits.extend(page.hits);
        }
        merged.hits.sort();
        more |= merged.hits.len() > limit;
        merged.hits.truncate(limit);
        merged.problems.sort_by(|a, b| a.0.cmp(&b.0));
        merged.unreadable.sort();
        if more {
            let last = match merged.hits.last() {
                Some(hit) => Some(hit.key.clone()),
                None => started_after.flatten(),
            };
            merged.next = Some(Continuation::after(last));
        }
        merged
    }
}

/// The search over one bucket.
///
/// ```
/// use nno_obs_logs::objects::{Continuation, Limits, ObjectSearch};
/// use nno_obs_logs::source::{now_or_never, MemorySource};
/// use nno_obs_logs::LogQuery;
///
/// let bucket = MemorySource::new();
/// let search = ObjectSearch::new(&bucket, "nno-logs-internal/");
/// let page = now_or_never(search.run(&LogQuery::default(), &Continuation::default(), 50, Limits::UNLIMITED));
/// let page = page.unwrap().unwrap();
/// assert!(page.hits.is_empty() && page.complete && page.next.is_none());
/// ```
pub struct ObjectSearch<'a> {
    source: &'a dyn ObjectSource,
    name: String,
    write_indexes: bool,
    full_scan: bool,
}

/// An object the call may read.
struct Planned {
    key: String,
    size: u64,
    lower: Option<SortKey>,
    indexed: bool,
}

impl<'a> ObjectSearch<'a> {
    /// Searches `source`; hits' file keys are `{name}{key}` (`name` is the bucket's folder and a
    /// `/`, so keys read as `LocalSearch`'s, relative to the store).
    pub fn new(source: &'a dyn ObjectSource, name: &str) -> Self {
        Self {
            source,
            name: name.to_owned(),
            write_indexes: true,
            full_scan: false,
        }
    }

    /// Never writes a sidecar.
    pub fn without_writing(mut self) -> Self {
        self.write_indexes = false;
        self
    }

    /// Reads every data object: no sidecar, no key or `{DATE}` folder is trusted to skip one,
    /// and none is written (the reference a pruned search is checked against, and a bench's
    /// baseline).
    pub fn full_scan(mut self) -> Self {
        self.full_scan = true;
        self.write_indexes = false;
        self
    }

    /// Runs `query` from `at`: at most `limit` hits, reading within `limits`.
    ///
    /// Fails only when the bucket cannot be listed; an object or sidecar that cannot be read is
    /// reported (or read whole) and the rest is answered.
    pub async fn run(
        &self,
        query: &LogQuery,
        at: &Continuation,
        limit: usize,
        limits: Limits,
    ) -> Result<ObjectPage, SourceError> {
        let matcher = Matcher::new(query);
        let after = at.after.as_ref();
        // Only the folders the range can touch (`crate::listing`): never the whole bucket for a
        // ranged query.
        let listing = match self.full_scan {
            true => self.source.list("").await?,
            false => crate::listing::listing(self.source, query).await?,
        };
        let sidecars: HashSet<&str> = listing
            .iter()
            .filter_map(|o| o.key.strip_suffix(INDEX_SUFFIX))
            .collect();
        let data: Vec<_> = listing
            .iter()
            .filter(|o| is_data_file(name_of(&o.key)))
            .collect();
        let named: Vec<(&str, &str)> = data.iter().map(|o| split_key(&o.key)).collect();
        let rotated = rotated(&named);
        let known: HashMap<&str, &ObjectProgress> =
            at.objects.iter().map(|p| (p.key.as_str(), p)).collect();
        // Entries at or before `after` are given already: an object that ends before its time
        // holds nothing more.
        let ends_before_after = |latest: Option<u64>| matches!((after.and_then(|a| a.time_ms), latest), (Some(t), Some(l)) if l < t);

        let mut page = ObjectPage::default();
        let mut carried = Vec::new();
        let mut plan = Vec::new();
        for (object, _) in data.iter().zip(&rotated).filter(|(_, r)| !**r) {
            page.objects_listed += 1;
            let (latest, delivered) = match self.full_scan {
                true => (None, None),
                false => (latest_record_ms(&object.key), delivery_day(&object.key)),
            };
            if !key_admits(latest, query)
                || !delivery_admits(delivered, query)
                || ends_before_after(latest)
            {
                page.objects_pruned += 1;
                continue;
            }
            let progress = known
                .get(object.key.as_str())
                .filter(|p| p.size == object.size);
            if progress.is_some_and(|p| p.next.is_none()) {
                // Known to hold nothing more.
                page.objects_pruned += 1;
                carried.extend(progress.map(|p| (*p).clone()));
                continue;
            }
            let mut span = None;
            if !self.full_scan && sidecars.contains(object.key.as_str()) {
                page.sidecars_read += 1;
                let sidecar = format!("{}{INDEX_SUFFIX}", object.key);
                // A sidecar that cannot be read is as none: the object is read whole.
                if let Ok(Some(bytes)) = self.source.get(&sidecar).await {
                    match sidecar_admits(&bytes, object.size, &matcher) {
                        Some((false, _)) => {
                            page.objects_pruned += 1;
                            continue;
                        }
                        Some((true, found)) => span = Some(found),
                        None => {}
                    }
                }
            }
            if span.is_some_and(|s| ends_before_after(Some(s.max_ms.unwrap_or(0)))) {
                page.objects_pruned += 1;
                continue;
            }
            let display = format!("{}{}", self.name, object.key);
            let lower = match progress.map(|p| &p.next) {
                Some(next) => next.clone(),
                None => span.map(|s| lower_bound(&display, s)),
            };
            plan.push(Planned {
                key: object.key.clone(),
                size: object.size,
                lower,
                indexed: span.is_some(),
            });
        }
        // Unknown bounds first (`None` sorts first), then by bound.
        plan.sort_by(|a, b| (&a.lower, &a.key).cmp(&(&b.lower, &b.key)));
        let mut reading = 0;
        let mut bytes = 0u64;
        while reading < plan.len() {
            let size = plan[reading].size;
            let fits =
                reading < limits.max_objects && bytes.saturating_add(size) <= limits.max_bytes;
            if reading > 0 && !fits {
                break;
            }
            bytes = bytes.saturating_add(size);
            reading += 1;
        }
        let unread = plan.split_off(reading);
        // The frontier: `None` when every object was read; `Some(None)` when an unread object
        // could hold anything (nothing can be given).
        let frontier: Option<Option<&SortKey>> = unread.first().map(|o| o.lower.as_ref());
        page.complete = unread.is_empty();

        let keep = limit.saturating_add(1);
        // A complete call keeps only the best `keep` hits of all its objects, merged as each
        // batch is decoded (memory bounded by the page, not by the objects read); a bounded
        // call keeps each object's own, for the continuation's per-object next hit.
        let mut best = page.complete.then(|| TopHits::new(keep));
        let mut found: Vec<(&Planned, Vec<Hit>)> = Vec::new();
        // Objects are fetched one at a time (a source's futures are not `Send`), a batch of
        // them decoded at once: in parallel on a native host (`crate::decode`), one by one in
        // a Worker, which holds one object at a time.
        for batch in plan.chunks(crate::decode::BATCH) {
            let mut fetched = Vec::with_capacity(batch.len());
            for object in batch {
                if let Some(bytes) = self.fetch(object, &mut page).await {
                    fetched.push((object, bytes));
                }
            }
            let jobs: Vec<crate::decode::Job<'_>> = fetched
                .iter()
                .map(|(object, bytes)| crate::decode::Job {
                    display: format!("{}{}", self.name, object.key),
                    bytes,
                    build_index: self.write_indexes
                        && !object.indexed
                        && object.key.ends_with(".gz"),
                })
                .collect();
            let searched = crate::decode::search_all(&jobs, &matcher, after, keep);
            for (((object, bytes), job), found_here) in fetched.iter().zip(jobs).zip(searched) {
                let hits = self
                    .settle(
                        object,
                        bytes.len() as u64,
                        job.display,
                        found_here,
                        &mut page,
                    )
                    .await;
                match &mut best {
                    Some(best) => best.merge(hits),
                    None => found.push((object, hits.into_sorted())),
                }
            }
        }
        if let Some(best) = best {
            let mut hits = best.into_sorted();
            let more_here = hits.len() > limit;
            hits.truncate(limit);
            let last = hits.last().map(|hit| hit.key.clone()).or(at.after.clone());
            page.hits = hits;
            page.problems.sort_by(|a, b| a.0.cmp(&b.0));
            page.unreadable.sort();
            page.next = more_here.then(|| Continuation::after(last));
            return Ok(page);
        }
        let mut hits: Vec<Hit> = found
            .iter()
            .flat_map(|(_, hits)| hits.iter())
            .filter(|hit| match frontier {
                None => true,
                Some(bound) => bound.is_some_and(|bound| hit.key < *bound),
            })
            .cloned()
            .collect();
        hits.sort();
        // Incomplete: a continuation follows whatever this page holds.
        hits.truncate(limit);
        let last = hits.last().map(|hit| hit.key.clone()).or(at.after.clone());
        page.hits = hits;
        page.problems.sort_by(|a, b| a.0.cmp(&b.0));
        page.unreadable.sort();
        // What this call learnt: each object read, its first hit after `last` (or none).
        for (object, hits) in &found {
            let next = hits.iter().find(|hit| Some(&hit.key) > last.as_ref());
            if next.is_none() && hits.len() >= keep {
                continue; // cannot happen (at most `limit` given); re-read rather than guess
            }
            carried.push(ObjectProgress {
                key: object.key.clone(),
                size: object.size,
                next: next.map(|hit| hit.key.clone()),
            });
        }
        carried.extend(
            unread
                .iter()
                .filter_map(|o| known.get(o.key.as_str()).filter(|p| p.size == o.size))
                .map(|p| (*p).clone()),
        );
        carried.sort_by(|a, b| a.key.cmp(&b.key));
        page.next = Some(Continuation {
            after: last,
            objects: carried,
        });
        Ok(page)
    }

    /// An object's bytes, counted as read; `None` when it is gone since the listing (pruned,
    /// rotated: nothing to read) or cannot be read — then it is reported, and counts as
    /// holding nothing (so a bounded search does not stop on it forever).
    async fn fetch(&self, object: &Planned, page: &mut ObjectPage) -> Option<Vec<u8>> {
        match self.source.get(&object.key).await {
            Ok(Some(bytes)) => {
                page.objects_read += 1;
                page.bytes_read += bytes.len() as u64;
                Some(bytes)
            }
            Ok(None) => None,
            Err(error) => {
                page.unreadable
                    .push((format!("{}{}", self.name, object.key), error.to_string()));
                None
            }
        }
    }

    /// What searching one object leaves: its sidecar put when it had none (best effort: a
    /// read-only bucket is still searched, without it), its problems reported; its hits after
    /// the continuation (the best `keep`).
    async fn settle(
        &self,
        object: &Planned,
        size: u64,
        display: String,
        found: FileSearch,
        page: &mut ObjectPage,
    ) -> TopHits {
        if let Some(mut index) = found.index.filter(|_| !found.report.has_problems()) {
            index.data_bytes = size;
            let sidecar = format!("{}{INDEX_SUFFIX}", object.key);
            if self.source.put(&sidecar, index.to_json()).await.is_ok() {
                page.sidecars_written += 1;
            }
        }
        page.untimed_matches += found.report.untimed_matches;
        if found.report.has_problems() {
            page.problems.push((display, found.report));
        }
        found.hits
    }
}

/// The least key an entry of the object shown as `display` can have, by its sidecar.
fn lower_bound(display: &str, span: IndexSpan) -> SortKey {
    let time_ms = if span.untimed_entries > 0 {
        None
    } else {
        span.min_ms
    };
    SortKey {
        time_ms,
        file: display.to_owned(),
        line: 0,
        entry: 0,
    }
}

/// The last segment of a key.
fn name_of(key: &str) -> &str {
    key.rsplit('/').next().unwrap_or(key)
}

/// `(folder, name)` of a key (`""` for a key at the bucket's top).
fn split_key(key: &str) -> (&str, &str) {
    key.rsplit_once('/').unwrap_or(("", key))
}
