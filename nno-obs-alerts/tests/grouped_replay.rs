//! Grouping and inhibition on a replay of stored `{platformId}-perf` points: two features of
//! one platform failing in the same minutes page once, together; with the platform's auth
//! Worker down over the same minutes, they are inhibited.

use nno_obs_alerts::observe::{NoJobLogs, Windows};
use nno_obs_alerts::replay::{replay, Episode, Replay};
use nno_obs_alerts::rules::Configs;
use nno_obs_alerts::state::Policy;
use nno_obs_alerts::Category;
use nno_obs_query::memory::MemoryEngine;
use nno_obs_query::time_range::format_datetime;
use nno_obs_store::layout::DateHour;
use nno_obs_store::registry::{RegistryFile, RegistryPlatform};
use std::collections::BTreeMap;
use std::path::Path;

/// 2026-02-22 10:00:00 UTC.
const T0: i64 = 1_771_754_400;
const PLATFORM: &str = "k3m9p2xw7q";
const MINUTES: i64 = 90;
/// The features fail (all 5xx) in these minutes.
const FAILING: std::ops::Range<i64> = 60..66;

/// Each minute: 30 requests of analytics and reports (5xx while `FAILING`), and 15 of auth
/// (enough for 2 silent minutes to be an outage: 30 expected, at least 20 needed)
/// unless the minute is in `auth_down`.
fn write(root: &Path, auth_down: std::ops::Range<i64>) {
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for minute in 0..MINUTES {
        let at = T0 + minute * 60 + 10;
        let mut point = |feature: &str, status: u16, count: usize| {
            let line = serde_json::json!({
                "timestamp": format_datetime(at), "index1": feature,
                "blob1": feature, "blob2": "GET /api/data", "blob3": status.to_string(), "blob4": "",
                "double1": 1, "double2": 40, "double3": u8::from(status >= 500), "_sample_interval": 1,
            })
            .to_string();
            let folder = DateHour::of_unix_ms(at as u64 * 1000).folder();
            let text = files.entry(folder).or_default();
            for _ in 0..count {
                text.push_str(&line);
                text.push('\n');
            }
        };
        let status = if FAILING.contains(&minute) { 500 } else { 200 };
        point("analytics", status, 30);
        point("reports", status, 30);
        if !auth_down.contains(&minute) {
            point("auth", 200, 15);
        }
    }
    for (folder, text) in files {
        let dir = root
            .join("analytics-engine")
            .join(format!("{PLATFORM}-perf"))
            .join(folder);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("points-44444444-4444-4444-8444-444444444444.json"),
            text,
        )
        .unwrap();
    }
}

fn episodes(auth_down: std::ops::Range<i64>) -> Vec<Episode> {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), auth_down);
    let registry = RegistryFile {
        platforms: vec![RegistryPlatform {
            platform_id: PLATFORM.into(),
            name: "AcmeCorp".into(),
            daily_invocation_limit: None,
        }],
    };
    let configs = Configs::new();
    let setup = Replay {
        operator: &nno_obs_access::testing::operator(),
        registry: &registry,
        configs: &configs,
        jobs: &NoJobLogs,
        limits: None,
        windows: Windows::default(),
        policy: Policy::default(),
        step_ms: 60_000,
    };
    let engine = MemoryEngine::new(dir.path());
    let from_ms = (T0 + 40 * 60) as u64 * 1000;
    let until_ms = (T0 + MINUTES * 60) as u64 * 1000;
    pollster::block_on(replay(&engine, &setup, from_ms, until_ms, &mut |_, _| {})).unwrap()
}

#[test]
fn two_features_failing_together_page_once_together() {
    let all = episodes(0..0);
    let spikes: Vec<&Episode> = all
        .iter()
        .filter(|e| e.category == Category::WorkerErrorSpike)
        .collect();
    let rows: Vec<String> = all.iter().map(Episode::row).collect();
    assert_eq!(spikes.len(), 2, "{rows:#?}");
    assert_eq!(spikes[0].fired_ms, spikes[1].fired_ms, "{rows:#?}");
    assert_eq!(
        spikes[0].grouped_with,
        ["worker-error-spike/k3m9p2xw7q/reports"]
    );
    assert_eq!(
        spikes[1].grouped_with,
        ["worker-error-spike/k3m9p2xw7q/analytics"]
    );
    for spike in &spikes {
        assert_eq!(spike.sent_ms, Some(spike.fired_ms));
        assert!(spike.held.is_none());
        assert!(spike.row().contains(" | grouped with "), "{}", spike.row());
    }
    assert_eq!(all.len(), 2, "nothing else fires: {rows:#?}");
}

