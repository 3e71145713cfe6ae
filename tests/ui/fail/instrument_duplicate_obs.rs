use nno_obs::{nno_instrument, Obs};

#[nno_instrument(span, obs = obs, obs = obs)]
fn step(obs: &Obs, job_id: &str) {
    let _ = (obs, job_id);
}

fn main() {}
