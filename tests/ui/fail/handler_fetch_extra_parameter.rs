use nno_obs::nno_handler;

// Stand-ins for the workers-rs types: the shape is recognised from the names alone.
mod worker {
    pub struct Request;
    pub struct Env;
    pub struct Context;
    pub struct RouteContext<D>(pub D);
    pub struct Response;
    pub type Result<T> = std::result::Result<T, ()>;
}

use worker::{Context, Env, Request, Response, Result};

#[nno_handler(service = "analytics")]
async fn fetch(req: Request, env: Env, ctx: Context, retries: u8) -> Result<Response> {
    let _ = (req, env, ctx, retries);
    Ok(Response)
}

fn main() {}
