//! What each page shows equals the API's answer it was rendered from: the fleet's rows and
//! heatmap cells, the overview's bars and series, the trace's spans, the log page's entries,
//! cursor and download links; and values from the query are escaped.

mod support;

use support::*;

fn api_json(
    api: &nno_obs_api::Api<nno_obs_api::local::LocalBackend>,
    target: &str,
) -> serde_json::Value {
    json(&get_as(api, target, &operator_token()))
}

/// The heatmap's (cells in its first row, columns its time labels span).
fn heatmap_columns(html: &str) -> (usize, usize) {
    let table = &html[html.find(r#"<table class="heatmap">"#).unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    let body = &table[table.find("<tbody>").unwrap()..];
    let row = &body[..body.find("</tr>").unwrap()];
    let spanned = table
        .split(r#"colspan=""#)
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].parse::<usize>().unwrap())
        .sum();
    (row.matches("<td").count(), spanned)
}

#[test]
fn fleet_has_a_row_per_platform_and_a_linked_cell_per_heatmap_cell() {
    let api = api();
    let fleet = api_json(&api, "/api/observability/fleet?range=24h");
    let heatmap = api_json(&api, "/api/observability/heatmap?range=24h&bucket=1h");
    let html = body(&page(
        &api,
        "/internal/observability",
        Some(&operator_token()),
    ));
    let rows = fleet["platforms"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for row in rows {
        let id = row["platformId"].as_str().unwrap();
        assert!(
            html.contains(&format!(
                r#"<th scope="row"><a href="/platforms/{id}/observability?range=24h">"#
            )),
            "{id}"
        );
    }
    let cells: Vec<&serde_json::Value> = heatmap["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["requests"].as_u64().unwrap() > 0)
        .collect();
    assert!(!cells.is_empty());
    // A cell with requests is coloured and linked; one without is neither.
    let coloured =
        html.matches(r#"<td class="h"#).count() - html.matches(r#"<td class="hn""#).count();
    assert_eq!(coloured, cells.len());
    assert_eq!(html.matches(r#"aria-label="#).count() - 3, cells.len()); // less the navs and legend
    let cell = &cells[0];
    let link = format!(
        "/platforms/{}/logs?from={}",
        cell["platformId"].as_str().unwrap(),
        nno_obs_console::escape::encode(cell["bucket"].as_str().unwrap())
    );
    assert!(html.contains(&link), "{link}");
    // Every bucket is a column.
    let buckets = heatmap["buckets"].as_array().unwrap().len();
    assert_eq!(heatmap_columns(&html), (buckets, buckets));
}

#[test]
fn a_week_uses_six_hour_cells() {
    let api = api();
    let html = body(&page(
        &api,
        "/internal/observability?range=7d",
        Some(&operator_token()),
    ));
    let heatmap = api_json(&api, "/api/observability/heatmap?range=7d&bucket=6h");
    let buckets = heatmap["buckets"].as_array().unwrap().len();
    // A week of 6-hour buckets (one more where the week starts mid-bucket).
    assert!((28..=29).contains(&buckets), "{buckets}");
    assert_eq!(heatmap_columns(&html), (buckets, buckets));
    assert!(html.contains(r#"aria-current="true">7 d</a>"#));
}

#[test]
fn overview_draws_a_bar_per_hour_and_a_line_per_feature() {
    let api = api();
    let p = &fixture().platforms[0];
    let overview = api_json(
        &api,
        &format!("/api/observability/overview?platformId={p}&range=24h"),
    );
    let html = body(&page(
        &api,
        &format!("/platforms/{p}/observability"),
        Some(&admin_token(p)),
    ));
    let hours = overview["requestsPerHour"].as_array().unwrap();
    assert!(hours.len() >= 24);
    assert_eq!(html.matches(r#"<rect class="bar""#).count(), hours.len());
    let busiest = hours
        .iter()
        .map(|h| h["requests"].as_u64().unwrap())
        .max()
        .unwrap();
    assert!(html.contains(&format!(
        ": {} requests / hour</title>",
        nno_obs_console::format::count(busiest as f64)
    )));
    let features = overview["errorRatePerFeature"].as_array().unwrap();
    assert!(!features.is_empty());
    for feature in features {
        let name = feature["feature"].as_str().unwrap();
        assert!(html.contains(&format!("<title>{name}, ")), "{name}");
    }
    assert_eq!(
        html.matches(r#"<li class="light "#).count(),
        overview["workers"].as_array().unwrap().len()
    );
}

#[test]
fn an_empty_range_says_why() {
    let api = api();
    let p = &fixture().platforms[0];
    let html = body(&page(
        &api,
        &format!("/platforms/{p}/observability?range=1h&until=2026-01-01T00:00:00Z"),
        Some(&admin_token(p)),
    ));
    assert!(html.contains("No requests in the last 1 h"), "{html}");
    assert!(html.contains("No Pages build finished"));
}

#[test]
fn the_trace_page_draws_every_span_and_lists_its_lines() {
    let api = api();
    let p = &fixture().platforms[0];
    let trace_id = a_trace_of(&api, p);
    let trace = api_json(&api, &format!("/api/observability/traces/{trace_id}"));
    let html = body(&page(
        &api,
        &format!("/internal/observability/traces/{trace_id}"),
        Some(&operator_token()),
    ));
    let spans = trace["spans"].as_array().unwrap();
    assert!(!spans.is_empty());
    assert_eq!(html.matches(r#"<g class="span "#).count(), spans.len());
    assert_eq!(
        html.matches(r#"<tr><td class="time">"#).count(),
        trace["logs"].as_array().unwrap().len()
    );
    assert!(html.contains(&format!("/platforms/{p}/logs?traceId={trace_id}")));
    // Its lines are all of this trace: no column repeats the id on every row.
    assert!(!html.contains(r#"<th scope="col">Trace</th>"#));
    let lines = &html[html.find(r#"id="lines-h""#).unwrap()..];
    assert!(!lines.contains(&format!("<code>{trace_id}</code>")));
    // The admin's view is its part only, as the API's.
    let own = api_json(
        &api,
        &format!("/api/observability/traces/{trace_id}?platformId={p}"),
    );
    let html = body(&page(
        &api,
        &format!("/platforms/{p}/observability/traces/{trace_id}"),
        Some(&admin_token(p)),
    ));
    assert_eq!(
        html.matches(r#"<g class="span "#).count(),
        own["spans"].as_array().unwrap().len()
    );
}

#[test]
fn an_unknown_trace_is_the_404_page() {
    let api = api();
    let response = page(
        &api,
        "/internal/observability/traces/0000000000000000000000000000dead",
        Some(&operator_token()),
    );
    assert_eq!(response.status, 404);
}

#[test]
fn logs_page_through_with_the_api_cursor() {
    let api = api();
    let p = &fixture().platforms[0];
    let token = admin_token(p);
    // A cursor is bound to its caller: the API is asked as the page's caller.
    let first = json(&get_as(
        &api,
        &format!("/api/observability/logs?platformId={p}&since=24h"),
        &token,
    ));
    let html = body(&page(&api, &format!("/platforms/{p}/logs"), Some(&token)));
    let entries = first["entries"].as_array().unwrap().len();
    assert_eq!(html.matches(r#"<tr><td class="time">"#).count(), entries);
    let next = first["next"].as_str().expect("more than one page of lines");
    let encoded = nno_obs_console::escape::encode(next);
    assert!(html.contains(&format!("cursor={encoded}")), "next link");
    // Following the link shows the API's second page.
    let second = json(&get_as(
        &api,
        &format!("/api/observability/logs?platformId={p}&since=24h&cursor={encoded}"),
        &token,
    ));
    let html = body(&page(
        &api,
        &format!("/platforms/{p}/logs?range=24h&cursor={encoded}"),
        Some(&token),
    ));
    assert_eq!(
        html.matches(r#"<tr><td class="time">"#).count(),
        second["entries"].as_array().unwrap().len()
    );
    assert!(html.contains(">First page</a>"));
    // Lines are expandable to their JSON.
    assert!(html.contains("<details><summary>"));
}

#[test]
fn logs_download_lists_the_signed_links() {
    let api = api();
    let p = &fixture().platforms[0];
    let download = api_json(
        &api,
        &format!("/api/observability/logs/download?platformId={p}&since=24h"),
    );
    let html = body(&page(
        &api,
        &format!("/platforms/{p}/logs?download=1"),
        Some(&admin_token(p)),
    ));
    let files = download["files"].as_array().unwrap();
    assert!(!files.is_empty());
    assert_eq!(html.matches("\" download>").count(), files.len());
}

#[test]
fn query_values_are_escaped_on_the_page() {
    let api = api();
    let p = &fixture().platforms[0];
    let html = body(&page(
        &api,
        &format!("/platforms/{p}/logs?text=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22"),
        Some(&admin_token(p)),
    ));
    assert!(!html.contains("<script>"));
    assert!(html.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;&quot;\""));
}

#[test]
fn features_show_a_row_per_feature_and_the_endpoints() {
    let api = api();
    let p = &fixture().platforms[0];
    let answer = api_json(
        &api,
        &format!("/api/observability/features?platformId={p}&range=24h"),
    );
    let html = body(&page(
        &api,
        &format!("/platforms/{p}/observability/features"),
        Some(&admin_token(p)),
    ));
    let features = answer["features"].as_array().unwrap();
    assert!(!features.is_empty());
    for f in features {
        assert!(html.contains(&format!("<tr><td>{}</td>", f["feature"].as_str().unwrap())));
    }
    let slowest = answer["slowestEndpoints"].as_array().unwrap();
    for e in slowest {
        assert!(html.contains(&format!("<code>{}</code>", e["endpoint"].as_str().unwrap())));
    }
}

#[test]
fn provisioning_shows_the_api_jobs_and_says_what_is_not_connected() {
    let api = api();
    let answer = api_json(&api, "/api/observability/provisioning?range=24h");
    let html = body(&page(
        &api,
        "/internal/observability/provisioning",
        Some(&operator_token()),
    ));
    let jobs =
        answer["running"].as_array().unwrap().len() + answer["failed"].as_array().unwrap().len();
    assert!(jobs > 0, "the simulated fleet provisions");
    assert_eq!(
        html.matches(r#"<a href="/internal/observability/traces/"#)
            .count(),
        jobs
    );
    assert!(html.contains("Source not connected"));
}

#[test]
fn an_admin_sees_its_alerts_only_as_the_api_answers() {
    let api = api();
    let p = &fixture().platforms[0];
    let token = admin_token(p);
    let answer = json(&get_as(
        &api,
        &format!("/api/observability/alerts?platformId={p}"),
        &token,
    ));
    let firing = answer["firing"].as_array().unwrap().len();
    assert!(
        firing > 0,
        "the fixture fires alerts about the first platform"
    );
    let html = body(&page(
        &api,
        &format!("/platforms/{p}/observability/alerts"),
        Some(&token),
    ));
    let everything = body(&page(
        &api,
        "/internal/observability/alerts",
        Some(&operator_token()),
    ));
    let all = json(&get_as(
        &api,
        "/api/observability/alerts",
        &operator_token(),
    ));
    let shown = |html: &str| html.matches("\"><details><summary>").count();
    let resolved = answer["resolved"].as_array().unwrap().len();
    assert_eq!(shown(&html), firing + resolved);
    let all_count =
        all["firing"].as_array().unwrap().len() + all["resolved"].as_array().unwrap().len();
    assert_eq!(shown(&everything), all_count);
    assert!(
        all_count > firing + resolved,
        "the operator sees the other platform's too"
    );
}

#[test]
fn the_trace_search_form_opens_the_trace() {
    let api = api();
    let p = &fixture().platforms[0];
    let trace_id = a_trace_of(&api, p);
    let searched = body(&page(
        &api,
        &format!("/internal/observability/traces?traceId={trace_id}"),
        Some(&operator_token()),
    ));
    let direct = body(&page(
        &api,
        &format!("/internal/observability/traces/{trace_id}"),
        Some(&operator_token()),
    ));
    assert!(searched.contains(r#"<g class="span "#));
    assert_eq!(
        searched.matches(r#"<g class="span "#).count(),
        direct.matches(r#"<g class="span "#).count()
    );
    let bad = page(
        &api,
        "/internal/observability/traces?traceId=a%2Fb",
        Some(&operator_token()),
    );
    assert_eq!(bad.status, 400);
}

/// The hrefs of the range picker (`<nav class="range">`), with `&amp;` read back as `&`.
fn range_links(html: &str) -> Vec<String> {
    let nav = &html[html.find(r#"<nav class="range""#).expect("a range picker")..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    nav.split(r#"href=""#)
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].replace("&amp;", "&"))
        .collect()
}

#[test]
fn the_range_picker_keeps_the_logs_filters() {
    let api = api();
    let p = &fixture().platforms[0];
    let token = admin_token(p);
    let trace = a_trace_of(&api, p);
    // Every filter the form has, `from` (which the picker's "ending now" replaces) and a
    // download request.
    let filters = format!("feature=x%20y&level=warn&traceId={trace}&userId=u%261&text=a%20b");
    let html = body(&page(
        &api,
        &format!("/platforms/{p}/logs?range=24h&{filters}&from=2026-01-01T00:00:00Z&download=1"),
        Some(&token),
    ));
    let links = range_links(&html);
    let want: Vec<String> = ["1h", "24h", "7d"]
        .iter()
        .map(|r| format!("/platforms/{p}/logs?range={r}&{filters}"))
        .collect();
    assert_eq!(links, want);
    // Following one shows the page of the same filters over the new range: its entries are
    // the API's for those filters.
    let plain = format!("feature=&level=&traceId={trace}");
    let html = body(&page(
        &api,
        &format!("/platforms/{p}/logs?range=1h&{plain}"),
        Some(&token),
    ));
    let link = range_links(&html)
        .into_iter()
        .find(|l| l.contains("range=7d"))
        .unwrap();
    assert_eq!(
        link,
        format!("/platforms/{p}/logs?range=7d&traceId={trace}")
    );
    let followed = body(&page(&api, &link, Some(&token)));
    let answer = json(&get_as(
        &api,
        &format!("/api/observability/logs?platformId={p}&traceId={trace}&since=7d"),
        &token,
    ));
    let entries = answer["entries"].as_array().unwrap();
    assert!(!entries.is_empty());
    assert_eq!(
        followed.matches(r#"<tr><td class="time">"#).count(),
        entries.len()
    );
    assert!(followed.contains(&format!(r#"name="traceId" value="{trace}""#)));
    // Other pages' pickers carry nothing but the range.
    let overview = body(&page(
        &api,
        &format!("/platforms/{p}/observability?range=1h&feature=x"),
        Some(&token),
    ));
    assert_eq!(
        range_links(&overview),
        ["1h", "24h", "7d"]
            .iter()
            .map(|r| format!("/platforms/{p}/observability?range={r}"))
            .collect::<Vec<_>>()
    );
}

#[test]
fn the_silenced_alert_says_so_where_it_is_listed() {
    let api = api();
    let f = fixture();
    let answer = api_json(&api, "/api/observability/alerts");
    let silenced: Vec<&serde_json::Value> = answer["firing"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a.get("silencedBy").is_some())
        .collect();
    assert_eq!(
        silenced.len(),
        1,
        "the fixture silences one alert: {answer}"
    );
    let until = nno_obs_console::format::time(silenced[0]["silencedUntil"].as_str().unwrap());
    let line = format!(
        r#"<span class="held-tag">Silenced</span> not paged: silence <code>s-0123456789ab</code> until {until}</p>"#
    );
    let operator = body(&page(
        &api,
        "/internal/observability/alerts",
        Some(&operator_token()),
    ));
    assert!(operator.contains(&line), "{operator}");
    assert_eq!(operator.matches("is-held").count(), 1);
    // Its platform's admin sees it too; the other platform's admin has none held back.
    let q = &f.platforms[1];
    let mine = body(&page(
        &api,
        &format!("/platforms/{q}/observability/alerts"),
        Some(&admin_token(q)),
    ));
    assert!(mine.contains(&line), "{mine}");
    let p = &f.platforms[0];
    let other = body(&page(
        &api,
        &format!("/platforms/{p}/observability/alerts"),
        Some(&admin_token(p)),
    ));
    assert!(!other.contains("is-held") && !other.contains("s-0123456789ab"));
}

#[test]
fn a_search_that_finds_nothing_offers_no_download() {
    let api = api();
    let p = &fixture().platforms[0];
    let token = admin_token(p);
    let none = body(&page(
        &api,
        &format!("/platforms/{p}/logs?traceId=tr_nothing_has_this_id"),
        Some(&token),
    ));
    assert!(none.contains("<h2 id=\"res-h\">0 entries</h2>"), "{none}");
    assert!(none.contains("Nothing to download: no entry matches."));
    assert!(!none.contains("Make download links"));
    let some = body(&page(&api, &format!("/platforms/{p}/logs"), Some(&token)));
    assert!(some.contains("Make download links for these objects"));
    assert!(!some.contains("Nothing to download"));
}
