use nno_obs::nno_handler;

#[nno_handler(service = "analytics")]
const HANDLER: u8 = 1;

fn main() {}
