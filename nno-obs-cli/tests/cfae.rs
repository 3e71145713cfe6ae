//! `nno-obs cfae check` against a loopback SQL API: scripted answers (credentials, an
//! unreachable or unauthorised account), and the chdb emulator (`scripts/chdb_sql_api.py`)
//! made to refuse each SQL form in turn.

use assert_cmd::Command;
use nno_obs_query::dialect::{DatasetQuote, Dialect};
use nno_obs_query::probe::{Form, FORMS};
use nno_obs_testkit::{Answer, Receiver};

const ACCOUNT: &str = "0123456789abcdef0123456789abcdef";
const TOKEN: &str = "analytics-read-t0ken";

fn check(endpoint: &str) -> Command {
    let mut command = Command::cargo_bin("nno-obs").unwrap();
    command
        .args(["cfae", "check", "--endpoint", endpoint])
        .env("CF_ACCOUNT_ID", ACCOUNT)
        .env("CF_ANALYTICS_READ_TOKEN", TOKEN)
        .env_remove("NO_COLOR");
    command
}

fn json_of(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The forms the check reported refused.
fn refused(document: &serde_json::Value) -> Vec<String> {
    document["forms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["outcome"] == "refused")
        .map(|f| f["form"].as_str().unwrap().to_owned())
        .collect()
}

const EMPTY: &str = r#"{"meta":[{"name":"n","type":"UInt64"}],"data":[],"rows":0}"#;

#[test]
fn an_account_that_accepts_everything_gets_clickhouse_spellings() {
    let api = Receiver::always(Answer::json(200, EMPTY));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dialect.json");
    let output = check(&format!("{}/client/v4", api.url()))
        .arg("--write")
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(table.starts_with("form "), "{table}");
    for form in FORMS {
        let line = table
            .lines()
            .find(|l| l.starts_with(&format!("{} ", form.name())))
            .unwrap_or_else(|| panic!("no line for {}:\n{table}", form.name()));
        assert!(line.contains(" accepted"), "{line}");
    }
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(Dialect::from_json(&written), Ok(Dialect::CLICKHOUSE));
    // One request per form, each the form's probe, as the SQL API takes it.
    let received = api.received();
    assert_eq!(received.len(), FORMS.len());
    for (request, form) in received.iter().zip(FORMS) {
        assert_eq!(
            request.path,
            format!("/client/v4/accounts/{ACCOUNT}/analytics_engine/sql")
        );
        assert_eq!(
            request.header("authorization"),
            Some(&*format!("Bearer {TOKEN}"))
        );
        assert_eq!(
            request.body,
            format!("{} FORMAT JSON", form.sql(DatasetQuote::DoubleQuotes))
        );
    }
}

#[test]
fn no_credentials_or_no_permission_is_a_failure_that_says_so() {
    let api = Receiver::always(Answer::json(
        403,
        r#"{"success":false,"errors":[{"code":10000,"message":"Authentication error"}]}"#,
    ));
    let output = check(&format!("{}/client/v4", api.url()))
        .env_remove("CF_ANALYTICS_READ_TOKEN")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("CF_ANALYTICS_READ_TOKEN"));
    let output = check(&format!("{}/client/v4", api.url())).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("could not run") && stderr.contains("Authentication error"),
        "{stderr}"
    );
    assert!(!stderr.contains(TOKEN));
    // It stopped at the first answer: a bad token says nothing about the dialect.
    assert_eq!(api.received().len(), 1);
}

#[test]
fn query_renders_in_the_written_dialect() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dialect.json");
    std::fs::write(
        &file,
        serde_json::to_string(&Dialect::ALL_FALLBACKS).unwrap(),
    )
    .unwrap();
    let output = Command::cargo_bin("nno-obs")
        .unwrap()
        .args([
            "query",
            "registry",
            "--cfae",
            "--sql",
            "--until",
            "2026-02-22T12:00:00Z",
        ])
        .arg("--dialect")
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let sql = String::from_utf8(output.stdout).unwrap();
    assert!(sql.contains("FROM `nno-core-ops`"), "{sql}");
    assert!(
        sql.contains("quantileWeighted(0.99, double2, _sample_interval)"),
        "{sql}"
    );
    assert!(
        sql.contains("CASE WHEN position('GET ' IN blob2) = 1"),
        "{sql}"
    );
    assert!(!sql.contains(" LIKE ") && !sql.contains("if("), "{sql}");
    std::fs::write(&file, r#"{"dataset":"brackets"}"#).unwrap();
    let output = Command::cargo_bin("nno-obs")
        .unwrap()
        .args(["query", "registry", "--cfae", "--sql"])
        .arg("--dialect")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("brackets"));
}

