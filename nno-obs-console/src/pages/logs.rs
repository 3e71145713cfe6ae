//! Logs (seed §7.3): the search form (range, feature, level, trace id, user id, text), the
//! page of entries with each line's JSON behind a `<details>`, the API's cursor for the next
//! page, download links, and each trace id linking to its trace.
//! `/platforms/{id}/logs?traceId=…` is where an alert's "trace a recent error" lands (§6.3).

use super::trace::trace_href;
use crate::escape::{escape, query};
use crate::format::{bytes, count, time};
use crate::layout::Section;
use crate::routes::OPERATOR_HOME;
use crate::{Context, Range, Refusal, Rendered};
use nno_obs_api::handlers::PREFIX;
use nno_obs_api::views::{Download, LogEntryView, LogPage};
use nno_obs_api::Backend;
use std::fmt::Write;

/// The search's filters, as the form and the API name them.
const FILTERS: [&str; 7] = [
    "from", "to", "feature", "level", "traceId", "userId", "text",
];

pub(crate) async fn render<B: Backend>(
    context: &Context<'_, B>,
    platform: Option<&str>,
) -> Result<Rendered, Refusal> {
    let filters: Vec<(&'static str, String)> = FILTERS
        .iter()
        .map(|name| (*name, context.param(name)))
        .collect();
    let value = |name: &str| value_of(&filters, name).to_owned();
    let cursor = context.param("cursor");
    let want_download = context.param("download") == "1";
    let path = match platform {
        Some(p) => format!("/platforms/{p}/logs"),
        None => format!("{OPERATOR_HOME}/logs"),
    };
    // The API's question: the filters, the range as `since` unless from/to were given.
    let mut asked: Vec<(&str, String)> = filters.clone();
    if value("from").is_empty() && value("to").is_empty() {
        asked.push(("since", context.range.as_str().to_owned()));
    }
    if let Some(p) = platform {
        asked.push(("platformId", p.to_owned()));
    }
    let mut page_query = asked.clone();
    if !cursor.is_empty() {
        page_query.push(("cursor", cursor.clone()));
    }
    let page: LogPage = context.ask(&format!("{PREFIX}/logs"), &page_query).await?;
    let title = match platform {
        Some(p) => format!("Logs {p}"),
        None => "NNO logs".to_owned(),
    };
    let mut main = match platform {
        Some(p) => format!(r#"<h1>Logs <span class="id">{}</span></h1>"#, escape(p)),
        None => "<h1>NNO's own logs <span class=\"id\">nno-logs-internal</span></h1>".to_owned(),
    };
    main.push_str(&form(&path, context.range, &filters));
    let link = |t: &str| trace_href(platform, t);
    let _ = write!(
        main,
        r#"<section aria-labelledby="res-h"><h2 id="res-h">{} entries</h2><p class="note">Read {} objects, {}{}.</p>"#,
        page.entries.len(),
        count(page.scanned.files as f64),
        bytes(page.scanned.bytes),
        if page.complete {
            ""
        } else {
            "; stopped at the read limits, the next page continues"
        }
    );
    for problem in &page.problems {
        let _ = write!(
            main,
            r#"<p class="problem">Damaged object <code>{}</code>: {}</p>"#,
            escape(&problem.key),
            escape(&problem.message)
        );
    }
    main.push_str(&entries_table(&page.entries, TraceColumn::Linked(&link)));
    let pairs = |extra: &[(&'static str, &str)]| {
        let mut all: Vec<(&str, &str)> = filters.iter().map(|(k, v)| (*k, v.as_str())).collect();
        all.push(("range", context.range.as_str()));
        all.extend_from_slice(extra);
        format!("{path}{}", query(&all))
    };
    main.push_str(r#"<nav class="pager" aria-label="Pages of results"><ul>"#);
    if !cursor.is_empty() {
        let _ = write!(
            main,
            r#"<li><a href="{}">First page</a></li>"#,
            escape(&pairs(&[]))
        );
    }
    if let Some(next) = &page.next {
        let _ = write!(
            main,
            r#"<li><a href="{}" rel="next">Next page</a></li>"#,
            escape(&pairs(&[("cursor", next)]))
        );
    }
    main.push_str("</ul></nav></section>");
    main.push_str(r#"<section aria-labelledby="dl-h"><h2 id="dl-h">Download</h2>"#);
    // A search that read everything and found nothing has no object to offer: a link to make
    // download links for it would only lead to "no object matches".
    let nothing_found = page.entries.is_empty() && page.complete && page.next.is_none();
    if nothing_found && !want_download {
        main.push_str(&super::empty("Nothing to download: no entry matches."));
    } else if want_download {
        let download: Download = context
            .ask(&format!("{PREFIX}/logs/download"), &asked)
            .await?;
        if download.files.is_empty() {
            main.push_str(&super::empty(
                "No Logpush object matches these filters in the range.",
            ));
        } else {
            let _ = write!(
                main,
                r#"<p>Links valid until {} (15 minutes).</p><ul class="links">"#,
                escape(&time(&download.expires_at))
            );
            for file in &download.files {
                let _ = write!(
                    main,
                    r#"<li><a href="{}" download>{}</a> <span class="detail">{}</span></li>"#,
                    escape(&file.url),
                    escape(&file.key),
                    bytes(file.bytes)
                );
            }
            main.push_str("</ul>");
        }
    } else {
        let _ = write!(
            main,
            r#"<p><a href="{}">Make download links for these objects</a> (signed, valid 15 minutes).</p>"#,
            escape(&pairs(&[("download", "1")]))
        );
    }
    main.push_str("</section>");
    Ok(Rendered {
        title,
        section: match platform {
            Some(p) => Section::Logs(p.to_owned()),
            None => Section::OperatorLogs,
        },
        main,
        keep: range_keeps(&filters),
    })
}

/// The filters a change of range keeps: all but `from`/`to`, which the range replaces (the
/// picker's links mean "this range, ending now"). The cursor and the download links are bound
/// to the old range, so they are dropped too.
fn range_keeps(filters: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
    filters
        .iter()
        .filter(|(name, value)| !matches!(*name, "from" | "to") && !value.is_empty())
        .cloned()
        .collect()
}

/// The value of filter `name` (empty when not given).
fn value_of<'a>(filters: &'a [(&'static str, String)], name: &str) -> &'a str {
    filters
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn form(path: &str, range: Range, filters: &[(&'static str, String)]) -> String {
    let value = |name: &str| value_of(filters, name);
    let mut out = format!(
        r#"<form class="search" method="get" action="{}" role="search"><div class="fields"><label>Range<select name="range">"#,
        escape(path)
    );
    for r in Range::ALL {
        let _ = write!(
            out,
            r#"<option value="{}"{}>last {}</option>"#,
            r.as_str(),
            if r == range { " selected" } else { "" },
            r.label()
        );
    }
    out.push_str(r#"</select></label><label>Level (at least)<select name="level"><option value="">any</option>"#);
    for level in ["debug", "info", "warn", "error"] {
        let _ = write!(
            out,
            r#"<option{}>{level}</option>"#,
            if value("level") == level {
                " selected"
            } else {
                ""
            }
        );
    }
    out.push_str("</select></label>");
    for (name, label) in [
        ("feature", "Feature"),
        ("traceId", "Trace id"),
        ("userId", "User id"),
        ("text", "Text"),
    ] {
        let _ = write!(
            out,
            r#"<label>{label}<input name="{name}" value="{}" autocomplete="off"></label>"#,
            escape(value(name))
        );
    }
    for name in ["from", "to"] {
        if !value(name).is_empty() {
            let _ = write!(
                out,
                r#"<label>{name} (instead of the range)<input name="{name}" value="{}"></label>"#,
                escape(value(name))
            );
        }
    }
    out.push_str(r#"</div><button type="submit">Search</button></form>"#);
    out
}

/// The trace column of [`entries_table`]: a link to each line's trace, or none (on a trace's
/// own page every line has the same id, already the page's title).
pub(crate) enum TraceColumn<'a> {
    /// Each trace id links to its trace page.
    Linked(&'a dyn Fn(&str) -> String),
    /// No trace column.
    Omitted,
}

/// Entries as a table: time, level, service, message (its JSON behind `<details>`), and the
/// trace unless [`TraceColumn::Omitted`].
pub(crate) fn entries_table(entries: &[LogEntryView], trace_column: TraceColumn<'_>) -> String {
    if entries.is_empty() {
        return super::empty("No entry matches: widen the range or loosen a filter.");
    }
    let mut out = String::from(
        r#"<div class="scroll"><table class="data logs"><thead><tr><th scope="col">Time (UTC)</th><th scope="col">Level</th><th scope="col">Service</th><th scope="col">Message</th>"#,
    );
    let trace_link = match trace_column {
        TraceColumn::Linked(link) => {
            out.push_str(r#"<th scope="col">Trace</th>"#);
            Some(link)
        }
        TraceColumn::Omitted => None,
    };
    out.push_str("</tr></thead><tbody>");
    for e in entries {
        let message = match &e.entry {
            Some(raw) => format!(
                "<details><summary>{}</summary><pre>{}</pre></details>",
                escape(&e.message),
                escape(raw.get())
            ),
            None => escape(&e.message),
        };
        let trace = match (trace_link, &e.trace_id) {
            (None, _) => String::new(),
            (Some(link), Some(t)) if nno_obs_api::handlers::traces::is_trace_id(t) => format!(
                r#"<td><a href="{}"><code>{}</code></a></td>"#,
                escape(&link(t)),
                escape(t)
            ),
            (Some(_), Some(t)) => format!("<td><code>{}</code></td>", escape(t)),
            (Some(_), None) => "<td></td>".to_owned(),
        };
        let _ = write!(
            out,
            r#"<tr><td class="time">{}</td><td><span class="level {lv}">{lv}</span></td><td>{}</td><td class="msg">{message}</td>{trace}</tr>"#,
            escape(
                &e.timestamp
                    .as_deref()
                    .map(crate::format::time_ms)
                    .unwrap_or_else(|| "–".to_owned())
            ),
            escape(e.service.as_deref().or(e.script.as_deref()).unwrap_or("")),
            lv = escape(&e.level),
        );
    }
    out.push_str("</tbody></table></div>");
    out
}