#[test]
fn with_the_auth_worker_down_the_spikes_are_inhibited() {
    // Auth silent from 2 minutes before the features fail until 10 minutes after.
    let all = episodes(58..76);
    let rows: Vec<String> = all.iter().map(Episode::row).collect();
    let auth = all
        .iter()
        .find(|e| e.category == Category::AuthWorkerDown)
        .unwrap_or_else(|| panic!("{rows:#?}"));
    let spikes: Vec<&Episode> = all
        .iter()
        .filter(|e| e.category == Category::WorkerErrorSpike)
        .collect();
    assert_eq!(spikes.len(), 2, "{rows:#?}");
    for spike in spikes {
        assert!(spike.fired_ms >= auth.fired_ms, "{rows:#?}");
        assert_eq!(
            spike.held.as_deref(),
            Some("inhibited by auth-worker-down/k3m9p2xw7q/auth"),
            "{rows:#?}"
        );
        // The features recovered before the auth Worker: never paged.
        assert_eq!(spike.sent_ms, None, "{rows:#?}");
        assert!(spike.row().ends_with(", never paged"), "{}", spike.row());
    }
}

#[test]
fn a_silence_over_the_first_minutes_delays_the_page_to_its_end() {
    use nno_obs_alerts::silence::Silence;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), 0..0);
    let registry = RegistryFile {
        platforms: vec![RegistryPlatform {
            platform_id: PLATFORM.into(),
            name: "AcmeCorp".into(),
            daily_invocation_limit: None,
        }],
    };
    let configs = Configs::new();
    let setup = Replay {
        operator: &nno_obs_access::testing::operator(),
        registry: &registry,
        configs: &configs,
        jobs: &NoJobLogs,
        limits: None,
        windows: Windows::default(),
        policy: Policy::default(),
        step_ms: 60_000,
    };
    let engine = MemoryEngine::new(dir.path());
    let until = (T0 + 63 * 60) as u64 * 1000;
    let silence = Silence {
        id: "s-000000000001".into(),
        matcher: "worker-error-spike/k3m9p2xw7q/analytics".into(),
        reason: "deploy".into(),
        author: "ana".into(),
        created_ms: 0,
        until_ms: until,
    };
    let all = pollster::block_on(nno_obs_alerts::replay::replay_silenced(
        &engine,
        &setup,
        std::slice::from_ref(&silence),
        (T0 + 40 * 60) as u64 * 1000,
        (T0 + MINUTES * 60) as u64 * 1000,
        &mut |_, _| {},
    ))
    .unwrap();
    let rows: Vec<String> = all.iter().map(Episode::row).collect();
    let analytics = all
        .iter()
        .find(|e| e.id == "worker-error-spike/k3m9p2xw7q/analytics")
        .unwrap_or_else(|| panic!("{rows:#?}"));
    assert!(analytics.fired_ms < until, "{rows:#?}");
    assert_eq!(
        analytics.sent_ms,
        Some(until),
        "pages when the silence ends: {rows:#?}"
    );
    assert!(
        analytics
            .row()
            .contains("silenced by s-000000000001 until 2026-02-22 11:03:00 UTC, paged at 2026-02-22 11:03:00 UTC"),
        "{}",
        analytics.row()
    );
    // Reports was not silenced: it paged alone when it fired.
    let reports = all
        .iter()
        .find(|e| e.id == "worker-error-spike/k3m9p2xw7q/reports")
        .unwrap();
    assert_eq!(reports.sent_ms, Some(reports.fired_ms));
    assert!(reports.grouped_with.is_empty(), "{rows:#?}");
}
