use nno_obs::{nno_instrument, Obs};

#[nno_instrument(fields = job_id)]
fn step(obs: &Obs, job_id: &str) {
    let _ = (obs, job_id);
}

fn main() {}
