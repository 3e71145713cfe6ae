//! Who reads, by type (DESIGN principle 10): the one pair of scopes every read path takes —
//! the log search, the metrics questions, the trace view, SLO status and alerts.
//!
//! A [`PlatformScope`] holds one validated [`PlatformId`]: what takes one can only open that
//! platform's log bucket and name that platform's datasets (or filter a shared dataset on its
//! id). An [`OperatorScope`] is another type, taken by what reads the whole fleet. Whoever
//! constructs a scope vouches for its caller: the read API after verifying a token
//! (`nno-obs-api`'s `caller` module), the CLI for the person at the terminal, who can read
//! the store's files anyway.

use crate::layout::PlatformId;

/// A platform admin: one platform.
///
/// ```
/// use nno_obs_store::layout::PlatformId;
/// use nno_obs_store::scope::PlatformScope;
///
/// let scope = PlatformScope::new(PlatformId::parse("k3m9p2xw7q").unwrap());
/// assert_eq!(scope.platform().as_str(), "k3m9p2xw7q");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
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

/// An NNO operator: every platform and the core services.
///
/// ```
/// let _operator = nno_obs_store::scope::OperatorScope::new();
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct OperatorScope {
    _private: (),
}

impl OperatorScope {
    /// The operator scope (whoever constructs it has authenticated an operator).
    pub fn new() -> Self {
        Self { _private: () }
    }
}
