use nno_obs::{nno_instrument, Obs};

#[nno_instrument(fields("" = 1))]
fn step(obs: &Obs) {
    let _ = obs;
}

fn main() {}
