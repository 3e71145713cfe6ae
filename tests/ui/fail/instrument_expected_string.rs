use nno_obs::{nno_instrument, Obs};

#[nno_instrument(service = provisioning)]
fn step(obs: &Obs) {
    let _ = obs;
}

fn main() {}
