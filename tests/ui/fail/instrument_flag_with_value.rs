use nno_obs::{nno_instrument, Obs};

#[nno_instrument(span = true)]
fn step(obs: &Obs) {
    let _ = obs;
}

fn main() {}
