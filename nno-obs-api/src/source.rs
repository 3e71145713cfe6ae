//! The [`Backend`] over object sources: each log bucket an [`ObjectSource`] (R2 in the
//! `nno-logging` Worker, a local folder natively), searched by the bounded
//! [`ObjectSearch`]; the metrics from any [`Engine`]; the Registry copy and the alert state
//! from the host's [`HostRecords`]. No threads, no filesystem: builds for wasm32.
//!
//! # Bounds
//!
//! A Worker's request has 128 MB of memory and a budget of subrequests (50 on the Workers Free
//! plan; every R2 list page, object read, sidecar read and the SQL API's `fetch` is one), so a
//! search reads at most [`SourceLimits::search`] per request and answers `complete: false`
//! with a cursor that continues where it stopped (seed §7.3's search stays a bounded scan).
//! A download listing reads at most [`SourceLimits::sidecars`] index sidecars to narrow its
//! list; past that it lists the objects the key admits (a link too many, never one too few).
//!
//! ```
//! use nno_obs_api::source::{NoRecords, SourceBackend, SourceLimits};
//! use nno_obs_api::Backend;
//! use nno_obs_logs::source::MemorySource;
//! use nno_obs_store::layout::Bucket;
//!
//! # struct NoMetrics;
//! # impl nno_obs_query::Engine for NoMetrics {
//! #     fn run<'a>(&'a self, plan: &'a nno_obs_query::Plan) -> nno_obs_query::questions::TableFuture<'a> {
//! #         Box::pin(std::future::ready(Ok(nno_obs_query::Table::empty(plan))))
//! #     }
//! # }
//! let backend = SourceBackend::new(Box::new(NoMetrics), Box::new(NoRecords), Box::new(|| 1_771_756_440_000))
//!     .with_bucket(Bucket::Internal, MemorySource::new())
//!     .with_limits(SourceLimits::WORKER);
//! assert_eq!(backend.now_ms(), 1_771_756_440_000);
//! assert_eq!(backend.buckets().count(), 1);
//! ```

use crate::backend::{Backend, BoxFuture, LogHits, LogSearch, ObjectInfo};
use crate::error::ApiError;
use crate::views::Problem;
use nno_obs_alerts::outbox::State;
use nno_obs_logs::objects::{Continuation, Limits, ObjectPage, ObjectSearch};
use nno_obs_logs::prune::{
    delivery_admits, delivery_day, is_data_file, key_admits, rotated, sidecar_admits,
};
use nno_obs_logs::source::{check_key, ObjectSource};
use nno_obs_logs::{LogQuery, Matcher};
use nno_obs_query::Engine;
use nno_obs_store::batch::latest_record_ms;
use nno_obs_store::layout::{Bucket, PlatformId, INDEX_SUFFIX};
use nno_obs_store::registry::RegistryFile;

/// What a host keeps beside logs and metrics: its Registry copy, the platforms its metrics
/// hold, its alert state.
pub trait HostRecords {
    /// The Registry's platforms (names, limits); empty when the host has no copy.
    fn registry(&self) -> BoxFuture<'_, Result<RegistryFile, ApiError>>;

    /// The platforms the metrics hold data for (the fleet's rows beyond the Registry's).
    fn platforms_with_data(&self) -> BoxFuture<'_, Result<Vec<PlatformId>, ApiError>>;

    /// The alert state; the default when none is kept.
    fn alert_state(&self) -> BoxFuture<'_, Result<State, ApiError>>;

    /// The platforms' tier limits (usage alerts); by default none, which `/slo` reports.
    fn tier_limits(
        &self,
    ) -> BoxFuture<'_, Result<Option<nno_obs_alerts::limits::FileLimits>, ApiError>> {
        Box::pin(async { Ok(None) })
    }
}

/// A host that keeps no records: no Registry copy, no platforms beyond it, no alerts.
///
/// ```
/// use nno_obs_api::source::{HostRecords, NoRecords};
/// let state = pollster::block_on(NoRecords.alert_state()).unwrap();
/// assert!(state.resolved.is_empty() && state.outbox.is_empty());
/// ```
pub struct NoRecords;

impl HostRecords for NoRecords {
    fn registry(&self) -> BoxFuture<'_, Result<RegistryFile, ApiError>> {
        Box::pin(async { Ok(RegistryFile::default()) })
    }
    fn platforms_with_data(&self) -> BoxFuture<'_, Result<Vec<PlatformId>, ApiError>> {
        Box::pin(async { Ok(Vec::new()) })
    }
    fn alert_state(&self) -> BoxFuture<'_, Result<State, ApiError>> {
        Box::pin(async { Ok(State::default()) })
    }
}

