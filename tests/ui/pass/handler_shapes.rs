//! Every native handler shape #[nno_handler] supports (the workers-rs shapes are compiled for
//! wasm32 with `--features worker` by `nno-obs/tests/worker_shapes.rs`).

use nno_obs::{nno_handler, Obs};
use std::fmt;

#[derive(Debug)]
pub struct ApiError;

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("api error")
    }
}

#[nno_handler(service = "analytics")]
fn sync_plain(req: http::Request<()>) -> http::Response<()> {
    let _ = req;
    http::Response::new(())
}

#[nno_handler(service = "analytics", feature = "reports", route = "/api/reports/:id")]
fn sync_result(req: http::Request<Vec<u8>>, obs: Obs) -> Result<http::Response<Vec<u8>>, ApiError> {
    obs.info("report", &[]);
    Ok(http::Response::new(req.into_body()))
}

#[nno_handler(service = "analytics", platform = "k3m9p2xw7q", entity = String::from("r8n4t6y1z5"))]
async fn async_plain(obs: &Obs, mut req: http::Request<String>) -> http::Response<String> {
    req.body_mut().push('!');
    obs.info("async", &[]);
    http::Response::new(req.into_body())
}

#[nno_handler(service = "analytics")]
async fn async_result(_: http::Request<String>, _obs: Obs) -> Result<http::Response<String>, Box<dyn std::error::Error + Send + Sync>> {
    Ok(http::Response::new(String::new()))
}

#[nno_handler(service = "analytics")]
pub(crate) async fn early_return(req: http::Request<String>) -> Result<http::Response<String>, ApiError> {
    if req.body().is_empty() {
        return Err(ApiError);
    }
    let value: u8 = req.body().parse().map_err(|_| ApiError)?;
    Ok(http::Response::new(value.to_string()))
}

/// Generic over the body.
#[nno_handler(service = "analytics")]
fn generic<B: Default>(req: http::Request<B>) -> http::Response<B> {
    let _ = req;
    http::Response::new(B::default())
}

fn main() {
    let _ = sync_plain(http::Request::new(()));
    let _ = sync_result(http::Request::new(vec![]));
    let _ = async_plain(http::Request::new(String::new()));
    let _ = async_result(http::Request::new(String::new()));
    let _ = early_return(http::Request::new(String::new()));
    let _ = generic(http::Request::new(0u8));
}
