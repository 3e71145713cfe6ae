use nno_obs::nno_handler;

#[nno_handler(service = "analytics")]
fn handler(req: String) -> http::Response<()> {
    let _ = req;
    http::Response::new(())
}

fn main() {}
