//! What the read side needs from the NNO Registry about each platform: its display name (alert
//! messages, seed §6.3) and its tier's daily invocation limit (usage alerts, §6.2). In
//! production the Registry's D1 answers; the local store keeps the same records in
//! [`REGISTRY_FILE`] (written by the fleet simulator), so that the evaluator runs without an
//! account.
//!
//! ```
//! use nno_obs_store::registry::{RegistryFile, RegistryPlatform};
//!
//! let file: RegistryFile = serde_json::from_str(r#"{"platforms":[
//!     {"platformId":"k3m9p2xw7q","name":"AcmeCorp","dailyInvocationLimit":250000}
//! ]}"#).unwrap();
//! let acme = file.platform("k3m9p2xw7q").unwrap();
//! assert_eq!((acme.name.as_str(), acme.daily_invocation_limit), ("AcmeCorp", Some(250_000)));
//! ```

use crate::layout::PlatformId;
use serde::{Deserialize, Serialize};

/// The file's path under the store's root.
pub const REGISTRY_FILE: &str = "registry/platforms.json";

/// One platform as the Registry describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegistryPlatform {
    /// The platform id (validated when read: see [`RegistryFile::valid_platforms`]).
    pub platform_id: String,
    /// Its display name (`AcmeCorp`).
    pub name: String,
    /// Invocations per day its tier allows; `None` for an unmetered tier.
    #[serde(default)]
    pub daily_invocation_limit: Option<u64>,
}

/// The whole file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryFile {
    /// Every platform, in the Registry's order.
    pub platforms: Vec<RegistryPlatform>,
}

impl RegistryFile {
    /// The platform with id `id`.
    pub fn platform(&self, id: &str) -> Option<&RegistryPlatform> {
        self.platforms.iter().find(|p| p.platform_id == id)
    }

    /// The platforms whose id is a valid [`PlatformId`], with it; the others are left out (a
    /// hand-edited file cannot steer a query or a link).
    ///
    /// ```
    /// use nno_obs_store::registry::{RegistryFile, RegistryPlatform};
    ///
    /// let file = RegistryFile { platforms: vec![
    ///     RegistryPlatform { platform_id: "../etc".into(), name: "x".into(), daily_invocation_limit: None },
    ///     RegistryPlatform { platform_id: "k3m9p2xw7q".into(), name: "AcmeCorp".into(), daily_invocation_limit: None },
    /// ]};
    /// assert_eq!(file.valid_platforms().len(), 1);
    /// ```
    pub fn valid_platforms(&self) -> Vec<(PlatformId, &RegistryPlatform)> {
        self.platforms
            .iter()
            .filter_map(|p| PlatformId::parse(&p.platform_id).ok().map(|id| (id, p)))
            .collect()
    }
}
