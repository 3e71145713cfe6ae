//! The native search: files found by [`crate::walk`], read in parallel (rayon), merged into
//! one ordered page.

use crate::cursor::Cursor;
use crate::matcher::Matcher;
use crate::query::{LogQuery, Scope};
use crate::reader::FileReport;
use crate::search::{search_file, Hit, TopHits};
use crate::walk::{given_files, store_files, Candidate};
use rayon::prelude::*;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// A page of results.
#[derive(Debug)]
pub struct Page {
    /// The matches, in order.
    pub hits: Vec<Hit>,
    /// The cursor of the next page, when there is more.
    pub next: Option<Cursor>,
    /// Files considered.
    pub files_total: usize,
    /// Files skipped by their index.
    pub files_pruned: usize,
    /// Files read.
    pub files_read: usize,
    /// Their bytes (as stored: compressed for `.gz`).
    pub bytes_read: u64,
    /// Files with something skipped, repaired or damaged, with what.
    pub problems: Vec<(String, FileReport)>,
    /// Files that could not be opened, with why.
    pub unreadable: Vec<(String, String)>,
    /// Entries of the files read that match every filter but the time range, having no time
    /// (see [`FileReport::untimed_matches`]).
    pub untimed_matches: u64,
}

/// A set of files to search: a store seen through a scope, or given paths.
///
/// ```
/// use nno_obs_logs::{LocalSearch, LogQuery, OperatorScope};
///
/// let dir = tempfile::tempdir().unwrap();
/// let search = LocalSearch::store(dir.path(), &nno_obs_access::testing::operator()).unwrap();
/// let page = search.run(&LogQuery::default(), None, 50);
/// assert!(page.hits.is_empty() && page.next.is_none());
/// ```
#[derive(Debug)]
pub struct LocalSearch {
    files: Vec<Candidate>,
    scope: String,
    write_indexes: bool,
}

impl LocalSearch {
    /// The files of `scope`'s buckets in the store at `root`. Files without an index get one
    /// written when first read whole; where it cannot be written (a read-only store), it is
    /// kept in memory for the rest of the process instead.
    pub fn store(root: &Path, scope: &dyn Scope) -> io::Result<Self> {
        Ok(Self {
            files: store_files(root, scope)?,
            scope: scope.name(),
            write_indexes: true,
        })
    }

    /// Given files and directories (operator scope); nothing is written next to them.
    pub fn paths(paths: &[PathBuf]) -> io::Result<Self> {
        Ok(Self {
            files: given_files(paths)?,
            scope: "operator".to_owned(),
            write_indexes: false,
        })
    }

    /// Never use an index, nor what a file's name says of its times (a full scan; for tests
    /// and comparisons).
    pub fn without_indexes(mut self) -> Self {
        for file in &mut self.files {
            file.has_index_file = false;
            file.latest_ms = None;
            file.delivered = None;
        }
        self.write_indexes = false;
        self
    }

    /// The scope's name (what cursors are bound to).
    pub fn scope_name(&self) -> &str {
        &self.scope
    }

    /// The files that will be considered.
    pub fn files(&self) -> &[Candidate] {
        &self.files
    }

    /// Parses a cursor of this search.
    pub fn cursor(&self, text: &str, query: &LogQuery) -> Result<Cursor, crate::CursorError> {
        Cursor::parse(text, query, &self.scope)
    }

    /// Runs `query`: at most `limit` hits after `cursor`, in order.
    ///
    /// Memory is bounded by the page, not the input: files are read as streams, each file's
    /// index is loaded only while the file is considered, and hits are merged per thread as
    /// files finish (at most `limit + 1` kept per thread).
    pub fn run(&self, query: &LogQuery, cursor: Option<&Cursor>, limit: usize) -> Page {
        let matcher = Matcher::new(query);
        let after = cursor.map(Cursor::after);
        // One more than asked, to know whether there is a next page.
        let keep = limit.saturating_add(1);
        let merged = self
            .files
            .par_iter()
            .fold(
                || Merged::new(keep),
                |mut merged, file| {
                    let (admitted, indexed) = file.admits(&matcher);
                    if !admitted {
                        merged.pruned += 1;
                        return merged;
                    }
                    merged.bytes += file.bytes;
                    merged.add(self.search_one(file, indexed, &matcher, after, keep));
                    merged
                },
            )
            .reduce(|| Merged::new(keep), Merged::combine);
        let mut page = Page {
            hits: merged.top.into_sorted(),
            next: None,
            files_total: self.files.len(),
            files_pruned: merged.pruned,
            files_read: merged.read,
            bytes_read: merged.bytes,
            problems: merged.problems,
            unreadable: merged.unreadable,
            untimed_matches: merged.untimed_matches,
        };
        page.problems.sort_by(|a, b| a.0.cmp(&b.0));
        page.unreadable.sort();
        if page.hits.len() > limit {
            page.hits.truncate(limit);
            page.next = page
                .hits
                .last()
                .map(|last| Cursor::new(query, &self.scope, last.key.clone()));
        }
        page
    }

