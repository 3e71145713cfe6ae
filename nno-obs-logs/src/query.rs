//! The typed log query and the scopes it runs in.

use crate::level::Level;
use nno_obs_store::layout::{Bucket, PlatformId};

/// A log search: every filter is optional and they combine (AND).
///
/// - `from_ms` inclusive, `to_ms` exclusive, on each entry's own time; an entry with no time
///   matches only when neither bound is set;
/// - `platform`: the entry's platform (the script name's, else the line's `platformId`);
/// - `feature`: the line's `featureId`, else the script name's feature;
/// - `service`: the line's `service`, else a core script's service;
/// - `min_level`: debug < info < warn < error;
/// - `trace_id`: exact, on our lines' `traceId`, and on an exception by its invocation's trace
///   (the `traceId` of its record's first line that has one: an exception has none of its own);
/// - `user_id`: exact, on our lines only;
/// - `text`: case-insensitive substring of the message or of any member value of our line
///   other than `timestamp` and `level` (a string member by its text, any other by its JSON
///   as written); for other entries, of the message text. Case folding is Unicode lowercase;
///   ClickHouse agrees for ASCII and common letters.
///
/// ```
/// use nno_obs_logs::{Level, LogQuery};
///
/// let query = LogQuery { min_level: Some(Level::Warn), text: Some("timeout".into()), ..LogQuery::default() };
/// assert!(query.trace_id.is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct LogQuery {
    /// Earliest entry time, inclusive.
    pub from_ms: Option<u64>,
    /// Latest entry time, exclusive.
    pub to_ms: Option<u64>,
    /// Platform.
    pub platform: Option<PlatformId>,
    /// Feature.
    pub feature: Option<String>,
    /// Service.
    pub service: Option<String>,
    /// Minimum level.
    pub min_level: Option<Level>,
    /// Trace id.
    pub trace_id: Option<String>,
    /// User id.
    pub user_id: Option<String>,
    /// Free text.
    pub text: Option<String>,
}

impl LogQuery {
    /// Whether any entry time in `[min_ms, max_ms]` can fall in the query's range.
    pub fn range_meets(&self, min_ms: u64, max_ms: u64) -> bool {
        self.from_ms.is_none_or(|from| max_ms >= from) && self.to_ms.is_none_or(|to| min_ms < to)
    }

    /// Whether the query bounds time at all.
    pub fn has_time_bound(&self) -> bool {
        self.from_ms.is_some() || self.to_ms.is_some()
    }
}

/// Who is searching, as a type: what it can open is decided by construction. The trait is
/// sealed: its only implementations are the read side's scopes ([`PlatformScope`],
/// [`OperatorScope`]) and an operator's view of one bucket ([`OperatorBucket`]).
pub trait Scope: sealed::Sealed {
    /// The log buckets this scope may open, from those present.
    fn buckets(&self, present: &[Bucket]) -> Vec<Bucket>;
    /// A name for messages and cursors.
    fn name(&self) -> String;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::PlatformScope {}
    impl Sealed for super::OperatorScope {}
    impl Sealed for super::OperatorBucket {}
}

pub use nno_obs_access::{OperatorScope, PlatformScope};

/// A platform admin opens its own platform's bucket only.
///
/// ```
/// use nno_obs_logs::{PlatformScope, Scope};
/// use nno_obs_store::layout::{Bucket, PlatformId};
///
/// let mine = PlatformId::parse("k3m9p2xw7q").unwrap();
/// let other = Bucket::Platform(PlatformId::parse("aaaaaaaaaa").unwrap());
/// let scope = nno_obs_access::testing::platform(mine.clone());
/// assert_eq!(scope.buckets(&[Bucket::Internal, other]), [Bucket::Platform(mine)]);
/// ```
impl Scope for PlatformScope {
    fn buckets(&self, _present: &[Bucket]) -> Vec<Bucket> {
        vec![Bucket::Platform(self.platform().clone())]
    }
    fn name(&self) -> String {
        format!("platform:{}", self.platform())
    }
}

/// An NNO operator opens every bucket.
impl Scope for OperatorScope {
    fn buckets(&self, present: &[Bucket]) -> Vec<Bucket> {
        present.to_vec()
    }
    fn name(&self) -> String {
        "operator".to_owned()
    }
}

/// An operator's view of one bucket (the read API's `/logs` without `platformId` reads
/// `nno-logs-internal` alone); made from an [`OperatorScope`], so only an operator has one.
///
/// ```
/// use nno_obs_logs::{OperatorBucket, OperatorScope, Scope};
/// use nno_obs_store::layout::{Bucket, PlatformId};
///
/// let internal = OperatorBucket::new(&nno_obs_access::testing::operator(), Bucket::Internal);
/// let other = Bucket::Platform(PlatformId::parse("aaaaaaaaaa").unwrap());
/// assert_eq!(internal.buckets(&[Bucket::Internal, other]), [Bucket::Internal]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorBucket {
    bucket: Bucket,
}

impl OperatorBucket {
    /// `bucket` alone, for an operator.
    pub fn new(_operator: &OperatorScope, bucket: Bucket) -> Self {
        Self { bucket }
    }
}

impl Scope for OperatorBucket {
    fn buckets(&self, _present: &[Bucket]) -> Vec<Bucket> {
        vec![self.bucket.clone()]
    }
    fn name(&self) -> String {
        format!("operator:{}", self.bucket.name())
    }
}