/// How much one request may read of the log buckets.
///
/// ```
/// use nno_obs_api::source::SourceLimits;
/// assert!(SourceLimits::WORKER.search.max_objects < SourceLimits::FREE_PLAN_SUBREQUESTS);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceLimits {
    /// Objects and bytes one search call reads (per bucket searched).
    pub search: Limits,
    /// Index sidecars a download listing reads to narrow its list.
    pub sidecars: usize,
}

impl SourceLimits {
    /// Subrequests a Worker may make per request on the Workers Free plan
    /// (<https://developers.cloudflare.com/workers/platform/limits/>; Paid allows more).
    pub const FREE_PLAN_SUBREQUESTS: usize = 50;
    /// A Worker's memory (the same limit on every plan).
    pub const WORKER_MEMORY_BYTES: u64 = 128 * 1024 * 1024;

    /// A Worker's bounds: 32 object reads leave room, within the free plan's 50 subrequests,
    /// for the bucket listing's pages, the sidecars and the SQL API; 32 MiB of stored (gzip)
    /// bytes keeps one object held at a time well inside 128 MB.
    pub const WORKER: SourceLimits = SourceLimits {
        search: Limits {
            max_objects: 32,
            max_bytes: Self::WORKER_MEMORY_BYTES / 4,
        },
        sidecars: 32,
    };

    /// No bounds: every object is read (a native host; tests).
    pub const UNLIMITED: SourceLimits = SourceLimits {
        search: Limits::UNLIMITED,
        sidecars: usize::MAX,
    };
}

/// A clock: ms since the epoch.
pub type Clock = Box<dyn Fn() -> u64>;

/// What a host brings beside its log buckets: the metrics engine, its records, its clock.
///
/// [`SourceBackend`] is generic over it so that a host chooses what its parts must be: a
/// Worker's ([`BoxedHost`]) are not `Send` (nothing is, in wasm32), while `nno-obs serve`'s
/// (`local::LocalHost`) are `Send + Sync`, which makes its backend shareable by the blocking
/// tasks that answer requests — with no bound imposed on the Worker.
///
/// ```
/// use nno_obs_api::source::{BoxedHost, Host, NoRecords};
///
/// # struct NoMetrics;
/// # impl nno_obs_query::Engine for NoMetrics {
/// #     fn run<'a>(&'a self, plan: &'a nno_obs_query::Plan) -> nno_obs_query::questions::TableFuture<'a> {
/// #         Box::pin(std::future::ready(Ok(nno_obs_query::Table::empty(plan))))
/// #     }
/// # }
/// let host = BoxedHost::new(Box::new(NoMetrics), Box::new(NoRecords), Box::new(|| 7));
/// assert_eq!(host.now_ms(), 7);
/// ```
pub trait Host {
    /// The metrics engine.
    fn engine(&self) -> &dyn Engine;
    /// The Registry copy, the platforms with data, the alert state.
    fn records(&self) -> &dyn HostRecords;
    /// Now, ms since the epoch.
    fn now_ms(&self) -> u64;
}

/// A host's parts, boxed and without `Send` (what a Worker has): see [`Host`].
pub struct BoxedHost {
    engine: Box<dyn Engine>,
    records: Box<dyn HostRecords>,
    clock: Clock,
}

impl BoxedHost {
    /// The parts: `engine` for metrics, `records`, `clock` for now.
    pub fn new(engine: Box<dyn Engine>, records: Box<dyn HostRecords>, clock: Clock) -> Self {
        Self {
            engine,
            records,
            clock,
        }
    }
}

impl Host for BoxedHost {
    fn engine(&self) -> &dyn Engine {
        self.engine.as_ref()
    }
    fn records(&self) -> &dyn HostRecords {
        self.records.as_ref()
    }
    fn now_ms(&self) -> u64 {
        (self.clock)()
    }
}

/// Finds a host's buckets again on every request (a local store, whose bucket folders appear
/// as platforms are added): `Send + Sync` so that a native host's backend stays shareable.
pub type FindBuckets<S> = Box<dyn Fn() -> Vec<(Bucket, S)> + Send + Sync>;

/// The API's backend over object sources, one per log bucket.
pub struct SourceBackend<S, H = BoxedHost> {
    buckets: Vec<(Bucket, S)>,
    find: Option<FindBuckets<S>>,
    pub(crate) host: H,
    limits: SourceLimits,
}

/// The buckets one request reads: the fixed ones, and those found for it.
struct Current<'a, S> {
    fixed: &'a [(Bucket, S)],
    found: Vec<(Bucket, S)>,
}

