use nno_obs::nno_handler;

#[nno_handler(service = "analytics")]
fn handler(req: http::Request<()>) -> &'static str {
    let _ = req;
    ""
}

fn main() {}
