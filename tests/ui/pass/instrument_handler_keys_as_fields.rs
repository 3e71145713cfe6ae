// The seed's "CF API call" row (debug: method, endpoint, status, durationMs) is a step whose
// fields include `method` and `status`: only the keys a step line carries itself (`step`,
// `durationMs`, `error`) are reserved for `#[nno_instrument]`.
use nno_obs::{nno_instrument, Obs};

#[nno_instrument(name = "cf-api-call", level = "debug", fields(method, endpoint, status))]
fn cf_api_call(obs: &Obs, method: &str, endpoint: &str, status: u16) -> u16 {
    let _ = (obs, method, endpoint);
    status
}

fn main() {
    let obs = Obs::detached(nno_obs::Telemetry::in_memory().0, "provisioning");
    let _ = cf_api_call(&obs, "POST", "/accounts/:id/d1/database", 200);
}
