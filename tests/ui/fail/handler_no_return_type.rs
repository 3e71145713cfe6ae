use nno_obs::nno_handler;

#[nno_handler(service = "analytics")]
fn handler(req: http::Request<()>) {
    let _ = req;
}

fn main() {}
