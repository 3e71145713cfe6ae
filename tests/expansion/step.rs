#[nno_instrument(service = "provisioning", name = "create-d1", span, fields(job_id, count = items.len()))]
async fn create_d1(obs: &Obs, job_id: &str, items: &[u8]) -> Result<u32, StepError> {
    obs.info("creating database", &[]);
    let id = cloudflare::create_database(job_id).await?;
    Ok(id)
}
