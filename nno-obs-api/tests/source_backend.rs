//! The backend over object sources (what the `nno-logging` Worker runs over R2) answers as the
//! local backend does: the same bytes for a table of requests over the same simulated store;
//! bounded, it answers `complete: false` with cursors that continue to the same entries.

mod support;

use nno_obs_api::source::SourceLimits;
use nno_obs_logs::objects::Limits;
use std::path::Path;
use support::*;

/// A trace id of platform `platform`'s lines.
fn a_trace_of(platform: &str) -> String {
    let page = json(&get_as(
        &api(),
        &format!("/api/observability/logs?platformId={platform}&limit=50"),
        &operator_token(),
    ));
    page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|e| e["traceId"].as_str())
        .expect("the platform has traced lines")
        .to_owned()
}

/// The requests compared, with who asks.
fn table() -> Vec<(String, String)> {
    let f = fixture();
    let (a, b) = (&f.platforms[0], &f.platforms[1]);
    let trace = a_trace_of(a);
    let operator = operator_token();
    let admin = admin_token(a);
    let until = "until=2026-02-22T12:00:00Z";
    let mut table = vec![
        (
            format!("/api/observability/logs?platformId={a}&limit=20"),
            operator.clone(),
        ),
        (
            "/api/observability/logs?limit=7".to_owned(),
            operator.clone(),
        ),
        (
            format!("/api/observability/logs?platformId={b}&level=warn&since=2h"),
            operator.clone(),
        ),
        (
            "/api/observability/logs?level=error&limit=1000".to_owned(),
            admin.clone(),
        ),
        (
            format!("/api/observability/logs?traceId={trace}"),
            admin.clone(),
        ),
        (
            "/api/observability/logs?text=timeout&limit=30".to_owned(),
            admin.clone(),
        ),
        (
            "/api/observability/logs?from=2026-02-22T11:30:00Z&to=2026-02-22T11:40:00Z".to_owned(),
            admin.clone(),
        ),
        (
            format!("/api/observability/logs?platformId={b}"),
            admin.clone(),
        ),
        (
            format!("/api/observability/logs/download?platformId={a}&since=1h"),
            operator.clone(),
        ),
        (
            "/api/observability/logs/download?from=2026-02-22T11:50:00Z".to_owned(),
            admin.clone(),
        ),
        (
            "/api/observability/logs/download".to_owned(),
            operator.clone(),
        ),
        (
            format!("/api/observability/traces/{trace}"),
            operator.clone(),
        ),
        (format!("/api/observability/traces/{trace}"), admin.clone()),
        (
            format!("/api/observability/traces/{trace}?platformId={b}"),
            operator.clone(),
        ),
        (
            "/api/observability/traces/no-such-trace".to_owned(),
            operator.clone(),
        ),
        (
            format!("/api/observability/features?platformId={a}&range=1h&{until}"),
            operator.clone(),
        ),
        (
            format!("/api/observability/overview?range=1h&{until}"),
            admin.clone(),
        ),
        (
            format!("/api/observability/fleet?range=1h&{until}"),
            operator.clone(),
        ),
        (format!("/api/observability/slo?{until}"), operator.clone()),
        ("/api/observability/alerts".to_owned(), admin.clone()),
        ("/api/observability/alerts".to_owned(), operator.clone()),
    ];
    // The second page of a search, by the local backend's cursor.
    let first = json(&get_as(
        &api(),
        &format!("/api/observability/logs?platformId={a}&limit=20"),
        &operator,
    ));
    let cursor = first["next"].as_str().expect("more than one page");
    table.push((
        format!("/api/observability/logs?platformId={a}&limit=20&cursor={cursor}"),
        operator.clone(),
    ));
    table
}

#[test]
fn the_source_backend_answers_as_the_local_backend() {
    let f = fixture();
    let local = api();
    // Every object read once, so both see the same sidecars (each writes the ones it lacks).
    get_as(&local, "/api/observability/logs?limit=1", &operator_token());
    for platform in &f.platforms {
        get_as(
            &local,
            &format!("/api/observability/logs?platformId={platform}&limit=1"),
            &operator_token(),
        );
    }
    let source = source_api(&f.store, SourceLimits::UNLIMITED);
    let table = table();
    assert!(table.len() > 20);
    for (target, token) in &table {
        let want = get_as(&local, target, token);
        let got = get_as(&source, target, token);
        assert_eq!(got.status, want.status, "{target}: {}", body(&got));
        assert_eq!(body(&got), body(&want), "{target}");
        assert_eq!(got.headers, want.headers, "{target}");
    }
    // The download links of one answer open the same bytes through either backend.
    let listing = json(&get_as(
        &source,
        "/api/observability/logs/download?since=1h",
        &operator_token(),
    ));
    let url = listing["files"][0]["url"].as_str().expect("a link");
    let (got, want) = (get(&source, url, None), get(&local, url, None));
    assert_eq!((got.status, &got.headers), (200, &want.headers));
    assert!(!got.body.is_empty() && got.body == want.body);
}

