//! Every route × every caller (`../shared/API.md`, "Callers and tokens"): the status, and in
//! every answer a platform admin gets, no other platform's id, no internal bucket, no core
//! service's span.

mod support;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{KeyInit, Mac};
use support::*;

/// A token with any header and claims, signed HS256 with `key`.
fn forged(header: &str, claims: &str, key: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(input.as_bytes());
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

fn exp() -> i64 {
    (NOW_MS / 1000) as i64 + 3600
}

/// Callers that must get 401 on every route but health.
fn unauthenticated_headers() -> Vec<(&'static str, Option<String>)> {
    let operator = operator_token();
    let mut tampered = operator.clone();
    // Flip the payload: the signature no longer verifies.
    let payload = URL_SAFE_NO_PAD.encode(format!(
        r#"{{"sub":"x","role":"operator","exp":{}}}"#,
        exp() + 1
    ));
    let parts: Vec<&str> = operator.split('.').collect();
    tampered = tampered.replace(parts[1], &payload);
    let claims = format!(r#"{{"sub":"x","role":"operator","exp":{}}}"#, exp());
    let none_token = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(&claims)
    );
    vec![
        ("no header", None),
        ("empty bearer", Some("Bearer ".to_owned())),
        ("basic scheme", Some("Basic b3BzOm9wcw==".to_owned())),
        ("not a JWS", Some("Bearer abc.def".to_owned())),
        (
            "expired",
            Some(format!(
                "Bearer {}",
                forged(
                    r#"{"alg":"HS256"}"#,
                    &format!(
                        r#"{{"sub":"x","role":"operator","exp":{}}}"#,
                        (NOW_MS / 1000) as i64 - 61
                    ),
                    SECRET
                )
            )),
        ),
        (
            "not yet valid",
            Some(format!(
                "Bearer {}",
                forged(
                    r#"{"alg":"HS256"}"#,
                    &format!(
                        r#"{{"sub":"x","role":"operator","exp":{},"nbf":{}}}"#,
                        exp(),
                        (NOW_MS / 1000) as i64 + 120
                    ),
                    SECRET
                )
            )),
        ),
        ("tampered", Some(format!("Bearer {tampered}"))),
        ("alg none", Some(format!("Bearer {none_token}"))),
        (
            "HS384 header",
            Some(format!(
                "Bearer {}",
                forged(r#"{"alg":"HS384"}"#, &claims, SECRET)
            )),
        ),
        (
            "RS256 header",
            Some(format!(
                "Bearer {}",
                forged(r#"{"alg":"RS256"}"#, &claims, SECRET)
            )),
        ),
        (
            "other key",
            Some(format!(
                "Bearer {}",
                forged(r#"{"alg":"HS256"}"#, &claims, b"other")
            )),
        ),
        (
            "unknown role",
            Some(format!(
                "Bearer {}",
                forged(
                    r#"{"alg":"HS256"}"#,
                    &format!(r#"{{"sub":"x","role":"admin","exp":{}}}"#, exp()),
                    SECRET
                )
            )),
        ),
        (
            "admin without platformId",
            Some(format!(
                "Bearer {}",
                forged(
                    r#"{"alg":"HS256"}"#,
                    &format!(r#"{{"sub":"x","role":"platform-admin","exp":{}}}"#, exp()),
                    SECRET
                )
            )),
        ),
        (
            "exp as text",
            Some(format!(
                "Bearer {}",
                forged(
                    r#"{"alg":"HS256"}"#,
                    &format!(r#"{{"sub":"x","role":"operator","exp":"{}"}}"#, exp()),
                    SECRET
                )
            )),
        ),
        (
            "no exp",
            Some(format!(
                "Bearer {}",
                forged(
                    r#"{"alg":"HS256"}"#,
                    r#"{"sub":"x","role":"operator"}"#,
                    SECRET
                )
            )),
        ),
    ]
}

/// A trace of platform `platform` (its first error line's), from the operator's log search.
fn a_trace_of(platform: &str) -> String {
    let api = api();
    let page = json(&get_as(
        &api,
        &format!("/api/observability/logs?platformId={platform}&limit=50"),
        &operator_token(),
    ));
    page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|e| e["traceId"].as_str())
        .expect("the platform has traced lines")
        .to_owned()
}

/// Every route, with the platform `a` where a route takes one.
fn routes(a: &str, trace: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "overview",
            format!(
                "/api/observability/overview?platformId={a}&range=1h&until=2026-02-22T12:00:00Z"
            ),
        ),
        (
            "features",
            format!(
                "/api/observability/features?platformId={a}&range=1h&until=2026-02-22T12:00:00Z"
            ),
        ),
        (
            "logs",
            format!("/api/observability/logs?platformId={a}&limit=20"),
        ),
        (
            "logs internal",
            "/api/observability/logs?limit=5".to_owned(),
        ),
        (
            "download",
            format!("/api/observability/logs/download?platformId={a}"),
        ),
        (
            "trace",
            format!("/api/observability/traces/{trace}?platformId={a}"),
        ),
        (
            "trace, no platform",
            format!("/api/observability/traces/{trace}"),
        ),
        (
            "fleet",
            "/api/observability/fleet?range=1h&until=2026-02-22T12:00:00Z".to_owned(),
        ),
        (
            "heatmap",
            "/api/observability/heatmap?range=1h&until=2026-02-22T12:00:00Z".to_owned(),
        ),
        (
            "provisioning",
            "/api/observability/provisioning?range=1h&until=2026-02-22T12:00:00Z".to_owned(),
        ),
        (
            "slo",
            format!("/api/observability/slo?platformId={a}&until=2026-02-22T12:00:00Z"),
        ),
        (
            "slo, all",
            "/api/observability/slo?until=2026-02-22T12:00:00Z".to_owned(),
        ),
        (
            "alerts",
            format!("/api/observability/alerts?platformId={a}"),
        ),
        ("alerts, all", "/api/observability/alerts".to_owned()),
    ]
}

#[test]
fn health_answers_anyone() {
    let response = get(&api(), "/api/observability/health", None);
    assert_eq!(
        (response.status, body(&response).as_str()),
        (200, r#"{"ok":true}"#)
    );
}

#[test]
fn every_route_refuses_every_unauthenticated_caller() {
    let f = fixture();
    let api = api();
    let trace = a_trace_of(&f.platforms[0]);
    for (route, target) in routes(&f.platforms[0], &trace) {
        for (who, header) in unauthenticated_headers() {
            let response = get(&api, &target, header.as_deref());
            assert_eq!(
                response.status,
                401,
                "{route} as {who}: {}",
                body(&response)
            );
            assert_eq!(code(&response), "unauthenticated", "{route} as {who}");
            // Nothing of the token is echoed.
            if let Some(h) = &header {
                let token = h.trim_start_matches("Bearer ");
                if token.len() > 8 {
                    assert!(
                        !body(&response).contains(token),
                        "{route} as {who} echoes the token"
                    );
                }
            }
        }
    }
}

#[test]
fn an_operator_sees_every_route() {
    let f = fixture();
    let api = api();
    let trace = a_trace_of(&f.platforms[0]);
    for (route, target) in routes(&f.platforms[0], &trace) {
        let response = get_as(&api, &target, &operator_token());
        assert_eq!(response.status, 200, "{route}: {}", body(&response));
        assert_eq!(
            response.header("content-type"),
            Some("application/json; charset=utf-8")
        );
    }
    // The operator's views hold every platform.
    let fleet = body(&get_as(
        &api,
        &routes(&f.platforms[0], &trace)[7].1,
        &operator_token(),
    ));
    for platform in &f.platforms {
        assert!(fleet.contains(platform.as_str()), "fleet lacks {platform}");
    }
    let alerts = json(&get_as(
        &api,
        "/api/observability/alerts",
        &operator_token(),
    ));
    let firing = alerts["firing"].as_array().unwrap();
    assert_eq!(firing.len(), 2);
    // The silenced one says by which silence and until when; the other has neither key.
    let silenced = |platform: &str| {
        firing
            .iter()
            .find(|a| a["platformId"] == platform)
            .map(|a| {
                (
                    a.get("silencedBy").cloned(),
                    a.get("silencedUntil").cloned(),
                )
            })
            .unwrap()
    };
    assert_eq!(silenced(&f.platforms[0]), (None, None));
    let (by, until) = silenced(&f.platforms[1]);
    assert_eq!(by.unwrap(), "s-0123456789ab");
    assert!(until.unwrap().as_str().unwrap().ends_with('Z'));
    assert!(firing.iter().all(|a| a.get("inhibitedBy").is_none()));
}

#[test]
fn a_platform_admin_sees_its_platform_and_nothing_else() {
    let f = fixture();
    let api = api();
    let (mine, others) = (&f.platforms[0], &f.platforms[1..]);
    let trace = a_trace_of(mine);
    let token = admin_token(mine);
    for (route, target) in routes(mine, &trace) {
        let response = get_as(&api, &target, &token);
        let text = body(&response);
        let expected = match route {
            "fleet" | "heatmap" | "provisioning" => 403,
            // An admin must name its platform.
            "logs internal" | "trace, no platform" | "slo, all" | "alerts, all" => 400,
            _ => 200,
        };
        assert_eq!(response.status, expected, "{route}: {text}");
        if expected == 200 {
            for other in others {
                assert!(
                    !text.contains(other.as_str()),
                    "{route} shows {other}: {text}"
                );
            }
            assert!(
                !text.contains("nno-logs-internal"),
                "{route} shows the internal bucket"
            );
            assert!(
                !text.contains("\"nno-internal\""),
                "{route} shows a core service's span"
            );
            assert!(
                !text.contains("nno-gateway-prod"),
                "{route} shows a core service's line"
            );
        }
    }
    // Its own answers are not empty: the checks above judged real data.
    let logs = json(&get_as(
        &api,
        &format!("/api/observability/logs?platformId={mine}&limit=20"),
        &token,
    ));
    assert_eq!(logs["entries"].as_array().unwrap().len(), 20);
    let alerts = json(&get_as(
        &api,
        &format!("/api/observability/alerts?platformId={mine}"),
        &token,
    ));
    assert_eq!(alerts["firing"].as_array().unwrap().len(), 1);
    let trace_view = json(&get_as(
        &api,
        &format!("/api/observability/traces/{trace}?platformId={mine}"),
        &token,
    ));
    assert!(!trace_view["logs"].as_array().unwrap().is_empty());
}

#[test]
fn a_platform_admin_asking_for_another_platform_gets_403_whether_it_exists_or_not() {
    let f = fixture();
    let api = api();
    let token = admin_token(&f.platforms[0]);
    let trace = a_trace_of(&f.platforms[1]);
    for other in [f.platforms[1].as_str(), "zzzzzzzzzz"] {
        for (route, target) in routes(other, &trace) {
            let response = get_as(&api, &target, &token);
            let expected = match route {
                "logs internal" | "trace, no platform" | "slo, all" | "alerts, all" => 400,
                _ => 403,
            };
            assert_eq!(
                response.status,
                expected,
                "{route} of {other}: {}",
                body(&response)
            );
            if expected == 403 {
                assert_eq!(code(&response), "forbidden");
                assert!(!body(&response).contains(other), "a 403 names the platform");
            }
        }
    }
}

#[test]
fn a_trace_with_no_part_in_the_admins_platform_is_404_like_an_unknown_one() {
    let f = fixture();
    let api = api();
    let mine = &f.platforms[0];
    let token = admin_token(mine);
    // A job trace of the provisioning service: core services only.
    let provisioning = json(&get_as(
        &api,
        "/api/observability/provisioning?range=1h&until=2026-02-22T12:00:00Z",
        &operator_token(),
    ));
    let job_trace = provisioning["failed"][0]["traceId"]
        .as_str()
        .expect("the simulated hour has a failed job")
        .to_owned();
    let core = get_as(
        &api,
        &format!("/api/observability/traces/{job_trace}?platformId={mine}"),
        &token,
    );
    let unknown = get_as(
        &api,
        &format!("/api/observability/traces/no-such-trace?platformId={mine}"),
        &token,
    );
    assert_eq!((core.status, unknown.status), (404, 404));
    assert_eq!(core.body, unknown.body);
    // The operator sees the job's whole trace.
    let whole = json(&get_as(
        &api,
        &format!("/api/observability/traces/{job_trace}"),
        &operator_token(),
    ));
    assert!(!whole["spans"].as_array().unwrap().is_empty());
    assert!(!whole["logs"].as_array().unwrap().is_empty());
}

#[test]
fn cursors_are_bound_to_caller_and_filters() {
    let f = fixture();
    let api = api();
    let (a, b) = (&f.platforms[0], &f.platforms[1]);
    let page = json(&get_as(
        &api,
        &format!("/api/observability/logs?platformId={a}&limit=5"),
        &operator_token(),
    ));
    let cursor = page["next"].as_str().expect("more than 5 lines").to_owned();
    let next = |caller: &str, query: String| {
        get_as(
            &api,
            &format!("/api/observability/logs?{query}&cursor={cursor}"),
            caller,
        )
    };
    // The same caller and filters go on.
    assert_eq!(
        next(&operator_token(), format!("platformId={a}&limit=5")).status,
        200
    );
    // The limit may change between pages.
    assert_eq!(
        next(&operator_token(), format!("platformId={a}&limit=7")).status,
        200
    );
    // Another platform, other filters, another role: bad_cursor (never a wider view).
    for (who, token, query) in [
        (
            "operator, other platform",
            operator_token(),
            format!("platformId={b}&limit=5"),
        ),
        (
            "operator, other filter",
            operator_token(),
            format!("platformId={a}&limit=5&level=warn"),
        ),
        (
            "admin of a",
            admin_token(a),
            format!("platformId={a}&limit=5"),
        ),
    ] {
        let response = next(&token, query);
        assert_eq!(
            (response.status, code(&response).as_str()),
            (400, "bad_cursor"),
            "{who}"
        );
    }
    // A forged cursor.
    let forged = get_as(
        &api,
        &format!("/api/observability/logs?platformId={a}&cursor=e30.AAAA"),
        &operator_token(),
    );
    assert_eq!(code(&forged), "bad_cursor");
}

#[test]
fn following_the_cursors_gives_every_entry_once() {
    let f = fixture();
    let api = api();
    let a = &f.platforms[0];
    let token = admin_token(a);
    let filter = format!("platformId={a}&level=warn&since=2h");
    let whole = json(&get_as(
        &api,
        &format!("/api/observability/logs?{filter}&limit=1000"),
        &token,
    ));
    let all: Vec<String> = whole["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert!(
        all.len() > 3,
        "enough warnings to page through: {}",
        all.len()
    );
    let mut paged = Vec::new();
    let mut cursor = String::new();
    loop {
        let target = format!("/api/observability/logs?{filter}&limit=2{cursor}");
        let page = json(&get_as(&api, &target, &token));
        paged.extend(
            page["entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e.to_string()),
        );
        match page["next"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(paged, all);
}

#[test]
fn download_links_serve_their_object_and_nothing_else() {
    let f = fixture();
    let api = api();
    let a = &f.platforms[0];
    let answer = json(&get_as(
        &api,
        &format!("/api/observability/logs/download?platformId={a}"),
        &admin_token(a),
    ));
    let files = answer["files"].as_array().unwrap();
    assert!(!files.is_empty());
    let url = files[0]["url"].as_str().unwrap().to_owned();
    // With no token.
    let object = get(&api, &url, None);
    assert_eq!(object.status, 200, "{}", body(&object));
    assert_eq!(object.header("content-type"), Some("application/gzip"));
    assert_eq!(
        object.body.len() as u64,
        files[0]["bytes"].as_u64().unwrap()
    );
    assert_eq!(&object.body[..2], &[0x1f, 0x8b], "a gzip stream");
    // Another bucket, another key, a later expiry, a changed signature: 403.
    let other_bucket = url.replace(
        &format!("nno%2Dlogs%2D{a}"),
        &format!("nno%2Dlogs%2D{}", f.platforms[1]),
    );
    let other_key = url.replacen("key=", "key=x", 1);
    let expires: String = url
        .split("expires=")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let later = url.replace(
        &format!("expires={expires}"),
        &format!("expires={}", expires.parse::<i64>().unwrap() + 3600),
    );
    let resigned = url.replacen("sig=", "sig=A", 1);
    for (what, target) in [
        ("bucket", other_bucket),
        ("key", other_key),
        ("expiry", later),
        ("signature", resigned),
    ] {
        assert_ne!(target, url, "{what} changed");
        let response = get(&api, &target, None);
        assert_eq!(
            (response.status, code(&response).as_str()),
            (403, "forbidden"),
            "{what}: {}",
            body(&response)
        );
    }
    // A late use: 403 expired.
    let late = nno_obs_api::Api::new(
        nno_obs_api::local::LocalBackend::new(&f.store)
            .with_clock(Box::new(|| NOW_MS + 16 * 60_000)),
        secret(),
    );
    let response = get(&late, &url, None);
    assert_eq!(
        (response.status, code(&response).as_str()),
        (403, "expired")
    );
}

#[test]
fn login_sets_the_session_cookie_and_sends_the_caller_home() {
    let f = fixture();
    let api = api();
    let token = admin_token(&f.platforms[0]);
    let response = get(&api, &format!("/login?token={token}"), None);
    assert_eq!(response.status, 303);
    assert_eq!(
        response.header("location"),
        Some(format!("/platforms/{}/observability", f.platforms[0]).as_str())
    );
    let cookie = response.header("set-cookie").unwrap();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && !cookie.contains("Secure")
    );
    // The cookie is accepted where the header is.
    let value = cookie.split(';').next().unwrap().to_owned();
    let overview = pollster::block_on(api.handle(&nno_obs_api::http::Request {
        method: "GET",
        path: "/api/observability/overview",
        query: &format!("platformId={}", f.platforms[0]),
        cookie: Some(&value),
        ..Default::default()
    }));
    assert_eq!(overview.status, 200);
    let operator = get(&api, &format!("/login?token={}", operator_token()), None);
    assert_eq!(operator.header("location"), Some("/internal/observability"));
    let bad = get(&api, "/login?token=abc", None);
    assert_eq!(bad.status, 401);
}

#[test]
fn methods_and_unknown_routes() {
    let api = api();
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        let response = pollster::block_on(api.handle(&nno_obs_api::http::Request {
            method,
            path: "/api/observability/fleet",
            ..Default::default()
        }));
        assert_eq!(
            (response.status, code(&response).as_str()),
            (405, "method_not_allowed"),
            "{method}"
        );
        assert_eq!(response.header("allow"), Some("GET, HEAD"));
    }
    for path in [
        "/api/observability/nothing",
        "/api/other",
        "/api/observability/traces/",
        "/api/observability/traces/a/b",
    ] {
        let response = get_as(&api, path, &operator_token());
        assert_eq!(
            (response.status, code(&response).as_str()),
            (404, "not_found"),
            "{path}"
        );
    }
}
