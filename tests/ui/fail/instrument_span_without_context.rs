use nno_obs::nno_instrument;

#[nno_instrument(service = "provisioning", span)]
fn step(job_id: &str) {
    let _ = job_id;
}

fn main() {}
