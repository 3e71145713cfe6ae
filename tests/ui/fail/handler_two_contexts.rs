use nno_obs::{nno_handler, Obs};

#[nno_handler(service = "analytics")]
fn handler(req: http::Request<()>, obs: Obs, other: &Obs) -> http::Response<()> {
    let _ = (req, obs, other);
    http::Response::new(())
}

fn main() {}
