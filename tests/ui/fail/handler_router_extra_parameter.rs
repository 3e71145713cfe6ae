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

use worker::{Request, Response, Result, RouteContext};

#[nno_handler(service = "analytics", route = "/api/data/:id")]
fn handler(req: Request, ctx: RouteContext<()>, retries: u8) -> Result<Response> {
    let _ = (req, ctx, retries);
    Ok(Response)
}

fn main() {}
