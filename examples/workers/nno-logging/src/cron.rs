//! The alerting cron (seed §6; `crons = ["* * * * *"]`): one `nno_obs_alerts::run::run` per
//! invocation, at the event's scheduled time, over this Worker's bindings:
//!
//! | what | from |
//! |---|---|
//! | the platforms | KV `registry` (the Registry copy) |
//! | their alert configurations (seed §6.1) | KV `alert-configs`: `{"{platformId}": AlertConfig, …}` |
//! | their tier limits (usage alerts, seed §6.2) | KV `tier-limits`: `nno_obs_alerts::limits::FileLimits`' JSON, kept by Billing; absent, usage is not measured and the run says so |
//! | measurements | the SQL API engine ([`crate::engine`]) |
//! | NNO ops' destinations, the email Worker | secrets `ALERT_EMAIL`, `ALERT_SLACK_WEBHOOK`, `PAGERDUTY_KEY`, `NNO_EMAIL_WORKER_URL`, `NNO_EMAIL_WORKER_TOKEN` |
//! | delivery | the Worker's `fetch` (`WorkerTransport`), waits with `worker::Delay` |
//! | state, lease | KV `alert-state`, `alert-lease` (`nno_obs_alerts::kv`) |
//!
//! Everything else — the lease, once a minute, save before sending, retries — is the
//! library's, tested there.

use crate::engine;
use crate::records::{KV_BINDING, REGISTRY_KEY};
use nno_obs::{fields, Obs};
use nno_obs_alerts::deliver::{Connect, RetryPolicy, Sleep};
use nno_obs_alerts::kv::{KeyValue, KvState};
use nno_obs_alerts::limits::{FileLimits, TierLimitsSource};
use nno_obs_alerts::observe::{NoJobLogs, Windows};
use nno_obs_alerts::route::{split_valid, Destinations};
use nno_obs_alerts::rules::Configs;
use nno_obs_access::OperatorScope;
use nno_obs_alerts::run::{run, Alerts, Context};
use nno_obs_alerts::state::Policy;
use nno_obs_cloudflare::WorkerTransport;
use nno_obs_store::registry::RegistryFile;
use serde::de::DeserializeOwned;
use std::time::Duration;
use worker::kv::KvStore;
use worker::Env;

/// The KV key of the platforms' alert configurations.
pub const CONFIGS_KEY: &str = "alert-configs";
/// The KV key of the platforms' tier limits (the JSON of `FileLimits`).
pub const LIMITS_KEY: &str = "tier-limits";

/// The lease of one run: a run (measurement and three delivery rounds, 1 s and 2 s apart)
/// ends well within it, and it ends before the next minute's cron.
const LEASE_MS: u64 = 55_000;

/// Workers KV as the library's key-value store.
struct Kv(KvStore);

impl KeyValue for Kv {
    async fn get(&self, key: &str) -> Result<Option<String>, String> {
        self.0.get(key).text().await.map_err(|e| e.to_string())
    }

    async fn put(&self, key: &str, value: &str, ttl_s: Option<u64>) -> Result<(), String> {
        let mut put = self.0.put(key, value).map_err(|e| e.to_string())?;
        if let Some(ttl_s) = ttl_s {
            put = put.expiration_ttl(ttl_s);
        }
        put.execute().await.map_err(|e| e.to_string())
    }

    async fn delete(&self, key: &str) -> Result<(), String> {
        self.0.delete(key).await.map_err(|e| e.to_string())
    }
}

/// Waits with the runtime's timer.
struct Timer;

impl Sleep for Timer {
    async fn sleep(&self, ms: u64) {
        worker::Delay::from(Duration::from_millis(ms)).await;
    }
}

/// Sends with the Worker's `fetch`.
struct Fetch;

impl Connect for Fetch {
    type Transport = WorkerTransport;
    fn connect(&self, base_url: &str) -> WorkerTransport {
        WorkerTransport::new(base_url)
    }
}

