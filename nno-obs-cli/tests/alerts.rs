//! `nno-obs alerts check`: the dry run prints the seed's message and changes nothing; a real
//! run delivers once (to a loopback email Worker) and not again on the next evaluation.

use assert_cmd::Command;
use nno_obs_testkit::{Answer, Receiver};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/alerts");

fn check(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let mut command = Command::cargo_bin("nno-obs").unwrap();
    command.args([
        "alerts",
        "check",
        "--measurements",
        &format!("{DIR}/measurements.json"),
    ]);
    command.args(args);
    for name in [
        "ALERT_EMAIL",
        "ALERT_SLACK_WEBHOOK",
        "PAGERDUTY_KEY",
        "NNO_EMAIL_WORKER_URL",
        "NNO_EMAIL_WORKER_TOKEN",
    ] {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_dry_run_prints_the_seed_message_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("alerts.json");
    let config = format!("{DIR}/config.json");
    let (ok, stdout, stderr) = check(
        &[
            "--config",
            &config,
            "--state",
            state.to_str().unwrap(),
            "--dry-run",
        ],
        &[("ALERT_EMAIL", "ops@nno.app")],
    );
    assert!(ok, "{stderr}");
    // One line per alert: what would fire, and where it would go.
    assert_eq!(
        stdout,
        "\
2 would fire, 0 already firing, 0 would resolve at 2026-02-22T10:34:00.000Z (dry run: nothing sent)
STATUS      SEVERITY  CATEGORY            PLATFORM    WHAT                                  SINCE                     TO
would fire  High      registry-latency    nno         Registry D1 read latency high         2026-02-22T10:34:00.000Z  email/ops
would fire  High      worker-error-spike  k3m9p2xw7q  analytics Worker error rate critical  2026-02-22T10:34:00.000Z  email/platform, slack/platform
"
    );
    // With --messages, each message as it would be sent (seed §6.3) follows the table.
    let mut args = vec!["--config", &config, "--state", state.to_str().unwrap()];
    args.extend(["--dry-run", "--messages"]);
    let (ok, stdout, _) = check(&args, &[("ALERT_EMAIL", "ops@nno.app")]);
    assert!(ok);
    let seed = include_str!("../../nno-obs-alerts/tests/golden/seed_6_3.txt");
    assert!(
        stdout.contains(&format!(
            "\n=== worker-error-spike/k3m9p2xw7q/analytics\n{seed}\n"
        )),
        "{stdout}"
    );
    assert!(!stdout.contains("sl4ck-s3cr3t"));
    // --format json: the read API's alert views, new apart from already firing.
    let mut args = vec!["--config", &config, "--state", state.to_str().unwrap()];
    args.extend(["--dry-run", "--format", "json"]);
    let (ok, stdout, _) = check(&args, &[("ALERT_EMAIL", "ops@nno.app")]);
    assert!(ok);
    let body: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(body["dryRun"], true);
    assert_eq!(
        body["new"][1]["id"],
        "worker-error-spike/k3m9p2xw7q/analytics"
    );
    assert_eq!(body["new"][1]["message"].as_str().unwrap(), seed);
    assert_eq!(body["alreadyFiring"], serde_json::json!([]));
    assert!(!stdout.contains("sl4ck-s3cr3t"));
    assert!(!state.exists(), "a dry run writes no state");
    // A format alerts check cannot print is refused.
    let (ok, _, stderr) = check(&["--dry-run", "--format", "csv"], &[]);
    assert!(!ok);
    assert!(
        stderr.contains("--format csv: `alerts check` prints table or json"),
        "{stderr}"
    );
}

#[test]
fn an_invalid_config_is_refused_without_echoing_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.json");
    let text = std::fs::read_to_string(format!("{DIR}/config.json"))
        .unwrap()
        .replace("https://hooks", "http://hooks");
    std::fs::write(&config, text).unwrap();
    let (ok, _, stderr) = check(&["--config", config.to_str().unwrap(), "--dry-run"], &[]);
    assert!(!ok);
    assert!(
        stderr.contains("`slackWebhookUrl` must be an https:// URL"),
        "{stderr}"
    );
    assert!(!stderr.contains("sl4ck-s3cr3t"), "{stderr}");
}

