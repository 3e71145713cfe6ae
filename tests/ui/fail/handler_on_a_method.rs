use nno_obs::nno_handler;

struct Api;

impl Api {
    #[nno_handler(service = "analytics")]
    fn handler(&self, req: http::Request<()>) -> http::Response<()> {
        let _ = req;
        http::Response::new(())
    }
}

fn main() {}
