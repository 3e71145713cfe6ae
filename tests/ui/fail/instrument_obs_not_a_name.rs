use nno_obs::{nno_instrument, Obs};

#[nno_instrument(span, obs = "obs")]
fn step(obs: &Obs) {
    let _ = obs;
}

fn main() {}
