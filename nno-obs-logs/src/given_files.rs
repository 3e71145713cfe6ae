//! Files an operator names on the command line (`nno-obs logs search a.log.gz b.json`) as an
//! [`ObjectSource`] (feature `native`), so they are searched by the same object search as a
//! bucket.
//!
//! A file's key is its path as given (`/tmp/r2/20260222/x.log.gz`, `x.json`): what a hit shows
//! and a cursor holds, and what the key rules read (a Logpush name's upper time bound, a
//! `YYYYMMDD` parent folder's delivery day). The operator named these files, so a named path
//! that is a symbolic link is followed — once, to the file named; nothing else is listed.
//! The only thing written is an index sidecar next to a named file (`nno-obs logs index FILE`);
//! where it cannot be written it is kept in memory for the process, as [`crate::LocalFolder`]
//! does.

use crate::local_folder::{read_range, unavailable, write_atomically};
use crate::source::{cut, ObjectMeta, ObjectSource, SourceError, SourceErrorKind, SourceFuture};
use nno_obs_store::layout::INDEX_SUFFIX;
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Named files, by their path as given.
///
/// ```
/// use nno_obs_logs::source::{now_or_never, ObjectSource};
/// use nno_obs_logs::GivenFiles;
///
/// let dir = tempfile::tempdir().unwrap();
/// let file = dir.path().join("batch.json");
/// std::fs::write(&file, b"{}\n").unwrap();
/// let files = GivenFiles::new(&[file.clone()]);
/// let key = file.to_string_lossy().into_owned();
/// let listed = now_or_never(files.list("")).unwrap().unwrap();
/// assert_eq!((listed[0].key.as_str(), listed[0].size), (key.as_str(), 3));
/// assert_eq!(now_or_never(files.get(&key)).unwrap().unwrap().as_deref(), Some(&b"{}\n"[..]));
/// // Nothing but a named file is read.
/// assert_eq!(now_or_never(files.get("/etc/passwd")).unwrap().unwrap(), None);
/// ```
#[derive(Clone, Debug, Default)]
pub struct GivenFiles {
    files: BTreeMap<String, PathBuf>,
}

impl GivenFiles {
    /// The files at `paths`.
    pub fn new(paths: &[PathBuf]) -> Self {
        Self {
            files: paths
                .iter()
                .map(|path| (path.to_string_lossy().into_owned(), path.clone()))
                .collect(),
        }
    }

    /// Whether no file was named.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The path behind `key`: a named file, or the sidecar of one.
    fn path_of(&self, key: &str) -> Option<(PathBuf, bool)> {
        if let Some(path) = self.files.get(key) {
            return Some((path.clone(), false));
        }
        let named = key.strip_suffix(INDEX_SUFFIX)?;
        self.files.get(named).map(|path| (sidecar_path(path), true))
    }

    fn list_now(&self, prefix: &str) -> Result<Vec<ObjectMeta>, SourceError> {
        let mut objects = Vec::new();
        for (key, path) in self.files.range(prefix.to_owned()..) {
            if !key.starts_with(prefix) {
                break;
            }
            match fs::metadata(path) {
                Ok(meta) if meta.is_file() => objects.push(ObjectMeta {
                    key: key.clone(),
                    size: meta.len(),
                }),
                Ok(_) => {}
                // Removed since it was named: nothing to read, as an object gone from a bucket.
                Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                Err(error) => return Err(unavailable(&error)),
            }
            let sidecar = sidecar_path(path);
            let sidecar_size = match fs::symlink_metadata(&sidecar) {
                Ok(meta) if meta.is_file() => Some(meta.len()),
                _ => crate::index_cache::sidecar(&sidecar).map(|bytes| bytes.len() as u64),
            };
            if let Some(size) = sidecar_size {
                objects.push(ObjectMeta {
                    key: format!("{key}{INDEX_SUFFIX}"),
                    size,
                });
            }
        }
        objects.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(objects)
    }

    fn range_now(&self, key: &str, offset: u64, len: u64) -> Result<Option<Vec<u8>>, SourceError> {
        let Some((path, sidecar)) = self.path_of(key) else {
            return Ok(None);
        };
        // A sidecar is never read through a link (it is not what the operator named).
        if sidecar && !fs::symlink_metadata(&path).is_ok_and(|meta| meta.is_file()) {
            let kept = crate::index_cache::sidecar(&path);
            return Ok(kept.map(|bytes| cut(bytes, offset, len)));
        }
        read_range(&path, offset, len)
    }
}

/// Where a file's index sidecar is.
fn sidecar_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(INDEX_SUFFIX);
    PathBuf::from(name)
}

impl ObjectSource for GivenFiles {
    fn list<'a>(&'a self, prefix: &'a str) -> SourceFuture<'a, Vec<ObjectMeta>> {
        Box::pin(async move { self.list_now(prefix) })
    }

    fn get<'a>(&'a self, key: &'a str) -> SourceFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move { self.range_now(key, 0, u64::MAX) })
    }

    fn get_range<'a>(
        &'a self,
        key: &'a str,
        offset: u64,
        len: u64,
    ) -> SourceFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move { self.range_now(key, offset, len) })
    }

    /// Only a named file's index sidecar is written (next to it, or kept in memory when the
    /// folder cannot be written); any other key is refused as read-only.
    fn put<'a>(&'a self, key: &'a str, bytes: Vec<u8>) -> SourceFuture<'a, ()> {
        Box::pin(async move {
            let Some((path, true)) = self.path_of(key) else {
                return Err(SourceError::new(
                    SourceErrorKind::ReadOnly,
                    "named files are read, never written",
                ));
            };
            // Writing through a link would write somewhere the operator did not name.
            let linked = fs::symlink_metadata(&path).is_ok_and(|meta| !meta.is_file());
            if !linked && write_atomically(&path, &bytes).is_ok() {
                return Ok(());
            }
            match crate::index_cache::keep_sidecar(&path, bytes) {
                true => Ok(()),
                false => Err(SourceError::new(
                    SourceErrorKind::ReadOnly,
                    "the sidecar cannot be written next to its file",
                )),
            }
        })
    }
}
