use nno_obs::{nno_instrument, Obs};

#[nno_instrument(service = "Provisioning", level = "fatal", fields(missing, level = 1), bogus)]
fn step(obs: &Obs) {
    let _ = obs;
}

fn main() {}
