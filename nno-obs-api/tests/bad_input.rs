//! Every parameter of every route given hostile values: a 400 that names the parameter, or —
//! for a free-text filter, where any text is a valid question — a normal answer; never a 5xx.

mod support;

use support::*;

const TEN_KB: usize = 10 * 1024;

/// The hostile values, percent-encoded as a client would send them.
fn hostile() -> Vec<(&'static str, String)> {
    vec![
        ("sql quote", "%27%20OR%20%271%27%3D%271".to_owned()),
        ("like metacharacters", "%25_%5C".to_owned()),
        ("path traversal", "..%2F..%2Fetc%2Fpasswd".to_owned()),
        ("10 KB", "a".repeat(TEN_KB)),
        ("invalid UTF-8", "%FF%FE".to_owned()),
        ("negative", "-1".to_owned()),
        ("huge number", "99999999999999999999999".to_owned()),
        ("zero", "0".to_owned()),
        ("empty", String::new()),
        ("control characters", "a%0D%0Ab%00".to_owned()),
    ]
}

/// A route: its name, its path, and its parameters, each with whether it is free text.
type RouteParams = (&'static str, &'static str, Vec<(&'static str, bool)>);

/// Routes, with the parameters each takes and whether a parameter is free text.
fn routes() -> Vec<RouteParams> {
    let log_filters = vec![
        ("platformId", false),
        ("from", false),
        ("to", false),
        ("since", false),
        ("feature", true),
        ("service", true),
        ("level", false),
        ("traceId", true),
        ("userId", true),
        ("text", true),
    ];
    let mut logs = log_filters.clone();
    logs.extend([("limit", false), ("cursor", false)]);
    vec![
        (
            "overview",
            "/api/observability/overview",
            vec![("platformId", false), ("range", false), ("until", false)],
        ),
        (
            "features",
            "/api/observability/features",
            vec![("platformId", false), ("range", false), ("until", false)],
        ),
        ("logs", "/api/observability/logs", logs),
        ("download", "/api/observability/logs/download", log_filters),
        (
            "fleet",
            "/api/observability/fleet",
            vec![("range", false), ("until", false)],
        ),
        (
            "heatmap",
            "/api/observability/heatmap",
            vec![("range", false), ("until", false), ("bucket", false)],
        ),
        (
            "provisioning",
            "/api/observability/provisioning",
            vec![("range", false), ("until", false)],
        ),
        (
            "slo",
            "/api/observability/slo",
            vec![("platformId", false), ("until", false)],
        ),
        (
            "alerts",
            "/api/observability/alerts",
            vec![("platformId", false)],
        ),
    ]
}

/// The other parameters a route needs to reach the one under test.
fn base(route: &str, param: &str, a: &str) -> String {
    let needs_platform = matches!(route, "overview" | "features");
    let mut parts = Vec::new();
    if needs_platform && param != "platformId" {
        parts.push(format!("platformId={a}"));
    }
    if matches!(
        route,
        "overview" | "features" | "fleet" | "heatmap" | "provisioning"
    ) && param != "range"
        && param != "until"
    {
        parts.push("range=1h".to_owned());
    }
    parts.join("&")
}

#[test]
fn every_parameter_refuses_hostile_values_by_name_and_never_fails() {
    let f = fixture();
    let api = api();
    let token = operator_token();
    let mut checked = 0;
    for (route, path, params) in routes() {
        for (param, free_text) in &params {
            for (what, value) in hostile() {
                let mut query = base(route, param, &f.platforms[0]);
                if !query.is_empty() {
                    query.push('&');
                }
                query.push_str(&format!("{param}={value}"));
                let response = get_as(&api, &format!("{path}?{query}"), &token);
                let text = body(&response);
                assert!(
                    response.status < 500,
                    "{route} {param}={what}: {} {text}",
                    response.status
                );
                let valid_text = *free_text && !matches!(what, "10 KB" | "invalid UTF-8" | "empty");
                if valid_text {
                    assert_eq!(response.status, 200, "{route} {param}={what}: {text}");
                    continue;
                }
                assert_eq!(response.status, 400, "{route} {param}={what}: {text}");
                let message = json(&response)["error"]["message"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned();
                assert!(
                    message.starts_with(&format!("{param}:")),
                    "{route} {param}={what}: {message}"
                );
                // The value is not echoed (a 10 KB value, a token in a cursor).
                assert!(
                    !message.contains(&"a".repeat(100)),
                    "{route} {param}: echoes the value"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 200, "{checked} refusals checked");
}

#[test]
fn unknown_and_repeated_parameters_are_refused_by_name() {
    let f = fixture();
    let api = api();
    let token = operator_token();
    let a = &f.platforms[0];
    let unknown = get_as(
        &api,
        &format!("/api/observability/overview?platformId={a}&rnage=1h"),
        &token,
    );
    assert_eq!(unknown.status, 400);
    assert_eq!(
        json(&unknown)["error"]["message"],
        "rnage: not a parameter of this route"
    );
    let repeated = get_as(
        &api,
        &format!("/api/observability/overview?platformId={a}&platformId=aaaaaaaaaa"),
        &token,
    );
    assert_eq!(
        json(&repeated)["error"]["message"],
        "platformId: given more than once"
    );
    // A platform route without its platform.
    let missing = get_as(&api, "/api/observability/features?range=1h", &token);
    assert_eq!(json(&missing)["error"]["message"], "platformId: required");
}

#[test]
fn ranges_are_checked_against_the_contract() {
    let f = fixture();
    let api = api();
    let token = operator_token();
    let a = &f.platforms[0];
    let status = |query: &str| {
        get_as(
            &api,
            &format!("/api/observability/features?platformId={a}&{query}"),
            &token,
        )
        .status
    };
    assert_eq!(status("range=1m"), 200);
    assert_eq!(status("range=90d"), 200);
    assert_eq!(status("range=59s"), 400);
    assert_eq!(status("range=91d"), 400);
    assert_eq!(status("range=0s"), 400);
    assert_eq!(status("until=2026-02-22T12:00:00%2B01:00"), 200);
    let logs = |query: &str| {
        get_as(
            &api,
            &format!("/api/observability/logs?platformId={a}&{query}"),
            &token,
        )
    };
    let reversed = logs("from=2026-02-22T12:00:00Z&to=2026-02-22T11:00:00Z");
    assert_eq!(
        json(&reversed)["error"]["message"],
        "to: must be after from"
    );
    let both = logs("from=2026-02-22T11:00:00Z&since=1h");
    assert_eq!(
        json(&both)["error"]["message"],
        "since: give since or from, not both"
    );
    assert_eq!(logs("limit=1000").status, 200);
    assert_eq!(logs("limit=1001").status, 400);
}

#[test]
fn hostile_trace_ids_never_reach_a_query() {
    let api = api();
    let token = operator_token();
    for id in ["%27%20OR%201%3D1", "..%2F..%2Fetc", "a%00b", "a b", "%FF"] {
        let response = get_as(&api, &format!("/api/observability/traces/{id}"), &token);
        assert_eq!(response.status, 404, "{id}: {}", body(&response));
    }
    let long = "a".repeat(129);
    assert_eq!(
        get_as(&api, &format!("/api/observability/traces/{long}"), &token).status,
        404
    );
}
