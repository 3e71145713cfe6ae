//! The host-neutral run over a key-value store (what the nno-logging Worker's cron does over
//! KV): the outbox saved before anything is sent, a crash between save and send, a second
//! run in the same minute, a held lease, a failed measurement, KV's write spacing.

use nno_obs::{Obs, Telemetry};
use nno_obs_alerts::channel::email::EmailWorker;
use nno_obs_alerts::deliver::{Connect, RetryPolicy, Sleep};
use nno_obs_alerts::kv::{KvState, MemoryKv, LEASE_KEY, STATE_KEY};
use nno_obs_alerts::observe::{NoJobLogs, Windows};
use nno_obs_alerts::outbox::State;
use nno_obs_alerts::route::Destinations;
use nno_obs_alerts::rules::{evaluate, seed_example};
use nno_obs_alerts::run::{run, Alerts, Context, Evaluation, Outcome};
use nno_obs_alerts::state::Policy;
use nno_obs_alerts::{Alert, Secret};
use nno_obs_cloudflare::api::{ApiRequest, ApiResponse};
use nno_obs_cloudflare::Transport;
use nno_obs_query::questions::TableFuture;
use nno_obs_query::{Engine, Plan, QueryError};
use nno_obs_store::registry::{RegistryFile, RegistryPlatform};
use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context as TaskContext, Waker};

const T0: u64 = 1_771_756_440_000; // 2026-02-22 10:34:00 UTC, a whole minute
const MIN: u64 = 60_000;
const LEASE_MS: u64 = 60_000;

/// What a receiver saw: (base URL, path, body).
type Sent = Rc<RefCell<Vec<(String, String, String)>>>;

/// Answers 2xx at once, or never (a run that dies while waiting), recording each request with
/// the state stored in KV at that moment.
#[derive(Clone)]
struct Receivers {
    sent: Sent,
    hang: bool,
    kv: Rc<MemoryKv>,
    /// The stored state's outbox ids at each send.
    outbox_at_send: Rc<RefCell<Vec<Vec<String>>>>,
}

struct Line {
    base: String,
    receivers: Receivers,
}

impl Transport for Line {
    async fn send(&self, request: ApiRequest, _token: &Secret) -> Result<ApiResponse, String> {
        let stored: State = self
            .receivers
            .kv
            .value(STATE_KEY)
            .map(|s| serde_json::from_str(&s).unwrap())
            .unwrap_or_default();
        self.receivers
            .outbox_at_send
            .borrow_mut()
            .push(stored.outbox.iter().map(|e| e.id.clone()).collect());
        if self.receivers.hang {
            std::future::pending::<()>().await;
        }
        let body = String::from_utf8(request.body.unwrap_or_default()).unwrap();
        self.receivers
            .sent
            .borrow_mut()
            .push((self.base.clone(), request.path, body));
        Ok(ApiResponse {
            status: 202,
            body: b"{}".to_vec(),
        })
    }
}

impl Connect for Receivers {
    type Transport = Line;
    fn connect(&self, base_url: &str) -> Line {
        Line {
            base: base_url.to_owned(),
            receivers: self.clone(),
        }
    }
}

#[derive(Default)]
struct Waits(RefCell<Vec<u64>>);

impl Sleep for Waits {
    async fn sleep(&self, ms: u64) {
        self.0.borrow_mut().push(ms);
    }
}

struct World {
    kv: Rc<MemoryKv>,
    sent: Sent,
    waits: Waits,
    destinations: Destinations,
    outbox_at_send: Rc<RefCell<Vec<Vec<String>>>>,
}

impl World {
    fn new() -> Self {
        let (_, mut configs) = seed_example();
        let config = configs.get_mut("k3m9p2xw7q").unwrap();
        config.slack_webhook_url = Some(Secret::new("https://hooks.slack.test/services/T/B/x"));
        config.pagerduty_key = Some(Secret::new("pd0123456789abcdef0123456789abcd"));
        Self {
            kv: Rc::new(MemoryKv::default()),
            sent: Sent::default(),
            waits: Waits::default(),
            destinations: Destinations {
                email_worker: Some(EmailWorker {
                    base_url: "https://email.test".into(),
                    token: Secret::new("t"),
                }),
                pagerduty_url: "https://events.pagerduty.test".into(),
                platforms: configs,
                ..Default::default()
            },
            outbox_at_send: Rc::default(),
        }
    }

    fn receivers(&self, hang: bool) -> Receivers {
        Receivers {
            sent: self.sent.clone(),
            hang,
            kv: self.kv.clone(),
            outbox_at_send: self.outbox_at_send.clone(),
        }
    }

