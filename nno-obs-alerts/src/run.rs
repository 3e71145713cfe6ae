//! One alert run, on any host (the CLI over a file, the nno-logging Worker's cron over KV):
//!
//! 1. take the [`Lease`] — another run holding it means this one does nothing;
//! 2. load the [`State`](crate::outbox::State);
//! 3. unless this minute was evaluated already (a retried or second cron of the same minute):
//!    measure ([`observe`](crate::observe), over any [`Engine`]) and evaluate the rules, step
//!    the book, and **save the outbox before sending anything**;
//! 4. deliver the outbox ([`deliver`]), saving after each entry;
//! 5. give the lease back.
//!
//! A measurement that fails (the SQL API down) evaluates nothing — "no data" is not "all
//! clear": no alert resolves for it — and the outbox is still delivered.

use crate::alert::Alert;
use crate::deliver::{deliver, Connect, Report, RetryPolicy, Sleep};
use crate::limits::TierLimitsSource;
use crate::observe::{measure, JobLogs, Windows};
use crate::outbox::Step;
use crate::persist::{Lease, StateStore, StoreError};
use crate::route::Destinations;
use crate::rules::evaluate;
use crate::state::Policy;
use nno_obs::{fields, LogLevel, Obs};
use nno_obs_query::{Engine, OperatorScope};
use nno_obs_store::registry::RegistryFile;

const MINUTE_MS: u64 = 60_000;

/// Where the alerts that hold come from.
pub enum Alerts<'a> {
    /// Evaluated by the caller (the CLI measures the local store with its log search).
    Given(&'a [Alert]),
    /// Measured at the run's time through the query layer, then evaluated with the
    /// destinations' platform configurations.
    Measure {
        /// The engine (the SQL API in a Worker).
        engine: &'a dyn Engine,
        /// Who measures: the host's checked operator scope (the Worker's cron event, the
        /// local store's files).
        operator: &'a OperatorScope,
        /// The Registry's platforms.
        registry: &'a RegistryFile,
        /// Job names for jobs written before the job extension.
        jobs: &'a dyn JobLogs,
        /// The platforms' tier limits (Registry/Billing); `None`: no source, which the
        /// measurements say (usage alerts cannot be measured).
        limits: Option<&'a dyn TierLimitsSource>,
        /// The windows.
        windows: Windows,
    },
}

/// What a run needs besides its state and its alerts.
pub struct Context<'a, C, S> {
    /// Pending and hold-down.
    pub policy: Policy,
    /// Where notifications go (and the platforms' configurations).
    pub destinations: &'a Destinations,
    /// Makes the transport of each receiver.
    pub connect: &'a C,
    /// Waits between delivery rounds and for KV.
    pub sleeper: &'a S,
    /// How hard to try.
    pub retry: RetryPolicy,
    /// Where the run's lines go; its trace id names the run (the lease's holder).
    pub obs: &'a Obs,
    /// How long the lease is taken for, ms: longer than a run lasts.
    pub lease_ms: u64,
    /// Evaluate a minute at most once (a cron); `false` evaluates every call (the CLI, whose
    /// `--until` may go back in time).
    pub once_per_minute: bool,
}

/// What the run did about evaluating.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Evaluation {
    /// Measured, evaluated, the state saved.
    Evaluated,
    /// This minute (or a later one) was evaluated before: delivered only.
    AlreadyEvaluated,
    /// The measurement failed (why): delivered only.
    MeasureFailed(String),
    /// Another run holds the lease: nothing was read or sent.
    LeaseHeld,
}

/// What one run did.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// About evaluating.
    pub evaluation: Evaluation,
    /// What the step did: the book's transitions and the notices sent for them, grouped,
    /// without the silenced and inhibited (empty unless evaluated).
    pub step: Step,
    /// What delivery did.
    pub report: Report,
}

