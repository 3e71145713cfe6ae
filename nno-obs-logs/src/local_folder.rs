//! One bucket folder of a local store as an [`ObjectSource`] (feature `native`).
//!
//! Safe on a shared machine: keys are plain relative keys ([`check_key`]), and no
//! symbolic link is followed — not in a listing (a link is skipped, whatever it points to), not
//! on the way to an object read or written — so nothing outside the bucket's real directories is
//! touched. The futures do their (blocking) file I/O when first polled and never wait.
//!
//! A sidecar that cannot be written (a read-only store, a folder another user owns) is kept in
//! memory for the rest of the process instead, and listed and read as if written, so the next
//! search prunes with it rather than reading its object whole again (bounded, see
//! `index_cache`).

use crate::source::{
    check_key, Level, ObjectMeta, ObjectSource, SourceError, SourceErrorKind, SourceFuture,
};
use nno_obs_store::layout::{Bucket, INDEX_SUFFIX};
use std::collections::HashSet;
use std::fs;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// A bucket folder, `{store}/nno-logs-{x}`, read as R2 reads the bucket.
///
/// ```
/// use nno_obs_logs::source::{now_or_never, ObjectSource};
/// use nno_obs_logs::LocalFolder;
/// use nno_obs_store::layout::Bucket;
///
/// let store = tempfile::tempdir().unwrap();
/// std::fs::create_dir_all(store.path().join("nno-logs-internal/20260222")).unwrap();
/// let bucket = LocalFolder::bucket(store.path(), &Bucket::Internal);
/// now_or_never(bucket.put("20260222/a.log.gz.idx", b"{}".to_vec())).unwrap().unwrap();
/// let listed = now_or_never(bucket.list("")).unwrap().unwrap();
/// assert_eq!(listed[0].key, "20260222/a.log.gz.idx");
/// assert!(now_or_never(bucket.get("../../etc/passwd")).unwrap().is_err());
/// ```
#[derive(Clone, Debug)]
pub struct LocalFolder {
    root: PathBuf,
}

