//! The [`Backend`] over a local store (feature `local`): what `nno-obs serve` serves, and the
//! same library calls the CLI makes — the local evaluator, the indexed parallel log search, the
//! Registry copy and the alert state file.
//!
//! Every call blocks on the filesystem (and the search on its thread pool); a host runs
//! [`crate::Api::handle`] where blocking is allowed (`nno-obs serve` uses a blocking task per
//! request).

use crate::backend::{Backend, BoxFuture, LogHits, LogSearch, ObjectInfo};
use crate::error::ApiError;
use crate::source::HostRecords;
use crate::views::Problem;
use nno_obs_alerts::limits::FileLimits;
use nno_obs_alerts::outbox::State;
use nno_obs_alerts::store::FileStore;
use nno_obs_logs::cursor::Cursor;
use nno_obs_logs::{LocalFolder, LocalSearch, LogQuery, Matcher, OperatorBucket, Scope};
use nno_obs_query::local::LocalEngine;
use nno_obs_query::Engine;
use nno_obs_store::layout::{Bucket, PlatformId};
use nno_obs_store::registry::RegistryFile;
use std::path::{Component, Path, PathBuf};

/// A clock: ms since the epoch.
pub type Clock = Box<dyn Fn() -> u64 + Send + Sync>;

/// The local store as an API backend.
///
/// ```
/// use nno_obs_api::{local::LocalBackend, Backend};
///
/// let store = tempfile::tempdir().unwrap();
/// let backend = LocalBackend::new(store.path()).with_clock(Box::new(|| 1_771_756_440_000));
/// assert_eq!(backend.now_ms(), 1_771_756_440_000);
/// ```
pub struct LocalBackend {
    root: PathBuf,
    engine: Box<dyn Engine + Send + Sync>,
    alert_state: PathBuf,
    clock: Clock,
}

impl LocalBackend {
    /// The store at `root`; the alert state at `{root}/../nno-obs-alerts.json` (where
    /// `nno-obs alerts check` keeps it by default next to `target/nno-obs-store`).
    pub fn new(root: &Path) -> Self {
        let alert_state = root
            .parent()
            .unwrap_or(Path::new("."))
            .join("nno-obs-alerts.json");
        Self {
            root: root.to_owned(),
            engine: Box::new(LocalEngine::new(root)),
            alert_state,
            clock: Box::new(system_now_ms),
        }
    }

    /// Asks the metrics of `engine` instead of the local evaluator (the CLI's `--cfae`: Analytics
    /// Engine's SQL API, with the logs still read from the store).
    pub fn with_engine(mut self, engine: Box<dyn Engine + Send + Sync>) -> Self {
        self.engine = engine;
        self
    }

    /// Reads the alert state from `path`.
    pub fn with_alert_state(mut self, path: &Path) -> Self {
        self.alert_state = path.to_owned();
        self
    }

    /// Uses `clock` for "now" (tests, replays of a simulated day).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The store's root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn search(&self, bucket: Option<&Bucket>) -> Result<LocalSearch, ApiError> {
        // The backend reads the store's files, so it holds the store's operator scope (the
        // local check: the folder is readable); the route has already checked that its caller
        // may read `bucket`, and the search is narrowed to it.
        let operator = nno_obs_access::local::operator(&self.root)
            .map_err(|_| ApiError::unavailable("the log store"))?;
        let scope: Box<dyn Scope> = match bucket {
            Some(Bucket::Platform(platform)) => Box::new(operator.platform(platform.clone())),
            Some(Bucket::Internal) => Box::new(OperatorBucket::new(&operator, Bucket::Internal)),
            None => Box::new(operator),
        };
        match LocalSearch::store(&self.root, scope.as_ref()) {
            Ok(search) => Ok(search),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                Err(ApiError::unavailable("the log store"))
            }
            Err(_) => Err(ApiError::unavailable("the log store")),
        }
    }
}

/// The system clock.
pub fn system_now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

impl Backend for LocalBackend {
    fn engine(&self) -> &dyn Engine {
        self.engine.as_ref()
    }

