use nno_obs::{nno_instrument, Obs};

#[nno_instrument(span, skip(secret), fields(job_id))]
fn step(obs: &Obs, job_id: &str, secret: &str) {
    let _ = (obs, job_id, secret);
}

fn main() {}
