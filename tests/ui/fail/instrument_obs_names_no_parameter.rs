use nno_obs::{nno_instrument, Obs};

#[nno_instrument(span, obs = ctx)]
fn step(obs: &Obs) {
    let _ = obs;
}

fn main() {}
