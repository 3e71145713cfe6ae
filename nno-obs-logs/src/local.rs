//! The search on this machine: a store's bucket folders ([`LocalFolder`]) or an operator's own
//! folders and files ([`GivenFiles`]), each searched by the object search
//! ([`ObjectSearch`], the code `nno-obs serve` and the `nno-logging` Worker run over R2),
//! their pages merged into one ([`ObjectPage::merge`]).
//!
//! Sources are searched in parallel (rayon), and each source decodes its objects in parallel
//! batches ([`crate::decode`]); both futures answer at once (the folder I/O is blocking), so
//! no executor is needed.

use crate::cursor::Cursor;
use crate::given_files::GivenFiles;
use crate::local_folder::LocalFolder;
use crate::objects::{Continuation, Limits, ObjectPage, ObjectSearch};
use crate::query::{LogQuery, Scope};
use crate::reader::FileReport;
use crate::search::Hit;
use crate::sidecars::{index_bucket, BucketIndexed};
use crate::source::{now_or_never, ObjectSource, SourceError, SourceErrorKind};
use nno_obs_store::layout::Bucket;
use rayon::prelude::*;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// A page of results.
#[derive(Debug, Default)]
pub struct Page {
    /// The matches, in order.
    pub hits: Vec<Hit>,
    /// The cursor of the next page, when there is more.
    pub next: Option<Cursor>,
    /// Data files listed (the rotated open batch left out).
    pub files_total: usize,
    /// Files skipped by their name, `{DATE}` folder or index sidecar.
    pub files_pruned: usize,
    /// Files read.
    pub files_read: usize,
    /// Their bytes (as stored: compressed for `.gz`).
    pub bytes_read: u64,
    /// Files with something skipped, repaired or damaged, with what.
    pub problems: Vec<(String, FileReport)>,
    /// Files (or whole folders) that could not be read, with why.
    pub unreadable: Vec<(String, String)>,
    /// Entries of the files read that match every filter but the time range, having no time
    /// (see [`FileReport::untimed_matches`]).
    pub untimed_matches: u64,
}

/// One source of a search, and how its hits' keys are shown.
struct Named {
    /// Prefixed to the source's keys: `nno-logs-internal/` for a bucket folder, so keys read as
    /// paths relative to the store; a given folder's path and `/`; `""` for given files (their
    /// keys are their paths).
    name: String,
    source: Box<dyn ObjectSource + Send + Sync>,
}

/// A set of files to search: a store seen through a scope, or given paths.
///
/// ```
/// use nno_obs_logs::{LocalSearch, LogQuery};
///
/// let dir = tempfile::tempdir().unwrap();
/// let search = LocalSearch::store(dir.path(), &nno_obs_access::testing::operator()).unwrap();
/// let page = search.run(&LogQuery::default(), None, 50);
/// assert!(page.hits.is_empty() && page.next.is_none());
/// ```
pub struct LocalSearch {
    sources: Vec<Named>,
    scope: String,
    write_indexes: bool,
    full_scan: bool,
}

impl std::fmt::Debug for LocalSearch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.sources.iter().map(|s| s.name.as_str()).collect();
        f.debug_struct("LocalSearch")
            .field("sources", &names)
            .field("scope", &self.scope)
            .finish()
    }
}

impl LocalSearch {
    /// The bucket folders of `scope` in the store at `root` (found now: a bucket created later
    /// is seen by the next `store`). A file read whole without an index gets its sidecar
    /// written; where it cannot be (a read-only store), it is kept in memory for the rest of
    /// the process instead.
    pub fn store(root: &Path, scope: &dyn Scope) -> io::Result<Self> {
        let mut present = Vec::new();
        for entry in fs::read_dir(root)? {
            let entry = entry?;
            if !entry.file_type()?.is_dir() {
                continue; // files and symbolic links are not buckets
            }
            if let Some(bucket) = entry
                .file_name()
                .to_str()
                .and_then(|name| Bucket::parse(name).ok())
            {
                present.push(bucket);
            }
        }
        present.sort();
        let sources = scope
            .buckets(&present)
            .into_iter()
            .map(|bucket| Named {
                name: format!("{}/", bucket.name()),
                source: Box::new(LocalFolder::bucket(root, &bucket)),
            })
            .collect();
        Ok(Self {
            sources,
            scope: scope.name(),
            write_indexes: true,
            full_scan: false,
        })
    }