/// The CLI reads a configuration file with the Worker's reader (`nno_obs_alerts::records`): the
/// KV record's form `{"{platformId}": AlertConfig}` plans the same alerts as the file's own, and
/// a file of the wrong shape is refused with its name.
#[test]
fn the_kv_record_form_is_read_like_the_file_form() {
    let dir = tempfile::tempdir().unwrap();
    let file = format!("{DIR}/config.json");
    let list: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let config = list[0].clone();
    let id = config["platformId"].as_str().unwrap().to_owned();
    let record = dir.path().join("alert-configs.json");
    std::fs::write(&record, serde_json::json!({ id: config }).to_string()).unwrap();
    let env = [("ALERT_EMAIL", "ops@nno.app")];
    let (ok, from_file, stderr) = check(&["--config", &file, "--dry-run"], &env);
    assert!(ok, "{stderr}");
    let (ok, from_record, stderr) =
        check(&["--config", record.to_str().unwrap(), "--dry-run"], &env);
    assert!(ok, "{stderr}");
    assert_eq!(from_record, from_file);
    assert!(
        from_file.contains("email/platform, slack/platform"),
        "{from_file}"
    );

    // Stored under another platform's id: refused, naming the key.
    std::fs::write(
        &record,
        serde_json::json!({ "r8n4t6y1z5": config }).to_string(),
    )
    .unwrap();
    let (ok, _, stderr) = check(&["--config", record.to_str().unwrap(), "--dry-run"], &env);
    assert!(!ok);
    assert!(
        stderr.contains("r8n4t6y1z5: invalid alert configuration: `platformId` is not the id"),
        "{stderr}"
    );
    std::fs::write(&record, "7").unwrap();
    let (ok, _, stderr) = check(&["--config", record.to_str().unwrap(), "--dry-run"], &env);
    assert!(!ok);
    assert!(
        stderr.contains("alert-configs.json: the record is damaged"),
        "{stderr}"
    );
}

