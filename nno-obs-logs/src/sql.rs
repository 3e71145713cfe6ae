//! The typed log query as ClickHouse SQL, over the same files: a local directory with
//! `file(…)`, R2 through its S3 API with `s3(…)`. For operators whose logs outgrow a scan.
//!
//! The SQL implements the definitions of [`crate::entry`] and [`LogQuery`] with ClickHouse's
//! JSON functions: records are read with `JSONEachRow`, every top-level field as a string
//! (objects and arrays as their JSON text), then each record's entries are made with
//! `ARRAY JOIN`. A differential test (`tests/clickhouse.rs`, on chdb) requires the same matches
//! as the Rust search on the same files.
//!
//! Where the two can differ, only on input Logpush does not produce: a top-level scalar of the
//! wrong JSON type (ClickHouse reads `"Outcome":7` as `"7"`, the Rust reader as `unknown`); a
//! non-string console argument written with whitespace (matched as written here, as compact
//! JSON in Rust); a line timestamp that is not RFC 3339 but that ClickHouse's best-effort parser
//! accepts; duplicate keys in a line; case folding beyond what both lowercase alike.
//!
//! Every literal follows the one rule of [`nno_obs_store::sql_literal`] ([`quote`]): escaped,
//! and refused when longer than [`MAX_LITERAL_BYTES`] or holding a control character. A
//! directory with glob characters is refused too. Which buckets are read follows the scope's
//! type, exactly as for the local search.
//!
//! ```
//! use nno_obs_logs::sql::{render, SqlSource};
//! use nno_obs_logs::{LogQuery, PlatformScope};
//! use nno_obs_store::layout::PlatformId;
//!
//! let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
//! let query = LogQuery { text: Some("it's".into()), ..Default::default() };
//! let sql = render(&query, &scope, &SqlSource::Store { root: "/data/store".into() }, 100).unwrap();
//! assert!(sql.contains("file('/data/store/nno-logs-k3m9p2xw7q/**/*.gz', 'JSONEachRow'"));
//! assert!(sql.contains(r"'it\'s'"));
//! assert!(sql.contains("LIMIT 100 SETTINGS"));
//! ```

use crate::query::{LogQuery, Scope};
use nno_obs_store::layout::{Bucket, INTERNAL_BUCKET, PLATFORM_BUCKET_PREFIX};
use nno_obs_store::sql_literal::{self, LiteralError};
use std::fmt::{self, Write};

pub use nno_obs_store::sql_literal::MAX_LITERAL_BYTES;

/// How each top-level field is read: as text (objects and arrays as their JSON).
const STRUCTURE: &str = "ScriptName Nullable(String), Outcome Nullable(String), \
EventTimestampMs Nullable(String), Event Nullable(String), Ray Nullable(String), \
Logs Nullable(String), Exceptions Nullable(String)";

const SETTINGS: &str = "SETTINGS input_format_json_read_objects_as_strings = 1, \
input_format_json_read_arrays_as_strings = 1, input_format_json_read_numbers_as_strings = 1, \
input_format_json_read_bools_as_strings = 1, input_format_skip_unknown_fields = 1, \
input_format_allow_errors_ratio = 1, input_format_allow_errors_num = 1000000000";

/// Where the files are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SqlSource {
    /// A local store: the scope's buckets are folders of `root`.
    Store {
        /// The store's root directory.
        root: String,
    },
    /// A local directory of files (one bucket's layout, or any tree of `.gz` files); operator
    /// only, like given paths in the local search.
    Directory {
        /// The directory.
        dir: String,
    },
    /// R2 through its S3 API: one `s3()` per bucket of the scope.
    R2 {
        /// The Cloudflare account id (32 hex digits).
        account_id: String,
        /// The buckets an operator scope reads (a platform scope reads only its own).
        buckets: Vec<Bucket>,
        /// An R2 access key id and secret; without them the SQL uses a named collection or
        /// server-side configuration.
        credentials: Option<(String, String)>,
    },
}

/// Why a query could not be rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SqlError {
    /// A value that cannot be a literal (too long, or a control character in it).
    Literal(LiteralError),
    /// A directory containing glob characters (`*?{}[]`), which `file()` would expand.
    GlobInPath,
    /// An account id that is not 32 hex digits.
    BadAccountId,
    /// A scope with no bucket to read.
    NothingToRead,
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlError::Literal(error) => error.fmt(f),
            SqlError::GlobInPath => f.write_str("the directory contains glob characters (*?{}[])"),
            SqlError::BadAccountId => f.write_str("the account id is not 32 hex digits"),
            SqlError::NothingToRead => f.write_str("the scope has no bucket to read"),
        }
    }
}

