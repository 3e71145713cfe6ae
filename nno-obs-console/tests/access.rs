//! Access on every page is the API's: each page route × caller (operator, the platform's
//! admin, another platform's admin, no session) gives the right status, and no page shows an
//! admin another platform's id.

mod support;

use support::*;

#[derive(Clone, Copy, Debug)]
enum Who {
    Operator,
    /// The admin of the fixture's first platform.
    Admin,
    /// The admin of the second.
    OtherAdmin,
    Nobody,
}

#[test]
fn every_page_answers_each_caller_as_the_api_would() {
    let api = api();
    let f = fixture();
    let (p, q) = (&f.platforms[0], &f.platforms[1]);
    let trace = a_trace_of(&api, p);
    // (target, operator, admin of p, admin of q, nobody)
    let routes: Vec<(String, [u16; 4])> = vec![
        ("/internal/observability".into(), [200, 403, 403, 401]),
        (
            "/internal/observability?range=7d".into(),
            [200, 403, 403, 401],
        ),
        ("/internal/observability/logs".into(), [200, 403, 403, 401]),
        (
            "/internal/observability/traces".into(),
            [200, 403, 403, 401],
        ),
        (
            format!("/internal/observability/traces/{trace}"),
            [200, 403, 403, 401],
        ),
        (
            "/internal/observability/nothing".into(),
            [404, 404, 404, 401],
        ),
        (
            format!("/platforms/{p}/observability"),
            [200, 200, 403, 401],
        ),
        (
            format!("/platforms/{p}/observability?range=1h"),
            [200, 200, 403, 401],
        ),
        (format!("/platforms/{p}/logs"), [200, 200, 403, 401]),
        // The alert message's link (seed §6.3) lands, for an id no line has too.
        (
            format!("/platforms/{p}/logs?traceId=tr_abc123"),
            [200, 200, 403, 401],
        ),
        (
            format!("/platforms/{p}/logs?traceId={trace}&level=info"),
            [200, 200, 403, 401],
        ),
        (
            format!("/platforms/{p}/observability/traces/{trace}"),
            [200, 200, 403, 401],
        ),
        (
            "/internal/observability/registry".into(),
            [200, 403, 403, 401],
        ),
        (
            "/internal/observability/provisioning".into(),
            [200, 403, 403, 401],
        ),
        (
            "/internal/observability/alerts".into(),
            [200, 403, 403, 401],
        ),
        (
            format!("/platforms/{p}/observability/features"),
            [200, 200, 403, 401],
        ),
        (
            format!("/platforms/{p}/observability/alerts"),
            [200, 200, 403, 401],
        ),
        (
            format!("/platforms/{p}/observability/audit"),
            [200, 200, 403, 401],
        ),
        (format!("/platforms/{p}/nothing"), [404, 404, 404, 401]),
        (
            "/platforms/NOT-AN-ID/observability".into(),
            [404, 404, 404, 401],
        ),
        (
            format!("/platforms/{p}/observability?range=5m"),
            [400, 400, 400, 401],
        ),
    ];
    let tokens = [
        (Who::Operator, Some(operator_token())),
        (Who::Admin, Some(admin_token(p))),
        (Who::OtherAdmin, Some(admin_token(q))),
        (Who::Nobody, None),
    ];
    for (target, expected) in &routes {
        for (i, (who, token)) in tokens.iter().enumerate() {
            let response = page(&api, target, token.as_deref());
            let text = body(&response);
            assert_eq!(
                response.status,
                expected[i],
                "{target} as {who:?}: {}",
                &text[..text.len().min(400)]
            );
            assert_eq!(
                response.header("content-type"),
                Some("text/html; charset=utf-8"),
                "{target} as {who:?}"
            );
            let own = match who {
                Who::Operator => continue,
                Who::Admin => Some(p),
                Who::OtherAdmin => Some(q),
                Who::Nobody => None,
            };
            for foreign in f.platforms.iter().filter(|id| Some(*id) != own) {
                assert!(
                    !text.contains(foreign.as_str()),
                    "{target} as {who:?} shows platform {foreign}"
                );
            }
        }
    }
}

#[test]
fn the_stylesheet_needs_no_session() {
    let response = page(&api(), nno_obs_console::STYLESHEET, None);
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("text/css; charset=utf-8")
    );
}

#[test]
fn pages_are_read_only() {
    let api = api();
    let request = nno_obs_api::http::Request {
        method: "POST",
        path: "/internal/observability",
        ..Default::default()
    };
    let response = pollster::block_on(nno_obs_console::Console::handle(&api, &request)).unwrap();
    assert_eq!(response.status, 405);
    assert_eq!(response.header("allow"), Some("GET, HEAD"));
}

#[test]
fn the_login_redirect_lands_on_a_page() {
    let api = api();
    let f = fixture();
    let login = page(
        &api,
        &format!("/login?token={}", admin_token(&f.platforms[0])),
        None,
    );
    assert_eq!(login.status, 303);
    let home = login.header("location").unwrap().to_owned();
    let landed = page(&api, &home, Some(&admin_token(&f.platforms[0])));
    assert_eq!(landed.status, 200, "{home}");
}

#[test]
fn a_bearer_header_works_as_the_cookie_does() {
    let api = api();
    let header = format!("Bearer {}", operator_token());
    let request = nno_obs_api::http::Request {
        method: "GET",
        path: "/internal/observability",
        authorization: Some(&header),
        ..Default::default()
    };
    let response = pollster::block_on(nno_obs_console::Console::handle(&api, &request)).unwrap();
    assert_eq!(response.status, 200);
}
