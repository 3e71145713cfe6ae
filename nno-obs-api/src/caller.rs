//! Who is asking, and what that caller may see (`../shared/API.md`, "Callers and tokens";
//! DESIGN principle 10).
//!
//! The caller and the scopes are [`nno_obs_access`]'s: a [`Caller`] exists only for a verified
//! token, and a route gets its scopes from the caller's own methods ([`Caller::target`],
//! [`Caller::operator`], [`Caller::platform_scope`]), so a handler cannot ask anything its
//! caller may not see. Here a refusal becomes the API's answer.

use crate::error::ApiError;
pub use nno_obs_access::{Caller, Denied, Target};

impl From<Denied> for ApiError {
    /// `Forbidden` is 403; a platform admin that named no platform is 400 on `platformId`.
    ///
    /// ```
    /// use nno_obs_api::{caller::Denied, ApiError};
    ///
    /// assert_eq!(ApiError::from(Denied::Forbidden).status(), 403);
    /// assert_eq!(ApiError::from(Denied::PlatformRequired).status(), 400);
    /// ```
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::Forbidden => ApiError::forbidden(),
            Denied::PlatformRequired => {
                ApiError::bad_param("platformId", "required for a platform admin")
            }
        }
    }
}