/// The SQL API emulator (chdb over an empty `nno-core-ops`), refusing the forms in `refuse`.
fn emulator(refuse: Vec<&'static str>) -> Receiver {
    nno_obs_testkit::sql_api::stand_in(
        env!("CARGO_MANIFEST_DIR"),
        TOKEN,
        serde_json::json!({
            "structure": nno_obs_store::points::CLICKHOUSE_STRUCTURE,
            "tables": { "nno-core-ops": [] },
            "refuse": refuse,
        }),
    )
}

/// Every form with another spelling of its feature, refused alone: the check reports exactly
/// it, passes (exit 0), and writes a dialect that no longer spells it.
#[test]
#[ignore = "needs chdb: scripts/test.sh installs it and runs this"]
fn each_refused_form_is_reported_alone_and_has_a_fallback() {
    let with_fallback: Vec<Form> = FORMS
        .into_iter()
        .filter(|form| {
            FORMS
                .iter()
                .filter(|f| f.feature() == form.feature())
                .count()
                > 1
        })
        .collect();
    assert!(with_fallback.len() >= 10);
    let dir = tempfile::tempdir().unwrap();
    // Nothing refused: every probe runs on chdb as written.
    let api = emulator(vec![]);
    let output = check(&format!("{}/client/v4", api.url()))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(refused(&json_of(&output)), Vec::<String>::new());
    for form in with_fallback {
        let api = emulator(vec![form.name()]);
        let file = dir.path().join(format!("{}.json", form.name()));
        let output = check(&format!("{}/client/v4", api.url()))
            .args(["--format", "json", "--write"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}: {output:?}", form.name());
        let document = json_of(&output);
        assert_eq!(refused(&document), [form.name()], "{document:#}");
        let message = document["forms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["form"] == form.name())
            .unwrap()["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains(form.name()), "{message}");
        let dialect = Dialect::from_json(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert_eq!(document["dialect"], serde_json::to_value(dialect).unwrap());
        // The written dialect's spelling of the feature is not the refused form.
        let spelled = serde_json::to_value(dialect).unwrap();
        let refused_word = match form {
            Form::Dataset(q) => serde_json::to_value(q).unwrap(),
            Form::Quantile(q) => serde_json::to_value(q).unwrap(),
            Form::Conditional(c) => serde_json::to_value(c).unwrap(),
            Form::Bucket(b) => serde_json::to_value(b).unwrap(),
            Form::Prefix(p) => serde_json::to_value(p).unwrap(),
            _ => unreachable!("no fallback"),
        };
        assert!(
            spelled
                .as_object()
                .unwrap()
                .values()
                .all(|v| *v != refused_word),
            "{}: {spelled}",
            form.name()
        );
    }
}

/// A feature with no accepted spelling fails the check (exit 1), names the feature, and
/// writes no dialect.
#[test]
#[ignore = "needs chdb: scripts/test.sh installs it and runs this"]
fn a_refused_form_without_fallback_fails_the_check() {
    let dir = tempfile::tempdir().unwrap();
    for (refuse, feature) in [
        (vec!["count-distinct"], "distinct count"),
        (
            vec!["quantileExactWeighted", "quantileWeighted"],
            "weighted quantile",
        ),
    ] {
        let api = emulator(refuse.clone());
        let file = dir.path().join("dialect.json");
        let output = check(&format!("{}/client/v4", api.url()))
            .arg("--write")
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(feature), "{stderr}");
        let table = String::from_utf8_lossy(&output.stdout);
        for form in &refuse {
            let line = table
                .lines()
                .find(|l| l.starts_with(&format!("{form} ")))
                .unwrap();
            assert!(line.contains(" refused "), "{line}");
        }
        assert!(!file.exists());
    }
}

/// An engine that refuses every quoting of the dataset name: both quoting probes are refused
/// with its message, every other probe is skipped (not sent), and the check fails naming the
/// dataset name.
#[test]
fn without_a_dataset_quoting_the_other_probes_are_skipped() {
    let api = Receiver::handle(|request| {
        if request.body.contains("nno-core-ops") {
            Answer::text(422, "unknown table: quoting not supported")
        } else {
            Answer::json(200, EMPTY)
        }
    });
    let output = check(&format!("{}/client/v4", api.url()))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let document = json_of(&output);
    assert_eq!(
        refused(&document),
        ["dataset-double-quotes", "dataset-backticks"]
    );
    let forms = document["forms"].as_array().unwrap();
    assert_eq!(forms.len(), FORMS.len());
    assert_eq!(forms[0]["message"], "unknown table: quoting not supported");
    for form in &forms[2..] {
        assert_eq!(form["outcome"], "skipped", "{form}");
    }
    assert_eq!(document["dialect"], serde_json::Value::Null);
    assert_eq!(document["missing"][0], "dataset name");
    assert_eq!(api.received().len(), 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("dataset name"));
}
