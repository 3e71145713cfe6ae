use nno_obs::nno_instrument;

#[nno_instrument(span, obs = ctx)]
fn step(ctx: &str) {
    let _ = ctx;
}

fn main() {}
