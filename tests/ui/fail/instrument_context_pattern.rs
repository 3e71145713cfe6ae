use nno_obs::{nno_instrument, Obs};

#[nno_instrument(span, obs = obs)]
fn step((obs, attempt): (&Obs, u8)) {
    let _ = (obs, attempt);
}

fn main() {}
