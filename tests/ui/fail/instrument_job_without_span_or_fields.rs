use nno_obs::{nno_instrument, Obs};

#[nno_instrument(job, fields(job_id))]
fn run_job(obs: &Obs, job_id: &str) {
    let _ = (obs, job_id);
}

fn main() {}
