use nno_obs::{nno_instrument, Obs};

#[nno_instrument(span, record(secret))]
fn step(obs: &Obs, secret: &str) {
    let _ = (obs, secret);
}

fn main() {}
