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
use crate::records::KV_BINDING;
use nno_obs::{fields, Obs};
use nno_obs_access::OperatorScope;
use nno_obs_alerts::deliver::{Connect, RetryPolicy, Sleep};
use nno_obs_alerts::kv::{KeyValue, KvState};
use nno_obs_alerts::limits::{FileLimits, TierLimitsSource};
use nno_obs_alerts::observe::{NoJobLogs, Windows};
use nno_obs_alerts::records::{
    configs_from_kv, limits_from_kv, registry_from_kv, RecordError, CONFIGS_KEY, LIMITS_KEY,
    REGISTRY_KEY,
};
use nno_obs_alerts::route::Destinations;
use nno_obs_alerts::run::{run, Alerts, Context};
use nno_obs_alerts::state::Policy;
use nno_obs_cloudflare::WorkerTransport;
use std::time::Duration;
use worker::kv::KvStore;
use worker::Env;

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
    let registry = match registry_from_kv(&kv).await {
        Ok(registry) => registry,
        Err(error) => return stopped(obs, REGISTRY_KEY, &error),
    };
    let read = match configs_from_kv(&kv).await {
        Ok(read) => read,
        Err(error) => return stopped(obs, CONFIGS_KEY, &error),
    };
    for (platform_id, errors) in read.refused {
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        obs.error(
            "alert configuration refused",
            fields! { platformId: platform_id, errors: errors },
        );
    }
    let configs = read.valid;
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
    match limits_from_kv(kv).await {
        Ok(Some(limits)) => Some(limits),
        Ok(None) => {
            obs.warn(
                "alert run: no tier limits source; usage alerts not measured",
                fields! { key: LIMITS_KEY },
            );
            None
        }
        Err(error) => {
            let error = error.to_string();
            obs.error(
                "alert run: the tier limits cannot be read; usage alerts not measured",
                fields! { key: LIMITS_KEY, error: error },
            );
            None
        }
    }
}

/// The line of a run stopped by a record it cannot read.
fn stopped(obs: &Obs, key: &str, error: &RecordError) {
    let error = error.to_string();
    obs.error(
        "alert run stopped: a KV record cannot be read",
        fields! { key: key, error: error },
    );
}
