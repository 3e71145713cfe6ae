//! The pages: each asks the API for its answers and renders them.

mod alerts;
mod features;
mod fleet;
mod logs;
mod not_connected;
mod overview;
mod provisioning;
mod trace;

use crate::layout::Section;
use crate::routes::Page;
use crate::{Context, Refusal, Rendered};
use nno_obs_api::Backend;

/// The page `page` for `context`'s caller.
pub(crate) async fn render<B: Backend>(
    context: &Context<'_, B>,
    page: &Page,
) -> Result<Rendered, Refusal> {
    // The operator's pages are refused to an admin here, before any question: the API would
    // answer some of them (its logs, a trace) as a missing `platformId` instead.
    if matches!(
        page,
        Page::Fleet
            | Page::OperatorLogs
            | Page::OperatorTrace(_)
            | Page::Provisioning
            | Page::OperatorAlerts
            | Page::RegistryPipeline
    ) {
        context
            .caller
            .operator()
            .map_err(|_| Refusal::new(403, "forbidden"))?;
    }
    match page {
        Page::Fleet => fleet::render(context).await,
        Page::Overview(platform) => overview::render(context, platform.as_str()).await,
        Page::OperatorTrace(id) => trace::render(context, None, id.as_deref()).await,
        Page::PlatformTrace(platform, id) => {
            trace::render(context, Some(platform.as_str()), Some(id)).await
        }
        Page::Logs(platform) => logs::render(context, Some(platform.as_str())).await,
        Page::OperatorLogs => logs::render(context, None).await,
        Page::Provisioning => provisioning::render(context).await,
        Page::OperatorAlerts => alerts::render(context, None).await,
        Page::Features(platform) => features::render(context, platform.as_str()).await,
        Page::PlatformAlerts(platform) => alerts::render(context, Some(platform.as_str())).await,
        Page::RegistryPipeline => Ok(not_connected::registry()),
        Page::Audit(platform) => {
            // No API route answers this page, so the API's access rule is asked directly.
            context
                .caller
                .platform_scope(platform)
                .map_err(|_| Refusal::new(403, "forbidden"))?;
            Ok(not_connected::audit(platform.as_str()))
        }
        Page::NotFound | Page::Stylesheet => Err(Refusal::new(404, "no such page")),
    }
}

/// The empty state of a section: what is missing and why.
pub(crate) fn empty(text: &str) -> String {
    format!(r#"<p class="empty">{text}</p>"#)
}

/// The section a platform page belongs to.
pub(crate) fn platform_section(platform: &str, logs: bool) -> Section {
    if logs {
        Section::Logs(platform.to_owned())
    } else {
        Section::Overview(platform.to_owned())
    }
}

/// A data table: `columns` are (heading, numeric); each row's cells are HTML already escaped.
pub(crate) fn table(caption: &str, columns: &[(&str, bool)], rows: &[Vec<String>]) -> String {
    use std::fmt::Write;
    let mut out = format!(
        r#"<div class="scroll"><table class="data"><caption class="visually-hidden">{}</caption><thead><tr>"#,
        crate::escape::escape(caption)
    );
    for (heading, numeric) in columns {
        let _ = write!(
            out,
            r#"<th scope="col"{}>{}</th>"#,
            if *numeric { r#" class="num""# } else { "" },
            crate::escape::escape(heading)
        );
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for (cell, (_, numeric)) in row.iter().zip(columns) {
            let _ = write!(
                out,
                "<td{}>{cell}</td>",
                if *numeric { r#" class="num""# } else { "" }
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
    out
}

/// An optional duration, `–` without one.
pub(crate) fn ms(value: Option<f64>) -> String {
    value
        .map(crate::format::duration)
        .unwrap_or_else(|| "–".to_owned())
}
