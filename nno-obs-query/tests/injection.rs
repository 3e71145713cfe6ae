//! Hostile values: every one is either rejected with a defined error or escaped so that the
//! rendered statement has exactly the shape it has with a harmless value — checked with a
//! small ClickHouse lexer (string literals, quoted identifiers, comments, words, symbols).
//! (`tests/clickhouse.rs` also runs hostile values through ClickHouse itself.)

use nno_obs_query::questions::{FeatureStats, MostErroringEndpoints, SlowestEndpoints, TraceSpans};
use nno_obs_query::{PlatformScope, QueryError, Question, TimeRange};
use nno_obs_store::layout::PlatformId;

#[derive(Debug, PartialEq)]
enum Token {
    Str(String),
    Ident(String),
    Word(String),
    Symbol(char),
    Comment,
}

/// ClickHouse's lexing of what matters here: `'…'` with backslash escapes and `''`, `"…"`
/// identifiers, `--` and `/* */` comments, words, single symbols.
fn lex(sql: &str) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' || c == '"' {
            let quote = c;
            let mut value = String::new();
            i += 1;
            loop {
                assert!(i < chars.len(), "unterminated literal in {sql}");
                match chars[i] {
                    '\\' => {
                        value.push(chars[i + 1]);
                        i += 2;
                    }
                    q if q == quote && chars.get(i + 1) == Some(&quote) => {
                        value.push(quote);
                        i += 2;
                    }
                    q if q == quote => {
                        i += 1;
                        break;
                    }
                    other => {
                        value.push(other);
                        i += 1;
                    }
                }
            }
            tokens.push(if quote == '\'' {
                Token::Str(value)
            } else {
                Token::Ident(value)
            });
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            tokens.push(Token::Comment);
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            tokens.push(Token::Comment);
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c.is_alphanumeric() || c == '_' || c == '.' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            tokens.push(Token::Word(chars[start..i].iter().collect()));
        } else {
            tokens.push(Token::Symbol(c));
            i += 1;
        }
    }
    tokens
}

/// The statement's shape: every string literal's content replaced by a placeholder.
fn shape(sql: &str) -> Vec<Token> {
    lex(sql)
        .into_iter()
        .map(|t| match t {
            Token::Str(_) => Token::Str("?".into()),
            other => other,
        })
        .collect()
}

fn string_literals(sql: &str) -> Vec<String> {
    lex(sql)
        .into_iter()
        .filter_map(|t| match t {
            Token::Str(s) => Some(s),
            _ => None,
        })
        .collect()
}

fn hostile_values() -> Vec<String> {
    vec![
        "'".into(),
        "\\".into(),
        "\\'".into(),
        "'' OR 1=1 --".into(),
        "x'; DROP TABLE \"nno-core-ops\"; --".into(),
        "a\\' OR '1'='1".into(),
        "/* comment */".into(),
        "--".into(),
        ";".into(),
        "\"k3m9p2xw7q-perf\"".into(),
        "ünïcødé — 日本語 🚀".into(),
        "\u{202e}reversed".into(),
        "%_".into(),
        "x".repeat(1024),
    ]
}

fn rejected_values() -> Vec<String> {
    vec![
        "\0".into(),
        "a\0b".into(),
        "line\nbreak".into(),
        "tab\t".into(),
        "\r".into(),
        "\u{1b}[31m".into(),
        "x".repeat(10 * 1024),
        // One byte over the bound, in two-byte characters.
        format!(
            "{}x",
            "é".repeat(nno_obs_query::literal::MAX_LITERAL_BYTES / 2)
        ),
    ]
}

fn range() -> TimeRange {
    TimeRange::new(1_771_754_400, 1_771_761_600).unwrap()
}

fn platform() -> PlatformScope {
    nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap())
}

/// Every question with a free-text value, rendered for `value`.
fn renderings(value: &str) -> Vec<Result<String, QueryError>> {
    let scope = platform();
    let operator = nno_obs_access::testing::operator();
    let one = |plans: Vec<nno_obs_query::Plan>| plans[0].sql();
    vec![
        TraceSpans::new(&operator, value, range()).map(|q| q.sql()),
        TraceSpans::for_platform(&scope, value, range()).map(|q| q.sql()),
        FeatureStats::new(&scope, range())
            .feature(value)
            .map(|q| one(q.plans())),
        SlowestEndpoints::new(&scope, range())
            .feature(value)
            .map(|q| one(q.plans())),
        MostErroringEndpoints::new(&scope, range())
            .feature(value)
            .map(|q| one(q.plans())),
    ]
}

#[test]
fn hostile_values_are_escaped_and_leave_the_shape_unchanged() {
    let harmless: Vec<String> = renderings("harmless")
        .into_iter()
        .map(Result::unwrap)
        .collect();
    for value in hostile_values() {
        for (sql, reference) in renderings(&value).into_iter().zip(&harmless) {
            let sql = sql.unwrap_or_else(|e| panic!("{value:?} rejected: {e}"));
            assert_eq!(
                shape(&sql),
                shape(reference),
                "{value:?} changed the shape:\n{sql}"
            );
            assert!(
                string_literals(&sql).contains(&value),
                "{value:?} does not reach the engine as itself:\n{sql}"
            );
            assert_eq!(sql.matches(" FROM ").count(), 1);
        }
    }
}

#[test]
fn control_characters_and_overlong_values_are_rejected() {
    for value in rejected_values() {
        for rendered in renderings(&value) {
            match rendered {
                Err(QueryError::InvalidValue { detail }) => {
                    assert!(
                        !detail.contains('\0'),
                        "the message must not echo the value"
                    );
                }
                other => panic!("{value:?}: {other:?}"),
            }
        }
    }
}

#[test]
fn a_platform_scope_names_only_its_own_platform() {
    let scope = platform();
    let sqls: Vec<String> = [
        FeatureStats::new(&scope, range()).plans(),
        SlowestEndpoints::new(&scope, range()).plans(),
        nno_obs_query::questions::RequestsPerHour::new(&scope, range()).plans(),
        nno_obs_query::questions::WorkerHealth::new(&scope, range(), 900).plans(),
        nno_obs_query::questions::BuildStats::for_platform(&scope, range()).plans(),
        TraceSpans::for_platform(&scope, "tr", range())
            .unwrap()
            .plans(),
    ]
    .into_iter()
    .flatten()
    .map(|plan| plan.sql())
    .collect();
    for sql in sqls {
        let idents: Vec<Token> = lex(&sql)
            .into_iter()
            .filter(|t| matches!(t, Token::Ident(_)))
            .collect();
        assert_eq!(idents.len(), 1, "{sql}");
        match &idents[0] {
            Token::Ident(name) if name == "k3m9p2xw7q-perf" => {}
            // Shared datasets are filtered on the platform's own id.
            Token::Ident(name) if name == "nno-builds" || name == "nno-core-ops-spans" => {
                assert!(
                    string_literals(&sql).contains(&"k3m9p2xw7q".to_owned()),
                    "{sql}"
                );
            }
            other => panic!("{other:?} in {sql}"),
        }
    }
}

#[test]
fn the_lexer_sees_an_unescaped_quote() {
    // The check above would catch a renderer that forgot to escape.
    let naive = "SELECT 1 FROM t WHERE index1 = 'x' OR 1=1 --'";
    assert_ne!(shape(naive), shape("SELECT 1 FROM t WHERE index1 = 'x'"));
}
