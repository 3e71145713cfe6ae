//! Everything specific to Cloudflare Workers (feature `worker`, workers-rs): the `Env` read
//! into a [`Telemetry`](crate::Telemetry) once per isolate, the Analytics Engine sink, the
//! handler's view of `worker::Request` and `worker::Response` (ids echoed even on a fetched
//! response's immutable headers), and the header traits for workers-rs types.
//!
//! ```no_run
//! # async fn demo(env: worker::Env) -> worker::Result<()> {
//! use nno_obs::{Obs, Telemetry};
//!
//! let telemetry = Telemetry::from_env(&env); // every binding of `Binding::ALL` that `env` has
//! let obs = Obs::detached(telemetry, "provisioning");
//! obs.info("scheduled run", &[]);
//! # Ok(()) }
//! ```

mod analytics_engine;
mod env;
mod handler;
mod headers;

pub use analytics_engine::AnalyticsEngineSink;
pub(crate) use env::isolate_telemetry;
