//! Golden tests of the alert text: seed §6.3's example byte for byte, and every category's
//! firing and resolved message in the same form (`tests/golden/*.txt`; after a deliberate
//! change, `NNO_BLESS=1 cargo test -p nno-obs-alerts --test messages` rewrites them).

use nno_obs_alerts::measure::{
    EndpointErrors, FeatureErrors, Job, JobState, Measurements, NnoMeasurements,
    ObjectiveMeasurement, PlatformMeasurements, PublishCounts, WindowValue,
};
use nno_obs_alerts::rules::{evaluate, seed_example, Configs};
use nno_obs_alerts::{AlertConfig, Category, Severity};
use std::path::PathBuf;

const AT: u64 = 1_771_756_440_000; // 2026-02-22 10:34:00 UTC
const LATER: u64 = AT + 15 * 60_000;

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.txt"));
    if std::env::var_os("NNO_BLESS").is_some_and(|value| value == "1") {
        std::fs::write(&path, actual).unwrap();
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(actual, expected, "{name}");
}

#[test]
fn the_seed_example_byte_for_byte() {
    let (measurements, configs) = seed_example();
    let alerts = evaluate(&measurements, &configs);
    assert_eq!(alerts.len(), 1);
    let expected = include_str!("golden/seed_6_3.txt");
    assert_eq!(alerts[0].message.firing(), expected);
    assert_eq!(alerts[0].message.firing().as_bytes(), expected.as_bytes());
    assert_eq!(alerts[0].category, Category::WorkerErrorSpike);
    assert_eq!(alerts[0].severity, Severity::High);
}

/// One measurement per category, on two platforms and NNO itself.
fn everything() -> (Measurements, Configs) {
    let measurements = Measurements {
        at_ms: AT,
        platforms: vec![
            PlatformMeasurements {
                platform_id: "k3m9p2xw7q".into(),
                platform_name: Some("AcmeCorp".into()),
                features: vec![FeatureErrors {
                    feature: "analytics".into(),
                    error_rate: 0.124,
                    window_minutes: 5,
                    endpoints: vec![
                        EndpointErrors {
                            endpoint: "POST /api/data/export".into(),
                            error_rate: 0.45,
                        },
                        EndpointErrors {
                            endpoint: "GET /api/report".into(),
                            error_rate: 0.08,
                        },
                    ],
                    recent_error_trace_id: Some("tr_abc123".into()),
                    // Above the example configuration's latencyP99ThresholdMs (1000).
                    p99_ms: Some(1450.0),
                    ..Default::default()
                }],
                auth_silent_minutes: Some(3),
                // A busy auth Worker: its previous hour expected 57 requests over 3 minutes.
                auth_expected_requests: Some(57.0),
                failed_builds: vec!["build-failed-0001".into()],
                usage_ratio: Some(0.923),
            },
            PlatformMeasurements {
                platform_id: "r8n4t6y1z5".into(),
                platform_name: None,
                usage_ratio: Some(0.5),
                ..Default::default()
            },
        ],
        usage_limits: None,
        nno: NnoMeasurements {
            registry_read_p99: Some(WindowValue {
                value: 451.6,
                window_minutes: 5,
            }),
            stack_publishes: Some(PublishCounts {
                attempts: 20,
                validation_failures: 7,
                window_minutes: 60,
            }),
            jobs: vec![
                Job {
                    job_id: "job-failed-0001".into(),
                    platform_id: "k3m9p2xw7q".into(),
                    operation: "PROVISION_PLATFORM".into(),
                    state: JobState::Failed,
                    running_minutes: 3,
                    failed_step: Some("create-d1".into()),
                },
                Job {
                    job_id: "job-slow-0001".into(),
                    platform_id: "r8n4t6y1z5".into(),
                    operation: "ACTIVATE_FEATURE".into(),
                    state: JobState::Running,
                    running_minutes: 12,
                    failed_step: None,
                },
            ],
            // The gateway at 3.1 % 5xx over 5 minutes: past §5.1's "> 1%".
            objectives: vec![ObjectiveMeasurement {
                id: "gateway-5xx".into(),
                value: Some(0.031),
                events: 400,
                bad: 12.4,
                window_minutes: 5,
                burn: None,
            }],
        },
    };
    let mut configs = Configs::new();
    configs.insert("k3m9p2xw7q".into(), AlertConfig::example());
    (measurements, configs)
}

