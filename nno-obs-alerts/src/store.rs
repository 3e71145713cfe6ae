//! The state file (feature `native`): one JSON document holding the alert book and the
//! outbox, replaced atomically — written to a temporary file in the same directory, flushed
//! to disk, then renamed over the old one — so a crash leaves either the old state or the
//! new, never half of one. (In a Worker, the same [`State`] goes to KV.)

use crate::outbox::State;
pub use crate::persist::StoreError;
use crate::persist::{decode, StateStore};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The state file at a path.
///
/// ```
/// use nno_obs_alerts::store::FileStore;
/// use nno_obs_alerts::outbox::State;
///
/// let dir = tempfile::tempdir().unwrap();
/// let store = FileStore::new(dir.path().join("alerts.json"));
/// assert_eq!(store.load().unwrap(), State::default()); // no file yet
/// store.save(&State::default()).unwrap();
/// assert!(store.load().is_ok());
/// ```
#[derive(Clone, Debug)]
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    /// A store at `path` (its directory must exist).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The state, or an empty one when there is no file yet.
    pub fn load(&self) -> Result<State, StoreError> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(State::default()),
            Err(e) => return Err(StoreError::Io(e)),
        };
        decode(&bytes)
    }

    /// Replaces the state atomically (temp file, fsync, rename, fsync of the directory).
    pub fn save(&self, state: &State) -> io::Result<()> {
        let bytes = serde_json::to_vec_pretty(state)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        let mut name = self
            .path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_else(|| "alerts.json".into());
        name.push(format!(".tmp-{}", std::process::id()));
        let temp = self.path.with_file_name(name);
        let written = (|| {
            let mut file = fs::File::create(&temp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            fs::rename(&temp, &self.path)
        })();
        if written.is_err() {
            let _ = fs::remove_file(&temp);
            return written;
        }
        // The rename is durable once the directory is; not every platform can open one.
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(dir) = fs::File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        Ok(())
    }
}

/// The seam of the host-neutral run: the same blocking calls (a local file is fast, and
/// the CLI runs one evaluation at a time).
impl StateStore for FileStore {
    async fn load(&self) -> Result<State, StoreError> {
        FileStore::load(self)
    }

    async fn save(&self, state: &State) -> Result<(), StoreError> {
        FileStore::save(self, state).map_err(StoreError::Io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::VERSION;

    #[test]
    fn a_damaged_file_is_an_error_not_a_reset() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("alerts.json"));
        fs::write(store.path(), b"{\"version\":1,\"book\":").unwrap();
        assert!(matches!(store.load(), Err(StoreError::Corrupt(_))));
        assert!(store.path().exists(), "left in place");
    }

    #[test]
    fn a_newer_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("alerts.json"));
        let state = State {
            version: VERSION + 1,
            ..State::default()
        };
        store.save(&state).unwrap();
        assert!(matches!(store.load(), Err(StoreError::Corrupt(_))));
    }

    #[test]
    fn save_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("alerts.json"));
        store.save(&State::default()).unwrap();
        store.save(&State::default()).unwrap();
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["alerts.json"]);
    }
}
