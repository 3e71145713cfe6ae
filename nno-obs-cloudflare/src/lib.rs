//! # nno-obs-cloudflare
//!
//! The Cloudflare API calls NNO provisioning makes for observability (seed §2, §9): one
//! Logpush job of Workers Trace Events per core service into `nno-logs-internal` and one per
//! platform into `nno-logs-{platformId}`, the R2 buckets, and their lifecycle rules.
//!
//! | module | what it owns |
//! |---|---|
//! | [`logpush`] | the job body, its filter and output options — and what the seed's job gets wrong against the API |
//! | [`r2`] | the R2 destination (`destination_conf`), bucket names, lifecycle rules |
//! | [`api`] | requests as values and the v4 envelope parsed into results or typed [`Error`]s (no I/O) |
//! | [`client`] | the calls, generic over a [`Transport`] |
//! | [`plan`] | what one provisioning sends, as data (`nno-obs logpush plan`) |
//! | [`s3`] | R2's S3-compatible API as the log search's object source (SigV4, ListObjectsV2, ranged GET, PUT) |
//! | `transport` | [`NativeTransport`] and [`NativeHttp`] (feature `native`, ureq); `WorkerTransport` and `WorkerHttp` (feature `worker`) |
//! | [`secret`] | the token and R2 secret, redacted in every `Debug`, `Display` and error |
//!
//! ```
//! use nno_obs_cloudflare::{logpush::LogpushJob, r2::Lifecycle, R2Destination, Secret};
//!
//! let r2 = R2Destination::new("nno-logs-k3m9p2xw7q", "0123456789abcdef0123456789abcdef", "AKID", Secret::new("s3cr3t"));
//! let job = LogpushJob::platform("k3m9p2xw7q", r2);
//! let body = job.to_json(false);
//! assert_eq!(body["dataset"], "workers_trace_events");
//! assert!(body["destination_conf"].as_str().unwrap().ends_with("secret-access-key=<redacted>"));
//! let retention = Lifecycle::delete_after_days(30);
//! assert_eq!(retention.rules[0].delete_objects_transition.condition.max_age, 30 * 86_400);
//! ```

#![warn(missing_docs)]

pub mod api;
pub mod client;
pub mod logpush;
pub mod plan;
pub mod r2;
pub mod s3;
pub mod secret;
mod transport;

pub use api::Error;
pub use client::{Client, Transport};
pub use r2::R2Destination;
pub use secret::Secret;
#[cfg(feature = "native")]
pub use transport::NativeHttp;
#[cfg(feature = "native")]
pub use transport::NativeTransport;
#[cfg(feature = "worker")]
pub use transport::WorkerHttp;
#[cfg(feature = "worker")]
pub use transport::WorkerTransport;
pub use transport::CLOUDFLARE_API;