    /// Given files and folders (an operator's own, operator scope): every file is shown by its
    /// path as given (a folder's as `{folder}/{key}`). Nothing is written next to them.
    pub fn paths(paths: &[PathBuf]) -> io::Result<Self> {
        let mut sources = Vec::new();
        let mut files = Vec::new();
        for path in paths {
            // The operator named it: a link given on the command line is followed, once.
            if fs::metadata(path)?.is_dir() {
                // Shown under the path as given, so two folders holding the same names (two
                // buckets' downloads) never give two entries the same sort key.
                let shown = path.to_string_lossy();
                sources.push(Named {
                    name: format!("{}/", shown.trim_end_matches('/')),
                    source: Box::new(LocalFolder::new(&fs::canonicalize(path)?)),
                });
            } else {
                files.push(path.clone());
            }
        }
        if !files.is_empty() {
            sources.push(Named {
                name: String::new(),
                source: Box::new(GivenFiles::new(&files)),
            });
        }
        Ok(Self {
            sources,
            scope: "operator".to_owned(),
            write_indexes: false,
            full_scan: false,
        })
    }

    /// Reads every file whole: no index, no file name or `{DATE}` folder is trusted to skip
    /// one, nothing is written (the reference a pruned search is compared with, in tests and
    /// benchmarks).
    pub fn without_indexes(mut self) -> Self {
        self.full_scan = true;
        self.write_indexes = false;
        self
    }

    /// The scope's name (what cursors are bound to).
    pub fn scope_name(&self) -> &str {
        &self.scope
    }

    /// Parses a cursor of this search.
    pub fn cursor(&self, text: &str, query: &LogQuery) -> Result<Cursor, crate::CursorError> {
        Cursor::parse(text, query, &self.scope)
    }

    /// Runs `query`: at most `limit` hits after `cursor`, in order.
    ///
    /// Memory is bounded by the page and a batch of files, not the input: each source keeps
    /// its best `limit + 1` hits, and a source reads [`crate::decode::BATCH`] files at a time.
    pub fn run(&self, query: &LogQuery, cursor: Option<&Cursor>, limit: usize) -> Page {
        let at = Continuation::after(cursor.map(|c| c.after().clone()));
        let pages: Vec<ObjectPage> = self
            .sources
            .par_iter()
            .map(|named| self.run_one(named, query, &at, limit))
            .collect();
        let merged = ObjectPage::merge(pages, limit);
        Page {
            next: merged
                .next
                .and_then(|next| next.after)
                .map(|last| Cursor::new(query, &self.scope, last)),
            hits: merged.hits,
            files_total: merged.objects_listed,
            files_pruned: merged.objects_pruned,
            files_read: merged.objects_read,
            bytes_read: merged.bytes_read,
            problems: merged.problems,
            unreadable: merged.unreadable,
            untimed_matches: merged.untimed_matches,
        }
    }

    /// One source's page; a source that cannot be listed is one unreadable entry.
    fn run_one(
        &self,
        named: &Named,
        query: &LogQuery,
        at: &Continuation,
        limit: usize,
    ) -> ObjectPage {
        let mut search = ObjectSearch::new(named.source.as_ref(), &named.name);
        if self.full_scan {
            search = search.full_scan();
        } else if !self.write_indexes {
            search = search.without_writing();
        }
        let answered = now_or_never(search.run(query, at, limit, Limits::UNLIMITED))
            .unwrap_or_else(|| Err(waited()));
        answered.unwrap_or_else(|error| ObjectPage {
            complete: true,
            unreadable: vec![(named.name.clone(), error.to_string())],
            ..ObjectPage::default()
        })
    }

    /// Writes an index sidecar for every `.gz` file that has no valid one (what
    /// `nno-obs logs index` does), source by source with [`index_bucket`], as the
    /// `nno-logging` Worker indexes an R2 bucket. A source that cannot be listed is counted as
    /// one failure.
    pub fn build_indexes(&self) -> BucketIndexed {
        let mut total = BucketIndexed::default();
        for named in &self.sources {
            match now_or_never(index_bucket(named.source.as_ref())) {
                Some(Ok(done)) => {
                    total.objects += done.objects;
                    total.already += done.already;
                    total.written += done.written;
                    total.damaged += done.damaged;
                    total.failed += done.failed;
                }
                Some(Err(_)) | None => total.failed += 1,
            }
        }
        total
    }
}

/// A local source never waits; if one ever did, its search is reported, not hung on.
fn waited() -> SourceError {
    SourceError::new(
        SourceErrorKind::Unavailable,
        "a local source did not answer at once",
    )
}
