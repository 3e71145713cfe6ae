#[nno_instrument(level = "debug", fields(platform_id))]
fn fetch_manifest(obs: Obs, platform_id: &str) -> usize {
    obs.debug("reading", &[]);
    3
}
