//! Each platform's tier limits, from their source (seed §6.2's usage threshold: "50% / 75% /
//! 90% / 100% of tier limit", from billing metering).
//!
//! [`TierLimitsSource`] is what the Registry or Billing must provide: for a platform id, its
//! tier and the invocations a day the tier allows (`None` for a platform the source does not
//! know, or an unmetered tier). Locally, [`FileLimits`] reads `{store}/`[`LIMITS_FILE`] (the
//! fleet simulator writes one). Without a source the usage category is not silently empty:
//! [`UsageLimits`] says so in the measurements, and `alerts check`, `slo status` and the API
//! show it.
//!
//! ```
//! use nno_obs_alerts::limits::{FileLimits, TierLimitsSource};
//!
//! let limits = FileLimits::from_json(r#"{"source":"billing export","platforms":[
//!     {"platformId":"k3m9p2xw7q","tier":"pro","dailyInvocations":250000}
//! ]}"#).unwrap();
//! assert_eq!(limits.limits("k3m9p2xw7q").unwrap().daily_invocations, Some(250_000));
//! assert!(limits.limits("r8n4t6y1z5").is_none());
//! ```

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The limits file's path under the store's root.
pub const LIMITS_FILE: &str = "billing/tier-limits.json";

/// One platform's tier limits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TierLimits {
    /// The platform.
    pub platform_id: String,
    /// The tier's name (`free`, `pro`, …), for messages.
    #[serde(default)]
    pub tier: Option<String>,
    /// Invocations a day the tier allows; `None` for an unmetered tier (no usage alert).
    #[serde(default)]
    pub daily_invocations: Option<u64>,
}

/// Where tier limits come from: the Registry or Billing in production, a file locally.
pub trait TierLimitsSource {
    /// Names the source in reports (`billing/tier-limits.json`).
    fn describe(&self) -> String;
    /// `platform_id`'s limits, or `None` when the source does not know the platform.
    fn limits(&self, platform_id: &str) -> Option<TierLimits>;
}

/// Tier limits read from a JSON file: `{"source": "…", "platforms": [TierLimits, …]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileLimits {
    source: String,
    by_platform: BTreeMap<String, TierLimits>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsFile {
    #[serde(default)]
    source: Option<String>,
    platforms: Vec<TierLimits>,
}

/// A limits file that could not be read or parsed.
#[derive(Debug)]
pub struct LimitsError(pub String);

impl std::fmt::Display for LimitsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "tier limits: {}", self.0)
    }
}

impl std::error::Error for LimitsError {}

impl FileLimits {
    /// The limits of a file's text; a later entry for the same platform replaces an earlier.
    pub fn from_json(text: &str) -> Result<Self, LimitsError> {
        let file: LimitsFile =
            serde_json::from_str(text).map_err(|e| LimitsError(e.to_string()))?;
        Ok(Self {
            source: file.source.unwrap_or_else(|| LIMITS_FILE.to_owned()),
            by_platform: file
                .platforms
                .into_iter()
                .map(|l| (l.platform_id.clone(), l))
                .collect(),
        })
    }

    /// The file's text for `limits` (what the simulator writes).
    ///
    /// ```
    /// use nno_obs_alerts::limits::{FileLimits, TierLimits};
    /// let text = FileLimits::to_json("simulator", &[TierLimits {
    ///     platform_id: "k3m9p2xw7q".into(), tier: Some("pro".into()), daily_invocations: Some(10),
    /// }]);
    /// assert_eq!(FileLimits::from_json(&text).unwrap().len(), 1);
    /// ```
    pub fn to_json(source: &str, limits: &[TierLimits]) -> String {
        let file = LimitsFile {
            source: Some(source.to_owned()),
            platforms: limits.to_vec(),
        };
        // A struct of strings and integers always serialises.
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }

    /// `{root}/`[`LIMITS_FILE`]: `Ok(None)` when the store has none (no source), an error
    /// when it cannot be read or parsed (never taken as "no limits").
    #[cfg(feature = "native")]
    pub fn in_store(root: &std::path::Path) -> Result<Option<Self>, LimitsError> {
        match std::fs::read_to_string(root.join(LIMITS_FILE)) {
            Ok(text) => Self::from_json(&text).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(LimitsError(format!("{LIMITS_FILE}: {e}"))),
        }
    }

