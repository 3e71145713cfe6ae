//! What a host provides the API: its metrics engine, its log objects, its Registry copy and
//! its alert state. `nno-obs serve` implements it over the local store
//! ([`crate::local::LocalBackend`]); the `nno-logging` Worker over R2, the SQL API and KV.
//!
//! Methods return boxed futures without `Send`, so the trait is object-safe and a Worker
//! (single-threaded, `fetch` futures are not `Send`) implements it as a native host does.

use crate::error::ApiError;
use crate::views::Problem;
use nno_obs_alerts::outbox::State;
use nno_obs_logs::cursor::SortKey;
use nno_obs_logs::objects::{Continuation, ObjectProgress};
use nno_obs_logs::search::Hit;
use nno_obs_logs::LogQuery;
use nno_obs_query::Engine;
use nno_obs_store::layout::{Bucket, PlatformId};
use nno_obs_store::registry::RegistryFile;
use std::future::Future;
use std::pin::Pin;

/// A boxed future, as the backend's methods return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// One page's search: the bucket to read, the query, where the last page stopped.
#[derive(Clone, Debug)]
pub struct LogSearch<'a> {
    /// The only bucket opened; `None` is every bucket (an operator's trace lookup).
    pub bucket: Option<&'a Bucket>,
    /// The filters.
    pub query: &'a LogQuery,
    /// The last entry already given.
    pub after: Option<&'a SortKey>,
    /// What earlier pages of a bounded search learnt of the objects they read (see
    /// [`nno_obs_logs::objects`]); empty for a plain position. A backend that reads everything
    /// on every call ignores it.
    pub known: &'a [ObjectProgress],
    /// Most entries.
    pub limit: usize,
}

/// A search's result, before the API shapes it.
#[derive(Clone, Debug, Default)]
pub struct LogHits {
    /// At most `limit` hits after `after`, in order.
    pub hits: Vec<Hit>,
    /// Whether more hits follow the last one.
    pub more: bool,
    /// False when the backend stopped at its limits (then `more` is true).
    pub complete: bool,
    /// Objects read.
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Damaged objects.
    pub problems: Vec<Problem>,
    /// Where the next page continues, when `more` and the backend knows more than the last
    /// hit (a bounded search that stopped at its limits, possibly before any hit); `None`: after
    /// the last hit.
    pub continuation: Option<Continuation>,
}

/// An object of a log bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Its key in the bucket.
    pub key: String,
    /// Its size.
    pub bytes: u64,
}

/// A host's data.
pub trait Backend {
    /// The metrics engine (the local evaluator, the SQL API).
    fn engine(&self) -> &dyn Engine;

    /// The Registry's platforms (names, limits); empty when the host has no copy.
    fn registry(&self) -> BoxFuture<'_, Result<RegistryFile, ApiError>>;

    /// The platforms' tier limits (usage alerts, seed §6.2), `None` when the host has no
    /// source — which `/slo` reports as such. By default none: a host must bring one.
    fn tier_limits(
        &self,
    ) -> BoxFuture<'_, Result<Option<nno_obs_alerts::limits::FileLimits>, ApiError>> {
        Box::pin(async { Ok(None) })
    }

    /// The platforms the metrics hold data for (the fleet's rows beyond the Registry's).
    fn platforms_with_data(&self) -> BoxFuture<'_, Result<Vec<PlatformId>, ApiError>>;

    /// One page of a log search in one bucket.
    fn search_logs<'a>(&'a self, search: LogSearch<'a>)
        -> BoxFuture<'a, Result<LogHits, ApiError>>;

    /// The closed objects of `bucket` that may hold entries of `query`'s time range.
    fn list_objects<'a>(
        &'a self,
        bucket: &'a Bucket,
        query: &'a LogQuery,
    ) -> BoxFuture<'a, Result<Vec<ObjectInfo>, ApiError>>;

    /// The bytes of one object; `None` when there is no such object.
    fn read_object<'a>(
        &'a self,
        bucket: &'a Bucket,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<Vec<u8>>, ApiError>>;

    /// The alert state (firing alerts, recent resolutions); the default when none is kept.
    fn alert_state(&self) -> BoxFuture<'_, Result<State, ApiError>>;

    /// Now, ms since the epoch.
    fn now_ms(&self) -> u64;
}
