use nno_obs::{nno_instrument, Obs};

#[nno_instrument(service = "provisioning")]
trait Steps {
    fn step(&self, obs: &Obs);
}

fn main() {}
