use nno_obs::{nno_instrument, Obs};

#[nno_instrument(fields(duration_ms = 5))]
fn step(obs: &Obs) {
    let _ = obs;
}

fn main() {}