    fn registry(&self) -> BoxFuture<'_, Result<RegistryFile, ApiError>> {
        Box::pin(async move {
            nno_obs_store::fs::read_registry(&self.root)
                .map_err(|_| ApiError::unavailable("the Registry copy"))
        })
    }

    fn tier_limits(&self) -> BoxFuture<'_, Result<Option<FileLimits>, ApiError>> {
        Box::pin(async move {
            FileLimits::in_store(&self.root).map_err(|_| ApiError::unavailable("the tier limits"))
        })
    }

    fn platforms_with_data(&self) -> BoxFuture<'_, Result<Vec<PlatformId>, ApiError>> {
        Box::pin(async move {
            LocalEngine::new(&self.root)
                .platforms()
                .map_err(|_| ApiError::unavailable("the metrics store"))
        })
    }

    fn search_logs<'a>(
        &'a self,
        search: LogSearch<'a>,
    ) -> BoxFuture<'a, Result<LogHits, ApiError>> {
        Box::pin(async move {
            let local = self.search(search.bucket)?;
            let cursor = search
                .after
                .map(|key| Cursor::new(search.query, local.scope_name(), key.clone()));
            let page = local.run(search.query, cursor.as_ref(), search.limit);
            let problems = Problem::all(&page.problems, &page.unreadable);
            Ok(LogHits {
                more: page.next.is_some(),
                hits: page.hits,
                complete: true,
                files: page.files_read as u64,
                bytes: page.bytes_read,
                problems,
                continuation: None,
            })
        })
    }

    fn list_objects<'a>(
        &'a self,
        bucket: &'a Bucket,
        query: &'a LogQuery,
    ) -> BoxFuture<'a, Result<Vec<ObjectInfo>, ApiError>> {
        Box::pin(async move {
            let local = self.search(Some(bucket))?;
            let matcher = Matcher::new(query);
            let prefix = format!("{}/", bucket.name());
            Ok(local
                .files()
                .iter()
                .filter(|file| file.key.ends_with(".gz"))
                .filter(|file| file.admits(&matcher).0)
                .filter_map(|file| {
                    Some(ObjectInfo {
                        key: file.key.strip_prefix(&prefix)?.to_owned(),
                        bytes: file.bytes,
                    })
                })
                .collect())
        })
    }

    fn read_object<'a>(
        &'a self,
        bucket: &'a Bucket,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<Vec<u8>>, ApiError>> {
        Box::pin(async move {
            let Some(path) = object_path(&self.root, bucket, key) else {
                return Ok(None);
            };
            match std::fs::symlink_metadata(&path) {
                Ok(meta) if meta.is_file() => std::fs::read(&path)
                    .map(Some)
                    .map_err(|_| ApiError::unavailable("the log store")),
                _ => Ok(None),
            }
        })
    }

    fn alert_state(&self) -> BoxFuture<'_, Result<State, ApiError>> {
        Box::pin(async move {
            FileStore::new(&self.alert_state)
                .load()
                .map_err(|_| ApiError::unavailable("the alert state"))
        })
    }

    fn now_ms(&self) -> u64 {
        (self.clock)()
    }
}

/// The local store's records for a [`SourceBackend`](crate::source::SourceBackend): its Registry copy, the platforms of its
/// metrics, the alert state file — the same as [`LocalBackend`] answers.
impl HostRecords for LocalBackend {
    fn registry(&self) -> BoxFuture<'_, Result<RegistryFile, ApiError>> {
        Backend::registry(self)
    }
    fn tier_limits(&self) -> BoxFuture<'_, Result<Option<FileLimits>, ApiError>> {
        Backend::tier_limits(self)
    }
    fn platforms_with_data(&self) -> BoxFuture<'_, Result<Vec<PlatformId>, ApiError>> {
        Backend::platforms_with_data(self)
    }
    fn alert_state(&self) -> BoxFuture<'_, Result<State, ApiError>> {
        Backend::alert_state(self)
    }
}

/// The bucket folders of the store at `root` as object sources, in bucket order (none when
/// the store is missing): what a [`SourceBackend`](crate::source::SourceBackend) over the local store reads.
///
/// ```
/// use nno_obs_api::local::bucket_folders;
/// use nno_obs_store::layout::Bucket;
///
/// let store = tempfile::tempdir().unwrap();
/// std::fs::create_dir(store.path().join("nno-logs-internal")).unwrap();
/// std::fs::create_dir(store.path().join("not-a-bucket")).unwrap();
/// let buckets = bucket_folders(store.path());
/// assert_eq!(buckets.len(), 1);
/// assert_eq!(buckets[0].0, Bucket::Internal);
/// ```
pub fn bucket_folders(root: &Path) -> Vec<(Bucket, LocalFolder)> {
    let mut buckets: Vec<(Bucket, LocalFolder)> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
        .filter_map(|entry| Bucket::parse(entry.file_name().to_str()?).ok())
        .map(|bucket| {
            let folder = LocalFolder::bucket(root, &bucket);
            (bucket, folder)
        })
        .collect();
    buckets.sort_by(|a, b| a.0.cmp(&b.0));
    buckets
}

/// The path of `key` in `bucket`, when `key` is a plain relative path of data-file names:
/// no `..`, no root, no backslash, no empty or hidden segment.
///
/// ```
/// # use nno_obs_api::local::object_path;
/// use nno_obs_store::layout::Bucket;
/// use std::path::Path;
///
/// let root = Path::new("/store");
/// assert!(object_path(root, &Bucket::Internal, "2026-11-27/04/x.json.gz").is_some());
/// for hostile in ["../x.json.gz", "/etc/passwd", "a/../../b.gz", "a\\b.gz", "", "a//b.gz", ".idx"] {
///     assert!(object_path(root, &Bucket::Internal, hostile).is_none(), "{hostile}");
/// }
/// ```
pub fn object_path(root: &Path, bucket: &Bucket, key: &str) -> Option<PathBuf> {
    if key.is_empty() || key.contains('\\') || key.contains('\0') || key.len() > 1024 {
        return None;
    }
    let relative = Path::new(key);
    let plain = key
        .split('/')
        .all(|segment| !segment.is_empty() && !segment.starts_with('.'))
        && relative
            .components()
            .all(|component| matches!(component, Component::Normal(_)));
    plain.then(|| root.join(bucket.name()).join(relative))
}
