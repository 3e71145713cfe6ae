//! Who is asking, and what that caller may see (`../shared/API.md`, "Callers and tokens";
//! DESIGN principle 10).
//!
//! A verified token becomes a [`Caller`]; a route turns the caller and the `platformId` it asked
//! for into the scope types the libraries take ([`nno_obs_query::PlatformScope`], the log
//! search's scopes, [`nno_obs_query::OperatorScope`]). Those are built here and nowhere else in
//! the API, so a handler cannot ask anything its caller may not see.

use crate::error::ApiError;
use nno_obs_query::{OperatorScope, PlatformScope};
use nno_obs_store::layout::PlatformId;

/// A verified caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    /// An NNO operator: everything.
    Operator {
        /// The token's `sub`.
        sub: String,
    },
    /// A platform admin: one platform.
    PlatformAdmin {
        /// The token's `sub`.
        sub: String,
        /// The platform.
        platform: PlatformId,
    },
}

/// What a platform-or-operator route reads: one platform, seen by its admin or by an operator,
/// or (for the routes that allow it) the operator's whole view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// One platform.
    Platform(PlatformScope),
    /// An operator without `platformId`.
    Everything(OperatorScope),
}

impl Caller {
    /// The platform of a platform admin.
    ///
    /// ```
    /// use nno_obs_api::Caller;
    /// assert!(Caller::Operator { sub: "o".into() }.platform().is_none());
    /// ```
    pub fn platform(&self) -> Option<&PlatformId> {
        match self {
            Caller::Operator { .. } => None,
            Caller::PlatformAdmin { platform, .. } => Some(platform),
        }
    }

    /// The role claim's word.
    pub fn role(&self) -> &'static str {
        match self {
            Caller::Operator { .. } => "operator",
            Caller::PlatformAdmin { .. } => "platform-admin",
        }
    }

    /// What cursors and links are bound to: `operator` or `platform:{id}`.
    pub fn binding(&self) -> String {
        match self {
            Caller::Operator { .. } => "operator".to_owned(),
            Caller::PlatformAdmin { platform, .. } => format!("platform:{platform}"),
        }
    }

    /// The operator's scope; a platform admin is refused (403).
    ///
    /// ```
    /// use nno_obs_api::Caller;
    /// use nno_obs_store::layout::PlatformId;
    ///
    /// let admin = Caller::PlatformAdmin { sub: "a".into(), platform: PlatformId::parse("k3m9p2xw7q").unwrap() };
    /// assert_eq!(admin.operator().unwrap_err().status(), 403);
    /// ```
    pub fn operator(&self) -> Result<OperatorScope, ApiError> {
        match self {
            Caller::Operator { .. } => Ok(OperatorScope::new()),
            Caller::PlatformAdmin { .. } => Err(ApiError::forbidden()),
        }
    }

    /// The scope of `platformId` for a route that needs one: an operator may name any
    /// platform, an admin only its own — another platform is 403 whether it exists or not.
    ///
    /// ```
    /// use nno_obs_api::Caller;
    /// use nno_obs_store::layout::PlatformId;
    ///
    /// let mine = PlatformId::parse("k3m9p2xw7q").unwrap();
    /// let theirs = PlatformId::parse("aaaaaaaaaa").unwrap();
    /// let admin = Caller::PlatformAdmin { sub: "a".into(), platform: mine.clone() };
    /// assert!(admin.platform_scope(&mine).is_ok());
    /// assert_eq!(admin.platform_scope(&theirs).unwrap_err().status(), 403);
    /// ```
    pub fn platform_scope(&self, requested: &PlatformId) -> Result<PlatformScope, ApiError> {
        match self {
            Caller::Operator { .. } => Ok(PlatformScope::new(requested.clone())),
            Caller::PlatformAdmin { platform, .. } if platform == requested => {
                Ok(PlatformScope::new(requested.clone()))
            }
            Caller::PlatformAdmin { .. } => Err(ApiError::forbidden()),
        }
    }

    /// The target of a route where `platformId` is optional for an operator (logs, traces,
    /// SLOs, alerts): without it an operator sees everything; an admin must name its own
    /// platform (a missing one is 400, another platform 403).
    pub fn target(&self, requested: Option<&PlatformId>) -> Result<Target, ApiError> {
        match (self, requested) {
            (_, Some(platform)) => self.platform_scope(platform).map(Target::Platform),
            (Caller::Operator { .. }, None) => Ok(Target::Everything(OperatorScope::new())),
            (Caller::PlatformAdmin { .. }, None) => Err(ApiError::bad_param(
                "platformId",
                "required for a platform admin",
            )),
        }
    }
}
