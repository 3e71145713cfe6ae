//! The search over one file's bytes, and the merge of files into a page (no threads, no
//! filesystem: this is the part a Worker runs over R2 objects too).

use crate::cursor::SortKey;
use crate::entry::{entries_of_owned_record, Entry, ScriptCache};
use crate::matcher::Matcher;
use crate::prefilter::{Prefilter, Verdict};
use crate::query::LogQuery;
use crate::reader::{read_records_where, FileReport};
use nno_obs_store::index::FileIndex;
use std::collections::BinaryHeap;
use std::io::Read;

/// A matching entry and where it sorts.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// Where it sorts.
    pub key: SortKey,
    /// The entry.
    pub entry: Entry,
}

impl Eq for Hit {}

impl Ord for Hit {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

impl PartialOrd for Hit {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The `keep` smallest hits seen, in memory proportional to `keep` (a max-heap evicts the
/// largest).
#[derive(Debug)]
pub struct TopHits {
    keep: usize,
    heap: BinaryHeap<Hit>,
}

impl TopHits {
    /// Keeps at most `keep` hits.
    pub fn new(keep: usize) -> Self {
        Self {
            keep,
            heap: BinaryHeap::new(),
        }
    }

    /// Offers a hit.
    pub fn push(&mut self, hit: Hit) {
        if self.heap.len() < self.keep {
            self.heap.push(hit);
        } else if self
            .heap
            .peek()
            .is_some_and(|largest| hit.key < largest.key)
        {
            self.heap.pop();
            self.heap.push(hit);
        }
    }

    /// Whether a hit at `key` could still be kept.
    pub fn wants(&self, key: &SortKey) -> bool {
        self.heap.len() < self.keep || self.heap.peek().is_some_and(|largest| *key < largest.key)
    }

    /// Merges another set in.
    pub fn merge(&mut self, other: TopHits) {
        for hit in other.heap {
            self.push(hit);
        }
    }

    /// The hits, in order.
    pub fn into_sorted(self) -> Vec<Hit> {
        self.heap.into_sorted_vec()
    }
}

/// Whether a file described by `index` can hold a match of the query; `true` when unknown.
pub fn index_admits(index: Option<&FileIndex>, matcher: &Matcher) -> bool {
    let Some(index) = index else {
        return true;
    };
    let query = matcher.query();
    if query.has_time_bound() {
        match (index.min_ms, index.max_ms) {
            (Some(min), Some(max)) => {
                if !query.range_meets(min, max) {
                    return false;
                }
            }
            // Only untimed entries (or none): none can match a time-bounded query.
            _ => return false,
        }
    }
    if let Some(trace) = &query.trace_id {
        if !index.may_hold_trace(trace) {
            return false;
        }
    }
    if let Some(user) = &query.user_id {
        if !index.may_hold_user(user) {
            return false;
        }
    }
    true
}

/// What searching one file gave.
#[derive(Debug)]
pub struct FileSearch {
    /// The best hits of this file.
    pub hits: TopHits,
    /// What reading found.
    pub report: FileReport,
    /// The index of every entry, when asked for (`None` otherwise: lines may have been
    /// skipped unparsed).
    pub index: Option<FileIndex>,
}

/// Searches one file's bytes: every entry after `after` that matches, the best `keep` kept.
///
/// ```
/// use nno_obs_logs::search::search_file;
/// use nno_obs_logs::{LogQuery, Matcher};
///
/// let file = br#"{"Outcome":"ok","EventTimestampMs":7,"Logs":[{"Level":"error","Message":["disk full"]}]}"#;
/// let query = LogQuery { text: Some("DISK".into()), ..Default::default() };
/// let found = search_file("f.json", &file[..], &Matcher::new(&query), None, 10, false);
/// let hits = found.hits.into_sorted();
/// assert_eq!(hits[0].entry.message, "disk full");
/// assert_eq!(hits[0].key.time_ms, Some(7));
/// ```
pub fn search_file(
    file_key: &str,
    input: impl Read,
    matcher: &Matcher,
    after: Option<&SortKey>,
    keep: usize,
    build_index: bool,
) -> FileSearch {
    let mut hits = TopHits::new(keep);
    let mut index = build_index.then(FileIndex::default);
    let mut entries_seen = 0;
    // An index needs every line parsed; otherwise lines that cannot match are skipped.
    let prefilter = if build_index {
        Prefilter::default()
    } else {
        Prefilter::new(matcher.query())
    };
    // Entries of skipped lines still count as seen (the text filter knows how many).
    let mut skipped_entries = 0;
    let mut scratch = Vec::new();
    let may_match = |line: &[u8]| match prefilter.verdict(line, &mut scratch) {
        Verdict::Parse => true,
        Verdict::Skip { entries } => {
            skipped_entries += entries.unwrap_or(0);
            false
        }
    };
    let mut scripts = ScriptCache::default();
    // An entry without a time fails every time-bounded query; whether it matches the rest is
    // asked only of those entries, so the searcher can be told what the range hid.
    let untimed_matcher = matcher.query().has_time_bound().then(|| {
        Matcher::new(&LogQuery {
            from_ms: None,
            to_ms: None,
            ..matcher.query().clone()
        })
    });
    let mut untimed_matches = 0;
    let report = read_records_where(input, may_match, |record, line| {
        let entries: Vec<Entry> = entries_of_owned_record(record, &mut scripts);
        if let Some(index) = index.as_mut() {
            let keys: Vec<_> = entries.iter().map(Entry::keys).collect();
            index.add_record(&keys);
        }
        for (position, entry) in entries.into_iter().enumerate() {
            entries_seen += 1;
            if !matcher.matches(&entry) {
                if entry.time_ms.is_none()
                    && untimed_matcher.as_ref().is_some_and(|m| m.matches(&entry))
                {
                    untimed_matches += 1;
                }
                continue;
            }
            let key = SortKey {
                time_ms: entry.time_ms,
                file: file_key.to_owned(),
                line,
                entry: u32::try_from(position).unwrap_or(u32::MAX),
            };
            if after.is_some_and(|after| key <= *after) || !hits.wants(&key) {
                continue;
            }
            hits.push(Hit { key, entry });
        }
    });
    let report = FileReport {
        entries: entries_seen + skipped_entries,
        untimed_matches,
        ..report
    };
    FileSearch {
        hits,
        report,
        index,
    }
}
