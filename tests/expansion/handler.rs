#[nno_handler(service = "analytics", feature = "analytics", route = "/api/data/:id")]
async fn get_data(req: http::Request<String>, obs: Obs) -> Result<http::Response<String>, ApiError> {
    obs.info("report built", fields! { rows: 42 });
    Ok(http::Response::new(req.into_body()))
}
