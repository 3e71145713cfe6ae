use nno_obs::nno_handler;

#[nno_handler(service = "analytics")]
fn handler(req: http::Request<()>, ctx: String) -> http::Response<()> {
    let _ = (req, ctx);
    http::Response::new(())
}

fn main() {}
