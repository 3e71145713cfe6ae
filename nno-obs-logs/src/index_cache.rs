//! Indexes this process built but could not store next to their files (a read-only store, a
//! folder another user owns): kept in memory, so that the next query of the process prunes
//! with them instead of reading those files whole again — for the folder search as indexes,
//! for [`crate::LocalFolder`] as the sidecar bytes it then lists and reads as if written.
//!
//! An entry is used only while its file still has the size the index describes (the sidecar's
//! own rule, see [`nno_obs_store::index`]). Memory is bounded: once the ids held reach
//! [`MAX_ID_BYTES`], further indexes are not kept (their files are read whole, as before).

use nno_obs_store::index::FileIndex;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// The most bytes of trace and user ids the cache holds.
pub const MAX_ID_BYTES: usize = 64 << 20;

#[derive(Default)]
struct Cache {
    indexes: HashMap<PathBuf, FileIndex>,
    /// Sidecars [`crate::LocalFolder`] could not write, as their bytes, by the sidecar's path.
    sidecars: HashMap<PathBuf, Vec<u8>>,
    /// Bytes held: the ids of `indexes`, the whole of `sidecars`.
    id_bytes: usize,
}

fn cache() -> MutexGuard<'static, Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE
        .get_or_init(Mutex::default)
        .lock()
        // A panic while holding the lock leaves a whole map behind.
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Keeps `index` of the file at `path` (whose sidecar could not be written); `false` when the
/// cache is full.
pub(crate) fn keep(path: &Path, index: FileIndex) -> bool {
    let size: usize = index
        .trace_ids
        .iter()
        .chain(&index.user_ids)
        .map(String::len)
        .sum();
    let mut cache = cache();
    let replaced = cache.indexes.get(path).map_or(0, |old| {
        old.trace_ids
            .iter()
            .chain(&old.user_ids)
            .map(String::len)
            .sum()
    });
    if cache.id_bytes - replaced + size > MAX_ID_BYTES {
        return false;
    }
    cache.id_bytes = cache.id_bytes - replaced + size;
    cache.indexes.insert(path.to_path_buf(), index);
    true
}

/// Calls `visit` with the kept index of the file at `path`, if there is one and the file still
/// has `bytes` bytes.
pub(crate) fn with<R>(path: &Path, bytes: u64, visit: impl FnOnce(&FileIndex) -> R) -> Option<R> {
    let cache = cache();
    cache
        .indexes
        .get(path)
        .filter(|index| index.data_bytes == bytes)
        .map(visit)
}

/// Keeps the bytes of the sidecar at `path` (which could not be written); `false` when the
/// cache is full. Its own rule (the data size it describes) decides later whether it is used.
pub(crate) fn keep_sidecar(path: &Path, bytes: Vec<u8>) -> bool {
    let mut cache = cache();
    let replaced = cache.sidecars.get(path).map_or(0, Vec::len);
    if cache.id_bytes - replaced + bytes.len() > MAX_ID_BYTES {
        return false;
    }
    cache.id_bytes = cache.id_bytes - replaced + bytes.len();
    cache.sidecars.insert(path.to_path_buf(), bytes);
    true
}

/// The kept bytes of the sidecar at `path`, if any.
pub(crate) fn sidecar(path: &Path) -> Option<Vec<u8>> {
    cache().sidecars.get(path).cloned()
}

/// Forgets what is kept for the file at `path` (its index, or its bytes if it is a sidecar):
/// the file was deleted, so a later file of that name must not be read with them. `true` when
/// sidecar bytes were kept for it.
pub(crate) fn forget(path: &Path) -> bool {
    let mut cache = cache();
    let index_bytes = cache.indexes.remove(path).map_or(0, |old| {
        old.trace_ids
            .iter()
            .chain(&old.user_ids)
            .map(String::len)
            .sum()
    });
    let sidecar = cache.sidecars.remove(path);
    let freed = index_bytes + sidecar.as_ref().map_or(0, Vec::len);
    cache.id_bytes = cache.id_bytes.saturating_sub(freed);
    sidecar.is_some()
}
