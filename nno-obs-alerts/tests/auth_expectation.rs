//! "Auth Worker down" with an expectation of traffic (seed §6.2's 2 minutes, plus a baseline):
//! the issue's scenario on stored `{platformId}-perf` points, replayed minute by minute —
//! a small platform with a few logins an hour by day and none at night, a platform
//! provisioned at noon, and a busy platform with a real 10-minute outage. Only the outage
//! pages, once, and its alert holds until the silence ends.

use nno_obs_alerts::observe::{measure, NoJobLogs, Windows};
use nno_obs_alerts::replay::{replay, Replay};
use nno_obs_alerts::rules::{evaluate, Configs};
use nno_obs_alerts::state::Policy;
use nno_obs_alerts::Category;
use nno_obs_query::memory::MemoryEngine;
use nno_obs_query::time_range::format_datetime;
use nno_obs_store::layout::DateHour;
use nno_obs_store::registry::{RegistryFile, RegistryPlatform};
use std::collections::BTreeMap;
use std::path::Path;

/// 2026-02-22 00:00:00 UTC, seconds.
const DAY: i64 = 1_771_718_400;
const MINUTE: i64 = 60;
const HOUR: i64 = 3600;

const SMALL: &str = "sm4llpl4tf";
const NEW: &str = "n3wpl4tf0r";
const BUSY: &str = "k3m9p2xw7q";

/// Auth requests at the given seconds, as the auth Worker writes them.
fn write_auth(root: &Path, platform: &str, at: &[i64]) {
    let mut hours: BTreeMap<String, String> = BTreeMap::new();
    for &t in at {
        let line = serde_json::json!({
            "timestamp": format_datetime(t), "index1": "auth",
            "blob1": "auth", "blob2": "POST /login", "blob3": "200", "blob4": "",
            "double1": 1, "double2": 40.0, "double3": 0, "_sample_interval": 1,
        });
        let folder = DateHour::of_unix_ms(t as u64 * 1000).folder();
        let text = hours.entry(folder).or_default();
        text.push_str(&line.to_string());
        text.push('\n');
    }
    for (folder, text) in hours {
        let dir = root
            .join("analytics-engine")
            .join(format!("{platform}-perf"))
            .join(folder);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("points-44444444-4444-4444-8444-444444444444.json"),
            text,
        )
        .unwrap();
    }
}

fn registry() -> RegistryFile {
    let platform = |id: &str, name: &str| RegistryPlatform {
        platform_id: id.into(),
        name: name.into(),
        daily_invocation_limit: None,
    };
    RegistryFile {
        platforms: vec![
            platform(SMALL, "Small"),
            platform(NEW, "Newcomer"),
            platform(BUSY, "AcmeCorp"),
        ],
    }
}

/// The day: the small platform logs in four times an hour from 08:00 to 20:00; the new one
/// is provisioned at noon and serves one login a minute from 13:00 to 13:20, then nothing;
/// the busy one serves 20 a minute all day but for its outage, 14:00–14:10.
fn write_day(root: &Path) {
    let small: Vec<i64> = (8..20)
        .flat_map(|h| [7, 22, 37, 52].map(|m| DAY + h * HOUR + m * MINUTE + 5))
        .collect();
    write_auth(root, SMALL, &small);
    let new: Vec<i64> = (0..20).map(|m| DAY + 13 * HOUR + m * MINUTE + 30).collect();
    write_auth(root, NEW, &new);
    let outage = (DAY + 14 * HOUR)..(DAY + 14 * HOUR + 10 * MINUTE);
    let busy: Vec<i64> = (0..24 * 60)
        .flat_map(|m| (0..20).map(move |k| DAY + m * MINUTE + k * 3))
        .filter(|t| !outage.contains(t))
        .collect();
    write_auth(root, BUSY, &busy);
}

fn ms(seconds: i64) -> u64 {
    seconds as u64 * 1000
}

