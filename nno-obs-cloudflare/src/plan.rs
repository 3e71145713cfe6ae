//! What provisioning sends for one platform or core service, as data: the bucket, its
//! lifecycle rule and the Logpush job. `nno-obs logpush plan` prints it without sending.

use crate::logpush::LogpushJob;
use crate::r2::Lifecycle;
use crate::R2Destination;
use serde::Serialize;

/// The calls of one provisioning, in the order they are made.
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    /// `POST /accounts/{id}/r2/buckets`.
    pub bucket: String,
    /// `PUT /accounts/{id}/r2/buckets/{bucket}/lifecycle`.
    pub lifecycle: Lifecycle,
    /// `POST /accounts/{id}/logpush/jobs` (secrets redacted).
    pub jobs: Vec<serde_json::Value>,
}

impl Plan {
    /// A platform's bucket `nno-logs-{platformId}`, kept `retention_days`, and its job.
    ///
    /// ```
    /// use nno_obs_cloudflare::{plan::Plan, R2Destination, Secret};
    ///
    /// let r2 = R2Destination::new("nno-logs-k3m9p2xw7q", "0123456789abcdef0123456789abcdef", "AKID", Secret::new("s"));
    /// let plan = Plan::platform("k3m9p2xw7q", r2, 30);
    /// assert_eq!(plan.bucket, "nno-logs-k3m9p2xw7q");
    /// assert_eq!(plan.jobs[0]["name"], "nno-logs-k3m9p2xw7q");
    /// ```
    pub fn platform(platform_id: &str, destination: R2Destination, retention_days: u32) -> Self {
        let bucket = destination.bucket().to_owned();
        let job = LogpushJob::platform(platform_id, destination);
        Self {
            bucket,
            lifecycle: Lifecycle::delete_after_days(retention_days),
            jobs: vec![job.to_json(false)],
        }
    }

    /// The internal bucket, kept `retention_days`, and one job per core service Worker.
    pub fn core_services(
        worker_names: &[&str],
        destination: R2Destination,
        retention_days: u32,
    ) -> Self {
        let bucket = destination.bucket().to_owned();
        let jobs = worker_names
            .iter()
            .map(|worker| LogpushJob::core_service(worker, destination.clone()).to_json(false))
            .collect();
        Self {
            bucket,
            lifecycle: Lifecycle::delete_after_days(retention_days),
            jobs,
        }
    }
}
