//! The hello-world Worker with nno-obs and nothing else: its one handler under `#[nno_handler]`.
//!
//! Built exactly like `hello`, with the same responses, so that the difference between the two
//! (`.wasm` size, latency through workerd) is what nno-obs adds to a Worker: trace ids, the
//! `→ request` / `← response` lines, the request's span point, the perf point and the echoed
//! ids. `/api/data` is its declared route (endpoint `GET /api/data`); anything else is
//! `GET (unmatched)`.

use nno_obs::nno_handler;
use worker::{event, Context, Env, Request, Response, Result};

/// The same body as the hello and analytics Workers' `GET /api/data`.
const DATA: &str = r#"{"feature":"analytics","rows":[{"day":"2026-11-01","requests":1200,"errors":3},{"day":"2026-11-02","requests":1350,"errors":1},{"day":"2026-11-03","requests":990,"errors":0}]}"#;

#[nno_handler(service = "hello", feature = "hello-obs", routes("/api/data"))]
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