impl std::error::Error for SqlError {}

/// A ClickHouse string literal by the one rule of [`nno_obs_store::sql_literal`].
///
/// ```
/// use nno_obs_logs::sql::quote;
///
/// assert_eq!(quote("a'b\\c").unwrap(), r"'a\'b\\c'");
/// assert!(quote("a\nb").is_err());
/// ```
pub fn quote(value: &str) -> Result<String, SqlError> {
    sql_literal::quote(value).map_err(SqlError::Literal)
}

fn table_functions(scope: &dyn Scope, source: &SqlSource) -> Result<Vec<String>, SqlError> {
    let file = |path: String| -> Result<String, SqlError> {
        Ok(format!(
            "file({}, 'JSONEachRow', {})",
            quote(&path)?,
            quote(STRUCTURE)?
        ))
    };
    let no_glob = |path: &str| {
        if path.contains(['*', '?', '{', '}', '[', ']']) {
            Err(SqlError::GlobInPath)
        } else {
            Ok(path.trim_end_matches('/').to_owned())
        }
    };
    match source {
        SqlSource::Store { root } => {
            let root = no_glob(root)?;
            // The scope decides; an operator's "every bucket" is the bucket-name glob.
            let everything = [Bucket::Internal];
            let buckets = scope.buckets(&everything);
            if buckets == everything && scope.name() == "operator" {
                // `?` is one character: the internal bucket or a 10-character platform id.
                return Ok(vec![file(format!(
                    "{root}/{{{INTERNAL_BUCKET},{PLATFORM_BUCKET_PREFIX}??????????}}/**/*.gz"
                ))?]);
            }
            buckets
                .iter()
                .map(|bucket| file(format!("{root}/{}/**/*.gz", bucket.name())))
                .collect()
        }
        SqlSource::Directory { dir } => Ok(vec![file(format!("{}/**/*.gz", no_glob(dir)?))?]),
        SqlSource::R2 {
            account_id,
            buckets,
            credentials,
        } => {
            if account_id.len() != 32 || !account_id.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(SqlError::BadAccountId);
            }
            let credentials = match credentials {
                Some((key, secret)) => format!("{}, {}, ", quote(key)?, quote(secret)?),
                None => String::new(),
            };
            scope
                .buckets(buckets)
                .iter()
                .map(|bucket| {
                    let url = format!(
                        "https://{account_id}.r2.cloudflarestorage.com/{}/**/*.gz",
                        bucket.name()
                    );
                    Ok(format!(
                        "s3({}, {credentials}'JSONEachRow', {})",
                        quote(&url)?,
                        quote(STRUCTURE)?
                    ))
                })
                .collect()
        }
    }
}

/// The SQL of the record-level columns and the entry items of one table function.
fn records_from(table: &str) -> String {
    format!(
        "SELECT _path AS file, ScriptName AS script, ifNull(Outcome, 'unknown') AS outcome, \
coalesce(JSONExtract(ifNull(Event, ''), 'RayID', 'Nullable(String)'), Ray) AS ray, \
toUInt64OrNull(EventTimestampMs) AS event_ms, \
ifNull(length(script) <= 63 AND match(script, '^[a-z0-9]+(-[a-z0-9]+){{2,}}$'), 0) AS script_ok, \
if(script_ok AND startsWith(script, 'nno-'), extract(script, '^nno-(.+)-[a-z0-9]+$'), NULL) AS script_service, \
if(script_ok AND match(script, '^[a-z0-9]{{10}}-'), substring(script, 1, 10), NULL) AS script_platform, \
if(script_platform IS NULL, NULL, extract(script, '^[a-z0-9]{{10}}-(.+)-[a-z0-9]+$')) AS script_middle, \
if(script_platform IS NULL, NULL, if(match(script_middle, '^[a-z0-9]{{10}}-'), substring(script_middle, 12), script_middle)) AS script_feature, \
arrayFilter(x -> JSONType(x) = 'Object', if(JSONType(ifNull(Logs, '')) = 'Array', JSONExtractArrayRaw(ifNull(Logs, '')), [])) AS logs, \
arrayFilter(x -> JSONType(x) = 'Object', if(JSONType(ifNull(Exceptions, '')) = 'Array', JSONExtractArrayRaw(ifNull(Exceptions, '')), [])) AS exceptions, \
arrayConcat(arrayMap(x -> ('log', x), logs), arrayMap(x -> ('exception', x), exceptions), \
if(length(logs) = 0 AND length(exceptions) = 0 AND outcome != 'ok', [('outcome', '')], [])) AS items, \
if(length(exceptions) = 0, NULL, arrayFirstOrNull(t -> t IS NOT NULL, arrayMap(m -> if({ours}, {trace}, NULL), \
arrayMap(x -> {first_argument}, logs)))) AS record_trace \
FROM {table}",
        ours = ours("m"),
        trace = string_member("m", "traceId"),
        first_argument = first_argument("x"),
    )
}

