use nno_obs::{nno_handler, Obs};

#[nno_handler(service = "analytics", entity = "e1", entity = "e2")]
fn handler(req: http::Request<()>, obs: Obs) -> http::Response<()> {
    let _ = (req, obs);
    http::Response::new(())
}

fn main() {}
