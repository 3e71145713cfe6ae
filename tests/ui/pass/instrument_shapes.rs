//! Every function shape #[nno_instrument] supports.

use nno_obs::{nno_instrument, Obs};
use std::fmt;

#[derive(Debug)]
pub struct StepError;

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("step error")
    }
}

#[nno_instrument(service = "provisioning", span, fields(job_id))]
fn free_sync(obs: &Obs, job_id: &str) -> Result<(), StepError> {
    let _ = obs;
    Ok(())
}

#[nno_instrument(span, name = "create-d1", level = "debug", fields(job_id, count = items.len()))]
async fn free_async(obs: Obs, job_id: String, items: Vec<u8>) -> Result<usize, StepError> {
    Ok(items.len() + job_id.len() + obs.trace_id().len())
}

#[nno_instrument(span, obs = parent)]
fn named_context(parent: &Obs, other: u32) -> u32 {
    parent.info("named", &[]);
    other
}

#[nno_instrument(service = "jobs")]
fn without_context(count: u32) -> u32 {
    count + 1
}

#[nno_instrument(span, lines = false)]
fn span_only(obs: &Obs) {
    obs.info("inside", &[]);
}

#[nno_instrument(span)]
fn generic<'a, T: AsRef<str> + ?Sized, U>(obs: &Obs, text: &'a T, extra: impl Into<U>) -> &'a str
where
    U: Default,
{
    let _: U = extra.into();
    let _ = obs;
    text.as_ref()
}

#[nno_instrument]
fn returns_impl_trait(obs: &Obs) -> impl Iterator<Item = u8> {
    let _ = obs;
    vec![1u8, 2].into_iter()
}

#[nno_instrument(crate = "::nno_obs", fields("error.kind" = "none"))]
fn renamed_crate_path(obs: &Obs) -> Result<(), Box<dyn std::error::Error>> {
    let _ = obs;
    Ok(())
}

pub struct Job {
    id: String,
}

impl Job {
    #[nno_instrument(span, fields(job_id = self.id))]
    fn by_ref(&self, obs: &Obs) -> Result<(), StepError> {
        let _ = obs;
        Ok(())
    }

    #[nno_instrument(span)]
    fn by_mut(&mut self, obs: &Obs) {
        let _ = obs;
        self.id.push('!');
    }

    #[nno_instrument(span, fields(job_id = self.id.clone()))]
    async fn by_value(self, obs: &Obs) -> String {
        let _ = obs;
        self.id
    }
}

pub trait Step {
    fn run(&self, obs: &Obs) -> Result<u8, StepError>;
}

impl Step for Job {
    #[nno_instrument(span, name = "run-job")]
    fn run(&self, obs: &Obs) -> Result<u8, StepError> {
        let _ = obs;
        Ok(1)
    }
}

#[async_trait::async_trait]
pub trait AsyncStep {
    async fn go(&self, obs: &Obs, job_id: &str) -> Result<(), StepError>;
}

#[async_trait::async_trait]
impl AsyncStep for Job {
    #[nno_instrument(span, fields(job_id))]
    async fn go(&self, obs: &Obs, job_id: &str) -> Result<(), StepError> {
        let _ = (obs, &self.id);
        Ok(())
    }
}

/// `?Send` async-trait: a non-Send future (wasm-style) still compiles.
#[async_trait::async_trait(?Send)]
pub trait LocalStep {
    async fn local(&self, obs: &Obs) -> Result<(), StepError>;
}

#[async_trait::async_trait(?Send)]
impl LocalStep for Job {
    #[nno_instrument(span)]
    async fn local(&self, obs: &Obs) -> Result<(), StepError> {
        let rc = std::rc::Rc::new(1);
        async {}.await;
        let _ = (obs, rc);
        Ok(())
    }
}

fn assert_send<T: Send>(_: T) {}

fn main() {
    let obs = Obs::detached(nno_obs::Telemetry::in_memory().0, "test");
    let _ = free_sync(&obs, "job-1");
    assert_send(free_async(obs.clone(), String::new(), vec![]));
    let job = Job { id: String::new() };
    assert_send(job.go(&obs, "job-1"));
    let _ = named_context(&obs, 1);
    let _ = without_context(1);
    span_only(&obs);
    let _ = generic::<str, u8>(&obs, "x", 1u8);
    let _ = returns_impl_trait(&obs).count();
    let _ = renamed_crate_path(&obs);
    let _ = job.by_ref(&obs);
    let _ = job.run(&obs);
    let _ = job.local(&obs);
}
