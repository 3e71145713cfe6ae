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
    let seed = include_str!("../../nno-obs-alerts/tests/golden/seed_6_3.txt");
    assert!(stdout.contains(&format!("=== would fire: worker-error-spike/k3m9p2xw7q/analytics (High) -> email/platform, slack/platform\n{seed}\n")), "{stdout}");
    assert!(
        stdout.contains(
            "=== would fire: registry-latency/nno/registry-read-p99 (High) -> email/ops\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout
            .ends_with("2 would fire, 0 would resolve, 2 tracked (firing, pending or clearing)\n"),
        "{stdout}"
    );
    assert!(!stdout.contains("sl4ck-s3cr3t"));
    assert!(!state.exists(), "a dry run writes no state");
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
    assert!(
        stdout.contains("0 fired, 0 resolved, 2 tracked"),
        "{stdout}"
    );
    let to: Vec<_> = email
        .received()
        .iter()
        .map(|request| request.json()["to"][0].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(to, ["ops@nno.app", "admin@acmecorp.example"]);
    assert!(!stderr.contains("t0ken"));
}