/// `Message[0]` of the log object `x` when it is a string, else `''`.
fn first_argument(x: &str) -> String {
    format!("if(JSONType({x}, 'Message', 1) = 'String', JSONExtractString({x}, 'Message', 1), '')")
}

/// Whether the text `m` is our `LogEntry` line ([`nno_obs_store::entry::LineKeys::parse`]).
/// One rendering for the entries and for the record's trace, so the two cannot disagree.
fn ours(m: &str) -> String {
    format!(
        "startsWith({m}, '{{') AND isValidJSON({m}) AND JSONType({m}) = 'Object' \
AND JSONType({m}, 'timestamp') IN ('String', 'Null') AND JSONType({m}, 'service') = 'String' AND JSONType({m}, 'message') = 'String' \
AND JSONType({m}, 'level') = 'String' AND JSONExtractString({m}, 'level') IN ('debug', 'info', 'warn', 'error')"
    )
}

/// A JSON member read as milliseconds the way the Rust reader's lenient `opt_ms` does.
fn lenient_ms(json: &str, key: &str) -> String {
    format!(
        "multiIf(JSONType({json}, '{key}') IN ('UInt64', 'Int64'), toUInt64OrNull(JSONExtractRaw({json}, '{key}')), \
JSONType({json}, '{key}') = 'Double', if(JSONExtractFloat({json}, '{key}') >= 0 AND JSONExtractFloat({json}, '{key}') < 1.8e19, toUInt64(JSONExtractFloat({json}, '{key}')), NULL), \
JSONType({json}, '{key}') = 'String', toUInt64OrNull(trimBoth(JSONExtractString({json}, '{key}'))), NULL)"
    )
}

fn string_member(json: &str, key: &str) -> String {
    format!("if(JSONType({json}, '{key}') = 'String', JSONExtractString({json}, '{key}'), NULL)")
}

/// The entry columns of one item (`kind`, `x`).
fn entries_select() -> String {
    let m0 = "m0";
    let time_expression = format!(
        "CAST(coalesce(if(ours AND line_ms >= 0, toUInt64(line_ms), NULL), \
if(kind = 'outcome', NULL, CAST({} AS Nullable(UInt64))), event_ms) AS Nullable(UInt64))",
        lenient_ms("x", "TimestampMs")
    );
    format!(
        "SELECT file, script, outcome, ray, position, kind, \
{time} AS time_ms, \
if(ours, JSONExtractString(m0, 'level'), if(kind != 'log', 'error', multiIf(console = 'debug', 'debug', console = 'warn', 'warn', console = 'error', 'error', 'info'))) AS level, \
if(ours, JSONExtractString(m0, 'service'), script_service) AS service, \
if(ours, coalesce({feature_id}, script_feature), script_feature) AS feature, \
if(ours, coalesce(script_platform, {platform_id}), script_platform) AS platform, \
if(ours, {trace_id}, NULL) AS trace_id, \
if(kind = 'exception', record_trace, trace_id) AS effective_trace_id, \
if(ours, {user_id}, NULL) AS user_id, \
multiIf(ours, JSONExtractString(m0, 'message'), kind = 'log', arrayStringConcat(arrayMap(a -> if(JSONType(a) = 'String', JSONExtractString(a), a), args), ' '), \
kind = 'exception', arrayStringConcat(arrayFilter(p -> p != '', [ifNull({name}, ''), ifNull({exc_message}, '')]), ': '), \
concat('invocation ended: ', outcome)) AS message, \
if(ours, m0, NULL) AS line, \
if(ours, arraySlice(args, 2), []) AS extra_args \
FROM (SELECT *, position, item.1 AS kind, item.2 AS x, \
if(kind = 'log' AND JSONType(x, 'Message') = 'Array', JSONExtractArrayRaw(x, 'Message'), []) AS args, \
if(kind = 'log', {first_argument}, '') AS {m0}, \
{ours} AS ours, \
if(JSONType(x, 'Level') = 'String', JSONExtractString(x, 'Level'), '') AS console, \
toUnixTimestamp64Milli(parseDateTime64BestEffortOrNull(JSONExtractString(m0, 'timestamp'), 3, 'UTC')) AS line_ms \
FROM (RECORDS) ARRAY JOIN items AS item, arrayEnumerate(items) AS position)",
        time = time_expression,
        feature_id = string_member(m0, "featureId"),
        platform_id = string_member(m0, "platformId"),
        trace_id = string_member(m0, "traceId"),
        user_id = string_member(m0, "userId"),
        first_argument = first_argument("x"),
        ours = ours(m0),
        name = string_member("x", "Name"),
        exc_message = string_member("x", "Message"),
    )
}

