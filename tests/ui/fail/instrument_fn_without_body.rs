use nno_obs::{nno_instrument, Obs};

trait Steps {
    #[nno_instrument(span)]
    fn step(&self, obs: &Obs);
}

fn main() {}
