//! First contact with an account: one tiny query per SQL [`Form`] the renderer may write, sent
//! to the SQL API, so an operator learns what it accepts before a dashboard fails
//! (`nno-obs cfae check`). From the answers, [`Check::dialect`] picks the first accepted
//! spelling of each feature ([`crate::dialect`]).
//!
//! Each probe reads the dataset `nno-core-ops` (every core service writes it, seed §3.2) in the
//! first second of 1970, so it scans nothing and costs nothing, yet the engine must parse and
//! plan the form. Only the form under test differs from the forms every plan needs (dataset
//! name, `toDateTime` range): the quoting probes read one row without a range, the
//! `toDateTime` probe adds the range, every other probe adds its form to that. When no quoting
//! or the range is accepted, the probes that need them are not sent ([`Outcome::Skipped`]).
//!
//! An engine's refusal is an error status 400 or 422 (the SQL API's answer to a statement it
//! cannot run, in plain text or a v4 envelope): [`Outcome::Refused`] with its message. Any
//! other failure (a bad token, no answer) says nothing about the dialect and stops the check.

use crate::client::SqlApi;
use crate::dialect::{Conditional, DatasetQuote, Dialect, Prefix, Quantile, TimeBucket};
use nno_obs_cloudflare::{Error, Transport};
use serde::Serialize;

/// The dataset the probes read.
pub const PROBE_DATASET: &str = "nno-core-ops";

/// One SQL form, as a spelling of a feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Form {
    /// A dataset name with hyphens, quoted.
    Dataset(DatasetQuote),
    /// `timestamp >= toDateTime(s) AND timestamp < toDateTime(s)` (no fallback).
    TimeRange,
    /// A weighted quantile.
    Quantile(Quantile),
    /// A conditional value.
    Conditional(Conditional),
    /// A time bucket.
    Bucket(TimeBucket),
    /// A prefix test.
    Prefix(Prefix),
    /// `COUNT(DISTINCT col)` (no fallback).
    CountDistinct,
    /// A string literal with `\'` and `\\` escapes (no fallback; the log search's SQL shares
    /// the rule, `nno_obs_store::sql_literal`).
    BackslashEscape,
}

/// Every form, in the order they are probed (a feature's preferred spelling first).
pub const FORMS: [Form; 15] = [
    Form::Dataset(DatasetQuote::DoubleQuotes),
    Form::Dataset(DatasetQuote::Backticks),
    Form::TimeRange,
    Form::Quantile(Quantile::ExactWeighted),
    Form::Quantile(Quantile::Weighted),
    Form::Conditional(Conditional::If),
    Form::Conditional(Conditional::MultiIf),
    Form::Conditional(Conditional::Case),
    Form::Bucket(TimeBucket::ToStartOfInterval),
    Form::Bucket(TimeBucket::IntDiv),
    Form::Prefix(Prefix::Like),
    Form::Prefix(Prefix::StartsWith),
    Form::Prefix(Prefix::Position),
    Form::CountDistinct,
    Form::BackslashEscape,
];

const WINDOW: &str = "timestamp >= toDateTime(0) AND timestamp < toDateTime(1)";

