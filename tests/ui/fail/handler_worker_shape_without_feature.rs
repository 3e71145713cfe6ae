use nno_obs::nno_handler;

// Stands for `worker::RouteContext`, which this crate (no `worker` feature) cannot name.
pub struct RouteContext<D>(D);

#[nno_handler(service = "analytics")]
fn handler(req: http::Request<()>, ctx: RouteContext<()>) -> http::Response<()> {
    let _ = (req, ctx.0);
    http::Response::new(())
}

fn main() {}
