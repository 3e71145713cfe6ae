//! Native delivery (feature `native`): blocking HTTPS through nno-obs-cloudflare's
//! `NativeTransport`, a real sleeper, and [`run`], one evaluation from file to receivers.

use crate::alert::Alert;
use crate::deliver::{Connect, Report, RetryPolicy, Sleep};
use crate::outbox::Step;
use crate::persist::NoLease;
use crate::route::Destinations;
use crate::run::{Alerts, Context};
use crate::state::Policy;
use crate::store::{FileStore, StoreError};
use nno_obs::Obs;
use nno_obs_cloudflare::NativeTransport;
use std::time::Duration;

/// Connects with `NativeTransport` and one timeout for each whole call.
#[derive(Clone, Copy, Debug)]
pub struct NativeConnect {
    /// The timeout of one request.
    pub timeout: Duration,
}

impl Default for NativeConnect {
    /// 10 s: a receiver slower than that is treated as down and retried.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
        }
    }
}

impl Connect for NativeConnect {
    type Transport = NativeTransport;
    fn connect(&self, base_url: &str) -> NativeTransport {
        NativeTransport::new(base_url, self.timeout)
    }
}

/// Sleeps the thread.
#[derive(Clone, Copy, Debug, Default)]
pub struct ThreadSleep;

impl Sleep for ThreadSleep {
    async fn sleep(&self, ms: u64) {
        std::thread::sleep(Duration::from_millis(ms));
    }
}

/// One evaluation over the state file, a thin wrapper of [`crate::run::run`]: loads the
/// state (its silences included), steps it with the alerts that hold at `now_ms`, saves it with the new outbox entries
/// *before* sending, then delivers the whole outbox (saving after each entry). It evaluates on
/// every call (no once-a-minute guard: `alerts check --until` may go back in time) and takes
/// no lease (one process owns the file).
///
/// ```no_run
/// use nno_obs_alerts::native::{run, NativeConnect, ThreadSleep};
/// use nno_obs_alerts::{route::Destinations, rules, state::Policy, store::FileStore};
///
/// let (m, configs) = rules::seed_example();
/// let destinations = Destinations::from_env(|name| std::env::var(name).ok(), configs.clone()).unwrap();
/// let obs = nno_obs::Obs::detached(nno_obs::Telemetry::console(), "alerts");
/// let (evaluation, report) = pollster::block_on(run(
///     &FileStore::new("alerts.json"), m.at_ms, &rules::evaluate(&m, &configs), &Policy::default(),
///     &destinations, &NativeConnect::default(), &ThreadSleep, &Default::default(), &obs,
/// )).unwrap();
/// ```
#[allow(clippy::too_many_arguments)] // the run's context; grouping it would only rename it
pub async fn run<C: Connect, S: Sleep>(
    store: &FileStore,
    now_ms: u64,
    holding: &[Alert],
    policy: &Policy,
    destinations: &Destinations,
    connect: &C,
    sleeper: &S,
    retry: &RetryPolicy,
    obs: &Obs,
) -> Result<(Step, Report), StoreError> {
    let cx = Context {
        policy: *policy,
        destinations,
        connect,
        sleeper,
        retry: *retry,
        obs,
        lease_ms: 0,
        once_per_minute: false,
    };
    let outcome = crate::run::run(store, &NoLease, now_ms, Alerts::Given(holding), &cx).await?;
    Ok((outcome.step, outcome.report))
}