impl Form {
    /// Its name: the emulator's `refuse` names (`scripts/chdb_sql_api.py`) are the same.
    ///
    /// ```
    /// use nno_obs_query::probe::{Form, FORMS};
    /// assert!(FORMS.iter().all(|f| Form::from_name(f.name()) == Some(*f)));
    /// assert_eq!(Form::from_name("joins"), None);
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Form::Dataset(DatasetQuote::DoubleQuotes) => "dataset-double-quotes",
            Form::Dataset(DatasetQuote::Backticks) => "dataset-backticks",
            Form::TimeRange => "toDateTime",
            Form::Quantile(Quantile::ExactWeighted) => "quantileExactWeighted",
            Form::Quantile(Quantile::Weighted) => "quantileWeighted",
            Form::Conditional(Conditional::If) => "if",
            Form::Conditional(Conditional::MultiIf) => "multiIf",
            Form::Conditional(Conditional::Case) => "case",
            Form::Bucket(TimeBucket::ToStartOfInterval) => "toStartOfInterval",
            Form::Bucket(TimeBucket::IntDiv) => "intDiv",
            Form::Prefix(Prefix::Like) => "like",
            Form::Prefix(Prefix::StartsWith) => "startsWith",
            Form::Prefix(Prefix::Position) => "position",
            Form::CountDistinct => "count-distinct",
            Form::BackslashEscape => "backslash-escape",
        }
    }

    /// The form named `name`.
    pub fn from_name(name: &str) -> Option<Form> {
        FORMS.iter().copied().find(|form| form.name() == name)
    }

    /// The feature it spells (forms of one feature are alternatives).
    pub fn feature(self) -> &'static str {
        match self {
            Form::Dataset(_) => "dataset name",
            Form::TimeRange => "time range",
            Form::Quantile(_) => "weighted quantile",
            Form::Conditional(_) => "conditional",
            Form::Bucket(_) => "time bucket",
            Form::Prefix(_) => "prefix test",
            Form::CountDistinct => "distinct count",
            Form::BackslashEscape => "string escapes",
        }
    }

    /// Its probe, reading `dataset` (already quoted) — for a quoting form, `quote` is ignored
    /// and the form's own quoting is used.
    ///
    /// ```
    /// use nno_obs_query::dialect::{DatasetQuote, Prefix};
    /// use nno_obs_query::probe::Form;
    ///
    /// let sql = Form::Prefix(Prefix::Position).sql(DatasetQuote::Backticks);
    /// assert_eq!(sql, "SELECT SUM(_sample_interval) AS n FROM `nno-core-ops` WHERE timestamp >= toDateTime(0) AND timestamp < toDateTime(1) AND position('GET ' IN blob2) = 1");
    /// ```
    pub fn sql(self, quote: DatasetQuote) -> String {
        let from = |quote: DatasetQuote| quote.quote(PROBE_DATASET);
        let ds = from(quote);
        match self {
            Form::Dataset(own) => format!("SELECT timestamp AS t FROM {} LIMIT 1", from(own)),
            Form::TimeRange => format!("SELECT timestamp AS t FROM {ds} WHERE {WINDOW} LIMIT 1"),
            Form::Quantile(q) => format!(
                "SELECT {} AS q FROM {ds} WHERE {WINDOW}",
                q.sql(0.5, "double2", "_sample_interval")
            ),
            Form::Conditional(c) => format!(
                "SELECT SUM({}) AS n FROM {ds} WHERE {WINDOW}",
                c.sql("double3 > 0", "_sample_interval", "0")
            ),
            Form::Bucket(b) => format!(
                "SELECT {} AS b, SUM(_sample_interval) AS n FROM {ds} WHERE {WINDOW} GROUP BY b ORDER BY b ASC",
                b.sql(60)
            ),
            Form::Prefix(p) => format!(
                "SELECT SUM(_sample_interval) AS n FROM {ds} WHERE {WINDOW} AND {}",
                p.sql("blob2", "GET ")
            ),
            Form::CountDistinct => {
                format!("SELECT COUNT(DISTINCT blob1) AS n FROM {ds} WHERE {WINDOW}")
            }
            Form::BackslashEscape => format!(
                "SELECT SUM(_sample_interval) AS n FROM {ds} WHERE {WINDOW} AND blob1 = {}",
                nno_obs_store::sql_literal::escape("it's a \\ test")
            ),
        }
    }
}

/// What the engine did with a probe.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "lowercase")]
pub enum Outcome {
    /// It ran the probe.
    Accepted,
    /// It refused it, with its message.
    Refused {
        /// The engine's message (first 200 bytes, token redacted).
        message: String,
    },
    /// Not sent: a form it needs was refused.
    Skipped {
        /// Which.
        reason: String,
    },
}

/// One probe's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FormResult {
    /// The form's name.
    pub form: &'static str,
    /// The feature it spells.
    pub feature: &'static str,
    /// What was sent (or would have been).
    pub sql: String,
    /// The engine's answer.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Every probe's result, in [`FORMS`]' order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// The results.
    pub forms: Vec<FormResult>,
}

impl Check {
    /// Whether `form` was accepted.
    pub fn accepted(&self, form: Form) -> bool {
        self.forms
            .iter()
            .any(|r| r.form == form.name() && r.outcome == Outcome::Accepted)
    }

