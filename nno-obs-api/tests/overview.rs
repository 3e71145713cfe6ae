//! `/overview`'s lights (seed §7.1) follow the CLI's `query health` rule: a Worker without a
//! request in the window's last 2 minutes (seed §6.2's "Auth Worker down") is `no_data`, never
//! `ok` on the strength of the window's earlier minutes.

mod support;

use support::{api, fixture, get, json, operator_token};

/// The light of `worker` on platform `platform`'s overview ending at `until`.
fn light(platform: &str, until: &str, worker: &str) -> String {
    let response = get(
        &api(),
        &format!("/api/observability/overview?platformId={platform}&range=1h&until={until}"),
        Some(&format!("Bearer {}", operator_token())),
    );
    assert_eq!(response.status, 200);
    let body = json(&response);
    body["workers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["feature"] == worker)
        .unwrap_or_else(|| panic!("no {worker} light: {body}"))["health"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn an_auth_worker_silent_for_the_last_three_minutes_is_no_data_not_ok() {
    // The fixture's schedule (seed 7): aztcvsy90g's auth Worker is silent 11:33–11:36.
    assert!(fixture().platforms.iter().any(|p| p == "aztcvsy90g"));
    // Before the silence: judged on its traffic.
    assert_eq!(light("aztcvsy90g", "2026-02-22T11:33:00Z", "auth"), "ok");
    // At 11:36 the 5-minute window (11:31–11:36) still has 2 minutes of traffic, but none in
    // its last 2: no_data.
    assert_eq!(
        light("aztcvsy90g", "2026-02-22T11:36:00Z", "auth"),
        "no_data"
    );
    // The other Workers answered throughout.
    assert_eq!(light("aztcvsy90g", "2026-02-22T11:36:00Z", "reports"), "ok");
}

/// `/overview`'s requests per hour are summed from its per-feature hours (one SQL statement
/// fewer): they must equal `RequestsPerHour` asked on its own, hour for hour, zeros included —
/// over a range that starts mid-hour and reaches past the data, so partial and empty hours are
/// in it.
#[test]
fn requests_per_hour_equal_the_question_asked_alone() {
    use nno_obs_query::questions::RequestsPerHour;
    use nno_obs_query::{Question, TimeRange};
    use nno_obs_store::layout::PlatformId;

    let f = fixture();
    let engine = nno_obs_query::local::LocalEngine::new(&f.store);
    let until_s = (support::UNTIL_MS / 1000) as i64 + 1800;
    for platform in &f.platforms {
        let response = get(
            &api(),
            &format!(
                "/api/observability/overview?platformId={platform}&range=3h&until=2026-02-22T12:30:00Z"
            ),
            Some(&format!("Bearer {}", operator_token())),
        );
        assert_eq!(response.status, 200);
        let body = json(&response);
        let scope = nno_obs_access::testing::platform(PlatformId::parse(platform).unwrap());
        let range = TimeRange::new(until_s - 3 * 3600, until_s).unwrap();
        let alone = pollster::block_on(RequestsPerHour::new(&scope, range).ask(&engine)).unwrap();
        let got: Vec<(String, u64)> = body["requestsPerHour"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["hour"].as_str().unwrap().to_owned(),
                    h["requests"].as_u64().unwrap(),
                )
            })
            .collect();
        let want: Vec<(String, u64)> = alone
            .iter()
            .map(|h| (nno_obs_api::time::format_s(h.hour), h.requests))
            .collect();
        assert_eq!(got.len(), 4, "3 h from 09:30: four hours overlap");
        assert!(got.iter().any(|(_, n)| *n > 0), "{body}");
        assert!(got.iter().any(|(_, n)| *n == 0), "{body}");
        assert_eq!(got, want, "{platform}");
    }
}
