use nno_obs::{nno_instrument, Obs};

#[nno_instrument(span)]
fn step(obs: &Obs) -> Result<u32, String> {
    let _ = obs;
    Ok("not a number")
}

fn main() {}
