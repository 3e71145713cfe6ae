//! Every answer deserializes into its view type and serializes back to the same bytes: the
//! console reads the API's JSON through these types (`nno_obs_api::views`), so a field that
//! one side renames, skips or re-types without the other fails here, not on a page.

mod support;

use nno_obs_api::views::{
    Alerts, Download, Features, Fleet, Heatmap, LogPage, Overview, Provisioning, Slo, TraceView,
};
use serde::{de::DeserializeOwned, Serialize};
use support::*;

/// The answer to `target`, read as `T` and written again, byte for byte.
fn round_trips<T: DeserializeOwned + Serialize>(target: &str) {
    let response = get_as(&api(), target, &operator_token());
    assert_eq!(response.status, 200, "{target}: {}", body(&response));
    let view: T = serde_json::from_slice(&response.body)
        .unwrap_or_else(|e| panic!("{target}: {e}: {}", body(&response)));
    let again = serde_json::to_vec(&view).unwrap();
    assert_eq!(
        body(&response),
        String::from_utf8(again).unwrap(),
        "{target}"
    );
}

#[test]
fn every_answer_reads_back_into_its_view() {
    let f = fixture();
    let p = &f.platforms[0];
    let logs = json(&get_as(
        &api(),
        &format!("/api/observability/logs?platformId={p}&since=2h&limit=50"),
        &operator_token(),
    ));
    let trace = logs["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|e| e["traceId"].as_str())
        .unwrap()
        .to_owned();
    let api_path = "/api/observability";
    round_trips::<Fleet>(&format!("{api_path}/fleet?range=24h"));
    round_trips::<Heatmap>(&format!("{api_path}/heatmap?range=24h&bucket=1h"));
    round_trips::<Overview>(&format!("{api_path}/overview?platformId={p}&range=24h"));
    round_trips::<Features>(&format!("{api_path}/features?platformId={p}&range=24h"));
    round_trips::<LogPage>(&format!("{api_path}/logs?platformId={p}&since=2h&limit=50"));
    round_trips::<Download>(&format!("{api_path}/logs/download?platformId={p}&since=2h"));
    round_trips::<TraceView>(&format!("{api_path}/traces/{trace}"));
    round_trips::<Provisioning>(&format!("{api_path}/provisioning?range=24h"));
    round_trips::<Slo>(&format!("{api_path}/slo"));
    // The fixture's second platform's alert is silenced: the optional fields read back too.
    round_trips::<Alerts>(&format!("{api_path}/alerts"));
}
