use nno_obs::nno_handler;

#[nno_handler(service = "analytics")]
const fn handler(req: http::Request<()>) -> http::Response<()> {
    let _ = req;
    unimplemented!()
}

fn main() {}
