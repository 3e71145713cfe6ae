use nno_obs::{nno_instrument, Obs};

#[nno_instrument(service = "Stack_Registry")]
fn step(obs: &Obs) {
    let _ = obs;
}

fn main() {}
