use nno_obs::{nno_instrument, Obs};

#[nno_instrument(name = "")]
fn step(obs: &Obs) {
    let _ = obs;
}

fn main() {}