    fn search_one(
        &self,
        file: &Candidate,
        indexed: bool,
        matcher: &Matcher,
        after: Option<&crate::cursor::SortKey>,
        keep: usize,
    ) -> FileOutcome {
        let opened = match File::open(&file.path) {
            Ok(opened) => opened,
            Err(error) => {
                return FileOutcome::Unreadable {
                    key: file.key.clone(),
                    error: error.to_string(),
                }
            }
        };
        let build_index = self.write_indexes && !indexed && file.key.ends_with(".gz");
        let found = search_file(&file.key, opened, matcher, after, keep, build_index);
        if let Some(mut index) = found.index.filter(|_| !found.report.has_problems()) {
            index.data_bytes = file.bytes;
            // A read-only store is still searchable, and its indexes are kept in memory so the
            // process's next query does not read these files whole again.
            if write_index(&file.index_path(), &index).is_err() {
                crate::index_cache::keep(&file.path, index);
            }
        }
        FileOutcome::Read {
            key: file.key.clone(),
            hits: found.hits,
            report: found.report,
        }
    }

    /// Writes an index for every `.gz` file that has none (what `nno-obs logs index` does).
    /// Returns how many were written.
    pub fn build_indexes(&self) -> usize {
        let everything = Matcher::new(&LogQuery::default());
        self.files
            .par_iter()
            .filter(|file| file.key.ends_with(".gz") && file.load_index().is_none())
            .filter(|file| {
                let Ok(opened) = File::open(&file.path) else {
                    return false;
                };
                let found = search_file(&file.key, opened, &everything, None, 0, true);
                match found.index.filter(|_| !found.report.has_problems()) {
                    Some(mut index) => {
                        index.data_bytes = file.bytes;
                        write_index(&file.index_path(), &index).is_ok()
                    }
                    None => false,
                }
            })
            .count()
    }
}

/// What the files read by one thread gave, merged as they finish.
struct Merged {
    top: TopHits,
    pruned: usize,
    read: usize,
    bytes: u64,
    problems: Vec<(String, FileReport)>,
    unreadable: Vec<(String, String)>,
    untimed_matches: u64,
}

impl Merged {
    fn new(keep: usize) -> Self {
        Self {
            top: TopHits::new(keep),
            pruned: 0,
            read: 0,
            bytes: 0,
            problems: Vec::new(),
            unreadable: Vec::new(),
            untimed_matches: 0,
        }
    }

    fn add(&mut self, outcome: FileOutcome) {
        match outcome {
            FileOutcome::Read { key, hits, report } => {
                self.read += 1;
                self.untimed_matches += report.untimed_matches;
                if report.has_problems() {
                    self.problems.push((key, report));
                }
                self.top.merge(hits);
            }
            FileOutcome::Unreadable { key, error } => self.unreadable.push((key, error)),
        }
    }

    fn combine(mut self, other: Merged) -> Merged {
        self.top.merge(other.top);
        self.pruned += other.pruned;
        self.read += other.read;
        self.bytes += other.bytes;
        self.problems.extend(other.problems);
        self.unreadable.extend(other.unreadable);
        self.untimed_matches += other.untimed_matches;
        self
    }
}

enum FileOutcome {
    Read {
        key: String,
        hits: TopHits,
        report: FileReport,
    },
    Unreadable {
        key: String,
        error: String,
    },
}

fn write_index(path: &Path, index: &nno_obs_store::index::FileIndex) -> io::Result<()> {
    crate::local_folder::write_atomically(path, &index.to_json())
}
