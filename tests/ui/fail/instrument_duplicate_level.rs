use nno_obs::{nno_instrument, Obs};

#[nno_instrument(level = "info", level = "debug")]
fn step(obs: &Obs, job_id: &str) {
    let _ = (obs, job_id);
}

fn main() {}
