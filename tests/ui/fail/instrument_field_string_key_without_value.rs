use nno_obs::{nno_instrument, Obs};

#[nno_instrument(fields("error.kind"))]
fn step(obs: &Obs) {
    let _ = obs;
}

fn main() {}
