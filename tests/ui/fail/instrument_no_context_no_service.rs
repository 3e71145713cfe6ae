use nno_obs::nno_instrument;

#[nno_instrument()]
fn step(count: u32) {
    let _ = count;
}

fn main() {}
