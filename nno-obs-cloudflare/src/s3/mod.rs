//! R2's S3-compatible API as the log search's object source: how the `nno-logging` Worker
//! reads a per-platform bucket `nno-logs-{platformId}` it has no binding for (provisioning
//! creates those after the Worker is deployed; seed §10).
//!
//! | module | what |
//! |---|---|
//! | [`sigv4`] | AWS Signature Version 4, pinned by AWS's published examples |
//! | [`xml`] | the ListObjectsV2 page and an error's code, parsed by hand |
//! | [`http`] | the HTTP seam: natively [`crate::NativeHttp`], in a Worker `WorkerHttp` |
//! | [`S3Source`] | ListObjectsV2 (1000 keys a page, continuation tokens), GetObject (whole and `Range`), HeadObject, PutObject |
//!
//! ```
//! use nno_obs_cloudflare::s3::{Credentials, S3Config};
//! use nno_obs_cloudflare::Secret;
//!
//! let credentials = Credentials::new("access-key-id", Secret::new("secret-access-key"));
//! let config = S3Config::r2("0123456789abcdef0123456789abcdef", "nno-logs-k3m9p2xw7q", credentials).unwrap();
//! assert!(!format!("{config:?}").contains("secret-access-key"));
//! ```

pub mod http;
pub mod sigv4;
mod source;
pub mod xml;

pub use sigv4::Credentials;
pub use source::{Clock, S3Config, S3Source, LIST_PAGE, R2_REGION};
