//! The Analytics Engine SQL API's stand-in: `scripts/chdb_sql_api.py --lines` (chdb, the
//! embedded ClickHouse) behind a [`Receiver`], one Python process answering every request (one
//! chdb import), as the SQL API answers: 200 with the JSON format, 422 with the engine's plain
//! text for a statement it cannot run (a refused form, a dataset it does not hold), 401 with a
//! v4 error envelope for another bearer token.

use crate::{lock, Answer, Receiver};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

/// The python that has chdb: `$NNO_CHDB_PYTHON`, else `.tools/chdb/bin/python` of the
/// repository whose crate `manifest_dir` is (`scripts/chdb.sh` installs it there).
///
/// ```
/// let python = nno_obs_testkit::sql_api::chdb_python(env!("CARGO_MANIFEST_DIR"));
/// assert!(python.ends_with("python"));
/// ```
pub fn chdb_python(manifest_dir: &str) -> PathBuf {
    match std::env::var("NNO_CHDB_PYTHON") {
        Ok(python) => PathBuf::from(python),
        Err(_) => Path::new(manifest_dir).join("../.tools/chdb/bin/python"),
    }
}

/// Starts the stand-in for the crate at `manifest_dir`: requests must carry
/// `Authorization: Bearer {token}`; each statement runs with `spec` (`structure`, `tables`,
/// `refuse`, as `chdb_sql_api.py` reads them) and the request's body as its `sql`. Panics when
/// chdb is not installed (a test's precondition).
///
/// ```no_run
/// let api = nno_obs_testkit::sql_api::stand_in(
///     env!("CARGO_MANIFEST_DIR"),
///     "analytics-read-t0ken",
///     serde_json::json!({"structure": "timestamp DateTime", "tables": {"nno-core-ops": []}, "refuse": []}),
/// );
/// println!("{}/client/v4", api.url());
/// ```
pub fn stand_in(manifest_dir: &str, token: &str, spec: serde_json::Value) -> Receiver {
    let script = Path::new(manifest_dir).join("../scripts/chdb_sql_api.py");
    let mut child = Command::new(chdb_python(manifest_dir))
        .arg(script)
        .arg("--lines")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("chdb: run scripts/chdb.sh first");
    let stdin = child.stdin.take().expect("piped stdin");
    let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let engine = Mutex::new((child, stdin, stdout));
    let bearer = format!("Bearer {token}");
    Receiver::handle(move |request| {
        if request.header("authorization") != Some(bearer.as_str()) {
            return Answer::json(
                401,
                r#"{"success":false,"errors":[{"code":10000,"message":"Authentication error"}]}"#,
            );
        }
        let mut spec = spec.clone();
        spec["sql"] = serde_json::Value::String(request.body.clone());
        let mut engine = lock(&engine);
        let (_, stdin, stdout) = &mut *engine;
        writeln!(stdin, "{spec}").expect("the stand-in reads");
        let mut line = String::new();
        stdout.read_line(&mut line).expect("the stand-in answers");
        let reply: serde_json::Value = serde_json::from_str(&line).expect("one JSON line");
        let text = |key: &str| reply[key].as_str().unwrap_or_default().to_owned();
        match reply["code"].as_i64() {
            Some(0) => Answer::json(200, text("out")),
            // As the SQL API answers a statement it cannot run.
            Some(1) => Answer::text(422, text("err")),
            _ => Answer::text(500, text("err")),
        }
    })
}
