//! Who reads, by type (DESIGN principle 10): the one pair of scopes every read path takes —
//! the log search, the metrics questions, the trace view, SLO status and alerts.
//!
//! A [`PlatformScope`] holds one validated [`PlatformId`]: what takes one can only open that
//! platform's log bucket and name that platform's datasets (or filter a shared dataset on its
//! id). An [`OperatorScope`] is another type, taken by what reads the whole fleet.
//!
//! Neither has a public constructor. They are minted by this crate's checks alone (see the
//! crate's documentation): a verified token ([`crate::Caller`]), the local store's files
//! ([`crate::local`]), a scheduled run of the Worker (`scheduled`, feature `worker`) — and an operator
//! may narrow its scope to any one platform ([`OperatorScope::platform`]). So a read path that
//! forgot its check has no scope to pass: it does not compile.

use nno_obs_store::layout::PlatformId;

/// A platform admin: one platform.
///
/// Minted by [`crate::Caller::platform_scope`] (a verified token) or narrowed from an
/// operator's scope by [`OperatorScope::platform`].
///
/// ```
/// use nno_obs_store::layout::PlatformId;
///
/// let store = tempfile::tempdir().unwrap();
/// let operator = nno_obs_access::local::operator(store.path()).unwrap();
/// let scope = operator.platform(PlatformId::parse("k3m9p2xw7q").unwrap());
/// assert_eq!(scope.platform().as_str(), "k3m9p2xw7q");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PlatformScope {
    platform: PlatformId,
}

impl PlatformScope {
    /// Only this crate's checks call this.
    pub(crate) fn checked(platform: PlatformId) -> Self {
        Self { platform }
    }

    /// The platform.
    pub fn platform(&self) -> &PlatformId {
        &self.platform
    }
}

/// An NNO operator: every platform and the core services.
///
/// Minted by [`crate::Caller::operator`] (a verified operator token), [`crate::local::operator`]
/// (the local store's files) or `scheduled::operator` (the Worker's cron, feature `worker`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OperatorScope {
    _checked: (),
}

impl OperatorScope {
    /// Only this crate's checks call this.
    pub(crate) fn checked() -> Self {
        Self { _checked: () }
    }

    /// One platform, as its admin sees it: an operator may look at any platform, and a
    /// question that takes a [`PlatformScope`] then reads that platform's data alone.
    ///
    /// ```
    /// use nno_obs_store::layout::PlatformId;
    ///
    /// let store = tempfile::tempdir().unwrap();
    /// let operator = nno_obs_access::local::operator(store.path()).unwrap();
    /// let id = PlatformId::parse("k3m9p2xw7q").unwrap();
    /// assert_eq!(operator.platform(id.clone()).platform(), &id);
    /// ```
    pub fn platform(&self, platform: PlatformId) -> PlatformScope {
        PlatformScope::checked(platform)
    }
}
