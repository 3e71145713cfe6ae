//! The page shell every page shares: a header with the caller's role, the nav of what that
//! caller may open, the range picker (1 h / 24 h / 7 d), then the page; and the pages for a
//! refusal (401, 403, 404, …), which never echo what was asked for.

use crate::escape::{escape, query};
use crate::routes::OPERATOR_HOME;
use crate::{Range, Refusal, Rendered, STYLESHEET};
use nno_obs_api::http::Response;
use nno_obs_api::Caller;
use std::fmt::Write;

/// Which nav entry the page is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Section {
    /// The operator's fleet.
    Fleet,
    /// NNO's own logs.
    OperatorLogs,
    /// The trace explorer.
    Traces,
    /// A platform's overview.
    Overview(String),
    /// A platform's logs.
    Logs(String),
    /// A platform's trace.
    PlatformTrace(String),
    /// The provisioning monitor.
    Provisioning,
    /// Every alert and objective.
    OperatorAlerts,
    /// A platform's feature performance.
    Features(String),
    /// A platform's alerts and objectives.
    PlatformAlerts(String),
    /// The Stack Registry pipeline.
    Registry,
    /// A platform's audit log.
    Audit(String),
    /// None (an error page).
    None,
}

/// What the header shows.
pub struct Nav {
    /// Who is signed in.
    pub caller: Caller,
    /// The current page.
    pub section: Section,
    /// The range shown.
    pub range: Range,
    /// The range's end, when not now.
    pub until: Option<String>,
    /// The page's path (the range picker links to it).
    pub path: String,
}

/// A page with `rendered` inside the shell.
pub(crate) fn page(nav: &Nav, rendered: &Rendered) -> Response {
    html(
        200,
        &document(
            &rendered.title,
            Some((nav, Some(rendered.keep.as_slice()))),
            &rendered.main,
        ),
    )
}

/// The page of a refusal: its status, a title and what to do; the API's message only where
/// it helps (a parameter's mistake), never the path or platform asked for.
pub fn refused_page(nav: Option<&Nav>, refusal: &Refusal) -> Response {
    let (title, text) = match refusal.status {
        400 => (
            "That request is not valid",
            format!("{}.", escape(&refusal.message)),
        ),
        401 => (
            "Sign in",
            "You are not signed in, or your session has expired. Open the login link you were \
             given (<code>/login?token=…</code>; <code>nno-obs serve</code> prints one, \
             <code>nno-obs token</code> mints one)."
                .to_owned(),
        ),
        403 => (
            "Not available to you",
            "Your role may not see this page. A platform admin sees its own platform only \
             (seed §7); the fleet, the heatmap and other platforms are for NNO operators (seed §8)."
                .to_owned(),
        ),
        404 => (
            "Not found",
            "There is no such page, or nothing by that id that you may see.".to_owned(),
        ),
        405 => ("Method not allowed", "Pages are read with GET.".to_owned()),
        _ => (
            "Temporarily unavailable",
            "A data source did not answer. Try again in a moment.".to_owned(),
        ),
    };
    let home = nav.map(|nav| home_of(&nav.caller)).unwrap_or_default();
    let back = if home.is_empty() {
        String::new()
    } else {
        format!(
            r#"<p><a href="{}">Back to your dashboard</a></p>"#,
            escape(&home)
        )
    };
    let main = format!(
        r#"<section class="empty refusal"><h1>{title}</h1><p>{text}</p>{back}<p class="status">HTTP {}</p></section>"#,
        refusal.status
    );
    // No range picker: it links to the path asked for, which may name a platform the caller
    // may not see.
    html(
        refusal.status,
        &document(title, nav.map(|nav| (nav, None)), &main),
    )
}

/// The caller's home page.
pub fn home_of(caller: &Caller) -> String {
    match caller.platform() {
        None => OPERATOR_HOME.to_owned(),
        Some(platform) => format!("/platforms/{platform}/observability"),
    }
}

fn html(status: u16, body: &str) -> Response {
    Response {
        status,
        headers: vec![
            ("content-type", "text/html; charset=utf-8".to_owned()),
            ("cache-control", "no-store".to_owned()),
            // No script, no frame, nothing from elsewhere: the pages need none of it.
            (
                "content-security-policy",
                "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
                    .to_owned(),
            ),
            ("x-content-type-options", "nosniff".to_owned()),
            ("referrer-policy", "no-referrer".to_owned()),
        ],
        body: body.as_bytes().to_vec(),
    }
}

/// `nav` with the range picker's kept parameters, or `None` for no picker.
type Header<'a> = Option<(&'a Nav, Option<&'a [(&'static str, String)]>)>;

