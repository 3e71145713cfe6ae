//! R2: the destination of a Logpush job, bucket names, and lifecycle rules.

use crate::secret::Secret;
use serde::Serialize;

/// Where a Logpush job writes: an R2 bucket, with the account id and the R2 access key pair
/// Logpush authenticates with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct R2Destination {
    bucket: String,
    account_id: String,
    access_key_id: String,
    secret_access_key: Secret,
}

impl R2Destination {
    /// A destination in `bucket` of account `account_id`.
    pub fn new(
        bucket: impl Into<String>,
        account_id: impl Into<String>,
        access_key_id: impl Into<String>,
        secret_access_key: Secret,
    ) -> Self {
        Self {
            bucket: bucket.into(),
            account_id: account_id.into(),
            access_key_id: access_key_id.into(),
            secret_access_key,
        }
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// `destination_conf`: `r2://{bucket}/{DATE}?account-id=…&access-key-id=…&secret-access-key=…`,
    /// with the secret written as `<redacted>` unless `reveal_secret`.
    ///
    /// ```
    /// use nno_obs_cloudflare::{R2Destination, Secret};
    ///
    /// let r2 = R2Destination::new("nno-logs-internal", "0123abcd", "AKID", Secret::new("s3cr3t"));
    /// assert_eq!(
    ///     r2.to_conf(false),
    ///     "r2://nno-logs-internal/{DATE}?account-id=0123abcd&access-key-id=AKID&secret-access-key=<redacted>"
    /// );
    /// ```
    pub fn to_conf(&self, reveal_secret: bool) -> String {
        let secret = if reveal_secret {
            query_escape(self.secret_access_key.expose())
        } else {
            "<redacted>".to_owned()
        };
        format!(
            "r2://{}/{{DATE}}?account-id={}&access-key-id={}&secret-access-key={secret}",
            self.bucket,
            query_escape(&self.account_id),
            query_escape(&self.access_key_id),
        )
    }
}

pub(crate) fn serialize_destination<S: serde::Serializer>(
    destination: &R2Destination,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&destination.to_conf(false))
}

/// Percent-encodes everything but unreserved characters (RFC 3986), so a credential can hold
/// `&` or `=` without changing the URI's shape.
fn query_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Whether `name` is a valid R2 bucket name: 3–63 of `[a-z0-9-]`, not starting or ending with
/// `-`.
///
/// ```
/// use nno_obs_cloudflare::r2::is_valid_bucket_name;
///
/// assert!(is_valid_bucket_name("nno-logs-k3m9p2xw7q"));
/// assert!(!is_valid_bucket_name("nno_logs"));
/// assert!(!is_valid_bucket_name("-x-"));
/// ```
pub fn is_valid_bucket_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// The body of `PUT /accounts/{account_id}/r2/buckets/{bucket}/lifecycle`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lifecycle {
    /// The rules (they replace the bucket's rules in full).
    pub rules: Vec<LifecycleRule>,
}

/// One lifecycle rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LifecycleRule {
    /// The rule's id.
    pub id: String,
    /// Whether it applies.
    pub enabled: bool,
    /// Which objects.
    pub conditions: RuleConditions,
    /// Delete objects past an age.
    #[serde(rename = "deleteObjectsTransition")]
    pub delete_objects_transition: Transition,
}

/// The objects a rule applies to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleConditions {
    /// Key prefix; `""` for every object.
    pub prefix: String,
}

/// When a transition happens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Transition {
    /// The condition.
    pub condition: AgeCondition,
}

/// An age condition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgeCondition {
    /// Always `Age`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The age, in seconds.
    #[serde(rename = "maxAge")]
    pub max_age: u64,
}

impl Lifecycle {
    /// One rule: delete every object older than `days` (seed §9).
    ///
    /// ```
    /// use nno_obs_cloudflare::r2::Lifecycle;
    ///
    /// let rule = serde_json::to_string(&Lifecycle::delete_after_days(30)).unwrap();
    /// assert_eq!(rule, r#"{"rules":[{"id":"nno-retention-30d","enabled":true,"conditions":{"prefix":""},"deleteObjectsTransition":{"condition":{"type":"Age","maxAge":2592000}}}]}"#);
    /// ```
    pub fn delete_after_days(days: u32) -> Self {
        Self {
            rules: vec![LifecycleRule {
                id: format!("nno-retention-{days}d"),
                enabled: true,
                conditions: RuleConditions {
                    prefix: String::new(),
                },
                delete_objects_transition: Transition {
                    condition: AgeCondition {
                        kind: "Age",
                        max_age: u64::from(days) * 86_400,
                    },
                },
            }],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_cannot_change_the_uri_shape() {
        let r2 = R2Destination::new("b-1", "acc&x=1", "AK ID", Secret::new("a&b=c/d"));
        assert_eq!(
            r2.to_conf(true),
            "r2://b-1/{DATE}?account-id=acc%26x%3D1&access-key-id=AK%20ID&secret-access-key=a%26b%3Dc%2Fd"
        );
    }

    #[test]
    fn bucket_names_follow_r2_rules() {
        assert!(is_valid_bucket_name("abc"));
        assert!(!is_valid_bucket_name("ab"));
        assert!(!is_valid_bucket_name(&"a".repeat(64)));
        assert!(!is_valid_bucket_name("Upper"));
        assert!(!is_valid_bucket_name("a/../b"));
    }
}
