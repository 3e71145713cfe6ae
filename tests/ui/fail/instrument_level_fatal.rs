use nno_obs::{nno_instrument, Obs};

#[nno_instrument(level = "fatal")]
fn step(obs: &Obs) {
    let _ = obs;
}

fn main() {}
