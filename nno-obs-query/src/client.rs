//! The Analytics Engine SQL API client: `POST /accounts/{id}/analytics_engine/sql` with the SQL
//! as a `text/plain` body and `Authorization: Bearer {token}`, over `nno-obs-cloudflare`'s
//! [`Transport`]s (natively ureq with a timeout, in a Worker `fetch`)
//! (<https://developers.cloudflare.com/analytics/analytics-engine/sql-api/>).
//!
//! The statement gets ` FORMAT JSON`; the answer is ClickHouse's JSON format, `{"meta":
//! [{"name", "type"}], "data": [{column: value}], "rows": n, …}`, read into a [`SqlAnswer`] and,
//! for a [`Plan`], into the same [`Table`] the local evaluator gives (64-bit integers may come
//! quoted, `DateTime`s as text: [`crate::Value::from_json`] reads both).
//!
//! Errors are `nno_obs_cloudflare`'s typed [`Error`]s: a v4 envelope with `errors` (a bad
//! token) is [`Error::Api`]; any other error status (the SQL engine's plain-text complaint, a
//! proxy page) is [`Error::Http`] with the first 200 bytes; a 2xx that is not the JSON format
//! is [`Error::Decode`]; no answer in time is [`Error::Transport`]. Every text is passed
//! through [`Secret::redact`], so the token is never in a message.

use crate::dialect::Dialect;
use crate::error::QueryError;
use crate::plan::Plan;
use crate::table::Table;
use nno_obs_cloudflare::api::{self, ApiRequest, ApiResponse, Method};
use nno_obs_cloudflare::{Error, Secret, Transport};
use serde::Deserialize;

/// One column of [`SqlAnswer::meta`].
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Column {
    /// Its name (the alias).
    pub name: String,
    /// Its ClickHouse type, e.g. `UInt64`.
    #[serde(rename = "type", default)]
    pub ty: String,
}

/// A parsed answer of the SQL API.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct SqlAnswer {
    /// The columns.
    #[serde(default)]
    pub meta: Vec<Column>,
    /// The rows, keyed by column name.
    pub data: Vec<serde_json::Map<String, serde_json::Value>>,
    /// How many rows.
    #[serde(default)]
    pub rows: u64,
}

/// A client for one account's SQL API.
///
/// ```
/// use nno_obs_query::client::SqlApi;
/// use nno_obs_cloudflare::{NativeTransport, Secret};
///
/// let api = SqlApi::new(NativeTransport::cloudflare(), "0123456789abcdef0123456789abcdef", Secret::new("t"));
/// assert!(api.is_ok());
/// let bad = SqlApi::new(NativeTransport::cloudflare(), "../zones", Secret::new("t"));
/// assert!(bad.is_err());
/// ```
pub struct SqlApi<T> {
    transport: T,
    account_id: String,
    token: Secret,
    dialect: Dialect,
}

impl<T: Transport> SqlApi<T> {
    /// A client for account `account_id` (32 lowercase hex digits) with token `token`
    /// (Account Analytics: Read).
    pub fn new(transport: T, account_id: &str, token: Secret) -> Result<Self, Error> {
        if !api::is_valid_account_id(account_id) {
            return Err(Error::InvalidArgument {
                detail: "the account id must be 32 lowercase hex digits".to_owned(),
            });
        }
        Ok(Self {
            transport,
            account_id: account_id.to_owned(),
            token,
            dialect: Dialect::CLICKHOUSE,
        })
    }

    /// The same client writing plans in `dialect`'s spellings (the account's, found by
    /// `nno-obs cfae check`; ClickHouse's by default).
    ///
    /// ```
    /// use nno_obs_query::client::SqlApi;
    /// use nno_obs_query::dialect::{Dialect, Prefix};
    /// use nno_obs_cloudflare::{NativeTransport, Secret};
    ///
    /// let dialect = Dialect { prefix: Prefix::StartsWith, ..Dialect::CLICKHOUSE };
    /// let api = SqlApi::new(NativeTransport::cloudflare(), "0123456789abcdef0123456789abcdef", Secret::new("t"))
    ///     .unwrap()
    ///     .with_dialect(dialect);
    /// assert_eq!(api.dialect(), &dialect);
    /// ```
    pub fn with_dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = dialect;
        self
    }

    /// The spellings plans are written in.
    pub fn dialect(&self) -> &Dialect {
        &self.dialect
    }

    /// Sends `sql` (one statement, without `FORMAT`) and parses the JSON answer.
    pub async fn query(&self, sql: &str) -> Result<SqlAnswer, Error> {
        let request = ApiRequest {
            method: Method::Post,
            path: format!("/accounts/{}/analytics_engine/sql", self.account_id),
            body: Some(format!("{sql} FORMAT JSON").into_bytes()),
            content_type: Some("text/plain"),
        };
        let response = self
            .transport
            .send(request, &self.token)
            .await
            .map_err(|detail| Error::Transport {
                detail: self.token.redact(&detail),
            })?;
        parse(&response, &self.token)
    }

    /// Runs `plan` (in the client's dialect) and reads the answer as its [`Table`].
    pub async fn run(&self, plan: &Plan) -> Result<Table, QueryError> {
        let answer = self
            .query(&plan.sql_in(&self.dialect))
            .await
            .map_err(|error| QueryError::Engine {
                detail: error.to_string(),
            })?;
        Table::from_json_rows(plan, &answer.data)
    }
}

/// Reads a SQL API answer (see the module's error mapping).
///
/// ```
/// use nno_obs_cloudflare::{api::ApiResponse, Error, Secret};
/// use nno_obs_query::client::parse;
///
/// let ok = ApiResponse { status: 200, body: br#"{"meta":[{"name":"n","type":"UInt64"}],"data":[{"n":"3"}],"rows":1}"#.to_vec() };
/// assert_eq!(parse(&ok, &Secret::new("t")).unwrap().data[0]["n"], "3");
/// let refused = ApiResponse { status: 422, body: b"unknown function quantileWeighted".to_vec() };
/// assert!(matches!(parse(&refused, &Secret::new("t")), Err(Error::Http { status: 422, .. })));
/// ```
pub fn parse(response: &ApiResponse, token: &Secret) -> Result<SqlAnswer, Error> {
    if (200..300).contains(&response.status) {
        return serde_json::from_slice::<SqlAnswer>(&response.body).map_err(|error| {
            Error::Decode {
                detail: token.redact(&format!("not the SQL API's JSON format: {error}")),
            }
        });
    }
    // An error with a v4 envelope (authentication, permissions) names its errors.
    if let Err(error @ Error::Api { .. }) = api::parse::<serde_json::Value>(response, token) {
        if let Error::Api { errors, .. } = &error {
            if !errors.is_empty() {
                return Err(error);
            }
        }
    }
    let cut = &response.body[..response.body.len().min(200)];
    Err(Error::Http {
        status: response.status,
        excerpt: token.redact(&String::from_utf8_lossy(cut)),
    })
}

/// The SQL API as an [`crate::Engine`], over any transport: `fetch` in a Worker; natively the
/// blocking ureq transport, whose future completes on the thread that polls it
/// (`pollster::block_on` in the CLI).
impl<T: Transport> crate::Engine for SqlApi<T> {
    fn run<'a>(&'a self, plan: &'a Plan) -> crate::questions::TableFuture<'a> {
        Box::pin(SqlApi::run(self, plan))
    }
}