/// The `WHERE` conditions of `query` over the entry columns.
fn conditions(query: &LogQuery) -> Result<Vec<String>, SqlError> {
    let mut all = Vec::new();
    if let Some(from) = query.from_ms {
        all.push(format!("time_ms >= {from}"));
    }
    if let Some(to) = query.to_ms {
        all.push(format!("time_ms < {to}"));
    }
    if let Some(platform) = &query.platform {
        all.push(format!("platform = {}", quote(platform.as_str())?));
    }
    for (column, value) in [
        ("feature", &query.feature),
        ("service", &query.service),
        // An exception by its invocation's trace, as `Entry::effective_trace_id`.
        ("effective_trace_id", &query.trace_id),
        ("user_id", &query.user_id),
    ] {
        if let Some(value) = value {
            all.push(format!("{column} = {}", quote(value)?));
        }
    }
    if let Some(min) = query.min_level {
        let levels: Vec<String> = [
            crate::Level::Debug,
            crate::Level::Info,
            crate::Level::Warn,
            crate::Level::Error,
        ]
        .iter()
        .filter(|level| **level >= min)
        .map(|level| format!("'{level}'"))
        .collect();
        all.push(format!("level IN ({})", levels.join(", ")));
    }
    if let Some(text) = &query.text {
        let needle = quote(text)?;
        let value = "if(JSONType(line, kv.1) = 'String', JSONExtractString(line, kv.1), kv.2)";
        all.push(format!(
            "(positionCaseInsensitiveUTF8(message, {needle}) > 0 \
OR (line IS NOT NULL AND arrayExists(kv -> kv.1 NOT IN ('timestamp', 'level') AND positionCaseInsensitiveUTF8({value}, {needle}) > 0, JSONExtractKeysAndValuesRaw(ifNull(line, '{{}}')))) \
OR arrayExists(a -> positionCaseInsensitiveUTF8(if(JSONType(a) = 'String', JSONExtractString(a), a), {needle}) > 0, extra_args))"
        ));
    }
    Ok(all)
}