/// The auth alerts `alerts check` would raise at `at` (one evaluation, no history).
fn auth_down_at(root: &Path, at: i64) -> Vec<String> {
    let engine = MemoryEngine::new(root);
    let m = pollster::block_on(measure(
        &engine,
        &nno_obs_access::testing::operator(),
        &registry(),
        &Configs::new(),
        &NoJobLogs,
        None,
        ms(at),
        &Windows::default(),
    ))
    .unwrap();
    evaluate(&m, &Configs::new())
        .into_iter()
        .filter(|a| a.category == Category::AuthWorkerDown)
        .map(|a| a.id)
        .collect()
}

#[test]
fn only_the_real_outage_pages_at_the_issues_moments() {
    let dir = tempfile::tempdir().unwrap();
    write_day(dir.path());
    let root = dir.path();
    // Six moments: by day between the small platform's logins; the small one at night; the
    // new one before and after its first traffic; the busy one in and after its outage.
    let moments = [
        (DAY + 10 * HOUR + 20 * MINUTE, vec![]),
        (DAY + 12 * HOUR + 30 * MINUTE, vec![]),
        (DAY + 13 * HOUR + 50 * MINUTE, vec![]),
        (
            DAY + 14 * HOUR + 5 * MINUTE,
            vec!["auth-worker-down/k3m9p2xw7q/auth"],
        ),
        (DAY + 14 * HOUR + 30 * MINUTE, vec![]),
        (DAY + 23 * HOUR, vec![]),
    ];
    for (at, expected) in moments {
        assert_eq!(
            auth_down_at(root, at),
            expected,
            "at {}",
            format_datetime(at)
        );
    }
}

#[test]
fn the_outage_pages_once_and_holds_until_it_ends() {
    let dir = tempfile::tempdir().unwrap();
    write_day(dir.path());
    let engine = MemoryEngine::new(dir.path());
    let registry = registry();
    let setup = Replay {
        operator: &nno_obs_access::testing::operator(),
        registry: &registry,
        configs: &Configs::new(),
        jobs: &NoJobLogs,
        limits: None,
        windows: Windows::default(),
        policy: Policy::default(),
        step_ms: 60_000,
    };
    let episodes = pollster::block_on(replay(
        &engine,
        &setup,
        ms(DAY + 11 * HOUR),
        ms(DAY + 22 * HOUR),
        &mut |_, _| {},
    ))
    .unwrap();
    let rows: Vec<String> = episodes.iter().map(|e| e.row()).collect();
    assert_eq!(episodes.len(), 1, "{rows:#?}");
    let outage = &episodes[0];
    assert_eq!(outage.id, "auth-worker-down/k3m9p2xw7q/auth");
    // Silent from 14:00: two whole silent minutes at 14:02.
    assert_eq!(
        outage.fired_ms,
        ms(DAY + 14 * HOUR + 2 * MINUTE),
        "{rows:?}"
    );
    // Held through the silence, resolved after the hold-down once requests came back.
    let back = ms(DAY + 14 * HOUR + 10 * MINUTE);
    let resolved = outage.resolved_ms.unwrap();
    assert!(
        resolved > back && resolved <= back + Policy::default().hold_down_ms + 60_000,
        "{rows:?}"
    );
}

#[test]
fn a_long_outage_is_found_through_the_whole_lookback_and_holds() {
    // The busy platform silent from 14:00 to 17:00: at 16:59 its silence started three
    // hours ago, beyond the 15-minute lookback; the baseline is still the hour before 14:00.
    let dir = tempfile::tempdir().unwrap();
    let outage = (DAY + 14 * HOUR)..(DAY + 17 * HOUR);
    let busy: Vec<i64> = (12 * 60..18 * 60)
        .flat_map(|m| (0..20).map(move |k| DAY + m * MINUTE + k * 3))
        .filter(|t| !outage.contains(t))
        .collect();
    write_auth(dir.path(), BUSY, &busy);
    assert_eq!(
        auth_down_at(dir.path(), DAY + 16 * HOUR + 59 * MINUTE),
        ["auth-worker-down/k3m9p2xw7q/auth"]
    );
    assert!(auth_down_at(dir.path(), DAY + 17 * HOUR + 2 * MINUTE).is_empty());
}
