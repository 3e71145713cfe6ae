#[nno_handler(service = "analytics", route = "/api/jobs")]
async fn create_job(req: Request, ctx: RouteContext<()>, obs: Obs) -> Result<Response> {
    provision_step(&obs, "job-1").await?;
    Response::ok("created")
}