/// Renders `query` in `scope` over `source`, ordered by time (entries without a time first),
/// then file and position; at most `limit` rows. The columns: `file`, `time_ms`, `level`,
/// `service`, `feature`, `platform`, `trace_id`, `user_id`, `message`, `line`, `script`,
/// `outcome`, `ray`, `kind`.
pub fn render(
    query: &LogQuery,
    scope: &dyn Scope,
    source: &SqlSource,
    limit: usize,
) -> Result<String, SqlError> {
    let tables = table_functions(scope, source)?;
    if tables.is_empty() {
        return Err(SqlError::NothingToRead);
    }
    let entries: Vec<String> = tables
        .iter()
        .map(|table| entries_select().replace("RECORDS", &records_from(table)))
        .collect();
    let mut sql = format!(
        "SELECT file, time_ms, level, service, feature, platform, trace_id, user_id, message, line, \
script, outcome, ray, kind FROM ({}) ",
        entries.join(" UNION ALL ")
    );
    let conditions = conditions(query)?;
    if !conditions.is_empty() {
        let _ = write!(sql, "WHERE {} ", conditions.join(" AND "));
    }
    let _ = write!(
        sql,
        "ORDER BY time_ms ASC NULLS FIRST, file, position LIMIT {limit} {SETTINGS}"
    );
    Ok(sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    use nno_obs_store::layout::PlatformId;

    fn store() -> SqlSource {
        SqlSource::Store { root: "/s".into() }
    }

    #[test]
    fn hostile_literals_do_not_change_the_shape_of_the_query() {
        let hostile = [
            "'".to_owned(),
            "\\'; DROP TABLE x; --".to_owned(),
            "a\\".to_owned(),
            "') OR 1=1 OR ('".to_owned(),
            "é漢字🙂".to_owned(),
            "x".repeat(MAX_LITERAL_BYTES),
        ];
        for value in hostile {
            let query = |v: &str| LogQuery {
                text: Some(v.into()),
                trace_id: Some(v.into()),
                service: Some(v.into()),
                ..Default::default()
            };
            let sql = render(
                &query(&value),
                &nno_obs_access::testing::operator(),
                &store(),
                10,
            )
            .unwrap();
            let benign = render(
                &query("x"),
                &nno_obs_access::testing::operator(),
                &store(),
                10,
            )
            .unwrap();
            let literal = quote(&value).unwrap();
            assert_eq!(sql.replace(&literal, "'x'"), benign, "{value:?}");
            // The literal itself holds no raw quote.
            let inner = &literal[1..literal.len() - 1];
            assert!(!inner.replace("\\\\", "").replace("\\'", "").contains('\''));
        }
        // What the rule refuses is refused whole, never escaped into the query.
        for value in ["\0\n\r\t\u{1b}", "é\u{2028}\u{85}"] {
            let query = LogQuery {
                text: Some(value.into()),
                ..Default::default()
            };
            assert_eq!(
                render(&query, &nno_obs_access::testing::operator(), &store(), 10),
                Err(SqlError::Literal(LiteralError::ControlCharacter)),
                "{value:?}"
            );
        }
    }

    #[test]
    fn what_cannot_be_rendered_is_refused() {
        let long = LogQuery {
            text: Some("x".repeat(MAX_LITERAL_BYTES + 1)),
            ..Default::default()
        };
        assert_eq!(
            render(&long, &nno_obs_access::testing::operator(), &store(), 1),
            Err(SqlError::Literal(LiteralError::TooLong))
        );
        let glob = SqlSource::Directory {
            dir: "/data/*".into(),
        };
        assert_eq!(
            render(
                &LogQuery::default(),
                &nno_obs_access::testing::operator(),
                &glob,
                1
            ),
            Err(SqlError::GlobInPath)
        );
        let r2 = SqlSource::R2 {
            account_id: "not-an-account".into(),
            buckets: vec![Bucket::Internal],
            credentials: None,
        };
        assert_eq!(
            render(
                &LogQuery::default(),
                &nno_obs_access::testing::operator(),
                &r2,
                1
            ),
            Err(SqlError::BadAccountId)
        );
    }

    #[test]
    fn r2_reads_the_scopes_buckets_only() {
        let platform = PlatformId::parse("k3m9p2xw7q").unwrap();
        let source = SqlSource::R2 {
            account_id: "0123456789abcdef0123456789abcdef".into(),
            buckets: vec![
                Bucket::Internal,
                Bucket::Platform(PlatformId::parse("aaaaaaaaaa").unwrap()),
            ],
            credentials: Some(("key'id".into(), "secret".into())),
        };
        let scoped = render(
            &LogQuery::default(),
            &nno_obs_access::testing::platform(platform),
            &source,
            5,
        )
        .unwrap();
        assert!(scoped.contains(
            "s3('https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com/nno-logs-k3m9p2xw7q/**/*.gz', 'key\\'id', 'secret', 'JSONEachRow'"
        ));
        assert!(!scoped.contains("nno-logs-internal") && !scoped.contains("aaaaaaaaaa"));
        let operator = render(
            &LogQuery::default(),
            &nno_obs_access::testing::operator(),
            &source,
            5,
        )
        .unwrap();
        assert_eq!(operator.matches("s3(").count(), 2);
        assert!(operator.contains(" UNION ALL "));
    }
}