/// A copy of the fixture's store without index sidecars: every object is unknown until read.
fn copy_without_sidecars(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_without_sidecars(&entry.path(), &target);
        } else if !entry.file_name().to_string_lossy().ends_with(".idx") {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every entry of `filter`, page by page of `limit`, and whether some page was incomplete.
fn follow(
    api: &nno_obs_api::Api<impl nno_obs_api::Backend>,
    filter: &str,
    limit: usize,
    token: &str,
) -> (Vec<String>, bool, usize) {
    let mut entries = Vec::new();
    let mut incomplete = false;
    let mut cursor = String::new();
    let mut empty_pages = 0;
    for _ in 0..1_000 {
        let target = format!("/api/observability/logs?{filter}&limit={limit}{cursor}");
        let response = get_as(api, &target, token);
        assert_eq!(response.status, 200, "{target}: {}", body(&response));
        let page = json(&response);
        let got = page["entries"].as_array().unwrap();
        empty_pages += usize::from(got.is_empty());
        entries.extend(got.iter().map(|e| e.to_string()));
        incomplete |= page["complete"] == false;
        match page["next"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return (entries, incomplete, empty_pages),
        }
    }
    panic!("the cursors did not end");
}

#[test]
fn a_bounded_search_stops_incomplete_and_its_cursors_continue_to_every_entry() {
    let f = fixture();
    let a = &f.platforms[0];
    let store = tempfile::tempdir().unwrap();
    copy_without_sidecars(&f.store, store.path());
    let one_object = SourceLimits {
        search: Limits {
            max_objects: 1,
            max_bytes: u64::MAX,
        },
        sidecars: 0,
    };
    let bounded = source_api(store.path(), one_object);
    let token = admin_token(a);
    let filter = format!("platformId={a}&level=warn&since=2h");
    let (paged, incomplete, empty_pages) = follow(&bounded, &filter, 3, &token);
    let (all, _, _) = follow(&api(), &filter, 1000, &token);
    assert!(
        all.len() > 3,
        "enough warnings to page through: {}",
        all.len()
    );
    assert!(incomplete, "one object per call cannot answer whole");
    // Without sidecars every object is unknown until read: a call that read one of several
    // gives nothing yet, and its cursor (a continuation without a last entry) still continues.
    assert!(empty_pages > 0);
    assert_eq!(paged, all);
}

#[test]
fn a_bounded_trace_lookup_says_it_is_incomplete() {
    let f = fixture();
    let store = tempfile::tempdir().unwrap();
    copy_without_sidecars(&f.store, store.path());
    let trace = a_trace_of(&f.platforms[0]);
    let one_object = SourceLimits {
        search: Limits {
            max_objects: 1,
            max_bytes: u64::MAX,
        },
        sidecars: 0,
    };
    let bounded = source_api(store.path(), one_object);
    let view = json(&get_as(
        &bounded,
        &format!("/api/observability/traces/{trace}"),
        &operator_token(),
    ));
    assert_eq!(view["complete"], false, "{view}");
    let whole = json(&get_as(
        &source_api(store.path(), SourceLimits::UNLIMITED),
        &format!("/api/observability/traces/{trace}"),
        &operator_token(),
    ));
    assert_eq!(whole["complete"], true);
    assert!(!whole["logs"].as_array().unwrap().is_empty());
}

/// An engine with no metrics: every plan's answer is empty.
struct NoMetrics;

impl nno_obs_query::Engine for NoMetrics {
    fn run<'a>(
        &'a self,
        plan: &'a nno_obs_query::Plan,
    ) -> nno_obs_query::questions::TableFuture<'a> {
        Box::pin(std::future::ready(Ok(nno_obs_query::Table::empty(plan))))
    }
}

/// A Workers Trace Events record of one nno-obs line of trace `t1`, `second`s after
/// 2026-02-22 10:00 UTC.
fn record(second: u64, script: &str, text: &str) -> String {
    let ms = 1_771_754_400_000 + second * 1000;
    format!(
        r#"{{"ScriptName":"{script}","Outcome":"ok","EventTimestampMs":{ms},"Logs":[{{"Level":"log","Message":["{{\"timestamp\":\"2026-02-22T10:00:0{second}.000Z\",\"level\":\"info\",\"service\":\"s\",\"traceId\":\"t1\",\"message\":\"{text}\"}}"],"TimestampMs":{ms}}}]}}"#
    )
}

#[test]
fn an_operators_trace_lookup_merges_every_buckets_lines_in_time_order() {
    use nno_obs_logs::source::MemorySource;
    use nno_obs_store::layout::{Bucket, PlatformId};

    let internal = MemorySource::new();
    internal.insert(
        "20260222/a.ndjson",
        format!(
            "{}\n{}\n",
            record(1, "nno-gateway-prod", "gateway in"),
            record(4, "nno-gateway-prod", "gateway out")
        )
        .into_bytes(),
    );
    let platform = MemorySource::new();
    platform.insert(
        "20260222/b.ndjson",
        format!(
            "{}\n",
            record(2, "k3m9p2xw7q-r8n4t6y1z5-analytics-prod", "analytics")
        )
        .into_bytes(),
    );
    let backend = nno_obs_api::source::SourceBackend::new(
        Box::new(NoMetrics),
        Box::new(nno_obs_api::source::NoRecords),
        Box::new(|| NOW_MS),
    )
    .with_bucket(Bucket::Internal, internal)
    .with_bucket(
        Bucket::Platform(PlatformId::parse("k3m9p2xw7q").unwrap()),
        platform,
    );
    let api = nno_obs_api::Api::new(backend, secret());
    let view = json(&get_as(
        &api,
        "/api/observability/traces/t1",
        &operator_token(),
    ));
    let lines: Vec<&str> = view["logs"]
        .as_array()
        .unwrap_or_else(|| panic!("{view}"))
        .iter()
        .map(|line| line["message"].as_str().unwrap_or_else(|| panic!("{view}")))
        .collect();
    assert_eq!(lines, ["gateway in", "analytics", "gateway out"], "{view}");
    assert_eq!(view["complete"], true);
    // The platform's admin sees its own bucket's line only.
    let admin = json(&get_as(
        &api,
        "/api/observability/traces/t1?platformId=k3m9p2xw7q",
        &admin_token("k3m9p2xw7q"),
    ));
    assert_eq!(admin["logs"].as_array().map(Vec::len), Some(1), "{admin}");
}