impl<S> Current<'_, S> {
    /// The source of `bucket`: a fixed one before a found one.
    fn source(&self, bucket: &Bucket) -> Option<&S> {
        self.fixed
            .iter()
            .chain(&self.found)
            .find(|(known, _)| known == bucket)
            .map(|(_, source)| source)
    }

    /// Every bucket once (a fixed one before a found one), in bucket order.
    fn all(&self) -> Vec<(&Bucket, &S)> {
        let mut all: Vec<(&Bucket, &S)> = self.fixed.iter().map(|(b, s)| (b, s)).collect();
        for (bucket, source) in &self.found {
            if !self.fixed.iter().any(|(known, _)| known == bucket) {
                all.push((bucket, source));
            }
        }
        all.sort_by(|a, b| a.0.cmp(b.0));
        all
    }
}

impl<S: ObjectSource> SourceBackend<S> {
    /// A backend with no bucket yet, bounded as [`SourceLimits::WORKER`].
    pub fn new(engine: Box<dyn Engine>, records: Box<dyn HostRecords>, clock: Clock) -> Self {
        Self::with_host(BoxedHost::new(engine, records, clock))
    }
}

impl<S: ObjectSource, H: Host> SourceBackend<S, H> {
    /// A backend over `host`'s parts with no bucket yet, bounded as [`SourceLimits::WORKER`].
    pub fn with_host(host: H) -> Self {
        Self {
            buckets: Vec::new(),
            find: None,
            host,
            limits: SourceLimits::WORKER,
        }
    }

    /// Reads `bucket` from `source` (replacing any source it had).
    pub fn with_bucket(mut self, bucket: Bucket, source: S) -> Self {
        self.buckets.retain(|(known, _)| *known != bucket);
        self.buckets.push((bucket, source));
        self.buckets.sort_by(|a, b| a.0.cmp(&b.0));
        self
    }

    /// Also reads the buckets `find` answers, asked again on every request (a bucket given by
    /// [`with_bucket`](Self::with_bucket) is read before a found one of the same name).
    pub fn with_buckets_found(mut self, find: FindBuckets<S>) -> Self {
        self.find = Some(find);
        self
    }

    /// Reads within `limits`.
    pub fn with_limits(mut self, limits: SourceLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The buckets given by [`with_bucket`](Self::with_bucket), in order (not those found per
    /// request).
    pub fn buckets(&self) -> impl Iterator<Item = &Bucket> {
        self.buckets.iter().map(|(bucket, _)| bucket)
    }

    /// The source given for `bucket` by [`with_bucket`](Self::with_bucket), if any.
    pub fn source(&self, bucket: &Bucket) -> Option<&S> {
        self.buckets
            .iter()
            .find(|(known, _)| known == bucket)
            .map(|(_, source)| source)
    }

    /// The buckets of this request.
    fn current(&self) -> Current<'_, S> {
        Current {
            fixed: &self.buckets,
            found: self.find.as_ref().map(|find| find()).unwrap_or_default(),
        }
    }

    /// One bucket's page, from `at`.
    async fn search_bucket(
        &self,
        bucket: &Bucket,
        source: &S,
        query: &LogQuery,
        at: &Continuation,
        limit: usize,
    ) -> Result<ObjectPage, ApiError> {
        ObjectSearch::new(source, &format!("{}/", bucket.name()))
            .run(query, at, limit, self.limits.search)
            .await
            .map_err(|_| ApiError::unavailable("the log store"))
    }
}

/// An object page's problems as the API shows them.
pub(crate) fn problems_of(page: &ObjectPage) -> Vec<Problem> {
    Problem::all(&page.problems, &page.unreadable)
}

/// Whether a download link's `key` may be read: a plain key ([`check_key`]) of no hidden
/// segment (sidecars and temporary files are not handed out).
fn downloadable(key: &str) -> bool {
    check_key(key).is_ok() && key.split('/').all(|segment| !segment.starts_with('.'))
}

impl<S: ObjectSource, H: Host> Backend for SourceBackend<S, H> {
    fn engine(&self) -> &dyn Engine {
        self.host.engine()
    }

    fn registry(&self) -> BoxFuture<'_, Result<RegistryFile, ApiError>> {
        self.host.records().registry()
    }