    /// One run's future (a fresh run id each time, as each cron invocation has).
    async fn run_with(&self, at_ms: u64, alerts: Alerts<'_>, hang: bool) -> Outcome {
        let clock = || 0;
        let store = KvState::new(&*self.kv, &self.waits, &clock);
        let obs = Obs::detached(Telemetry::in_memory().0, "alerts");
        let receivers = self.receivers(hang);
        let cx = Context {
            policy: Policy::default(),
            destinations: &self.destinations,
            connect: &receivers,
            sleeper: &self.waits,
            retry: RetryPolicy::default(),
            obs: &obs,
            lease_ms: LEASE_MS,
            once_per_minute: true,
        };
        run(&store, &store, at_ms, alerts, &cx).await.unwrap()
    }

    fn run(&self, at_ms: u64, holding: &[Alert]) -> Outcome {
        pollster::block_on(self.run_with(at_ms, Alerts::Given(holding), false))
    }

    fn stored(&self) -> State {
        serde_json::from_str(&self.kv.value(STATE_KEY).unwrap()).unwrap()
    }

    /// Every request sent so far: "base path" per request.
    fn sent(&self) -> Vec<String> {
        self.sent
            .borrow()
            .iter()
            .map(|(base, path, _)| format!("{base}{path}"))
            .collect()
    }
}

fn spike() -> Vec<Alert> {
    let (m, c) = seed_example();
    evaluate(&m, &c)
}

/// Polls `future` once, then drops it: a run that dies where it first waits.
fn crash_at_first_wait(future: impl Future<Output = Outcome>) {
    let mut future = pin!(future);
    let mut cx = TaskContext::from_waker(Waker::noop());
    assert!(
        future.as_mut().poll(&mut cx).is_pending(),
        "it was meant to hang"
    );
}

const ALL_THREE: [&str; 3] = [
    "https://email.test/v1/send",
    "https://hooks.slack.test/services/T/B/x",
    "https://events.pagerduty.test/v2/enqueue",
];

#[test]
fn a_spike_is_sent_once_per_channel_and_its_resolve_once() {
    let w = World::new();
    let first = w.run(T0, &spike());
    assert_eq!(first.evaluation, Evaluation::Evaluated);
    assert_eq!(first.report.delivered.len(), 3, "{first:?}");
    assert_eq!(w.sent(), ALL_THREE);
    // Still firing for ten minutes: nothing more.
    for minute in 1..10 {
        let outcome = w.run(T0 + minute * MIN, &spike());
        assert!(outcome.step.transitions.is_empty());
    }
    assert_eq!(w.sent().len(), 3);
    // Gone: the resolve after the 5-minute hold-down, once per channel.
    for minute in 10..20 {
        w.run(T0 + minute * MIN, &[]);
    }
    let sent = w.sent();
    assert_eq!(sent.len(), 6, "{sent:?}");
    assert_eq!(sent[3..], ALL_THREE);
    let resolve = &w.sent.borrow()[4].2;
    assert!(resolve.contains("[NNO RESOLVED]"), "{resolve}");
    assert!(w.stored().outbox.is_empty());
    assert_eq!(w.kv.value(LEASE_KEY), None, "every run gave its lease back");
}

#[test]
fn the_outbox_is_saved_before_anything_is_sent() {
    let w = World::new();
    w.run(T0, &spike());
    let at_send = w.outbox_at_send.borrow();
    assert_eq!(at_send.len(), 3);
    // At the first send, all three entries were already stored; each delivered one left.
    assert_eq!(at_send[0].len(), 3, "{at_send:?}");
    assert_eq!(at_send[1].len(), 2, "{at_send:?}");
    assert_eq!(at_send[2].len(), 1, "{at_send:?}");
}

#[test]
fn a_second_run_in_the_same_minute_neither_evaluates_nor_sends_again() {
    let w = World::new();
    w.run(T0, &spike());
    // The same minute again (a retried cron), even with the condition gone: not evaluated,
    // so the alert does not start clearing either.
    let again = w.run(T0 + 30_000, &[]);
    assert_eq!(again.evaluation, Evaluation::AlreadyEvaluated);
    assert!(again.report.delivered.is_empty());
    assert_eq!(w.sent().len(), 3);
    assert!(matches!(
        w.stored().book.alerts.values().next().unwrap().phase,
        nno_obs_alerts::state::Phase::Firing { .. }
    ));
    // An earlier minute arriving late is not evaluated either (the book never steps back).
    assert_eq!(
        w.run(T0 - MIN, &spike()).evaluation,
        Evaluation::AlreadyEvaluated
    );
}