#[test]
fn every_category_in_the_same_form() {
    let (measurements, configs) = everything();
    let alerts = evaluate(&measurements, &configs);
    let ids: Vec<_> = alerts.iter().map(|a| (a.id.as_str(), a.severity)).collect();
    assert_eq!(
        ids,
        [
            ("auth-worker-down/k3m9p2xw7q/auth", Severity::Critical),
            ("nno-objective/nno/gateway-5xx", Severity::High),
            (
                "pages-build-failure/k3m9p2xw7q/build-failed-0001",
                Severity::Medium
            ),
            (
                "provisioning-job-failed/k3m9p2xw7q/job-failed-0001",
                Severity::High
            ),
            (
                "provisioning-job-timeout/r8n4t6y1z5/job-slow-0001",
                Severity::Medium
            ),
            ("registry-latency/nno/registry-read-p99", Severity::High),
            ("stack-validation-failures/nno/validation", Severity::Low),
            ("usage-threshold/k3m9p2xw7q/90", Severity::High),
            ("usage-threshold/r8n4t6y1z5/50", Severity::Info),
            ("worker-error-spike/k3m9p2xw7q/analytics", Severity::High),
            ("worker-latency/k3m9p2xw7q/analytics", Severity::Medium),
        ]
    );
    for alert in &alerts {
        let firing = alert.message.firing();
        let resolved = alert.message.resolved(LATER);
        // The form: tag line, labelled lines, Action, the dash, the sign-off.
        assert!(firing.starts_with("[NNO ALERT] "), "{firing}");
        assert!(firing.ends_with("\n—\nNNO Platform Monitoring"), "{firing}");
        assert!(
            firing.contains("\nTime: 2026-02-22 10:34:00 UTC\n"),
            "{firing}"
        );
        assert!(resolved.starts_with("[NNO RESOLVED] "), "{resolved}");
        assert!(
            resolved.ends_with("\n—\nNNO Platform Monitoring"),
            "{resolved}"
        );
        let name = alert.category.slug().to_owned()
            + &alert
                .id
                .rsplit('/')
                .next()
                .map(|s| format!("-{s}"))
                .unwrap_or_default();
        golden(&format!("{name}.firing"), &firing);
        golden(&format!("{name}.resolved"), &resolved);
    }
}

#[test]
fn hostile_text_cannot_forge_lines() {
    let (mut measurements, configs) = seed_example();
    let platform = &mut measurements.platforms[0];
    platform.platform_name = Some("X".repeat(10_240));
    platform.features[0].feature = "analytics\nThreshold: 99%\r\nTime: never".into();
    platform.features[0].endpoints[0].endpoint =
        "GET /\u{2028}Action: Review logs at https://evil.example".into();
    // Positive control: with a valid trace id, the same hostile text still gets its link.
    let valid = evaluate(&measurements, &configs);
    assert!(
        valid[0]
            .message
            .firing()
            .contains("\nTrace a recent error: "),
        "{}",
        valid[0].message.firing()
    );
    let platform = &mut measurements.platforms[0];
    platform.features[0].recent_error_trace_id = Some("tr\"><script>".into());
    let alerts = evaluate(&measurements, &configs);
    let text = alerts[0].message.firing();
    assert_eq!(text.lines().count(), 13, "{text}");
    assert_eq!(text.matches("\nThreshold: ").count(), 1);
    assert_eq!(text.matches("\nAction: ").count(), 1);
    assert!(
        !text.contains("Trace a recent error"),
        "an invalid trace id gets no link"
    );
    let name_line = text.lines().nth(1).unwrap();
    assert!(name_line.chars().count() < 150, "{name_line}");
    assert!(alerts[0].id.len() <= 255);
}

#[test]
fn platform_thresholds_override_the_defaults() {
    let (mut measurements, mut configs) = seed_example();
    measurements.platforms[0].features[0].error_rate = 0.03;
    assert!(
        evaluate(&measurements, &configs).is_empty(),
        "3 % is under the default 5 %"
    );
    configs
        .get_mut("k3m9p2xw7q")
        .unwrap()
        .alerts
        .error_rate_threshold = 0.02;
    let alerts = evaluate(&measurements, &configs);
    assert_eq!(alerts[0].message.threshold, "2%");
    assert!(alerts[0]
        .message
        .firing()
        .contains("\nThreshold: 2%\nCurrent: 3% (over last 5 minutes)\n"));
}

#[test]
fn switches_silence_their_categories() {
    let (measurements, mut configs) = everything();
    let silenced = |a: &nno_obs_alerts::Alert| {
        a.platform_id.as_deref() == Some("k3m9p2xw7q")
            && matches!(
                a.category,
                Category::PagesBuildFailure
                    | Category::UsageThreshold
                    | Category::ProvisioningJobFailed
            )
    };
    // Positive control: with the switches on, the three categories do fire on k3m9p2xw7q.
    let on = evaluate(&measurements, &configs);
    for category in [
        Category::PagesBuildFailure,
        Category::UsageThreshold,
        Category::ProvisioningJobFailed,
    ] {
        assert!(
            on.iter().any(|a| silenced(a) && a.category == category),
            "{category:?} fires with its switch on"
        );
    }
    let config = configs.get_mut("k3m9p2xw7q").unwrap();
    config.alerts.build_failure_alert = false;
    config.alerts.usage_alerts = false;
    config.alerts.provisioning_failure_alert = false;
    let alerts = evaluate(&measurements, &configs);
    // Builds and usage go to the admin alone: switched off, they are not raised. A job alert
    // pages NNO ops whatever the platform says (its switch only narrows the admin's copy,
    // `route::Destinations::recipients`).
    let admin_only =
        |a: &nno_obs_alerts::Alert| silenced(a) && a.category != Category::ProvisioningJobFailed;
    assert!(!alerts.iter().any(admin_only));
    assert!(alerts
        .iter()
        .any(|a| silenced(a) && a.category == Category::ProvisioningJobFailed));
    assert!(
        alerts
            .iter()
            .any(|a| a.id == "usage-threshold/r8n4t6y1z5/50"),
        "another platform keeps its defaults"
    );
}

#[test]
fn invalid_platform_ids_are_skipped() {
    let (mut measurements, configs) = seed_example();
    // Positive control: the same measurements under a valid id raise their alert.
    assert_eq!(evaluate(&measurements, &configs).len(), 1);
    measurements.platforms[0].platform_id = "../../etc".into();
    assert!(evaluate(&measurements, &configs).is_empty());
}
