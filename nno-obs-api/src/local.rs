//! The [`Backend`] over a local store (feature `local`): what `nno-obs serve` serves, and the
//! same library calls the CLI makes — the local evaluator, the object search over the store's
//! bucket folders ([`SourceBackend`] over [`LocalFolder`], as the Worker searches R2), the
//! Registry copy and the alert state file.
//!
//! Every call blocks on the filesystem; a host runs [`crate::Api::handle`] where blocking is
//! allowed (`nno-obs serve` uses a blocking task per request). Its parts are `Send + Sync`, so
//! one backend serves every request.

use crate::backend::{Backend, BoxFuture, LogHits, LogSearch, ObjectInfo};
use crate::error::ApiError;
use crate::source::{Host, HostRecords, SourceBackend, SourceLimits};
use nno_obs_alerts::limits::FileLimits;
use nno_obs_alerts::outbox::State;
use nno_obs_alerts::store::FileStore;
use nno_obs_logs::{LocalFolder, LogQuery};
use nno_obs_query::local::LocalEngine;
use nno_obs_query::Engine;
use nno_obs_store::layout::{Bucket, PlatformId};
use nno_obs_store::registry::RegistryFile;
use std::path::{Path, PathBuf};

/// A clock: ms since the epoch.
pub type Clock = Box<dyn Fn() -> u64 + Send + Sync>;

/// The local store as an API backend: its logs read by the object search over each bucket
/// folder (found again on every request, so a store that grows is seen), its records by
/// [`LocalHost`].
///
/// ```
/// use nno_obs_api::{local::LocalBackend, Backend};
///
/// let store = tempfile::tempdir().unwrap();
/// let backend = LocalBackend::new(store.path()).with_clock(Box::new(|| 1_771_756_440_000));
/// assert_eq!(backend.now_ms(), 1_771_756_440_000);
/// ```
pub struct LocalBackend {
    inner: SourceBackend<LocalFolder, LocalHost>,
}

/// A local store's parts beside its logs: the metrics engine (the local evaluator unless
/// replaced), the Registry copy and tier limits in the store, the alert state file, the clock.
pub struct LocalHost {
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
        let host = LocalHost {
            root: root.to_owned(),
            engine: Box::new(LocalEngine::new(root)),
            alert_state,
            clock: Box::new(system_now_ms),
        };
        let store = root.to_owned();
        // A native host reads everything a query needs: no Worker's subrequest budget here.
        let inner = SourceBackend::with_host(host)
            .with_limits(SourceLimits::UNLIMITED)
            .with_buckets_found(Box::new(move || bucket_folders(&store)));
        Self { inner }
    }

    /// Asks the metrics of `engine` instead of the local evaluator (the CLI's `--cfae`: Analytics
    /// Engine's SQL API, with the logs still read from the store).
    pub fn with_engine(mut self, engine: Box<dyn Engine + Send + Sync>) -> Self {
        self.inner.host.engine = engine;
        self
    }

    /// Reads the alert state from `path`.
    pub fn with_alert_state(mut self, path: &Path) -> Self {
        self.inner.host.alert_state = path.to_owned();
        self
    }

    /// Uses `clock` for "now" (tests, replays of a simulated day).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.inner.host.clock = clock;
        self
    }

    /// The store's root.
    pub fn root(&self) -> &Path {
        &self.inner.host.root
    }
}

/// The system clock.
pub fn system_now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

impl Host for LocalHost {
    fn engine(&self) -> &dyn Engine {
        self.engine.as_ref()
    }
    fn records(&self) -> &dyn HostRecords {
        self
    }
    fn now_ms(&self) -> u64 {
        (self.clock)()
    }
}

impl HostRecords for LocalHost {
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

    fn alert_state(&self) -> BoxFuture<'_, Result<State, ApiError>> {
        Box::pin(async move {
            FileStore::new(&self.alert_state)
                .load()
                .map_err(|_| ApiError::unavailable("the alert state"))
        })
    }
}

impl Backend for LocalBackend {
    fn engine(&self) -> &dyn Engine {
        self.inner.engine()
    }

    fn registry(&self) -> BoxFuture<'_, Result<RegistryFile, ApiError>> {
        self.inner.registry()
    }

    fn tier_limits(&self) -> BoxFuture<'_, Result<Option<FileLimits>, ApiError>> {
        self.inner.tier_limits()
    }

    fn platforms_with_data(&self) -> BoxFuture<'_, Result<Vec<PlatformId>, ApiError>> {
        self.inner.platforms_with_data()
    }

    fn search_logs<'a>(
        &'a self,
        search: LogSearch<'a>,
    ) -> BoxFuture<'a, Result<LogHits, ApiError>> {
        self.inner.search_logs(search)
    }

    fn list_objects<'a>(
        &'a self,
        bucket: &'a Bucket,
        query: &'a LogQuery,
    ) -> BoxFuture<'a, Result<Vec<ObjectInfo>, ApiError>> {
        self.inner.list_objects(bucket, query)
    }

    fn read_object<'a>(
        &'a self,
        bucket: &'a Bucket,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<Vec<u8>>, ApiError>> {
        self.inner.read_object(bucket, key)
    }

    fn alert_state(&self) -> BoxFuture<'_, Result<State, ApiError>> {
        self.inner.alert_state()
    }

    fn now_ms(&self) -> u64 {
        self.inner.now_ms()
    }
}

/// The local store's records for another backend (a [`SourceBackend`] over the same folders
/// with a Worker's bounds, in tests): the same as [`LocalBackend`] answers.
impl HostRecords for LocalBackend {
    fn registry(&self) -> BoxFuture<'_, Result<RegistryFile, ApiError>> {
        self.inner.host.registry()
    }
    fn tier_limits(&self) -> BoxFuture<'_, Result<Option<FileLimits>, ApiError>> {
        self.inner.host.tier_limits()
    }
    fn platforms_with_data(&self) -> BoxFuture<'_, Result<Vec<PlatformId>, ApiError>> {
        self.inner.host.platforms_with_data()
    }
    fn alert_state(&self) -> BoxFuture<'_, Result<State, ApiError>> {
        self.inner.host.alert_state()
    }
}

// `nno-obs serve` shares one backend between the tasks that answer requests: checked here, at
// compile time, not where serve first needs it.
const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<LocalBackend>();
};

/// The bucket folders of the store at `root` as object sources, in bucket order (none when
/// the store is missing): what a [`SourceBackend`] over the local store reads.
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