impl LocalFolder {
    /// The folder `root` as a bucket (its keys are paths relative to it).
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_owned(),
        }
    }

    /// The folder of `bucket` in the store at `store`.
    pub fn bucket(store: &Path, bucket: &Bucket) -> Self {
        Self::new(&store.join(bucket.name()))
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path of `key`, when the key is plain and no directory on the way (the bucket folder
    /// included) is a symbolic link. `Ok(None)` when a directory on the way is missing.
    fn path_of(&self, key: &str) -> Result<Option<PathBuf>, SourceError> {
        check_key(key)?;
        let mut path = self.root.clone();
        if !real_dir(&path)? {
            return Ok(None);
        }
        let mut segments = key.split('/').peekable();
        while let Some(segment) = segments.next() {
            path.push(segment);
            if segments.peek().is_some() && !real_dir(&path)? {
                return Ok(None);
            }
        }
        Ok(Some(path))
    }

    /// The path of an object to read: a regular file, not a link.
    fn file_of(&self, key: &str) -> Result<Option<PathBuf>, SourceError> {
        let Some(path) = self.path_of(key)? else {
            return Ok(None);
        };
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_file() => Ok(Some(path)),
            Ok(_) => Ok(None),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(unavailable(&error)),
        }
    }

    fn list_now(&self, prefix: &str) -> Result<Vec<ObjectMeta>, SourceError> {
        let mut objects = Vec::new();
        if !real_dir(&self.root)? {
            return Ok(objects);
        }
        let mut stack = vec![(self.root.clone(), String::new())];
        while let Some((dir, base)) = stack.pop() {
            let entries = match fs::read_dir(&dir) {
                Ok(entries) => entries,
                // A folder removed since it was listed (pruned): nothing in it.
                Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
                Err(error) => return Err(unavailable(&error)),
            };
            for entry in entries {
                let entry = entry.map_err(|e| unavailable(&e))?;
                let kind = entry.file_type().map_err(|e| unavailable(&e))?;
                // A name that cannot be a key segment cannot be read back by key: skipped.
                let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                    continue;
                };
                let key = format!("{base}{name}");
                if check_key(&key).is_err() {
                    continue;
                }
                if kind.is_dir() {
                    // Only folders that can hold keys under the prefix are entered.
                    let folder = format!("{key}/");
                    if folder.starts_with(prefix) || prefix.starts_with(&folder) {
                        stack.push((entry.path(), folder));
                    }
                } else if kind.is_file() && key.starts_with(prefix) {
                    let size = entry.metadata().map_err(|e| unavailable(&e))?.len();
                    objects.push(ObjectMeta { key, size });
                }
                // Symbolic links (and anything else) are skipped.
            }
        }
        self.add_kept_sidecars(&mut objects);
        Ok(objects)
    }

    /// Adds to `objects` (one folder's, or a whole listing) the sidecars of its objects that
    /// this process keeps in memory and that are not on disk; sorts them by key.
    fn add_kept_sidecars(&self, objects: &mut Vec<ObjectMeta>) {
        let listed: HashSet<String> = objects.iter().map(|o| o.key.clone()).collect();
        let kept: Vec<ObjectMeta> = objects
            .iter()
            .filter(|o| !o.key.ends_with(INDEX_SUFFIX))
            .map(|o| format!("{}{INDEX_SUFFIX}", o.key))
            .filter(|sidecar| !listed.contains(sidecar))
            .filter_map(|key| {
                let bytes = crate::index_cache::sidecar(&self.root.join(&key))?;
                Some(ObjectMeta {
                    key,
                    size: bytes.len() as u64,
                })
            })
            .collect();
        objects.extend(kept);
        objects.sort_by(|a, b| a.key.cmp(&b.key));
    }

    /// One level under `prefix` (`""` or `folder/`): one directory read, never a walk. Another
    /// prefix is answered from the full listing.
    fn level_now(&self, prefix: &str) -> Result<Level, SourceError> {
        let dir = match prefix.strip_suffix('/') {
            None if prefix.is_empty() => Some(self.root.clone()),
            Some(folder) => self
                .path_of(folder)?
                .filter(|path| real_dir(path).unwrap_or(false)),
            None => return Ok(Level::of(prefix, self.list_now(prefix)?)),
        };
        let mut level = Level::default();
        let Some(dir) = dir.filter(|_| real_dir(&self.root).unwrap_or(false)) else {
            return Ok(level);
        };
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(level),
            Err(error) => return Err(unavailable(&error)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| unavailable(&e))?;
            let kind = entry.file_type().map_err(|e| unavailable(&e))?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            let key = format!("{prefix}{name}");
            if check_key(&key).is_err() {
                continue;
            }
            if kind.is_dir() {
                level.folders.push(format!("{key}/"));
            } else if kind.is_file() {
                let size = entry.metadata().map_err(|e| unavailable(&e))?.len();
                level.objects.push(ObjectMeta { key, size });
            }
            // Symbolic links (and anything else) are skipped, as in a full listing.
        }
        level.folders.sort();
        // A sidecar kept in memory may stand where a directory is (what made it unwritable).
        level
            .folders
            .retain(|folder| !folder.trim_end_matches('/').ends_with(INDEX_SUFFIX));
        self.add_kept_sidecars(&mut level.objects);
        Ok(level)
    }

    /// A sidecar kept in memory for `key`, when it names one (and is plain).
    fn kept_sidecar(&self, key: &str) -> Option<Vec<u8>> {
        if !key.ends_with(INDEX_SUFFIX) {
            return None;
        }
        let path = self.path_of(key).ok()??;
        crate::index_cache::sidecar(&path)
    }

    fn range_now(&self, key: &str, offset: u64, len: u64) -> Result<Option<Vec<u8>>, SourceError> {
        let Some(path) = self.file_of(key)? else {
            return Ok(None);
        };
        read_range(&path, offset, len)
    }
}

/// At most `len` bytes of the file at `path` from `offset`; `None` when it is gone (removed
/// since it was listed).
pub(crate) fn read_range(
    path: &Path,
    offset: u64,
    len: u64,
) -> Result<Option<Vec<u8>>, SourceError> {
    let mut file = match fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(unavailable(&error)),
    };
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(offset))
        .and_then(|_| file.take(len).read_to_end(&mut bytes))
        .map_err(|e| unavailable(&e))?;
    Ok(Some(bytes))
}