#[test]
fn a_crash_between_save_and_send_sends_each_entry_once_later() {
    let w = World::new();
    let holding = spike();
    crash_at_first_wait(w.run_with(T0, Alerts::Given(&holding), true));
    assert!(w.sent().is_empty());
    let stored = w.stored();
    assert_eq!(stored.outbox.len(), 3, "saved before sending");
    assert_eq!(stored.evaluated_minute_ms, Some(T0));
    // The dead run's lease still stands for the rest of its time: the same minute's retry
    // stops there.
    assert_eq!(
        w.run(T0 + 10_000, &holding).evaluation,
        Evaluation::LeaseHeld
    );
    assert!(w.sent().is_empty());
    // The next minute's run delivers what the dead one saved, once each, and queues nothing
    // new (the alert is already firing).
    let next = w.run(T0 + LEASE_MS, &holding);
    assert_eq!(next.evaluation, Evaluation::Evaluated);
    assert!(next.step.transitions.is_empty());
    assert_eq!(w.sent(), ALL_THREE);
    w.run(T0 + 2 * LEASE_MS, &holding);
    assert_eq!(w.sent().len(), 3);
}

#[test]
fn a_held_lease_stops_a_run_before_it_reads_or_sends() {
    let w = World::new();
    let other = format!(r#"{{"holder":"another-run","untilMs":{}}}"#, T0 + 30_000);
    w.kv.set(LEASE_KEY, &other);
    let outcome = w.run(T0, &spike());
    assert_eq!(outcome.evaluation, Evaluation::LeaseHeld);
    assert!(w.sent().is_empty());
    assert_eq!(w.kv.value(STATE_KEY), None, "nothing evaluated or saved");
    assert_eq!(
        w.kv.value(LEASE_KEY).as_deref(),
        Some(other.as_str()),
        "not taken over"
    );
    // Once it has expired, the next run takes it.
    assert_eq!(
        w.run(T0 + 30_000, &spike()).evaluation,
        Evaluation::Evaluated
    );
    assert_eq!(w.sent().len(), 3);
    // A damaged lease is no lease.
    w.kv.set(LEASE_KEY, "{not json");
    assert_eq!(w.run(T0 + MIN, &spike()).evaluation, Evaluation::Evaluated);
}

#[test]
fn the_lease_is_written_with_an_expiry_and_read_back_after_the_settle_wait() {
    let w = World::new();
    w.run(T0, &spike());
    let puts = w.kv.puts.borrow();
    assert_eq!(puts[0], (LEASE_KEY.to_owned(), Some(60)), "{puts:?}");
    // The settle wait (1 s) comes first; the state's writes are spaced a second apart
    // (the test clock stands still, so each later save waits the whole second).
    let waits = w.waits.0.borrow();
    assert_eq!(waits[0], 1_000, "{waits:?}");
    let state_puts = puts.iter().filter(|(k, _)| k == STATE_KEY).count();
    assert_eq!(
        state_puts, 4,
        "before sending, then after each of 3 entries"
    );
    assert_eq!(waits.len(), 1 + (state_puts - 1), "{waits:?}");
}

/// An engine whose every question fails (the SQL API down).
struct Down;

impl Engine for Down {
    fn run<'a>(&'a self, _plan: &'a Plan) -> TableFuture<'a> {
        Box::pin(async {
            Err(QueryError::Engine {
                detail: "the SQL API answered 503".into(),
            })
        })
    }
}

#[test]
fn a_failed_measurement_resolves_nothing_and_still_delivers() {
    let w = World::new();
    let holding = spike();
    crash_at_first_wait(w.run_with(T0, Alerts::Given(&holding), true));
    let registry = RegistryFile {
        platforms: vec![RegistryPlatform {
            platform_id: "k3m9p2xw7q".into(),
            name: "AcmeCorp".into(),
            daily_invocation_limit: None,
        }],
    };
    let measure = Alerts::Measure {
        operator: &nno_obs_access::testing::operator(),
        engine: &Down,
        registry: &registry,
        jobs: &NoJobLogs,
        limits: None,
        windows: Windows::default(),
    };
    let outcome = pollster::block_on(w.run_with(T0 + LEASE_MS, measure, false));
    assert!(
        matches!(&outcome.evaluation, Evaluation::MeasureFailed(e) if e.contains("503")),
        "{outcome:?}"
    );
    assert_eq!(w.sent(), ALL_THREE, "the saved outbox still goes out");
    let stored = w.stored();
    assert_eq!(
        stored.evaluated_minute_ms,
        Some(T0),
        "the failed minute is not marked"
    );
    assert!(matches!(
        stored.book.alerts.values().next().unwrap().phase,
        nno_obs_alerts::state::Phase::Firing { .. }
    ));
}
