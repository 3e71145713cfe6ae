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
/// - `trace_id`, `user_id`: exact, on our lines only;
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

/// Who is searching, as a type: what it can open is decided by construction.
pub trait Scope {
    /// The log buckets this scope may open, from those present.
    fn buckets(&self, present: &[Bucket]) -> Vec<Bucket>;
    /// A name for messages and cursors.
    fn name(&self) -> String;
}

/// A platform admin: one validated platform, whose bucket is the only one it opens.
///
/// ```
/// use nno_obs_logs::{PlatformScope, Scope};
/// use nno_obs_store::layout::{Bucket, PlatformId};
///
/// let mine = PlatformId::parse("k3m9p2xw7q").unwrap();
/// let other = Bucket::Platform(PlatformId::parse("aaaaaaaaaa").unwrap());
/// let scope = PlatformScope::new(mine.clone());
/// assert_eq!(scope.buckets(&[Bucket::Internal, other]), [Bucket::Platform(mine)]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformScope {
    platform: PlatformId,
}

impl PlatformScope {
    /// The scope of `platform`'s admin.
    pub fn new(platform: PlatformId) -> Self {
        Self { platform }
    }

    /// The platform.
    pub fn platform(&self) -> &PlatformId {
        &self.platform
    }
}

impl Scope for PlatformScope {
    fn buckets(&self, _present: &[Bucket]) -> Vec<Bucket> {
        vec![Bucket::Platform(self.platform.clone())]
    }
    fn name(&self) -> String {
        format!("platform:{}", self.platform)
    }
}

/// An NNO operator: every bucket.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OperatorScope;

impl Scope for OperatorScope {
    fn buckets(&self, present: &[Bucket]) -> Vec<Bucket> {
        present.to_vec()
    }
    fn name(&self) -> String {
        "operator".to_owned()
    }
}
