use nno_obs::{nno_instrument, Obs};

struct Secret(String);

#[nno_instrument(fields(key, length = key.0.len()))]
fn step(obs: &Obs, key: Secret) {
    let _ = obs;
}

fn main() {}
