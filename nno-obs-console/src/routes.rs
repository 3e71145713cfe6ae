//! Which path is which page. The operator's pages live under `/internal/observability`
//! (seed §8), a platform's under `/platforms/{id}/…` (seed §7; the logs page at
//! `/platforms/{id}/logs`, where the alert messages of seed §6.3 link).

use nno_obs_api::handlers::traces::is_trace_id;
use nno_obs_store::layout::PlatformId;

/// The operator's home.
pub const OPERATOR_HOME: &str = "/internal/observability";

/// A page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Page {
    /// The stylesheet.
    Stylesheet,
    /// Fleet and incident heatmap (seed §8.1).
    Fleet,
    /// NNO's own logs (`nno-logs-internal`).
    OperatorLogs,
    /// The trace explorer (seed §8.4): a trace id, or the search form without one.
    OperatorTrace(Option<String>),
    /// A platform's overview (seed §7.1).
    Overview(PlatformId),
    /// A platform's logs (seed §7.3).
    Logs(PlatformId),
    /// A platform's part of a trace.
    PlatformTrace(PlatformId, String),
    /// The provisioning monitor (seed §8.2).
    Provisioning,
    /// Every alert and objective (seed §5, §6).
    OperatorAlerts,
    /// A platform's feature performance (seed §7.2).
    Features(PlatformId),
    /// A platform's alerts and objectives.
    PlatformAlerts(PlatformId),
    /// The Stack Registry pipeline (seed §8.3): no source yet.
    RegistryPipeline,
    /// A platform's audit log (seed §7.4): no source yet.
    Audit(PlatformId),
    /// A path under the console's prefixes that is no page.
    NotFound,
}

impl Page {
    /// The page of `path`; `None` when the path is not the console's.
    ///
    /// ```
    /// use nno_obs_console::routes::Page;
    /// assert_eq!(Page::of("/internal/observability"), Some(Page::Fleet));
    /// assert!(matches!(Page::of("/platforms/k3m9p2xw7q/logs"), Some(Page::Logs(_))));
    /// assert_eq!(Page::of("/platforms/NOT-AN-ID/logs"), Some(Page::NotFound));
    /// assert_eq!(Page::of("/api/observability/fleet"), None);
    /// ```
    pub fn of(path: &str) -> Option<Page> {
        if path == crate::STYLESHEET {
            return Some(Page::Stylesheet);
        }
        if let Some(rest) = path.strip_prefix(OPERATOR_HOME) {
            return Some(Self::operator(rest));
        }
        let rest = path.strip_prefix("/platforms/")?;
        Some(Self::platform(rest).unwrap_or(Page::NotFound))
    }

    fn operator(rest: &str) -> Page {
        match rest {
            "" | "/" => Page::Fleet,
            "/logs" => Page::OperatorLogs,
            "/provisioning" => Page::Provisioning,
            "/alerts" => Page::OperatorAlerts,
            "/registry" => Page::RegistryPipeline,
            "/traces" => Page::OperatorTrace(None),
            other => match other.strip_prefix("/traces/") {
                Some(id) if is_trace_id(id) => Page::OperatorTrace(Some(id.to_owned())),
                _ => Page::NotFound,
            },
        }
    }

    fn platform(rest: &str) -> Option<Page> {
        let (id, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let platform = PlatformId::parse(id).ok()?;
        Some(match tail {
            "observability" | "observability/" => Page::Overview(platform),
            "logs" => Page::Logs(platform),
            "observability/features" => Page::Features(platform),
            "observability/alerts" => Page::PlatformAlerts(platform),
            "observability/audit" => Page::Audit(platform),
            other => {
                let trace = other
                    .strip_prefix("observability/traces/")
                    .filter(|id| is_trace_id(id))?;
                Page::PlatformTrace(platform, trace.to_owned())
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traces_need_a_valid_id() {
        assert_eq!(
            Page::of("/internal/observability/traces/abc-1"),
            Some(Page::OperatorTrace(Some("abc-1".into())))
        );
        assert_eq!(
            Page::of("/internal/observability/traces/a%2Fb"),
            Some(Page::NotFound)
        );
        assert_eq!(
            Page::of("/platforms/k3m9p2xw7q/observability/traces/"),
            Some(Page::NotFound)
        );
    }

    #[test]
    fn other_paths_are_not_pages() {
        assert_eq!(Page::of("/login"), None);
        assert_eq!(Page::of("/"), None);
        assert_eq!(Page::of("/internal/observabilityx"), Some(Page::NotFound));
    }
}
