//! One alert: what the rules found, with its stable id, category, severity, recipients and
//! message. The id is the `dedup_key` PagerDuty sees and the key of the persisted state.

use crate::category::{Category, Recipient, Severity};
use crate::message::Message;
use crate::text::fnv_hex;
use serde::{Deserialize, Serialize};

/// PagerDuty's `dedup_key` limit; ids never exceed it.
pub const MAX_ID: usize = 255;

/// An alert condition that holds now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Stable across evaluations, processes and restarts: `category/platform-or-nno/subject`.
    pub id: String,
    /// Which of the eight.
    pub category: Category,
    /// Its severity (the category's, or the usage level's).
    pub severity: Severity,
    /// The platform it concerns, if any (validated id).
    pub platform_id: Option<String>,
    /// Who gets it.
    pub recipients: Vec<Recipient>,
    /// What it says.
    pub message: Message,
}

/// Builds an alert id from its parts: characters outside `[A-Za-z0-9_.:-]` become `_`, and
/// when anything was replaced or the id would pass [`MAX_ID`] bytes, a hash of the original
/// parts is appended (after a cut) so two different subjects never share an id.
///
/// ```
/// use nno_obs_alerts::alert::alert_id;
/// use nno_obs_alerts::Category;
///
/// assert_eq!(
///     alert_id(Category::WorkerErrorSpike, Some("k3m9p2xw7q"), "analytics"),
///     "worker-error-spike/k3m9p2xw7q/analytics"
/// );
/// let odd = alert_id(Category::WorkerErrorSpike, Some("k3m9p2xw7q"), "ana lytics\n");
/// assert!(odd.starts_with("worker-error-spike/k3m9p2xw7q/ana_lytics_~"));
/// assert!(alert_id(Category::WorkerErrorSpike, None, &"x".repeat(10_000)).len() <= 255);
/// ```
pub fn alert_id(category: Category, platform: Option<&str>, subject: &str) -> String {
    let raw = format!(
        "{}/{}/{}",
        category.slug(),
        platform.unwrap_or("nno"),
        subject
    );
    let mut clean = String::with_capacity(raw.len().min(MAX_ID));
    let mut replaced = false;
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-' | '/') {
            clean.push(c);
        } else {
            clean.push('_');
            replaced = true;
        }
    }
    if !replaced && clean.len() <= MAX_ID {
        return clean;
    }
    let hash = fnv_hex(&raw);
    // `~` + 16 hex digits; what precedes it is ASCII, so any byte is a char boundary.
    clean.truncate(MAX_ID - 17);
    format!("{clean}~{hash}")
}
