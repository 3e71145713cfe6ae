//! An uninstrumented hello-world Worker, built exactly like the analytics Worker: the baseline
//! of the size and latency figures in docs/workers.md.
//!
//! `GET /api/data` answers the same bytes as the analytics Worker's `GET /api/data`, without
//! nno-obs: no lines, no data points, no trace ids. Anything else answers `Hello, world!`.

use worker::{event, Context, Env, Request, Response, Result};

/// The same body as the analytics Worker's `GET /api/data`.
const DATA: &str = r#"{"feature":"analytics","rows":[{"day":"2026-11-01","requests":1200,"errors":3},{"day":"2026-11-02","requests":1350,"errors":1},{"day":"2026-11-03","requests":990,"errors":0}]}"#;

#[event(fetch)]
async fn fetch(req: Request, _env: Env, _ctx: Context) -> Result<Response> {
    if req.path() == "/api/data" {
        let mut response = Response::ok(DATA)?;
        response
            .headers_mut()
            .set("content-type", "application/json")?;
        Ok(response)
    } else {
        Response::ok("Hello, world!")
    }
}
