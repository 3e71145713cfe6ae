//! `nno-obs logpush plan`: exactly what provisioning would send, secrets redacted.

use assert_cmd::Command;
use serde_json::Value;

fn plan(args: &[&str]) -> (bool, Value, String) {
    let output = Command::cargo_bin("nno-obs")
        .unwrap()
        .args([
            "logpush",
            "plan",
            "--account-id",
            "0123456789abcdef0123456789abcdef",
        ])
        .args(args)
        .env_remove("CF_ACCOUNT_ID")
        .env_remove("R2_ACCESS_KEY_ID")
        .output()
        .unwrap();
    let json = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (
        output.status.success(),
        json,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_platform_plan_is_its_bucket_30_day_lifecycle_and_one_prefix_job() {
    let (ok, plan, _) = plan(&["--platform", "k3m9p2xw7q", "--r2-access-key-id", "AKID"]);
    assert!(ok);
    assert_eq!(plan["bucket"], "nno-logs-k3m9p2xw7q");
    let rule = &plan["lifecycle"]["rules"][0];
    assert_eq!(
        rule["deleteObjectsTransition"]["condition"]["maxAge"],
        30 * 86_400
    );
    let jobs = plan["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(
        jobs[0]["destination_conf"],
        "r2://nno-logs-k3m9p2xw7q/{DATE}?account-id=0123456789abcdef0123456789abcdef&access-key-id=AKID&secret-access-key=<redacted>"
    );
    assert_eq!(
        jobs[0]["filter"],
        r#"{"where":{"and":[{"key":"ScriptName","operator":"startsWith","value":"k3m9p2xw7q-"}]}}"#
    );
    assert_eq!(jobs[0]["dataset"], "workers_trace_events");
}

#[test]
fn the_core_plan_has_one_job_per_service_into_the_internal_bucket_for_90_days() {
    let (ok, plan, _) = plan(&[]);
    assert!(ok);
    assert_eq!(plan["bucket"], "nno-logs-internal");
    assert_eq!(
        plan["lifecycle"]["rules"][0]["deleteObjectsTransition"]["condition"]["maxAge"],
        90 * 86_400
    );
    let jobs = plan["jobs"].as_array().unwrap();
    assert!(jobs.len() >= 4);
    assert!(jobs.iter().any(|job| job["filter"]
        == r#"{"where":{"and":[{"key":"ScriptName","operator":"eq","value":"nno-registry-prod"}]}}"#));
}

#[test]
fn hostile_platform_ids_and_accounts_are_refused() {
    for platform in ["../etc", "/abs", "K3M9P2XW7Q", "k3m9p2xw7q/..", ""] {
        let (ok, _, stderr) = plan(&["--platform", platform]);
        assert!(!ok, "{platform}");
        assert!(
            stderr.contains("not a valid platform id"),
            "{platform}: {stderr}"
        );
    }
    let output = Command::cargo_bin("nno-obs")
        .unwrap()
        .args(["logpush", "plan", "--account-id", "../zones"])
        .output()
        .unwrap();
    assert!(!output.status.success());
}