    /// How many platforms it knows.
    pub fn len(&self) -> usize {
        self.by_platform.len()
    }

    /// Whether it knows none.
    pub fn is_empty(&self) -> bool {
        self.by_platform.is_empty()
    }
}

impl TierLimitsSource for FileLimits {
    fn describe(&self) -> String {
        self.source.clone()
    }
    fn limits(&self, platform_id: &str) -> Option<TierLimits> {
        self.by_platform.get(platform_id).cloned()
    }
}

/// What the usage category could compare with, reported with every evaluation and by
/// `slo status` and the API: the source, and the platforms it gave no limit for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UsageLimits {
    /// The source's name; `None`: no source, no usage alert can fire.
    pub source: Option<String>,
    /// Platforms the source has no metered limit for (no usage alert for them).
    #[serde(default)]
    pub without_limit: Vec<String>,
}

impl UsageLimits {
    /// The status of `source` for `platforms`.
    ///
    /// ```
    /// use nno_obs_alerts::limits::{FileLimits, UsageLimits};
    /// let none = UsageLimits::of(None, &["k3m9p2xw7q"]);
    /// assert!(none.warning().unwrap().starts_with("NO TIER-LIMIT SOURCE"));
    /// let file = FileLimits::from_json(r#"{"platforms":[]}"#).unwrap();
    /// assert_eq!(UsageLimits::of(Some(&file), &["k3m9p2xw7q"]).without_limit, ["k3m9p2xw7q"]);
    /// ```
    pub fn of(source: Option<&dyn TierLimitsSource>, platforms: &[&str]) -> Self {
        match source {
            None => Self {
                source: None,
                without_limit: platforms.iter().map(|p| (*p).to_owned()).collect(),
            },
            Some(source) => Self {
                source: Some(source.describe()),
                without_limit: platforms
                    .iter()
                    .filter(|p| {
                        source
                            .limits(p)
                            .and_then(|l| l.daily_invocations)
                            .is_none_or(|n| n == 0)
                    })
                    .map(|p| (*p).to_owned())
                    .collect(),
            },
        }
    }

    /// The loud line to show, if the usage category cannot fire for some platform.
    pub fn warning(&self) -> Option<String> {
        match &self.source {
            None => Some(format!(
                "NO TIER-LIMIT SOURCE: usage alerts (seed §6.2, % of tier limit) cannot fire for any of {} platform(s); provide {LIMITS_FILE} or the Billing source",
                self.without_limit.len()
            )),
            Some(source) if !self.without_limit.is_empty() => Some(format!(
                "tier limits from {source}: no metered limit for {} platform(s) ({}): no usage alert for them",
                self.without_limit.len(),
                self.without_limit.join(", ")
            )),
            Some(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_file_is_an_error_not_an_empty_source() {
        assert!(FileLimits::from_json("{").is_err());
        assert!(FileLimits::from_json(r#"{"platforms":[{"platformId":1}]}"#).is_err());
        assert!(FileLimits::from_json(r#"{"platforms":[],"extra":1}"#).is_err());
    }

    #[test]
    fn unmetered_and_unknown_platforms_are_listed() {
        let file = FileLimits::from_json(
            r#"{"source":"billing","platforms":[
                {"platformId":"a1","dailyInvocations":100},
                {"platformId":"b2","tier":"enterprise"},
                {"platformId":"c3","dailyInvocations":0}]}"#,
        )
        .unwrap();
        let status = UsageLimits::of(Some(&file), &["a1", "b2", "c3", "d4"]);
        assert_eq!(status.source.as_deref(), Some("billing"));
        assert_eq!(status.without_limit, ["b2", "c3", "d4"]);
        assert!(status.warning().unwrap().contains("b2, c3, d4"));
        assert_eq!(UsageLimits::of(Some(&file), &["a1"]).warning(), None);
    }
}
