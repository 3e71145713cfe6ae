use nno_obs::nno_handler;

#[nno_handler(service = "analytics")]
fn handler(req: http::Request<()>) -> String {
    let _ = req;
    String::new()
}

fn main() {}