/// Whether `path` is a real directory (not a link to one); `false` when absent.
fn real_dir(path: &Path) -> Result<bool, SourceError> {
    match fs::symlink_metadata(path) {
        Ok(meta) => Ok(meta.is_dir()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(unavailable(&error)),
    }
}

/// Removes the folders from `dir` up to `root` (not `root` itself) that are empty, deepest
/// first; stops at the first that is not (or cannot be removed: another process wrote to it).
fn remove_empty_folders(root: &Path, dir: Option<&Path>) {
    let mut dir = dir;
    while let Some(folder) = dir.filter(|folder| *folder != root && folder.starts_with(root)) {
        // `remove_dir` removes only an empty directory, never a link (not a directory).
        if fs::remove_dir(folder).is_err() {
            return;
        }
        dir = folder.parent();
    }
}

pub(crate) fn unavailable(error: &io::Error) -> SourceError {
    let kind = match error.kind() {
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
            SourceErrorKind::ReadOnly
        }
        _ => SourceErrorKind::Unavailable,
    };
    SourceError::new(kind, error.to_string())
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a reader sees the old
/// file or the new one, never a part.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = PathBuf::from(temporary);
    let written = fs::write(&temporary, bytes).and_then(|()| fs::rename(&temporary, path));
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written
}

impl ObjectSource for LocalFolder {
    fn list<'a>(&'a self, prefix: &'a str) -> SourceFuture<'a, Vec<ObjectMeta>> {
        Box::pin(async move { self.list_now(prefix) })
    }

    fn list_level<'a>(&'a self, prefix: &'a str) -> SourceFuture<'a, Option<Level>> {
        Box::pin(async move { self.level_now(prefix).map(Some) })
    }

    fn get<'a>(&'a self, key: &'a str) -> SourceFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            let read = match self.file_of(key)? {
                Some(path) => match fs::read(&path) {
                    Ok(bytes) => Some(bytes),
                    Err(error) if error.kind() == io::ErrorKind::NotFound => None,
                    Err(error) => return Err(unavailable(&error)),
                },
                None => None,
            };
            Ok(read.or_else(|| self.kept_sidecar(key)))
        })
    }

    fn get_range<'a>(
        &'a self,
        key: &'a str,
        offset: u64,
        len: u64,
    ) -> SourceFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move { self.range_now(key, offset, len) })
    }

    fn put<'a>(&'a self, key: &'a str, bytes: Vec<u8>) -> SourceFuture<'a, ()> {
        Box::pin(async move {
            let Some(path) = self.path_of(key)? else {
                return Err(SourceError::new(
                    SourceErrorKind::NotFound,
                    "no such folder in the bucket",
                ));
            };
            let sidecar = key.ends_with(INDEX_SUFFIX);
            // Writing through a link would write outside the bucket.
            if fs::symlink_metadata(&path).is_ok_and(|meta| !meta.is_file()) {
                if sidecar && crate::index_cache::keep_sidecar(&path, bytes) {
                    return Ok(());
                }
                return Err(SourceError::new(
                    SourceErrorKind::InvalidKey,
                    "not a regular file",
                ));
            }
            match write_atomically(&path, &bytes) {
                Ok(()) => Ok(()),
                // Kept in memory instead: searched as if written, for the rest of the process.
                Err(_) if sidecar && crate::index_cache::keep_sidecar(&path, bytes) => Ok(()),
                Err(error) => Err(unavailable(&error)),
            }
        })
    }

    /// Removes the file of `key` (a link is removed as a link, never followed), forgets a
    /// sidecar kept in memory for it, and removes the folders it leaves empty up to the bucket
    /// folder, as R2 has no empty folders. A key naming a folder is refused.
    fn delete<'a>(&'a self, key: &'a str) -> SourceFuture<'a, ()> {
        Box::pin(async move {
            // A directory on the way missing (or a link): no such object here.
            let Some(path) = self.path_of(key)? else {
                return Ok(());
            };
            let kept = crate::index_cache::forget(&path);
            match fs::symlink_metadata(&path) {
                // A sidecar kept in memory where a directory stands: that was the object.
                Ok(meta) if meta.is_dir() && kept => return Ok(()),
                Ok(meta) if meta.is_dir() => {
                    return Err(SourceError::new(
                        SourceErrorKind::InvalidKey,
                        "a folder, not an object",
                    ))
                }
                Ok(_) => match fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                    Err(error) => return Err(unavailable(&error)),
                },
                Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                Err(error) => return Err(unavailable(&error)),
            }
            remove_empty_folders(&self.root, path.parent());
            Ok(())
        })
    }
}
