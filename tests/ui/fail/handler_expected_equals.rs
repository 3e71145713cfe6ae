use nno_obs::nno_handler;

#[nno_handler(service = "analytics", route "/api/data/:id")]
fn handler(req: http::Request<()>) -> http::Response<()> {
    let _ = req;
    http::Response::new(())
}

fn main() {}
