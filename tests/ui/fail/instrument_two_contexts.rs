use nno_obs::{nno_instrument, Obs};

#[nno_instrument(span)]
fn step(obs: &Obs, parent: &Obs) {
    let _ = (obs, parent);
}

fn main() {}
