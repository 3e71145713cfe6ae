use nno_obs::{nno_instrument, Obs};

#[nno_instrument(lines = false)]
fn step(obs: &Obs) {
    let _ = obs;
}

fn main() {}
