use nno_obs::{nno_instrument, Obs};

#[nno_instrument()]
const fn step(obs: &Obs) {
    let _ = obs;
}

fn main() {}
