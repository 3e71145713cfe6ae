//! The queue consumer of R2 event notifications (queue `nno-logs-objects`): for each new
//! Logpush object, its index sidecar is built and written (`nno_obs_logs::sidecars`), so the
//! first search of the object already skips what it cannot hold.
//!
//! Queues deliver at least once: indexing is idempotent (a redelivery finds the sidecar valid
//! and writes nothing). A message is retried only when R2 failed (unavailable); one that can
//! never succeed (not a notification, a bucket this Worker reads neither through a binding nor
//! over the S3 API, a key the S3 API denies, a damaged object) is acknowledged, so it does not
//! come back forever.

use crate::buckets::LogBucket;
use nno_obs_api::source::SourceBackend;
use nno_obs_logs::sidecars::{index_object, Indexed};
use nno_obs_logs::source::SourceErrorKind;
use nno_obs_store::layout::Bucket;
use serde::Deserialize;

/// An R2 event notification, as R2 sends it to a queue (the fields this consumer reads).
#[derive(Clone, Debug, Deserialize)]
pub struct Notification {
    /// `PutObject`, `CopyObject`, `CompleteMultipartUpload`, `DeleteObject`,
    /// `LifecycleDeletion`.
    pub action: String,
    /// The bucket's name.
    pub bucket: String,
    /// The object.
    pub object: NotifiedObject,
}

/// The object of a notification.
#[derive(Clone, Debug, Deserialize)]
pub struct NotifiedObject {
    /// Its key.
    pub key: String,
}

/// What to do with a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// Done, or never possible: acknowledge.
    Ack,
    /// R2 failed: deliver again later.
    Retry,
}

/// Whether `action` creates an object (the others need no sidecar).
fn creates(action: &str) -> bool {
    matches!(
        action,
        "PutObject" | "CopyObject" | "CompleteMultipartUpload"
    )
}

/// Handles one message body.
pub async fn handle(backend: &SourceBackend<LogBucket>, body: serde_json::Value) -> Disposition {
    let Ok(notification) = serde_json::from_value::<Notification>(body) else {
        return Disposition::Ack;
    };
    if !creates(&notification.action) {
        return Disposition::Ack;
    }
    let Some(source) = Bucket::parse(&notification.bucket)
        .ok()
        .and_then(|bucket| backend.source(&bucket))
    else {
        return Disposition::Ack;
    };
    match index_object(source, &notification.object.key).await {
        Ok(
            Indexed::Written
            | Indexed::AlreadyIndexed
            | Indexed::NotData
            | Indexed::Gone
            | Indexed::Damaged,
        ) => Disposition::Ack,
        Err(error) if error.kind() == SourceErrorKind::Unavailable => Disposition::Retry,
        // Denied (a key without write over the S3 API), an invalid key: trying again cannot
        // help; the object is still searched without its sidecar.
        Err(_) => Disposition::Ack,
    }
}
