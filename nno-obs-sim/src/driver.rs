//! Runs one Worker invocation the way Cloudflare does: a fresh context per invocation (its
//! clock, its bindings and vars), the handler, then one Workers Trace Events record of its
//! console output into the local store — the local stand-in for Logpush.

use crate::fleet::{core_script, Platform};
use crate::workers::{self, Plan, SimError};
use nno_obs::clock::Clock;
use nno_obs::Telemetry;
use nno_obs_store::fs::{EventMeta, Invocation, LocalStore};
use nno_obs_store::layout::ScriptName;
use nno_obs_store::record::Outcome;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What a simulated handler returns: a response, or an `Err` (an uncaught exception in a
/// Worker: `Outcome` `exception`, one entry in `Exceptions`).
pub trait SimResponse {
    /// The status, and the error of an `Err`.
    fn parts(&self) -> (u16, Option<&SimError>);
}

impl SimResponse for http::Response<()> {
    fn parts(&self) -> (u16, Option<&SimError>) {
        (self.status().as_u16(), None)
    }
}

impl SimResponse for Result<http::Response<()>, SimError> {
    fn parts(&self) -> (u16, Option<&SimError>) {
        match self {
            Ok(response) => response.parts(),
            Err(error) => (500, Some(error)),
        }
    }
}

/// One request to run.
pub struct Call<'a> {
    /// The Worker.
    pub script: &'a ScriptName,
    /// Its platform (vars `PLATFORM_ID`, `ENTITY_ID`), for platform Workers.
    pub platform: Option<&'a Platform>,
    /// When the request arrives, ms since the epoch.
    pub at_ms: u64,
    /// `GET`, `POST`, …
    pub method: &'a str,
    /// The path.
    pub path: &'a str,
    /// Its headers (trace ids).
    pub headers: http::HeaderMap,
    /// What it should do.
    pub plan: Plan,
    /// The ray id of the invocation.
    pub ray_id: String,
}

/// Counters of a run.
#[derive(Debug, Default)]
pub struct Counters {
    /// Invocations run.
    pub invocations: AtomicU64,
    /// Of which answered 5xx.
    pub server_errors: AtomicU64,
}

/// Runs invocations into a store.
pub struct Driver {
    store: Arc<LocalStore>,
    /// What was run.
    pub counters: Counters,
    registry: ScriptName,
    provisioning: ScriptName,
}

impl Driver {
    /// A driver writing into `store`.
    pub fn new(store: Arc<LocalStore>) -> Arc<Self> {
        Arc::new(Self {
            store,
            counters: Counters::default(),
            registry: core_script("registry"),
            provisioning: core_script("provisioning"),
        })
    }

    /// Runs `handler` on `call` as one invocation; returns the status and how long it took.
    pub fn invoke<R: SimResponse>(
        self: &Arc<Self>,
        call: Call<'_>,
        handler: fn(http::Request<()>) -> R,
    ) -> (u16, u64) {
        let clock = Clock::manual(call.at_ms);
        let invocation = Invocation::start(self.store.clone(), clock.clone());
        let mut builder = Telemetry::builder()
            .log_sink(invocation.clone())
            .all_datasets(self.store.clone())
            .clock(clock.clone());
        if let Some(platform) = call.platform {
            builder = builder
                .platform_id(platform.id.as_str())
                .entity_id(platform.entity_id.as_str());
        }
        let telemetry = builder.build();

        let url = format!("https://{}.workers.dev{}", call.script.as_str(), call.path);
        let mut request = http::Request::builder()
            .method(call.method)
            .uri(call.path)
            .body(())
            .unwrap_or_default();
        *request.headers_mut() = call.headers;
        request.extensions_mut().insert(telemetry);
        request.extensions_mut().insert(call.plan);
        request.extensions_mut().insert(self.clone());

        let response = handler(request);
        let (status, error) = response.parts();
        let outcome = match error {
            Some(error) => {
                invocation.exception("Error", &error.0);
                Outcome::Exception
            }
            None => Outcome::Ok,
        };
        let meta = EventMeta::fetch(call.method, &url, status).with_ray_id(&call.ray_id);
        // A full disk must not stop the simulation; the counters still say what ran.
        let _ = invocation.finish(call.script, outcome, meta);
        self.counters.invocations.fetch_add(1, Ordering::Relaxed);
        if status >= 500 {
            self.counters.server_errors.fetch_add(1, Ordering::Relaxed);
        }
        (status, clock.now_ms().saturating_sub(call.at_ms))
    }

    /// The gateway's call to the registry: a nested invocation of the registry Worker.
    pub fn call_registry(
        self: &Arc<Self>,
        at_ms: u64,
        method: &str,
        path: &str,
        headers: http::HeaderMap,
        plan: &Plan,
    ) -> (u16, u64) {
        let mut registry_plan = plan.clone();
        registry_plan.latency_ms = plan.downstream_ms;
        self.invoke(
            Call {
                script: &self.registry,
                platform: None,
                at_ms,
                method,
                path,
                headers,
                plan: registry_plan,
                ray_id: derived_ray(plan, 1),
            },
            workers::core::registry,
        )
    }

    /// The gateway's call to provisioning: a nested invocation running the job.
    pub fn call_provisioning(
        self: &Arc<Self>,
        at_ms: u64,
        headers: http::HeaderMap,
        plan: &Plan,
    ) -> (u16, u64) {
        self.invoke(
            Call {
                script: &self.provisioning,
                platform: None,
                at_ms,
                method: "POST",
                path: "/jobs",
                headers,
                plan: Plan {
                    latency_ms: plan.downstream_ms,
                    ..plan.clone()
                },
                ray_id: derived_ray(plan, 2),
            },
            workers::core::provisioning,
        )
    }
}

/// A ray id for a downstream invocation, derived from the request's user/job ids so runs
/// are deterministic.
fn derived_ray(plan: &Plan, salt: u64) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ salt;
    for byte in plan
        .job_id
        .bytes()
        .chain(plan.platform_id.bytes())
        .chain(plan.user_id.bytes())
    {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}