fn document(title: &str, nav: Header<'_>, main: &str) -> String {
    let mut out = String::with_capacity(main.len() + 2048);
    let _ = write!(
        out,
        r##"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{} · NNO Observability</title><link rel="stylesheet" href="{STYLESHEET}"><link rel="icon" href="data:,"></head><body><a class="skip" href="#main">Skip to content</a><header class="top"><div class="brand">NNO Observability</div>"##,
        escape(title)
    );
    if let Some((nav, range_keeps)) = nav {
        out.push_str(&header(nav, range_keeps));
    }
    let _ = write!(
        out,
        r#"</header><main id="main">{main}</main></body></html>"#
    );
    out
}

fn header(nav: &Nav, range_keeps: Option<&[(&'static str, String)]>) -> String {
    let range = nav.range.as_str();
    let r = |path: &str| format!("{path}{}", query(&[("range", range)]));
    let mut links: Vec<(String, &str, bool)> = Vec::new();
    let role = match nav.caller.platform() {
        None => {
            links.push((r(OPERATOR_HOME), "Fleet", nav.section == Section::Fleet));
            links.push((
                r(&format!("{OPERATOR_HOME}/provisioning")),
                "Provisioning",
                nav.section == Section::Provisioning,
            ));
            links.push((
                r(&format!("{OPERATOR_HOME}/alerts")),
                "Alerts & SLOs",
                nav.section == Section::OperatorAlerts,
            ));
            links.push((
                r(&format!("{OPERATOR_HOME}/registry")),
                "Registry",
                nav.section == Section::Registry,
            ));
            links.push((
                r(&format!("{OPERATOR_HOME}/traces")),
                "Trace explorer",
                nav.section == Section::Traces,
            ));
            links.push((
                r(&format!("{OPERATOR_HOME}/logs")),
                "NNO logs",
                nav.section == Section::OperatorLogs,
            ));
            "NNO operator".to_owned()
        }
        Some(platform) => format!("Platform admin · {}", escape(platform.as_str())),
    };
    // The platform pages: the admin's own, or the one an operator is looking at.
    let platform = match (&nav.section, nav.caller.platform()) {
        (_, Some(own)) => Some(own.as_str().to_owned()),
        (
            Section::Overview(p)
            | Section::Logs(p)
            | Section::PlatformTrace(p)
            | Section::Features(p)
            | Section::PlatformAlerts(p)
            | Section::Audit(p),
            None,
        ) => Some(p.clone()),
        _ => None,
    };
    // The operator's own pages end here; a platform's follow, named as such.
    let own = links.len();
    if let Some(p) = &platform {
        links.push((
            r(&format!("/platforms/{p}/observability")),
            "Overview",
            nav.section == Section::Overview(p.clone()),
        ));
        links.push((
            r(&format!("/platforms/{p}/observability/features")),
            "Features",
            nav.section == Section::Features(p.clone()),
        ));
        links.push((
            r(&format!("/platforms/{p}/logs")),
            "Logs",
            nav.section == Section::Logs(p.clone()),
        ));
        links.push((
            r(&format!("/platforms/{p}/observability/alerts")),
            "Alerts & SLOs",
            nav.section == Section::PlatformAlerts(p.clone()),
        ));
        links.push((
            r(&format!("/platforms/{p}/observability/audit")),
            "Audit log",
            nav.section == Section::Audit(p.clone()),
        ));
    }
    let mut out = format!(r#"<div class="role">{role}</div><nav aria-label="Pages"><ul>"#);
    for (n, (href, label, current)) in links.into_iter().enumerate() {
        if n == own && own > 0 {
            if let Some(p) = &platform {
                let _ = write!(out, r#"<li class="group">Platform {}:</li>"#, escape(p));
            }
        }
        let _ = write!(
            out,
            r#"<li><a href="{}"{}>{}</a></li>"#,
            escape(&href),
            if current {
                r#" aria-current="page""#
            } else {
                ""
            },
            escape(label)
        );
    }
    out.push_str("</ul></nav>");
    if let Some(keep) = range_keeps {
        out.push_str(&range_picker(nav, keep));
    }
    out
}

/// 1 h / 24 h / 7 d, as links to this page (ending now), carrying the page's `keep`
/// parameters.
fn range_picker(nav: &Nav, keep: &[(&'static str, String)]) -> String {
    let mut out = String::from(r#"<nav class="range" aria-label="Time range"><ul>"#);
    for range in Range::ALL {
        let mut pairs = vec![("range", range.as_str())];
        pairs.extend(keep.iter().map(|(k, v)| (*k, v.as_str())));
        let _ = write!(
            out,
            r#"<li><a href="{}{}"{}>{}</a></li>"#,
            escape(&nav.path),
            query(&pairs),
            if range == nav.range && nav.until.is_none() {
                r#" aria-current="true""#
            } else {
                ""
            },
            range.label()
        );
    }
    out.push_str("</ul>");
    if let Some(until) = &nav.until {
        let _ = write!(
            out,
            r#"<p class="until">{} ending {}</p>"#,
            nav.range.label(),
            escape(&crate::format::time(until))
        );
    }
    out.push_str("</nav>");
    out
}
