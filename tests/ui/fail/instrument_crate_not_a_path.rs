use nno_obs::{nno_instrument, Obs};

#[nno_instrument(crate = "not a path")]
fn step(obs: &Obs) {
    let _ = obs;
}

fn main() {}
