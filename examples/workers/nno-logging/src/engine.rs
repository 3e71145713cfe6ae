//! The metrics engine: Analytics Engine's SQL API (`nno_obs_query::client::SqlApi`) over the
//! Worker's `fetch`, with the account id `CF_ACCOUNT_ID` and the read token
//! `CF_ANALYTICS_READ_TOKEN` (permission Account Analytics: Read). That token is not seed
//! §10's `CF_API_TOKEN` (Logpush: Edit, for provisioning): the read API never holds a token
//! that can change Logpush jobs.
//!
//! The SQL is written in the account's dialect: the var `CFAE_DIALECT` holds the JSON that
//! `nno-obs cfae check --write FILE` wrote (ClickHouse's spellings without it). A var that is
//! not a dialect makes every metrics question fail with why (the API's 503), never a guess.

use nno_obs_cloudflare::{Secret, WorkerTransport};
use nno_obs_query::client::SqlApi;
use nno_obs_query::dialect::Dialect;
use nno_obs_query::questions::TableFuture;
use nno_obs_query::{Engine, Plan, QueryError};
use worker::Env;

/// The account id (a secret in seed §10; a plain var works too).
pub const ACCOUNT_ID: &str = "CF_ACCOUNT_ID";
/// The SQL API token (Account Analytics: Read).
pub const READ_TOKEN: &str = "CF_ANALYTICS_READ_TOKEN";
/// The account's SQL dialect (a var: `nno-obs cfae check --write FILE`'s JSON).
pub const DIALECT: &str = "CFAE_DIALECT";

/// The SQL API engine of `env`, or one that answers every question with an engine error (the
/// API's 503) when the account id or token is missing or malformed.
pub fn from_env(env: &Env) -> Box<dyn Engine> {
    let account = env
        .secret(ACCOUNT_ID)
        .map(|s| s.to_string())
        .or_else(|_| env.var(ACCOUNT_ID).map(|v| v.to_string()));
    let token = env.secret(READ_TOKEN).map(|s| s.to_string());
    let dialect = match env.var(DIALECT) {
        Ok(json) => match Dialect::from_json(&json.to_string()) {
            Ok(dialect) => dialect,
            Err(_) => return Box::new(Unconfigured("CFAE_DIALECT is not a dialect")),
        },
        Err(_) => Dialect::CLICKHOUSE,
    };
    match (account, token) {
        (Ok(account), Ok(token)) => {
            match SqlApi::new(WorkerTransport::cloudflare(), &account, Secret::new(token)) {
                Ok(api) => Box::new(api.with_dialect(dialect)),
                Err(_) => Box::new(Unconfigured("CF_ACCOUNT_ID is not an account id")),
            }
        }
        _ => Box::new(Unconfigured(
            "CF_ACCOUNT_ID and CF_ANALYTICS_READ_TOKEN must be set",
        )),
    }
}

/// An engine that cannot run: every plan fails with why.
struct Unconfigured(&'static str);

impl Engine for Unconfigured {
    fn run<'a>(&'a self, _plan: &'a Plan) -> TableFuture<'a> {
        let detail = self.0.to_owned();
        Box::pin(async move { Err(QueryError::Engine { detail }) })
    }
}
