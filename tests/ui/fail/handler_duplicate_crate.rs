use nno_obs::{nno_handler, Obs};

#[nno_handler(service = "analytics", crate = "::nno_obs", crate = "::nno_obs")]
fn handler(req: http::Request<()>, obs: Obs) -> http::Response<()> {
    let _ = (req, obs);
    http::Response::new(())
}

fn main() {}
