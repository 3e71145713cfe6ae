use nno_obs::{nno_instrument, Obs};

#[nno_instrument(crate = "::nno_obs", crate = "::nno_obs")]
fn step(obs: &Obs, job_id: &str) {
    let _ = (obs, job_id);
}

fn main() {}
