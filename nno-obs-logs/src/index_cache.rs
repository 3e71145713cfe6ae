//! Index sidecars this process built but could not store next to their files (a read-only
//! store, a folder another user owns): kept in memory as their bytes, which
//! [`crate::LocalFolder`] and [`crate::GivenFiles`] then list and read as if written, so the next
//! query of the process prunes with them instead of reading those files whole again.
//!
//! A sidecar is used only while its file still has the size it describes (the sidecar's own
//! rule, see [`nno_obs_store::index`]). Memory is bounded: once the bytes held reach
//! [`MAX_ID_BYTES`], further sidecars are not kept (their files are read whole, as before).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// The most bytes of trace and user ids the cache holds.
pub const MAX_ID_BYTES: usize = 64 << 20;

#[derive(Default)]
struct Cache {
    /// Sidecars that could not be written, as their bytes, by the sidecar's path.
    sidecars: HashMap<PathBuf, Vec<u8>>,
    /// Bytes held.
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

/// Forgets the sidecar bytes kept at `path`: its object was deleted, so a later object of
/// that name must not be read with them. `true` when some were kept.
pub(crate) fn forget(path: &Path) -> bool {
    let mut cache = cache();
    let sidecar = cache.sidecars.remove(path);
    let freed = sidecar.as_ref().map_or(0, Vec::len);
    cache.id_bytes = cache.id_bytes.saturating_sub(freed);
    sidecar.is_some()
}
