//! The seed's panels whose data no source of this host carries yet: they say so, and what
//! they will show, rather than show nothing.

use super::empty;
use crate::escape::escape;
use crate::layout::Section;
use crate::Rendered;

/// The Stack Registry pipeline (seed §8.3).
pub(crate) fn registry() -> Rendered {
    let mut main = String::from("<h1>Stack Registry pipeline</h1>");
    main.push_str(&empty(
        "Source not connected: the submission queue (PENDING and IN_REVIEW), the validation \
         pass rate over 7 days, the review cycle time and the recent approvals and rejections \
         (seed §8.3) live in the Stack Registry's database, which this host does not read.",
    ));
    Rendered {
        title: "Stack Registry pipeline".to_owned(),
        section: Section::Registry,
        main,
        keep: Vec::new(),
    }
}

/// A platform's audit log (seed §7.4).
pub(crate) fn audit(platform: &str) -> Rendered {
    let mut main = format!(
        r#"<h1>Audit log <span class="id">{}</span></h1>"#,
        escape(platform)
    );
    main.push_str(&empty(
        "Source not connected: authentication events and authorisation decisions (seed §7.4) \
         come from the auth Worker's <code>GET /api/auth/admin/audit</code>, which this host \
         does not call.",
    ));
    Rendered {
        title: format!("Audit log {platform}"),
        section: Section::Audit(platform.to_owned()),
        main,
        keep: Vec::new(),
    }
}