    /// The features with no accepted spelling (the renderer cannot write them for this
    /// engine), in [`FORMS`]' order.
    ///
    /// ```
    /// use nno_obs_query::probe::{Check, FormResult, Outcome, FORMS};
    /// use nno_obs_query::dialect::{Conditional, DatasetQuote, Dialect};
    ///
    /// let all = |refuse: &[&str]| Check { forms: FORMS.iter().map(|f| FormResult {
    ///     form: f.name(), feature: f.feature(), sql: f.sql(DatasetQuote::DoubleQuotes),
    ///     outcome: if refuse.contains(&f.name()) {
    ///         Outcome::Refused { message: "no".into() }
    ///     } else { Outcome::Accepted },
    /// }).collect() };
    /// assert_eq!(all(&[]).dialect(), Ok(Dialect::CLICKHOUSE));
    /// assert_eq!(all(&["if"]).dialect().unwrap().conditional, Conditional::MultiIf);
    /// assert_eq!(all(&["quantileExactWeighted", "quantileWeighted"]).missing(), ["weighted quantile"]);
    /// ```
    pub fn missing(&self) -> Vec<&'static str> {
        let mut missing: Vec<&'static str> = Vec::new();
        for form in FORMS {
            let feature = form.feature();
            let any = FORMS
                .iter()
                .filter(|f| f.feature() == feature)
                .any(|f| self.accepted(*f));
            if !any && !missing.contains(&feature) {
                missing.push(feature);
            }
        }
        missing
    }

    /// The dialect of the first accepted spelling of each feature, or the features that have
    /// none.
    pub fn dialect(&self) -> Result<Dialect, Vec<&'static str>> {
        let missing = self.missing();
        if !missing.is_empty() {
            return Err(missing);
        }
        let mut dialect = Dialect::ALL_FALLBACKS;
        // FORMS lists preferred spellings first: the last write of each feature must be the
        // first accepted, so walk them in reverse.
        for form in FORMS.iter().rev().filter(|f| self.accepted(**f)) {
            match *form {
                Form::Dataset(q) => dialect.dataset = q,
                Form::Quantile(q) => dialect.quantile = q,
                Form::Conditional(c) => dialect.conditional = c,
                Form::Bucket(b) => dialect.bucket = b,
                Form::Prefix(p) => dialect.prefix = p,
                Form::TimeRange | Form::CountDistinct | Form::BackslashEscape => {}
            }
        }
        Ok(dialect)
    }
}

/// Whether `error` is the engine refusing the statement (as opposed to the request failing).
fn refusal(error: &Error) -> Option<String> {
    match error {
        Error::Http {
            status: 400 | 422,
            excerpt,
        } => Some(excerpt.clone()),
        Error::Api {
            status: 400 | 422,
            errors,
        } => Some(
            errors
                .iter()
                .map(|e| format!("{} {}", e.code, e.message))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        _ => None,
    }
}

/// Runs every probe on `api`, calling `progress(done, total, form)` before each (`api`'s
/// dialect does not matter: each probe spells its own form); stops at the
/// first failure that is not a refusal (see the module).
pub async fn check<T: Transport>(
    api: &SqlApi<T>,
    progress: &mut dyn FnMut(usize, usize, Form),
) -> Result<Check, Error> {
    let mut forms = Vec::with_capacity(FORMS.len());
    let mut quote = None;
    let mut range_ok = false;
    for (at, form) in FORMS.into_iter().enumerate() {
        progress(at, FORMS.len(), form);
        let needs = match (form, quote) {
            (Form::Dataset(_), _) => None,
            (_, None) => Some("no quoting of the dataset name was accepted".to_owned()),
            (Form::TimeRange, Some(_)) => None,
            (_, Some(_)) if !range_ok => Some("the toDateTime range was refused".to_owned()),
            _ => None,
        };
        let sql = form.sql(quote.unwrap_or(DatasetQuote::DoubleQuotes));
        let outcome = match needs {
            Some(reason) => Outcome::Skipped { reason },
            None => match api.query(&sql).await {
                Ok(_) => Outcome::Accepted,
                Err(error) => match refusal(&error) {
                    Some(message) => Outcome::Refused { message },
                    None => return Err(error),
                },
            },
        };
        if outcome == Outcome::Accepted {
            match form {
                Form::Dataset(q) if quote.is_none() => quote = Some(q),
                Form::TimeRange => range_ok = true,
                _ => {}
            }
        }
        forms.push(FormResult {
            form: form.name(),
            feature: form.feature(),
            sql,
            outcome,
        });
    }
    Ok(Check { forms })
}
