//! The transports that carry API requests: blocking HTTPS natively (`native`), workers-rs'
//! `Fetch` in a Worker (`worker`).

#[cfg(feature = "native")]
mod native;
#[cfg(feature = "worker")]
mod worker;

#[cfg(feature = "native")]
pub use native::NativeTransport;
#[cfg(feature = "worker")]
pub use worker::WorkerTransport;

/// The API's base URL.
pub const CLOUDFLARE_API: &str = "https://api.cloudflare.com/client/v4";
