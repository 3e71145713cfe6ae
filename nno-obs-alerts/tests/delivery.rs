//! Delivery against local HTTP receivers on real sockets: exactly once, resolve, retries with
//! backoff (recorded, never slept), timeouts, a receiver that is down, refusals, and restarts
//! in the middle of delivery.

use nno_obs::{sink::MemorySink, Obs, Telemetry};
use nno_obs_alerts::channel::email::EmailWorker;
use nno_obs_alerts::deliver::{RetryPolicy, Sleep};
use nno_obs_alerts::native::{run, NativeConnect};
use nno_obs_alerts::outbox::State;
use nno_obs_alerts::route::Destinations;
use nno_obs_alerts::rules::{evaluate, seed_example};
use nno_obs_alerts::state::Policy;
use nno_obs_alerts::store::FileStore;
use nno_obs_alerts::{Alert, Secret};
use nno_obs_testkit::{down_url, Answer, Receiver};
use std::sync::Mutex;
use std::time::Duration;

const T0: u64 = 1_771_756_440_000;
const MIN: u64 = 60_000;
const SLACK_PATH: &str = "/services/T0/B0/sl4ck-s3cr3t";
const PD_KEY: &str = "pd0123456789abcdef0123456789abcd";
const EMAIL_TOKEN: &str = "email-t0ken";

#[derive(Default)]
struct Recorded(Mutex<Vec<u64>>);

impl Sleep for Recorded {
    async fn sleep(&self, ms: u64) {
        self.0.lock().unwrap().push(ms);
    }
}

impl Recorded {
    fn waits(&self) -> Vec<u64> {
        self.0.lock().unwrap().clone()
    }
}

struct World {
    email: Receiver,
    slack: Receiver,
    pagerduty: Receiver,
    dir: tempfile::TempDir,
    memory: MemorySink,
    obs: Obs,
    sleeper: Recorded,
    connect: NativeConnect,
}

