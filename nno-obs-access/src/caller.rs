//! Who is asking through the read API, and what that caller may see (`../shared/API.md`,
//! "Callers and tokens"; DESIGN principle 10).
//!
//! A [`Caller`] exists only as [`crate::token::verify`]'s answer for a token whose signature
//! and claims it checked. A route turns the caller and the `platformId` it asked for into the
//! scopes the libraries take; a refusal is a [`Denied`], which the API answers 403 or 400.

use crate::scope::{OperatorScope, PlatformScope};
use nno_obs_store::layout::PlatformId;
use std::fmt;

/// A verified caller: who the token names and in which role.
///
/// ```
/// use nno_obs_access::token::{mint, verify, Claims, JwtSecret};
///
/// let key = JwtSecret::new(b"k".to_vec()).unwrap();
/// let claims = Claims { sub: "ops@nno".into(), role: "operator".into(), platform_id: None, exp: 2_000, nbf: None };
/// let caller = verify(&mint(&claims, &key), &key, 1_000).unwrap();
/// assert_eq!((caller.sub(), caller.role(), caller.platform()), ("ops@nno", "operator", None));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    sub: String,
    role: Role,
}

/// A caller's role, with the platform of a platform admin.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Role {
    Operator,
    PlatformAdmin(PlatformId),
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

/// Why a caller may not read what it asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    /// Not this caller's to see (another platform, or an operator's route): 403.
    Forbidden,
    /// A platform admin must name its platform (`platformId`): 400.
    PlatformRequired,
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Denied::Forbidden => "this caller may not see what it asked for",
            Denied::PlatformRequired => "platformId is required for a platform admin",
        })
    }
}

impl std::error::Error for Denied {}

impl Caller {
    /// An operator: only the token check makes one.
    pub(crate) fn operator_named(sub: String) -> Self {
        Self {
            sub,
            role: Role::Operator,
        }
    }

    /// A platform admin: only the token check makes one.
    pub(crate) fn admin_named(sub: String, platform: PlatformId) -> Self {
        Self {
            sub,
            role: Role::PlatformAdmin(platform),
        }
    }

    /// The token's `sub`.
    pub fn sub(&self) -> &str {
        &self.sub
    }

    /// Whether the caller is an NNO operator.
    pub fn is_operator(&self) -> bool {
        self.role == Role::Operator
    }

    /// The platform of a platform admin; `None` for an operator.
    pub fn platform(&self) -> Option<&PlatformId> {
        match &self.role {
            Role::Operator => None,
            Role::PlatformAdmin(platform) => Some(platform),
        }
    }

    /// The role claim's word: `operator` or `platform-admin`.
    pub fn role(&self) -> &'static str {
        match self.role {
            Role::Operator => "operator",
            Role::PlatformAdmin(_) => "platform-admin",
        }
    }

    /// What cursors and links are bound to: `operator` or `platform:{id}`.
    pub fn binding(&self) -> String {
        match &self.role {
            Role::Operator => "operator".to_owned(),
            Role::PlatformAdmin(platform) => format!("platform:{platform}"),
        }
    }

    /// The operator's scope; a platform admin is [`Denied::Forbidden`].
    ///
    /// ```
    /// use nno_obs_access::token::{mint, verify, Claims, JwtSecret};
    /// use nno_obs_access::Denied;
    ///
    /// let key = JwtSecret::new(b"k".to_vec()).unwrap();
    /// let admin = Claims { sub: "a".into(), role: "platform-admin".into(),
    ///                      platform_id: Some("k3m9p2xw7q".into()), exp: 2_000, nbf: None };
    /// let caller = verify(&mint(&admin, &key), &key, 1_000).unwrap();
    /// assert_eq!(caller.operator().unwrap_err(), Denied::Forbidden);
    /// ```
    pub fn operator(&self) -> Result<OperatorScope, Denied> {
        match self.role {
            Role::Operator => Ok(OperatorScope::checked()),
            Role::PlatformAdmin(_) => Err(Denied::Forbidden),
        }
    }

    /// The scope of `requested` for a route that needs one: an operator may name any
    /// platform, an admin only its own — another platform is refused whether it exists or not.
    ///
    /// ```
    /// use nno_obs_access::token::{mint, verify, Claims, JwtSecret};
    /// use nno_obs_access::Denied;
    /// use nno_obs_store::layout::PlatformId;
    ///
    /// let key = JwtSecret::new(b"k".to_vec()).unwrap();
    /// let admin = Claims { sub: "a".into(), role: "platform-admin".into(),
    ///                      platform_id: Some("k3m9p2xw7q".into()), exp: 2_000, nbf: None };
    /// let caller = verify(&mint(&admin, &key), &key, 1_000).unwrap();
    /// let mine = PlatformId::parse("k3m9p2xw7q").unwrap();
    /// let theirs = PlatformId::parse("aaaaaaaaaa").unwrap();
    /// assert_eq!(caller.platform_scope(&mine).unwrap().platform(), &mine);
    /// assert_eq!(caller.platform_scope(&theirs).unwrap_err(), Denied::Forbidden);
    /// ```
    pub fn platform_scope(&self, requested: &PlatformId) -> Result<PlatformScope, Denied> {
        match &self.role {
            Role::Operator => Ok(PlatformScope::checked(requested.clone())),
            Role::PlatformAdmin(platform) if platform == requested => {
                Ok(PlatformScope::checked(requested.clone()))
            }
            Role::PlatformAdmin(_) => Err(Denied::Forbidden),
        }
    }

    /// The target of a route where `platformId` is optional for an operator (logs, traces,
    /// SLOs, alerts): without it an operator sees everything; an admin must name its own
    /// platform ([`Denied::PlatformRequired`] without one, [`Denied::Forbidden`] for another).
    pub fn target(&self, requested: Option<&PlatformId>) -> Result<Target, Denied> {
        match (&self.role, requested) {
            (_, Some(platform)) => self.platform_scope(platform).map(Target::Platform),
            (Role::Operator, None) => Ok(Target::Everything(OperatorScope::checked())),
            (Role::PlatformAdmin(_), None) => Err(Denied::PlatformRequired),
        }
    }
}