/// One run at `at_ms` (a cron's scheduled time): see the module's steps. `Err` only when the
/// state cannot be loaded or the outbox cannot be saved before sending — then nothing is
/// sent.
///
/// ```
/// use nno_obs_alerts::deliver::{Connect, RetryPolicy, Sleep};
/// use nno_obs_alerts::kv::{KvState, MemoryKv};
/// use nno_obs_alerts::route::Destinations;
/// use nno_obs_alerts::rules::{evaluate, seed_example};
/// use nno_obs_alerts::run::{run, Alerts, Context, Evaluation};
/// use nno_obs_alerts::state::Policy;
/// # struct NoSleep;
/// # impl Sleep for NoSleep { async fn sleep(&self, _ms: u64) {} }
/// # struct Refuse;
/// # impl nno_obs_cloudflare::Transport for Refuse {
/// #     async fn send(&self, _: nno_obs_cloudflare::api::ApiRequest, _: &nno_obs_cloudflare::Secret)
/// #         -> Result<nno_obs_cloudflare::api::ApiResponse, String> { Err("offline".into()) }
/// # }
/// # struct Offline;
/// # impl Connect for Offline { type Transport = Refuse; fn connect(&self, _: &str) -> Refuse { Refuse } }
///
/// let (m, configs) = seed_example();
/// let holding = evaluate(&m, &configs);
/// let destinations = Destinations { platforms: configs, ..Default::default() };
/// let obs = nno_obs::Obs::detached(nno_obs::Telemetry::console(), "alerts");
/// let (kv, clock) = (MemoryKv::default(), || 0);
/// let store = KvState::new(&kv, &NoSleep, &clock);
/// let cx = Context { policy: Policy::default(), destinations: &destinations, connect: &Offline,
///     sleeper: &NoSleep, retry: RetryPolicy::default(), obs: &obs, lease_ms: 60_000, once_per_minute: true };
/// let first = pollster::block_on(run(&store, &store, m.at_ms, Alerts::Given(&holding), &cx)).unwrap();
/// assert_eq!(first.evaluation, Evaluation::Evaluated);
/// assert_eq!(first.step.transitions.len(), 1);
/// let again = pollster::block_on(run(&store, &store, m.at_ms + 5_000, Alerts::Given(&holding), &cx)).unwrap();
/// assert_eq!(again.evaluation, Evaluation::AlreadyEvaluated);
/// ```
pub async fn run<St, L, C, S>(
    store: &St,
    lease: &L,
    at_ms: u64,
    alerts: Alerts<'_>,
    cx: &Context<'_, C, S>,
) -> Result<Outcome, StoreError>
where
    St: StateStore,
    L: Lease,
    C: Connect,
    S: Sleep,
{
    let holder = cx.obs.trace_id().to_owned();
    if !lease.acquire(&holder, at_ms, cx.lease_ms).await? {
        cx.obs.info(
            "alert run skipped: another run holds the lease",
            fields! { atMs: at_ms },
        );
        return Ok(Outcome {
            evaluation: Evaluation::LeaseHeld,
            step: Step::default(),
            report: Report::default(),
        });
    }
    let outcome = holding_lease(store, at_ms, alerts, cx).await;
    // A lease not given back expires by itself (its untilMs, and KV's own expiry).
    if let Err(error) = lease.release(&holder).await {
        let error = error.to_string();
        cx.obs
            .warn("alert lease not released", fields! { error: error });
    }
    outcome
}

async fn holding_lease<St: StateStore, C: Connect, S: Sleep>(
    store: &St,
    at_ms: u64,
    alerts: Alerts<'_>,
    cx: &Context<'_, C, S>,
) -> Result<Outcome, StoreError> {
    let mut state = store.load().await?;
    let minute_ms = at_ms - at_ms % MINUTE_MS;
    let done = cx.once_per_minute && state.evaluated_minute_ms.is_some_and(|m| m >= minute_ms);
    let (evaluation, step) = if done {
        (Evaluation::AlreadyEvaluated, Step::default())
    } else {
        match holding(alerts, at_ms, cx.destinations).await {
            Ok(holding) => {
                let step = state.step(at_ms, &holding, &cx.policy, cx.destinations);
                state.evaluated_minute_ms = Some(minute_ms);
                // Before anything is sent: a crash from here on re-sends, never forgets.
                store.save(&state).await?;
                (Evaluation::Evaluated, step)
            }
            Err(error) => {
                cx.obs.error(
                    "alert measurement failed",
                    fields! { atMs: at_ms, error: error.as_str() },
                );
                (Evaluation::MeasureFailed(error), Step::default())
            }
        }
    };
    let report = deliver(
        &mut state,
        cx.destinations,
        cx.connect,
        cx.sleeper,
        &cx.retry,
        cx.obs,
        store,
    )
    .await;
    Ok(Outcome {
        evaluation,
        step,
        report,
    })
}

async fn holding(
    alerts: Alerts<'_>,
    at_ms: u64,
    destinations: &Destinations,
) -> Result<Vec<Alert>, String> {
    match alerts {
        Alerts::Given(alerts) => Ok(alerts.to_vec()),
        Alerts::Measure {
            engine,
            operator,
            registry,
            jobs,
            limits,
            windows,
        } => {
            let configs = &destinations.platforms;
            let measured = measure(
                engine, operator, registry, configs, jobs, limits, at_ms, &windows,
            )
            .await
            .map_err(|e| e.to_string())?;
            Ok(evaluate(&measured, configs))
        }
    }
}

impl Outcome {
    /// Writes the run's summary line (`alert run`, info) — for a host whose output is a log
    /// (the Worker's cron); the CLI prints its own table instead.
    pub fn log(&self, obs: &Obs, at_ms: u64) {
        log_outcome(obs, at_ms, self);
    }
}

fn log_outcome(obs: &Obs, at_ms: u64, outcome: &Outcome) {
    let evaluation = match &outcome.evaluation {
        Evaluation::Evaluated => "evaluated",
        Evaluation::AlreadyEvaluated => "already evaluated",
        Evaluation::MeasureFailed(_) => "measurement failed",
        Evaluation::LeaseHeld => "lease held",
    };
    let report = &outcome.report;
    obs.log(
        LogLevel::Info,
        "alert run",
        fields! {
            atMs: at_ms,
            evaluation: evaluation,
            transitions: outcome.step.transitions.len(),
            notices: outcome.step.notices.len(),
            delivered: report.delivered.len(),
            refused: report.refused.len(),
            abandoned: report.abandoned.len(),
            pending: report.pending.len(),
        },
    );
}