/// One alert run at `scheduled_ms`. Never fails the invocation: what went wrong is a line.
pub async fn alerts(env: &Env, scheduled_ms: u64, operator: &OperatorScope, obs: &Obs) {
    let Ok(kv) = env.kv(KV_BINDING) else {
        obs.error("alert run: no KV binding OBSERVABILITY_STATE", fields! {});
        return;
    };
    let kv = Kv(kv);
    // A damaged record stops the run: measuring no platform would resolve every alert.
    let Some(registry) = record::<RegistryFile>(&kv, REGISTRY_KEY, obs).await else {
        return;
    };
    let Some(configs) = record::<Configs>(&kv, CONFIGS_KEY, obs).await else {
        return;
    };
    let (configs, refused) = split_valid(configs);
    for (platform_id, errors) in refused {
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        obs.error(
            "alert configuration refused",
            fields! { platformId: platform_id, errors: errors },
        );
    }
    let var = |name: &str| {
        env.secret(name)
            .map(|s| s.to_string())
            .or_else(|_| env.var(name).map(|v| v.to_string()))
            .ok()
    };
    let destinations = match Destinations::from_env(var, configs) {
        Ok(destinations) => destinations,
        Err(errors) => {
            let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
            obs.error("alert destinations refused", fields! { errors: errors });
            return;
        }
    };
    let engine = engine::from_env(env);
    let clock = || worker::Date::now().as_millis();
    let store = KvState::new(&kv, &Timer, &clock);
    let cx = Context {
        policy: Policy::default(),
        destinations: &destinations,
        connect: &Fetch,
        sleeper: &Timer,
        retry: RetryPolicy::default(),
        obs,
        lease_ms: LEASE_MS,
        once_per_minute: true,
    };
    let limits = tier_limits(&kv, obs).await;
    let alerts = Alerts::Measure {
        engine: engine.as_ref(),
        operator,
        registry: &registry,
        jobs: &NoJobLogs,
        limits: limits.as_ref().map(|l| l as &dyn TierLimitsSource),
        windows: Windows::default(),
    };
    match run(&store, &store, scheduled_ms, alerts, &cx).await {
        Ok(outcome) => outcome.log(obs, scheduled_ms),
        Err(error) => {
            let error = error.to_string();
            obs.error("alert run failed", fields! { error: error });
        }
    }
}

/// The tier limits from KV, or `None` with a line saying why: usage alerts are then not
/// measured (and the measurements say so), while every other alert still runs — a damaged
/// limits record must not silence the fleet's pages.
async fn tier_limits(kv: &Kv, obs: &Obs) -> Option<FileLimits> {
    match kv.get(LIMITS_KEY).await {
        Ok(Some(text)) => match FileLimits::from_json(&text) {
            Ok(limits) => Some(limits),
            Err(error) => {
                let error = error.to_string();
                obs.error(
                    "alert run: the tier limits are damaged; usage alerts not measured",
                    fields! { key: LIMITS_KEY, error: error },
                );
                None
            }
        },
        Ok(None) => {
            obs.warn(
                "alert run: no tier limits source; usage alerts not measured",
                fields! { key: LIMITS_KEY },
            );
            None
        }
        Err(error) => {
            obs.error(
                "alert run: KV failed",
                fields! { key: LIMITS_KEY, error: error },
            );
            None
        }
    }
}

/// A JSON record of KV: absent is the empty one; `None` (with a line) when it cannot be read
/// or parsed.
async fn record<T: DeserializeOwned + Default>(kv: &Kv, key: &str, obs: &Obs) -> Option<T> {
    let text = match kv.get(key).await {
        Ok(text) => text,
        Err(error) => {
            obs.error("alert run: KV failed", fields! { key: key, error: error });
            return None;
        }
    };
    match text.map(|text| serde_json::from_str(&text)) {
        None => Some(T::default()),
        Some(Ok(value)) => Some(value),
        Some(Err(error)) => {
            let error = error.to_string();
            obs.error(
                "alert run: a KV record is damaged",
                fields! { key: key, error: error },
            );
            None
        }
    }
}
