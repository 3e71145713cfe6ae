//! The simulated Workers: each is an `#[nno_handler]` (and its job steps
//! `#[nno_instrument]`) from nno-obs, so every line and point of the simulation is written by
//! the runtime the real Workers use. What a request should do — how long it takes, whether it
//! fails, whose user it is — comes from the request's [`Plan`], drawn by the driver.

pub mod core;
pub mod platform;

use nno_obs::Obs;
use std::fmt;

/// What the driver decided for one request.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// Time spent in the handler's own work, ms.
    pub latency_ms: u64,
    /// Time the service it calls spends (the registry behind the gateway; each step of a
    /// provisioning job), ms.
    pub downstream_ms: u64,
    /// Answer with a 5xx (an `Err` the runtime logs as `unhandled error`).
    pub fail: bool,
    /// Answer 4xx (a client mistake: bad credentials, a missing report).
    pub client_error: bool,
    /// The user making the request (auth and feature Workers).
    pub user_id: String,
    /// The platform concerned (core services).
    pub platform_id: String,
    /// A job or build id (provisioning, CLI service).
    pub job_id: String,
    /// For provisioning: the step that fails, if any.
    pub failing_step: Option<&'static str>,
    /// For provisioning: extra time the slowest step takes, ms.
    pub stall_ms: u64,
    /// For provisioning: the step that stalls (default `deploy-worker`, which waits on
    /// Cloudflare; `create-d1` for a job stuck at its first step).
    pub stall_step: Option<&'static str>,
}

/// A failure a simulated Worker returns as `Err`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimError(pub String);

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SimError {}

/// The plan a request carries (the driver always inserts one; a default otherwise).
pub fn plan_of<B>(request: &http::Request<B>) -> Plan {
    request
        .extensions()
        .get::<Plan>()
        .cloned()
        .unwrap_or_default()
}

/// Spends `ms` of simulated time in the current invocation.
pub fn work(obs: &Obs, ms: u64) {
    obs.telemetry().clock().advance(ms);
}
