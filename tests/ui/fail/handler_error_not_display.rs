use nno_obs::nno_handler;

#[derive(Debug)]
struct NotDisplay;

#[nno_handler(service = "gateway")]
fn handler(req: http::Request<()>) -> Result<http::Response<()>, NotDisplay> {
    let _ = req;
    Err(NotDisplay)
}

fn main() {}
