//! The transports that carry API requests: blocking HTTPS natively (`native`), workers-rs'
//! `Fetch` in a Worker (`worker`); for the Cloudflare API (`*Transport`) and for the S3 source's
//! plain HTTP (`*Http`).

#[cfg(feature = "native")]
mod native;
#[cfg(feature = "native")]
mod native_http;
#[cfg(feature = "worker")]
mod worker;
#[cfg(feature = "worker")]
mod worker_http;

#[cfg(feature = "native")]
pub use native::NativeTransport;
#[cfg(feature = "native")]
pub use native_http::NativeHttp;
#[cfg(feature = "worker")]
pub use worker::WorkerTransport;
#[cfg(feature = "worker")]
pub use worker_http::WorkerHttp;

/// The API's base URL.
pub const CLOUDFLARE_API: &str = "https://api.cloudflare.com/client/v4";