#[test]
fn a_real_run_delivers_once() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("alerts.json");
    let config = dir.path().join("config.json");
    // Without Slack: a webhook must be https, which a loopback receiver is not.
    let text = std::fs::read_to_string(format!("{DIR}/config.json"))
        .unwrap()
        .replace(
            r#""slackWebhookUrl": "https://hooks.slack.com/services/T0/B0/sl4ck-s3cr3t","#,
            "",
        );
    std::fs::write(&config, text).unwrap();
    // A loopback email Worker that answers 202 and keeps the bodies.
    let email = Receiver::always(Answer::text(202, "{}"));
    let url = email.url();
    let env = [
        ("ALERT_EMAIL", "ops@nno.app"),
        ("NNO_EMAIL_WORKER_URL", url.as_str()),
        ("NNO_EMAIL_WORKER_TOKEN", "t0ken"),
    ];
    let args = [
        "--config",
        config.to_str().unwrap(),
        "--state",
        state.to_str().unwrap(),
    ];
    let (ok, stdout, stderr) = check(&args, &env);
    assert!(ok, "{stderr}");
    assert!(
        stdout.ends_with("delivered 2, refused 0, abandoned 0, pending 0\n"),
        "{stdout}"
    );
    let (ok, stdout, _) = check(&args, &env);
    assert!(ok);
    // The second evaluation sends nothing: both alerts are named as already firing, since
    // the first run's minute, with nothing going out for them.
    assert!(
        stdout.starts_with("0 new, 2 already firing, 0 resolved at 2026-02-22T10:34:00.000Z\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "firing  High      worker-error-spike  k3m9p2xw7q  analytics Worker error rate critical  2026-02-22T10:34:00.000Z  -\n"
        ),
        "{stdout}"
    );
    // All calm from ten minutes later: the alerts clear, and resolve once the hold-down (5
    // minutes) has passed, each with the time it fired.
    let calm_at = |at_ms: &str| {
        let calm = std::fs::read_to_string(format!("{DIR}/measurements.json"))
            .unwrap()
            .replace("1771756440000", at_ms)
            .replace("\"errorRate\": 0.124", "\"errorRate\": 0.001")
            .replace("\"value\": 450", "\"value\": 40");
        let calm_path = dir.path().join("calm.json");
        std::fs::write(&calm_path, calm).unwrap();
        let output = Command::cargo_bin("nno-obs")
            .unwrap()
            .args([
                "alerts",
                "check",
                "--measurements",
                calm_path.to_str().unwrap(),
            ])
            .args(args)
            .envs(env)
            .output()
            .unwrap();
        assert!(output.status.success());
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let stdout = calm_at("1771757040000");
    assert!(
        stdout.starts_with("0 new, 2 already firing, 0 resolved"),
        "{stdout}"
    );
    let stdout = calm_at("1771757400000");
    assert!(
        stdout.contains("0 new, 0 already firing, 2 resolved at 2026-02-22T10:50:00.000Z\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("resolved  High      registry-latency    nno         Registry D1 read latency high         2026-02-22T10:34:00.000Z  email/ops\n"),
        "{stdout}"
    );
    let to: Vec<_> = email
        .received()
        .iter()
        .map(|request| request.json()["to"][0].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        to,
        [
            "ops@nno.app",
            "admin@acmecorp.example",
            "ops@nno.app",
            "admin@acmecorp.example"
        ]
    );
    assert!(!stderr.contains("t0ken"));
}

/// `nno-obs alerts ARGS…` (no measurements file).
fn alerts(args: &[&str]) -> (bool, String, String) {
    let output = Command::cargo_bin("nno-obs")
        .unwrap()
        .arg("alerts")
        .args(args)
        // No real receiver is ever called: no ops destination, no email Worker.
        .env_remove("NNO_EMAIL_WORKER_URL")
        .env_remove("NNO_EMAIL_WORKER_TOKEN")
        .env_remove("ALERT_EMAIL")
        .env_remove("ALERT_SLACK_WEBHOOK")
        .env_remove("PAGERDUTY_KEY")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_silence_holds_back_a_new_page_and_unsilence_lets_it_page() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("alerts.json");
    let state = state.to_str().unwrap();
    // The platform's config without Slack (a real run would call the webhook): its admin's
    // email is the one route, refused without network (no email Worker configured).
    let config = dir.path().join("config.json");
    let text = std::fs::read_to_string(format!("{DIR}/config.json"))
        .unwrap()
        .replace(
            r#""slackWebhookUrl": "https://hooks.slack.com/services/T0/B0/sl4ck-s3cr3t","#,
            "",
        );
    std::fs::write(&config, text).unwrap();
    let config = config.to_str().unwrap().to_owned();
    // The example's two alerts fire at 10:34.
    let at = |minutes: u64, calm: bool| {
        let ms = 1_771_756_440_000 + minutes * 60_000;
        let mut text = std::fs::read_to_string(format!("{DIR}/measurements.json"))
            .unwrap()
            .replace("1771756440000", &ms.to_string());
        if calm {
            text = text
                .replace("\"errorRate\": 0.124", "\"errorRate\": 0.001")
                .replace("\"value\": 450", "\"value\": 40");
        }
        let path = dir.path().join(format!("m{minutes}.json"));
        std::fs::write(&path, text).unwrap();
        path
    };
    let run = |minutes: u64, calm: bool| {
        let m = at(minutes, calm);
        let (ok, stdout, stderr) = alerts(&[
            "check",
            "--measurements",
            m.to_str().unwrap(),
            "--state",
            state,
            "--config",
            &config,
        ]);
        assert!(ok, "{stderr}");
        stdout
    };
    let _ = run(0, false);
    // Bad input, each with its own message and nothing saved.
    let spike = "worker-error-spike/k3m9p2xw7q/analytics";
    for (args, message) in [
        (vec![spike, "--for", "0s", "--reason", "deploy"], "--for \"0s\": not a duration such as 90s, 15m, 1h30m, 24h or 7d (more than 0s"),
        (vec![spike, "--for", "31d", "--reason", "deploy"], "--for must be at most 30 days"),
        (vec![spike, "--for", "2h", "--reason", " "], "--reason must say why"),
        (vec!["worker-error-spike/zzzz", "--for", "2h", "--reason", "x"], "no alert firing, pending or resolved in the last 24 h has the id or prefix \"worker-error-spike/zzzz\""),
        (vec![spike, "--for", "soon", "--reason", "x"], "--for \"soon\""),
    ] {
        let mut full = vec!["silence"];
        full.extend(args);
        full.extend(["--author", "ana", "--state", state]);
        let (ok, _, stderr) = alerts(&full);
        assert!(!ok, "{full:?}");
        assert!(stderr.contains(message), "{full:?}: {stderr}");
    }
    let (ok, _, stderr) = alerts(&["unsilence", "s-000000000000", "--state", state]);
    assert!(
        !ok && stderr.contains("no silence has the id \"s-000000000000\""),
        "{stderr}"
    );
    let (_, stdout, _) = alerts(&["silences", "--state", state]);
    assert_eq!(stdout, "no silence in force\n");
    // Calm: the spike resolves (5 minutes of hold-down), then it is silenced.
    let _ = run(6, true);
    let stdout = run(12, true);
    assert!(
        stdout.contains("0 new, 0 already firing, 2 resolved"),
        "{stdout}"
    );
    let (ok, stdout, stderr) = alerts(&[
        "silence",
        "worker-error-spike/k3m9p2xw7q/",
        "--for",
        "2h",
        "--reason",
        "deploying a fix",
        "--author",
        "ana",
        "--state",
        state,
        "--format",
        "json",
    ]);
    assert!(ok, "{stderr}");
    let created: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let id = created[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(created[0]["matcher"], "worker-error-spike/k3m9p2xw7q/");
    assert_eq!(created[0]["author"], "ana");
    // In force now and in an hour; not in three (it was for 2 h); `--at` is checked.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let later = |hours: u64| nno_obs_store::time::format_rfc3339_ms(now_ms + hours * 3_600_000);
    for (at, in_force) in [
        ("now".to_owned(), true),
        (later(1), true),
        (later(3), false),
    ] {
        let (ok, stdout, stderr) = alerts(&["silences", "--state", state, "--at", &at]);
        assert!(ok, "{stderr}");
        assert_eq!(stdout.contains(&id), in_force, "{at}: {stdout}");
    }
    let (ok, _, stderr) = alerts(&["silences", "--state", state, "--at", "soon"]);
    assert!(
        !ok && stderr.contains("--at \"soon\" is not a time"),
        "{stderr}"
    );
    let (_, stdout, _) = alerts(&["silences", "--state", state, "--format", "json"]);
    let listed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(listed[0]["id"], id.as_str());
    assert_eq!(listed[0]["reason"], "deploying a fix");
    assert!(listed[0]["until"].as_str().unwrap().ends_with('Z'));
    // It fires again: in the book, listed as new, sent nowhere.
    let stdout = run(20, false);
    assert!(
        stdout.starts_with("2 new, 0 already firing, 0 resolved"),
        "{stdout}"
    );
    let line = stdout
        .lines()
        .find(|l| l.contains("worker-error-spike"))
        .unwrap();
    assert!(line.starts_with("new "), "{line}");
    assert!(line.contains(&format!("silenced by {id} until ")), "{line}");
    let registry = stdout
        .lines()
        .find(|l| l.contains("registry-latency"))
        .unwrap();
    assert!(
        registry.ends_with("no destination configured"),
        "{registry}"
    );
    // Unsilenced while it still holds: it pages at the next evaluation.
    let (ok, stdout, _) = alerts(&["unsilence", &id, "--state", state]);
    assert!(
        ok && stdout.starts_with(&format!("removed {id}")),
        "{stdout}"
    );
    let stdout = run(21, false);
    let line = stdout
        .lines()
        .find(|l| l.contains("worker-error-spike"))
        .unwrap();
    assert!(
        line.ends_with("email/platform (held back until now)"),
        "{line}"
    );
}

#[test]
fn grouped_and_inhibited_alerts_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let config = format!("{DIR}/config.json");
    let state = dir.path().join("alerts.json");
    // Two features of the platform fail in the same minute.
    let two = std::fs::read_to_string(format!("{DIR}/measurements.json"))
        .unwrap()
        .replace(
            r#""recentErrorTraceId": "tr_abc123"
        }"#,
            r#""recentErrorTraceId": "tr_abc123"
        },
        { "feature": "reports", "errorRate": 0.09, "windowMinutes": 5 }"#,
        );
    assert!(two.contains("reports"));
    let path = dir.path().join("two.json");
    std::fs::write(&path, &two).unwrap();
    let args = [
        "check",
        "--measurements",
        path.to_str().unwrap(),
        "--config",
        &config,
        "--state",
        state.to_str().unwrap(),
        "--dry-run",
        "--messages",
    ];
    let (ok, stdout, stderr) = alerts(&args);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains(
            "\n=== worker-error-spike/k3m9p2xw7q (one email/Slack message for \
             worker-error-spike/k3m9p2xw7q/analytics, worker-error-spike/k3m9p2xw7q/reports)\n\
             [NNO ALERT] Platform k3m9p2xw7q — analytics Worker error rate critical (+1 more)\n\
             Platform: AcmeCorp (k3m9p2xw7q)\nFeature: analytics, reports\n"
        ),
        "{stdout}"
    );
    // Its auth Worker down as well: the spikes are listed, inhibited, sent nowhere.
    let down = two.replace(
        r#""platformName": "AcmeCorp","#,
        // 3 silent minutes where the hour before expected 30 requests: an outage.
        r#""platformName": "AcmeCorp", "authSilentMinutes": 3, "authExpectedRequests": 30,"#,
    );
    std::fs::write(&path, down).unwrap();
    let (ok, stdout, stderr) = alerts(&args[..8]);
    assert!(ok, "{stderr}");
    assert!(stdout.starts_with("4 would fire"), "{stdout}");
    let spikes: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("worker-error-spike"))
        .collect();
    assert_eq!(spikes.len(), 2, "{stdout}");
    for line in spikes {
        assert!(
            line.ends_with("inhibited by auth-worker-down/k3m9p2xw7q/auth"),
            "{line}"
        );
    }
    let auth = stdout
        .lines()
        .find(|l| l.contains("auth-worker-down"))
        .unwrap();
    assert!(auth.ends_with("email/platform, slack/platform"), "{auth}");
}
