//! The workers-rs handler shapes `#[nno_handler]` supports, compiled for wasm32 with the
//! `worker` feature by CI (`.ci/run`):
//!
//! ```sh
//! cargo build -p nno-obs --features worker --target wasm32-unknown-unknown --test worker_shapes
//! ```
//!
//! so that the Worker glue cannot silently stop matching what `#[nno_handler]` generates. It
//! only has to compile: the behaviour is tested natively, and `#[event(fetch)]` itself is
//! exercised by the Workers in `examples/workers`. Without the feature it is empty.

#![cfg(feature = "worker")]
// Nothing calls the handlers: the framework would.
#![allow(dead_code)]

use nno_obs::{nno_handler, nno_instrument, Obs};
use worker::{Context, Env, Request, Response, Result, RouteContext};

#[nno_handler(service = "analytics", feature = "analytics")]
async fn fetch(req: Request, env: Env, _ctx: Context, obs: Obs) -> Result<Response> {
    step(&obs, "job-1").await?;
    let _ = (req, env);
    Response::ok("done")
}

#[nno_handler(service = "analytics", route = "/api/data/:id")]
async fn fetch_without_context(req: Request, env: Env, ctx: Context) -> Result<Response> {
    let _ = (req, env, ctx);
    Response::ok("done")
}

#[nno_handler(service = "analytics", route = "/api/data/:id")]
fn route(req: Request, ctx: RouteContext<()>, obs: &Obs) -> Result<Response> {
    obs.info("route", &[]);
    let _ = (req, ctx.param("id"));
    Response::ok("done")
}

#[nno_handler(service = "analytics", entity = "r8n4t6y1z5")]
async fn route_async(req: Request, ctx: RouteContext<u8>) -> Result<Response> {
    let _ = (req, ctx.data);
    Response::error("nope", 404)
}

#[nno_instrument(service = "provisioning", span, fields(job_id))]
async fn step(obs: &Obs, job_id: &str) -> Result<()> {
    obs.info("working", &[]);
    Ok(())
}
