use nno_obs::nno_instrument;

#[nno_instrument(service = "provisioning")]
pub enum Step {
    CreateD1,
}

fn main() {}