    fn tier_limits(
        &self,
    ) -> BoxFuture<'_, Result<Option<nno_obs_alerts::limits::FileLimits>, ApiError>> {
        self.host.records().tier_limits()
    }

    fn platforms_with_data(&self) -> BoxFuture<'_, Result<Vec<PlatformId>, ApiError>> {
        self.host.records().platforms_with_data()
    }

    /// One bucket: a bounded [`ObjectSearch`] from the search's continuation. Every bucket
    /// (`bucket: None`, an operator's trace lookup): each bucket bounded alike, their hits
    /// merged; such a search has no continuation (a trace view has no cursor).
    fn search_logs<'a>(
        &'a self,
        search: LogSearch<'a>,
    ) -> BoxFuture<'a, Result<LogHits, ApiError>> {
        Box::pin(async move {
            let at = Continuation {
                after: search.after.cloned(),
                objects: search.known.to_vec(),
            };
            let current = self.current();
            if let Some(bucket) = search.bucket {
                let Some(source) = current.source(bucket) else {
                    // A bucket this host cannot read holds nothing it can show.
                    return Ok(LogHits {
                        complete: true,
                        ..LogHits::default()
                    });
                };
                let page = self
                    .search_bucket(bucket, source, search.query, &at, search.limit)
                    .await?;
                return Ok(LogHits {
                    more: page.next.is_some(),
                    complete: page.complete,
                    files: page.objects_read as u64,
                    bytes: page.bytes_read,
                    problems: problems_of(&page),
                    continuation: page.next,
                    hits: page.hits,
                });
            }
            let plain = Continuation::after(search.after.cloned());
            let mut pages = Vec::new();
            for (bucket, source) in current.all() {
                pages.push(
                    self.search_bucket(bucket, source, search.query, &plain, search.limit)
                        .await?,
                );
            }
            let merged = ObjectPage::merge(pages, search.limit);
            Ok(LogHits {
                more: merged.next.is_some(),
                complete: merged.complete,
                files: merged.objects_read as u64,
                bytes: merged.bytes_read,
                problems: problems_of(&merged),
                continuation: None,
                hits: merged.hits,
            })
        })
    }

    fn list_objects<'a>(
        &'a self,
        bucket: &'a Bucket,
        query: &'a LogQuery,
    ) -> BoxFuture<'a, Result<Vec<ObjectInfo>, ApiError>> {
        Box::pin(async move {
            let current = self.current();
            let Some(source) = current.source(bucket) else {
                return Ok(Vec::new());
            };
            // Only the folders the range can touch, as the search lists them.
            let listing = nno_obs_logs::listing::listing(source, query)
                .await
                .map_err(|_| ApiError::unavailable("the log store"))?;
            let sidecars: std::collections::HashSet<&str> = listing
                .iter()
                .filter_map(|object| object.key.strip_suffix(INDEX_SUFFIX))
                .collect();
            let data: Vec<_> = listing
                .iter()
                .filter(|object| is_data_file(object.key.rsplit('/').next().unwrap_or("")))
                .collect();
            let named: Vec<(&str, &str)> = data
                .iter()
                .map(|object| object.key.rsplit_once('/').unwrap_or(("", &object.key)))
                .collect();
            let rotated = rotated(&named);
            let matcher = Matcher::new(query);
            let mut sidecars_read = 0;
            let mut objects = Vec::new();
            for (object, _) in data.iter().zip(&rotated).filter(|(_, r)| !**r) {
                if !object.key.ends_with(".gz")
                    || !key_admits(latest_record_ms(&object.key), query)
                    || !delivery_admits(delivery_day(&object.key), query)
                {
                    continue;
                }
                if sidecars.contains(object.key.as_str()) && sidecars_read < self.limits.sidecars {
                    sidecars_read += 1;
                    let sidecar = format!("{}{INDEX_SUFFIX}", object.key);
                    // An unreadable sidecar narrows nothing: the object is listed.
                    if let Ok(Some(bytes)) = source.get(&sidecar).await {
                        if let Some((false, _)) = sidecar_admits(&bytes, object.size, &matcher) {
                            continue;
                        }
                    }
                }
                objects.push(ObjectInfo {
                    key: object.key.clone(),
                    bytes: object.size,
                });
            }
            Ok(objects)
        })
    }

    fn read_object<'a>(
        &'a self,
        bucket: &'a Bucket,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<Vec<u8>>, ApiError>> {
        Box::pin(async move {
            let current = self.current();
            let Some(source) = current.source(bucket).filter(|_| downloadable(key)) else {
                return Ok(None);
            };
            source
                .get(key)
                .await
                .map_err(|_| ApiError::unavailable("the log store"))
        })
    }

    fn alert_state(&self) -> BoxFuture<'_, Result<State, ApiError>> {
        self.host.records().alert_state()
    }

    fn now_ms(&self) -> u64 {
        self.host.now_ms()
    }
}
