//! A handler or step whose body is `Send` gives a `Send` future (tokio::spawn takes it); one
//! that holds an `Rc` across an await (wasm-style, single-threaded) still compiles.

use nno_obs::{nno_handler, nno_instrument, Obs};
use std::rc::Rc;

#[nno_instrument(span, fields(job_id))]
async fn send_step(obs: &Obs, job_id: &str) -> Result<(), String> {
    async {}.await;
    obs.info("send", &[]);
    Ok(())
}

#[nno_handler(service = "analytics")]
async fn send_handler(req: http::Request<String>, obs: Obs) -> http::Response<String> {
    send_step(&obs, "job-1").await.ok();
    http::Response::new(req.into_body())
}

#[nno_instrument(span)]
async fn local_step(obs: &Obs) -> Result<usize, String> {
    let shared = Rc::new(vec![1, 2, 3]);
    async {}.await;
    obs.info("local", &[]);
    Ok(shared.len())
}

#[nno_handler(service = "analytics")]
async fn local_handler(req: http::Request<String>, obs: Obs) -> http::Response<String> {
    let shared = Rc::new(String::from("wasm"));
    local_step(&obs).await.ok();
    http::Response::new(format!("{}{}", req.into_body(), shared))
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().build().unwrap();
    runtime.block_on(async {
        let handle = tokio::spawn(send_handler(http::Request::new(String::new())));
        handle.await.unwrap();
    });
    let _ = futures::executor::block_on(local_handler(http::Request::new(String::new())));
}
