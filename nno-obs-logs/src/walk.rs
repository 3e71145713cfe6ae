//! Finding the files to search, safely (native only).
//!
//! In a store, only the scope's buckets are opened, each by a name built from a validated
//! [`Bucket`]; symbolic links are never followed (a link is skipped, whatever it points to), so
//! nothing outside the store's real directories is read. Given paths (an operator's own files)
//! are taken as given, and directories among them are walked the same way.
//!
//! Any folder of data files is accepted: the store's Logpush layout
//! (`{DATE}/{start}_{end}_{random}.log.gz` and the open batch `…_open_….json`), the seed's
//! (`{DATE}/{HOUR}/{script}-{uuid}.json.gz` and `.json`), an R2 download, loose files. A file
//! is timed by its records (its index sidecar's `minMs`/`maxMs`); its name is used only for what
//! Logpush's naming guarantees — no record later than [`Candidate::latest_ms`] — so a late
//! record is never skipped (see [`nno_obs_store::batch`]).

use crate::query::Scope;
use nno_obs_store::batch::{latest_record_ms, LogpushDate};
use nno_obs_store::index::FileIndex;
use nno_obs_store::layout::{Bucket, INDEX_SUFFIX};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// A file to search.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The real path.
    pub path: PathBuf,
    /// Its key: the path relative to the store, or as given.
    pub key: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Whether an index sidecar is next to it (read, and checked against the file, only when
    /// the file is considered: indexes are never all held in memory at once).
    pub has_index_file: bool,
    /// The latest time a record of the file can have, by its key alone (see
    /// [`nno_obs_store::batch::latest_record_ms`]); `None` when the key says nothing.
    pub latest_ms: Option<u64>,
    /// The day of the `YYYYMMDD` folder holding it (Logpush's delivery day, see
    /// [`crate::prune::delivery_day`]); `None` in any other folder.
    pub delivered: Option<LogpushDate>,
}

impl Candidate {
    /// Where its index sidecar is (or would be).
    pub fn index_path(&self) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push(INDEX_SUFFIX);
        PathBuf::from(name)
    }

    /// Its index, when the sidecar exists, parses, and describes the file as it is now.
    pub fn load_index(&self) -> Option<FileIndex> {
        FileIndex::from_json(&self.index_bytes()?).filter(|index| index.data_bytes == self.bytes)
    }

    fn index_bytes(&self) -> Option<Vec<u8>> {
        if !self.has_index_file {
            return None;
        }
        let path = self.index_path();
        let meta = fs::symlink_metadata(&path).ok()?;
        if !meta.is_file() || meta.len() > 256 << 20 {
            return None;
        }
        fs::read(&path).ok()
    }

    /// Whether the file must be read for `matcher`'s query, and whether it had a valid index.
    ///
    /// The rules of [`crate::prune::key_admits`] and [`crate::prune::sidecar_admits`] (shared
    /// with the search over an object source), then this process's in-memory indexes.
    pub fn admits(&self, matcher: &crate::Matcher) -> (bool, bool) {
        // What the key guarantees: nothing later than `latest_ms` (never a lower bound: late
        // records), so a file can be skipped unopened only when the range starts after it.
        if !crate::prune::key_admits(self.latest_ms, matcher.query()) {
            return (false, false);
        }
        // What its `{DATE}` folder guarantees: no record more than a day before the folder's
        // day (the same rule the object search lists by).
        if !crate::prune::delivery_admits(self.delivered, matcher.query()) {
            return (false, false);
        }
        let Some(bytes) = self.index_bytes() else {
            // No sidecar: an index this process built but could not store, if any.
            return crate::index_cache::with(&self.path, self.bytes, |index| {
                (crate::search::index_admits(Some(index), matcher), true)
            })
            .unwrap_or((true, false));
        };
        match crate::prune::sidecar_admits(&bytes, self.bytes, matcher) {
            Some((admitted, _)) => (admitted, true),
            None => (true, false),
        }
    }
}

pub use crate::prune::is_data_file;

/// The files of `scope`'s buckets under the store `root`.
pub fn store_files(root: &Path, scope: &dyn Scope) -> io::Result<Vec<Candidate>> {
    let mut present = Vec::new();
    for entry in fs::read_dir(root)? {
        let entry = entry?;
        if !entry.file_type()?.is_dir() {
            continue; // files and symbolic links are not buckets
        }
        if let Some(bucket) = entry
            .file_name()
            .to_str()
            .and_then(|n| Bucket::parse(n).ok())
        {
            present.push(bucket);
        }
    }
    present.sort();
    let mut files = Vec::new();
    for bucket in scope.buckets(&present) {
        let dir = root.join(bucket.name());
        match fs::symlink_metadata(&dir) {
            Ok(meta) if meta.is_dir() => walk(&dir, root, &mut files)?,
            _ => {} // absent, or a link: nothing to read
        }
    }
    finish(files)
}

/// The files of `paths`: files as given, directories walked.
pub fn given_files(paths: &[PathBuf]) -> io::Result<Vec<Candidate>> {
    let mut files = Vec::new();
    for path in paths {
        let meta = fs::metadata(path)?;
        if meta.is_dir() {
            walk(path, path, &mut files)?;
        } else {
            files.push(candidate(
                path.clone(),
                path.to_string_lossy().into_owned(),
                meta.len(),
            ));
        }
    }
    finish(files)
}

fn candidate(path: PathBuf, key: String, bytes: u64) -> Candidate {
    Candidate {
        latest_ms: latest_record_ms(&key),
        delivered: crate::prune::delivery_day(&key),
        path,
        key,
        bytes,
        has_index_file: false,
    }
}

fn walk(dir: &Path, base: &Path, files: &mut Vec<Candidate>) -> io::Result<()> {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            let path = entry.path();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                let name = entry.file_name();
                if name.to_str().is_some_and(is_data_file) {
                    let key = path
                        .strip_prefix(base)
                        .unwrap_or(&path)
                        .to_string_lossy()
                        .into_owned();
                    let bytes = entry.metadata()?.len();
                    files.push(candidate(path, key, bytes));
                }
            }
            // Symbolic links (and anything else) are skipped.
        }
    }
    Ok(())
}

fn finish(mut files: Vec<Candidate>) -> io::Result<Vec<Candidate>> {
    files.sort_by(|a, b| a.key.cmp(&b.key));
    files.dedup_by(|a, b| a.path == b.path);
    // An open file whose closed object exists was rotated, and the writer died before removing
    // it: the closed object alone is read, so nothing counts twice.
    let named: Vec<(Option<&Path>, &str)> = files
        .iter()
        .map(|f| {
            let name = f.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            (f.path.parent(), name)
        })
        .collect();
    let rotated = crate::prune::rotated(&named);
    let mut rotated = rotated.into_iter();
    files.retain(|_| !rotated.next().unwrap_or(false));
    for file in &mut files {
        file.has_index_file = fs::symlink_metadata(file.index_path()).is_ok_and(|m| m.is_file());
    }
    Ok(files)
}
