use nno_obs::{nno_instrument, Obs};

#[nno_instrument(span, lines = 0)]
fn step(obs: &Obs) {
    let _ = obs;
}

fn main() {}
