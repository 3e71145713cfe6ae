//! The SQL API client against the SQL API's stand-in (`scripts/chdb_sql_api.py`, chdb over
//! Analytics Engine-shaped tables) holding only the datasets that were written: a statement on
//! a dataset never written is refused there (HTTP 422, the engine's plain text, as the SQL API
//! refuses a statement it cannot run), `SHOW TABLES` lists what exists, and the client answers
//! the never-written dataset with no rows (see `nno_obs_query::client`).
//!
//! It needs chdb (`scripts/chdb.sh` installs it into `.tools/chdb`); `scripts/test.sh` runs it
//! with `--ignored` after that, so `cargo test` alone never needs Python.

use nno_obs_cloudflare::{NativeTransport, Secret};
use nno_obs_query::client::SqlApi;
use nno_obs_query::questions::{JobStats, RequestsPerHour};
use nno_obs_query::{Question, TimeRange};
use nno_obs_store::layout::PlatformId;
use nno_obs_store::points::CLICKHOUSE_STRUCTURE;
use nno_obs_testkit::Receiver;
use std::time::Duration;

const ACCOUNT: &str = "0123456789abcdef0123456789abcdef";
const TOKEN: &str = "analytics-read-t0ken";

/// The stand-in with `nno-core-ops` only (empty: written to, nothing in the range), refusing
/// the SQL forms in `refuse`.
fn stand_in(refuse: Vec<&'static str>) -> Receiver {
    nno_obs_testkit::sql_api::stand_in(
        env!("CARGO_MANIFEST_DIR"),
        TOKEN,
        serde_json::json!({
            "structure": CLICKHOUSE_STRUCTURE,
            "tables": { "nno-core-ops": [] },
            "refuse": refuse,
        }),
    )
}

fn client(api: &Receiver) -> SqlApi<NativeTransport> {
    let transport =
        NativeTransport::new(&format!("{}/client/v4", api.url()), Duration::from_secs(60));
    SqlApi::new(transport, ACCOUNT, Secret::new(TOKEN)).unwrap()
}

/// The statements the stand-in received.
fn statements(api: &Receiver) -> Vec<String> {
    api.received().into_iter().map(|r| r.body).collect()
}

#[test]
#[ignore = "needs chdb: scripts/test.sh installs it and runs this"]
fn a_dataset_never_written_answers_no_rows() {
    let api = stand_in(Vec::new());
    let sql = client(&api);
    let range = TimeRange::new(1_771_754_400, 1_771_761_600).unwrap();
    // A provisioned platform that never wrote a point: no `k3m9p2xw7q-perf` table.
    let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
    let plan = RequestsPerHour::new(&scope, range).plans().remove(0);
    let table = pollster::block_on(sql.run(&plan)).unwrap();
    assert!(table.rows.is_empty());
    let sent = statements(&api);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[0].contains("\"k3m9p2xw7q-perf\""), "{}", sent[0]);
    assert_eq!(sent[1], "SHOW TABLES FORMAT JSON");
    // The stand-in did refuse the statement (the client did not skip it).
    let direct = pollster::block_on(sql.query(&plan.sql()));
    assert!(
        matches!(
            direct,
            Err(nno_obs_cloudflare::Error::Http { status: 422, .. })
        ),
        "{direct:?}"
    );
}

#[test]
#[ignore = "needs chdb: scripts/test.sh installs it and runs this"]
fn a_written_dataset_answers_and_its_refusals_stay_errors() {
    let range = TimeRange::new(1_771_754_400, 1_771_761_600).unwrap();
    let plan = JobStats::new(&nno_obs_access::testing::operator(), range)
        .plans()
        .remove(0);
    // Written to: answered (no rows in the range) without asking for the tables.
    let api = stand_in(Vec::new());
    let table = pollster::block_on(client(&api).run(&plan)).unwrap();
    assert!(table.rows.is_empty());
    assert_eq!(statements(&api).len(), 1);
    // A form the account refuses, on a dataset it has: the refusal is the answer.
    let api = stand_in(vec!["quantileExactWeighted"]);
    let error = pollster::block_on(client(&api).run(&plan))
        .unwrap_err()
        .to_string();
    assert!(error.contains("quantileExactWeighted"), "{error}");
    assert_eq!(
        statements(&api).len(),
        2,
        "the tables were asked, and listed the dataset"
    );
}
