//! The console's tests run over the API's fixture (a simulated fleet of three platforms) and
//! ask pages as a browser does: with the `/login` session cookie.

#![allow(dead_code)]

#[path = "../../nno-obs-api/tests/support/mod.rs"]
mod api_support;

pub use api_support::*;
use nno_obs_api::http::{Request, Response};
use nno_obs_api::local::LocalBackend;
use nno_obs_api::Api;
use nno_obs_console::Console;

/// `GET target` with the session cookie of `token` (none: no session); the console's page,
/// or the API's answer when the path is no page (as `nno-obs serve` does).
pub fn page(api: &Api<LocalBackend>, target: &str, token: Option<&str>) -> Response {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let cookie = token.map(|t| format!("{}={t}", nno_obs_api::handlers::COOKIE));
    let request = Request {
        method: "GET",
        path,
        query,
        cookie: cookie.as_deref(),
        ..Request::default()
    };
    pollster::block_on(Console::serve(api, &request))
}

/// A trace with lines in `platform`, from the API's own log search.
pub fn a_trace_of(api: &Api<LocalBackend>, platform: &str) -> String {
    let logs = json(&get_as(
        api,
        &format!("/api/observability/logs?platformId={platform}&since=2h&limit=50"),
        &operator_token(),
    ));
    logs["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|e| e["traceId"].as_str())
        .expect("a line with a trace id")
        .to_owned()
}
