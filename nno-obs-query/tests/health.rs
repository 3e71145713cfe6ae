//! A Worker's light (seed §7.1) is never `ok` while it is silent: no request in the window's
//! last two minutes (seed §6.2's "Auth Worker down") reads `silent`, even when the window's
//! earlier minutes had plenty of traffic — the case a 15-minute window used to call `ok`.

use nno_obs_query::local::LocalEngine;
use nno_obs_query::questions::{Health, WorkerHealth};
use nno_obs_query::{Question, TimeRange};
use nno_obs_store::layout::PlatformId;
use std::path::Path;

/// 2026-02-22T10:00:00Z.
const TEN: i64 = 1_771_754_400;

/// One request of `worker` at `second` (Unix), 5xx or not.
fn row(second: i64, worker: &str, server_error: bool) -> String {
    let minute = (second - TEN) / 60;
    let second_of_minute = (second - TEN) % 60;
    format!(
        r#"{{"timestamp":"2026-02-22 10:{minute:02}:{second_of_minute:02}","index1":"{worker}","blob1":"{worker}","blob2":"GET /a","blob3":"200","blob4":"","double1":1,"double2":45,"double3":{},"_sample_interval":1}}"#,
        u8::from(server_error)
    )
}

/// Between 10:00 and 10:30: `auth` answers every 10 s until 10:27 (then nothing), `reports`
/// every 10 s throughout, `exports` every 10 s throughout with one 5xx in ten.
fn store(root: &Path) {
    let hour = root.join("analytics-engine/k3m9p2xw7q-perf/2026-02-22/10");
    std::fs::create_dir_all(&hour).unwrap();
    let mut rows = Vec::new();
    for second in (TEN..TEN + 1800).step_by(10) {
        if second < TEN + 27 * 60 {
            rows.push(row(second, "auth", false));
        }
        rows.push(row(second, "reports", false));
        rows.push(row(second, "exports", (second - TEN) % 100 == 0));
    }
    std::fs::write(hour.join("points-a.json"), rows.join("\n")).unwrap();
}

fn lights(root: &Path, until_s: i64, window_s: i64) -> Vec<(String, Health)> {
    let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
    let question = WorkerHealth::new(&scope, TimeRange::new(TEN, until_s).unwrap(), window_s);
    pollster::block_on(question.ask(&LocalEngine::new(root)))
        .unwrap()
        .into_iter()
        .map(|row| (row.worker, row.health))
        .collect()
}

#[test]
fn a_worker_quiet_for_the_last_two_minutes_is_silent_whatever_the_window() {
    let dir = tempfile::tempdir().unwrap();
    store(dir.path());
    // At 10:30, auth has been quiet for 3 minutes: silent over a 15-minute window (12 of
    // whose minutes had traffic) as over a 5-minute or a 3-minute one.
    for window_s in [900, 300, 180] {
        assert_eq!(
            lights(dir.path(), TEN + 1800, window_s),
            vec![
                ("auth".to_owned(), Health::Silent),
                ("exports".to_owned(), Health::Failing),
                ("reports".to_owned(), Health::Ok),
            ],
            "window {window_s} s"
        );
    }
    // At 10:28:30 auth has been quiet for 90 s, under the 2 minutes: still judged, ok.
    assert_eq!(
        lights(dir.path(), TEN + 28 * 60 + 30, 900)[0],
        ("auth".to_owned(), Health::Ok)
    );
}

#[test]
fn the_window_is_the_ranges_last_seconds_and_never_longer_than_the_range() {
    let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
    let half_hour = TimeRange::new(TEN, TEN + 1800).unwrap();
    assert_eq!(
        WorkerHealth::new(&scope, half_hour, 900).window(),
        (TEN + 900, TEN + 1800)
    );
    assert_eq!(
        WorkerHealth::new(&scope, half_hour, 7200).window(),
        (TEN, TEN + 1800)
    );
}