impl World {
    fn new() -> Self {
        let (telemetry, memory) = Telemetry::in_memory();
        Self {
            email: Receiver::always(Answer::text(202, r#"{"id":"m-1"}"#)),
            slack: Receiver::always(Answer::text(200, "ok")),
            pagerduty: Receiver::always(Answer::text(202, r#"{"status":"success"}"#)),
            dir: tempfile::tempdir().unwrap(),
            memory,
            obs: Obs::detached(telemetry, "alerts"),
            sleeper: Recorded::default(),
            connect: NativeConnect {
                timeout: Duration::from_millis(300),
            },
        }
    }

    fn destinations(&self, slack_base: &str) -> Destinations {
        let (_, mut configs) = seed_example();
        let config = configs.get_mut("k3m9p2xw7q").unwrap();
        config.slack_webhook_url = Some(Secret::new(format!("{slack_base}{SLACK_PATH}")));
        config.pagerduty_key = Some(Secret::new(PD_KEY));
        Destinations {
            email_worker: Some(EmailWorker {
                base_url: self.email.url(),
                token: Secret::new(EMAIL_TOKEN),
            }),
            ops_email: Some("ops@nno.app".into()),
            ops_slack: None,
            ops_pagerduty: None,
            pagerduty_url: self.pagerduty.url(),
            platforms: configs,
        }
    }

    fn store(&self) -> FileStore {
        FileStore::new(self.dir.path().join("alerts.json"))
    }

    fn run(
        &self,
        now: u64,
        alerts: &[Alert],
        dest: &Destinations,
        retry: &RetryPolicy,
    ) -> nno_obs_alerts::deliver::Report {
        let policy = Policy::default();
        let (_, report) = pollster::block_on(run(
            &self.store(),
            now,
            alerts,
            &policy,
            dest,
            &self.connect,
            &self.sleeper,
            retry,
            &self.obs,
        ))
        .unwrap();
        report
    }

    fn lines(&self, message: &str) -> Vec<serde_json::Value> {
        self.memory
            .lines_with_message(message)
            .iter()
            .map(|l| l.json())
            .collect()
    }

    fn assert_no_secret_logged(&self) {
        for line in self.memory.lines() {
            for secret in ["sl4ck-s3cr3t", PD_KEY, EMAIL_TOKEN] {
                assert!(!line.text.contains(secret), "{}", line.text);
            }
        }
    }
}

fn seed_alerts() -> Vec<Alert> {
    let (m, c) = seed_example();
    evaluate(&m, &c)
}

const FAST: RetryPolicy = RetryPolicy {
    rounds: 4,
    backoff_ms: 100,
    max_backoff_ms: 1_000,
    max_attempts: 10,
};

#[test]
fn fires_once_then_resolves_on_every_channel() {
    let w = World::new();
    let dest = w.destinations(&w.slack.url());
    let alerts = seed_alerts();
    let report = w.run(T0, &alerts, &dest, &FAST);
    assert_eq!(report.delivered.len(), 3, "{report:?}");

    let email = &w.email.received()[0];
    assert_eq!(
        (email.method.as_str(), email.path.as_str()),
        ("POST", "/v1/send")
    );
    assert_eq!(email.header("authorization"), Some("Bearer email-t0ken"));
    let body = email.json();
    assert_eq!(body["to"], serde_json::json!(["admin@acmecorp.example"]));
    assert_eq!(body["text"], include_str!("golden/seed_6_3.txt"));
    assert_eq!(
        body["subject"],
        "[NNO ALERT] Platform k3m9p2xw7q — analytics Worker error rate critical"
    );
    assert_eq!(
        body["idempotencyKey"],
        "worker-error-spike/k3m9p2xw7q/analytics#1/trigger/email/platform"
    );

    let slack = &w.slack.received()[0];
    assert_eq!(slack.path, SLACK_PATH);
    assert_eq!(
        slack.header("authorization"),
        None,
        "the webhook URL is the credential"
    );
    assert_eq!(slack.header("content-type"), Some("application/json"));
    let body = slack.json();
    assert_eq!(body["text"], include_str!("golden/seed_6_3.txt"));
    assert_eq!(
        body["blocks"][0]["text"]["text"],
        "[NNO ALERT] Platform k3m9p2xw7q — analytics Worker error rate critical"
    );

    let pd = w.pagerduty.received()[0].json();
    assert_eq!(w.pagerduty.received()[0].path, "/v2/enqueue");
    assert_eq!(pd["routing_key"], PD_KEY);
    assert_eq!(pd["event_action"], "trigger");
    assert_eq!(pd["dedup_key"], "worker-error-spike/k3m9p2xw7q/analytics");
    assert_eq!(pd["payload"]["severity"], "error");
    assert_eq!(pd["payload"]["source"], "nno/platforms/k3m9p2xw7q");
    assert_eq!(pd["payload"]["timestamp"], "2026-02-22T10:34:00.000Z");
    assert_eq!(
        pd["payload"]["custom_details"]["current"],
        "12.4% (over last 5 minutes)"
    );

    // Still firing a minute later, and after a dip shorter than the hold-down: nothing sent.
    w.run(T0 + MIN, &alerts, &dest, &FAST);
    w.run(T0 + 2 * MIN, &[], &dest, &FAST);
    w.run(T0 + 3 * MIN, &alerts, &dest, &FAST);
    w.run(T0 + 4 * MIN, &[], &dest, &FAST);
    assert_eq!(
        (
            w.email.received().len(),
            w.slack.received().len(),
            w.pagerduty.received().len()
        ),
        (1, 1, 1)
    );

    // Gone for the whole hold-down (5 minutes): one resolve everywhere.
    w.run(T0 + 9 * MIN, &[], &dest, &FAST);
    assert_eq!(
        (
            w.email.received().len(),
            w.slack.received().len(),
            w.pagerduty.received().len()
        ),
        (2, 2, 2)
    );
    let resolve = w.pagerduty.received()[1].json();
    assert_eq!(resolve["event_action"], "resolve");
    assert_eq!(resolve["dedup_key"], pd["dedup_key"]);
    assert_eq!(resolve["routing_key"], PD_KEY);
    let resolved = w.email.received()[1].json();
    assert!(resolved["text"]
        .as_str()
        .unwrap()
        .starts_with("[NNO RESOLVED] Platform k3m9p2xw7q"));
    assert!(resolved["text"]
        .as_str()
        .unwrap()
        .contains("\nResolved: 2026-02-22 10:43:00 UTC\n"));
    assert!(w.slack.received()[1].json()["text"]
        .as_str()
        .unwrap()
        .starts_with("[NNO RESOLVED]"));

    // Nothing more, ever.
    w.run(T0 + 10 * MIN, &[], &dest, &FAST);
    assert_eq!(w.pagerduty.received().len(), 2);
    assert!(w.sleeper.waits().is_empty());
    w.assert_no_secret_logged();
}

#[test]
fn a_500_is_retried_with_backoff_and_blocks_no_other_channel() {
    let w = World::new();
    let email = Receiver::start(
        vec![Answer::text(500, "boom"), Answer::text(503, "")],
        Answer::text(202, "{}"),
    );
    let mut dest = w.destinations(&w.slack.url());
    dest.email_worker = Some(EmailWorker {
        base_url: email.url(),
        token: Secret::new(EMAIL_TOKEN),
    });
    let report = w.run(T0, &seed_alerts(), &dest, &FAST);
    assert_eq!(report.delivered.len(), 3);
    assert_eq!(email.received().len(), 3);
    // Slack and PagerDuty were each sent once, in the first round, before any retry.
    assert_eq!(
        (w.slack.received().len(), w.pagerduty.received().len()),
        (1, 1)
    );
    assert_eq!(w.sleeper.waits(), [100, 200]);
    let failures = w.lines("alert delivery failed");
    assert_eq!(failures.len(), 2);
    assert_eq!(failures[0]["level"], "warn");
    assert_eq!(
        failures[0]["alertId"],
        "worker-error-spike/k3m9p2xw7q/analytics"
    );
    assert_eq!(failures[0]["channel"], "email");
    assert_eq!(failures[0]["attempt"], 1);
    assert_eq!(failures[0]["error"], "HTTP 500: boom");
    assert_eq!(failures[1]["attempt"], 2);
    w.assert_no_secret_logged();
}

#[test]
fn a_timeout_is_retried() {
    let w = World::new();
    let pd = Receiver::start(vec![Answer::Hang], Answer::text(202, "{}"));
    let mut dest = w.destinations(&w.slack.url());
    dest.pagerduty_url = pd.url();
    let report = w.run(T0, &seed_alerts(), &dest, &FAST);
    assert_eq!(report.delivered.len(), 3, "{report:?}");
    assert_eq!(pd.received().len(), 2);
    let failure = &w.lines("alert delivery failed")[0];
    assert_eq!(failure["channel"], "pagerduty");
    assert!(
        failure["error"]
            .as_str()
            .unwrap()
            .starts_with("no answer: "),
        "{failure}"
    );
    w.assert_no_secret_logged();
}

#[test]
fn a_receiver_that_is_down_loses_nothing_across_a_restart() {
    let w = World::new();
    let alerts = seed_alerts();
    // Slack is down for the whole first run.
    let down = w.destinations(&down_url());
    let report = w.run(T0, &alerts, &down, &FAST);
    assert_eq!(report.delivered.len(), 2);
    assert_eq!(
        report.pending,
        ["worker-error-spike/k3m9p2xw7q/analytics#1/trigger/slack/platform"]
    );
    assert_eq!(w.sleeper.waits(), [100, 200, 400]);
    assert_eq!(w.lines("alert delivery failed").len(), 4);
    for line in w.lines("alert delivery failed") {
        assert_eq!(line["alertId"], "worker-error-spike/k3m9p2xw7q/analytics");
        assert!(line["error"].as_str().unwrap().starts_with("no answer: "));
    }
    let on_disk = w.store().load().unwrap();
    assert_eq!(on_disk.outbox.len(), 1);
    assert_eq!(on_disk.outbox[0].attempts, 4);

    // A new process (nothing in memory but the file) finds Slack back.
    let up = w.destinations(&w.slack.url());
    let report = w.run(T0 + MIN, &alerts, &up, &FAST);
    assert_eq!(
        report.delivered,
        ["worker-error-spike/k3m9p2xw7q/analytics#1/trigger/slack/platform"]
    );
    assert_eq!(
        (
            w.email.received().len(),
            w.slack.received().len(),
            w.pagerduty.received().len()
        ),
        (1, 1, 1)
    );
    assert!(w.store().load().unwrap().outbox.is_empty());
    w.assert_no_secret_logged();
}

#[test]
fn a_crash_between_persisting_and_sending_sends_each_once() {
    let w = World::new();
    let dest = w.destinations(&w.slack.url());
    let alerts = seed_alerts();
    // The first process evaluates, persists its outbox, and dies before sending.
    {
        let mut state = w.store().load().unwrap();
        state.evaluate(T0, &alerts, &Policy::default(), &dest);
        w.store().save(&state).unwrap();
    }
    assert_eq!(w.email.received().len(), 0);
    // The next one, a minute later, delivers the outbox and does not fire again.
    let report = w.run(T0 + MIN, &alerts, &dest, &FAST);
    assert_eq!(report.delivered.len(), 3);
    w.run(T0 + 2 * MIN, &alerts, &dest, &FAST);
    assert_eq!(
        (
            w.email.received().len(),
            w.slack.received().len(),
            w.pagerduty.received().len()
        ),
        (1, 1, 1)
    );
    // The message says when it fired, not when it was finally sent.
    assert!(w.email.received()[0].json()["text"]
        .as_str()
        .unwrap()
        .contains("Time: 2026-02-22 10:34:00 UTC"));
}

#[test]
fn a_crash_after_some_channels_resends_only_the_rest() {
    let w = World::new();
    let dest = w.destinations(&w.slack.url());
    let alerts = seed_alerts();
    // A state as a crash would leave it: the email entry delivered and removed, the other
    // two still queued (the file is saved after each entry).
    let mut state = State::default();
    state.evaluate(T0, &alerts, &Policy::default(), &dest);
    state.outbox.retain(|e| !e.id.ends_with("/email/platform"));
    w.store().save(&state).unwrap();
    w.run(T0 + MIN, &alerts, &dest, &FAST);
    assert_eq!(
        (
            w.email.received().len(),
            w.slack.received().len(),
            w.pagerduty.received().len()
        ),
        (0, 1, 1)
    );
}

#[test]
fn a_refusal_is_not_retried() {
    let w = World::new();
    let slack = Receiver::always(Answer::text(404, "no_service"));
    let dest = w.destinations(&slack.url());
    let report = w.run(T0, &seed_alerts(), &dest, &FAST);
    assert_eq!(
        report.refused,
        ["worker-error-spike/k3m9p2xw7q/analytics#1/trigger/slack/platform"]
    );
    assert_eq!(slack.received().len(), 1);
    assert!(w.sleeper.waits().is_empty());
    let refused = &w.lines("alert delivery refused")[0];
    assert_eq!(refused["level"], "error");
    assert_eq!(refused["error"], "HTTP 404: no_service");
    assert!(w.store().load().unwrap().outbox.is_empty());
}

#[test]
fn attempts_are_bounded_across_runs() {
    let w = World::new();
    let email = Receiver::always(Answer::text(503, ""));
    let mut dest = w.destinations(&w.slack.url());
    dest.email_worker = Some(EmailWorker {
        base_url: email.url(),
        token: Secret::new(EMAIL_TOKEN),
    });
    let policy = RetryPolicy {
        rounds: 2,
        backoff_ms: 10,
        max_backoff_ms: 10,
        max_attempts: 3,
    };
    let alerts = seed_alerts();
    assert_eq!(w.run(T0, &alerts, &dest, &policy).pending.len(), 1);
    let report = w.run(T0 + MIN, &alerts, &dest, &policy);
    assert_eq!(report.abandoned.len(), 1);
    assert_eq!(email.received().len(), 3);
    assert_eq!(w.lines("alert delivery abandoned")[0]["attempt"], 3);
    w.run(T0 + 2 * MIN, &alerts, &dest, &policy);
    assert_eq!(email.received().len(), 3);
}

#[test]
fn a_resolve_never_overtakes_its_trigger() {
    let w = World::new();
    let pd = Receiver::always(Answer::text(500, ""));
    let mut dest = w.destinations(&w.slack.url());
    dest.pagerduty_url = pd.url();
    let one_round = RetryPolicy { rounds: 1, ..FAST };
    let alerts = seed_alerts();
    w.run(T0, &alerts, &dest, &one_round);
    // Gone, then past the hold-down: the resolve is queued behind the failing trigger and is
    // not attempted while the trigger waits.
    w.run(T0 + MIN, &[], &dest, &one_round);
    w.run(T0 + 7 * MIN, &[], &dest, &one_round);
    assert_eq!(w.store().load().unwrap().outbox.len(), 2);
    pd.answer(Answer::text(202, "{}"));
    w.run(T0 + 8 * MIN, &[], &dest, &one_round);
    let actions: Vec<_> = pd
        .received()
        .iter()
        .map(|r| r.json()["event_action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        ["trigger", "trigger", "trigger", "trigger", "resolve"]
    );
}

#[test]
fn ops_get_critical_alerts_on_every_channel() {
    let w = World::new();
    let ops_slack = Receiver::always(Answer::text(200, "ok"));
    let ops_pd = Receiver::always(Answer::text(202, "{}"));
    let mut dest = w.destinations(&w.slack.url());
    dest.ops_slack = Some(Secret::new(format!(
        "{}/services/OPS/sl4ck-s3cr3t",
        ops_slack.url()
    )));
    dest.ops_pagerduty = Some(Secret::new("ops0123456789abcdef0123456789abc"));
    dest.pagerduty_url = ops_pd.url();
    let (mut m, c) = seed_example();
    m.platforms[0].features.clear();
    m.platforms[0].auth_silent_minutes = Some(2);
    m.platforms[0].auth_expected_requests = Some(40.0);
    let alerts = evaluate(&m, &c);
    assert_eq!(alerts[0].id, "auth-worker-down/k3m9p2xw7q/auth");
    let report = w.run(T0, &alerts, &dest, &FAST);
    // Platform: email, Slack, PagerDuty; ops: email, Slack, PagerDuty (Critical).
    assert_eq!(report.delivered.len(), 6, "{report:?}");
    let keys: Vec<_> = ops_pd
        .received()
        .iter()
        .map(|r| r.json()["routing_key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys, [PD_KEY, "ops0123456789abcdef0123456789abc"]);
    assert_eq!(
        ops_pd.received()[0].json()["payload"]["severity"],
        "critical"
    );
    let to: Vec<_> = w
        .email
        .received()
        .iter()
        .map(|r| r.json()["to"][0].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(to, ["admin@acmecorp.example", "ops@nno.app"]);
}
