//! Scopes without a check, for tests (feature `testing`, enabled only by dev-dependencies;
//! `.ci/run` checks that neither the CLI nor the Worker builds with it).

use crate::scope::{OperatorScope, PlatformScope};
use nno_obs_store::layout::PlatformId;

/// An operator's scope, unchecked.
pub fn operator() -> OperatorScope {
    OperatorScope::checked()
}

/// `platform`'s scope, unchecked.
pub fn platform(platform: PlatformId) -> PlatformScope {
    PlatformScope::checked(platform)
}
