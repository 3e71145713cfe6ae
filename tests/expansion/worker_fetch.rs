#[nno_handler(service = "analytics", entity = env.var("TENANT")?.to_string())]
#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context, obs: Obs) -> Result<Response> {
    provision_step(&obs, "job-1").await?;
    Response::ok("done")
}
