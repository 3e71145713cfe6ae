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
//!
//! **A dataset never written.** Analytics Engine creates a dataset's table when a Worker first
//! writes to it (the SQL reference's `SHOW TABLES`), so a provisioned platform with no points
//! yet has no `{platformId}-perf` to read, and the SQL API refuses a statement naming it. Its
//! exact answer is not documented (Cloudflare's API schema documents 422 with a plain-text
//! `Input was invalid: …` for statements that fail validation, e.g. an unknown column), so the
//! message text is not what is recognised: when a plan's statement is refused (400 or 422),
//! [`SqlApi::run`] asks `SHOW TABLES`, and a dataset the account does not list is answered
//! as what it holds — no rows ([`Table::empty`]), not an error. A dataset that is listed, or a
//! listing that fails, keeps the statement's own error.

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

    /// Runs `plan` (in the client's dialect) and reads the answer as its [`Table`]; a refused
    /// statement on a dataset the account does not have yet is no rows (see the module docs).
    pub async fn run(&self, plan: &Plan) -> Result<Table, QueryError> {
        let engine_error = |error: Error| QueryError::Engine {
            detail: error.to_string(),
        };
        match self.query(&plan.sql_in(&self.dialect)).await {
            Ok(answer) => Table::from_json_rows(plan, &answer.data),
            Err(error) if is_refusal(&error) => {
                match self.has_dataset(&plan.dataset().name()).await {
                    Some(false) => Ok(Table::empty(plan)),
                    Some(true) | None => Err(engine_error(error)),
                }
            }
            Err(error) => Err(engine_error(error)),
        }
    }

    /// Whether the account lists `dataset` in `SHOW TABLES`; `None` when the listing fails.
    async fn has_dataset(&self, dataset: &str) -> Option<bool> {
        let tables = self.query("SHOW TABLES").await.ok()?;
        Some(lists_dataset(&tables, dataset))
    }
}

/// Whether an error is the SQL API refusing the statement (400 or 422, as `nno-obs cfae check`
/// counts refusals), not a failure to answer.
fn is_refusal(error: &Error) -> bool {
    matches!(
        error,
        Error::Http {
            status: 400 | 422,
            ..
        }
    )
}

/// Whether a `SHOW TABLES` answer lists `dataset`. The reference does not name the answer's
/// column (ClickHouse's is `name`), so any string value of a row that equals the name counts.
///
/// ```
/// use nno_obs_query::client::{lists_dataset, SqlAnswer};
///
/// let tables: SqlAnswer = serde_json::from_str(
///     r#"{"meta":[{"name":"name","type":"String"}],"data":[{"name":"nno-core-ops"}],"rows":1}"#,
/// ).unwrap();
/// assert!(lists_dataset(&tables, "nno-core-ops"));
/// assert!(!lists_dataset(&tables, "k3m9p2xw7q-perf"));
/// ```
pub fn lists_dataset(tables: &SqlAnswer, dataset: &str) -> bool {
    tables
        .data
        .iter()
        .any(|row| row.values().any(|value| value.as_str() == Some(dataset)))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questions::{Question, RequestsPerHour};
    use crate::TimeRange;
    use nno_obs_store::layout::PlatformId;
    use std::cell::RefCell;

    /// A canned SQL API: `select` answers every statement but `SHOW TABLES`, which `tables`
    /// answers (no answer at all when `None`); the statements sent are kept.
    struct Canned {
        select: ApiResponse,
        tables: Option<ApiResponse>,
        sent: RefCell<Vec<String>>,
    }

    impl Transport for Canned {
        async fn send(&self, request: ApiRequest, _token: &Secret) -> Result<ApiResponse, String> {
            let body = String::from_utf8(request.body.unwrap_or_default()).unwrap_or_default();
            self.sent.borrow_mut().push(body.clone());
            if body.starts_with("SHOW TABLES") {
                self.tables.clone().ok_or_else(|| "timed out".to_owned())
            } else {
                Ok(self.select.clone())
            }
        }
    }

    fn text(status: u16, body: &str) -> ApiResponse {
        ApiResponse {
            status,
            body: body.as_bytes().to_vec(),
        }
    }

    /// The SQL API's refusal of a statement (Cloudflare's API schema: 422, plain text).
    fn refused() -> ApiResponse {
        text(
            422,
            "Input was invalid: unknown table k3m9p2xw7q-perf (canned: the real text is not documented)",
        )
    }

    /// `SHOW TABLES` of an account with the core datasets and `extra`.
    fn tables(extra: &[&str]) -> ApiResponse {
        let mut names = vec!["nno-core-ops", "nno-core-ops-spans"];
        names.extend_from_slice(extra);
        let data: Vec<serde_json::Value> = names
            .iter()
            .map(|name| serde_json::json!({ "name": name }))
            .collect();
        let body = serde_json::json!({
            "meta": [{"name": "name", "type": "String"}],
            "data": data,
            "rows": names.len(),
        });
        text(200, &body.to_string())
    }

    /// A platform question's plan: it reads `k3m9p2xw7q-perf`.
    fn plan() -> Plan {
        let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
        let question = RequestsPerHour::new(&scope, TimeRange::new(0, 7200).unwrap());
        question.plans().remove(0)
    }

    fn run(
        select: ApiResponse,
        tables: Option<ApiResponse>,
    ) -> (Result<Table, QueryError>, Vec<String>) {
        let transport = Canned {
            select,
            tables,
            sent: RefCell::new(Vec::new()),
        };
        let api = SqlApi::new(
            transport,
            "0123456789abcdef0123456789abcdef",
            Secret::new("analytics-read-t0ken"),
        )
        .unwrap();
        let plan = plan();
        let result = pollster::block_on(api.run(&plan));
        (result, api.transport.sent.take())
    }

    #[test]
    fn a_refused_statement_on_a_dataset_never_written_is_no_rows() {
        let (result, sent) = run(refused(), Some(tables(&[])));
        let table = result.unwrap();
        assert_eq!(table, Table::empty(&plan()));
        assert!(table.rows.is_empty());
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[1], "SHOW TABLES FORMAT JSON");
    }

    #[test]
    fn a_refused_statement_on_a_listed_dataset_stays_an_error() {
        // The dataset exists: the refusal is about the statement (a form the account lacks).
        let (result, _) = run(refused(), Some(tables(&["k3m9p2xw7q-perf"])));
        let error = result.unwrap_err().to_string();
        assert!(
            error.contains("422") && error.contains("Input was invalid"),
            "{error}"
        );
    }

    #[test]
    fn a_refusal_is_kept_when_the_listing_fails() {
        for listing in [
            None,
            Some(text(403, "Authorization error")),
            Some(text(200, "not json")),
        ] {
            let (result, _) = run(refused(), listing);
            assert!(result
                .unwrap_err()
                .to_string()
                .contains("Input was invalid"));
        }
    }

    #[test]
    fn other_failures_do_not_ask_for_the_tables() {
        for status in [403, 429, 500, 503] {
            let (result, sent) = run(text(status, "no"), Some(tables(&[])));
            assert!(result.is_err(), "{status}");
            assert_eq!(sent.len(), 1, "{status}");
        }
    }
}
