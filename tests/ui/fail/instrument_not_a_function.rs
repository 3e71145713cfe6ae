use nno_obs::{nno_instrument, Obs};

#[nno_instrument(span)]
struct Step {
    obs: Obs,
}

fn main() {}
