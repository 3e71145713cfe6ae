use nno_obs::{nno_instrument, Obs};

#[nno_instrument(name = "create-d1", name = "create-r2")]
fn step(obs: &Obs, job_id: &str) {
    let _ = (obs, job_id);
}

fn main() {}
