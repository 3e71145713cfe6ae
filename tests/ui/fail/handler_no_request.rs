use nno_obs::{nno_handler, Obs};

#[nno_handler(service = "analytics")]
fn handler(obs: Obs) -> http::Response<()> {
    let _ = obs;
    http::Response::new(())
}

fn main() {}
