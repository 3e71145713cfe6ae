//! The pages: each asks the API for its answers and renders them.

mod fleet;
mod logs;
mod overview;
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
        Page::Fleet | Page::OperatorLogs | Page::OperatorTrace(_)
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
