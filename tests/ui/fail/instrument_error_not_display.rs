use nno_obs::{nno_instrument, Obs};

#[derive(Debug)]
struct StepError;

#[nno_instrument(span)]
fn step(obs: &Obs) -> Result<(), StepError> {
    let _ = obs;
    Ok(())
}

fn main() {}
