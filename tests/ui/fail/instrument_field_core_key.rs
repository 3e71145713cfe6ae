use nno_obs::{nno_instrument, Obs};

#[nno_instrument(fields(trace_id))]
fn step(obs: &Obs, trace_id: &str) {
    let _ = (obs, trace_id);
}

fn main() {}
