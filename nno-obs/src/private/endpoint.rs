//! The endpoint of a request (blob2 of its perf or core-ops point, the operation of its span):
//! always a route the code declares, so the set of values a Worker can write is bounded.
//!
//! A path is never written as an endpoint: 200 requests to random unknown paths would make
//! 200 endpoints, flood the "top endpoints" of seed §7.2 and carry slugs or e-mail addresses
//! from URLs into Analytics Engine. A request whose path matches none of the declared routes
//! (a 404, a scanner) is counted under one fixed value per method, `METHOD (unmatched)`.

use super::Text;

/// The route text of requests that match no declared route.
pub const UNMATCHED: &str = "(unmatched)";

/// The routes a handler declares.
#[derive(Clone, Copy, Debug)]
pub enum Routes {
    /// `route = "/api/data/:id"`: the handler serves this route alone (a router matched it).
    Fixed(&'static str),
    /// `routes("/health", "/api/*rest")`: the handler matches the path against these, in order.
    Match(&'static [&'static str]),
}

impl Routes {
    /// The declared route `path` falls under, if any.
    pub fn matched(&self, path: &str) -> Option<&'static str> {
        match *self {
            Routes::Fixed(route) => Some(route),
            Routes::Match(routes) => routes
                .iter()
                .copied()
                .find(|route| route_matches(route, path)),
        }
    }
}

/// Whether `path` matches the route template `route` (workers-rs' router syntax): `:name`
/// matches one non-empty segment, `*name` (or `*`) the rest of the path, anything else itself.
///
/// ```
/// # use nno_obs::__private::route_matches;
/// assert!(route_matches("/api/report/:id", "/api/report/42"));
/// assert!(!route_matches("/api/report/:id", "/api/report/42/rows"));
/// assert!(!route_matches("/api/report/:id", "/api/report/"));
/// assert!(route_matches("/api/*rest", "/api/data/export"));
/// assert!(route_matches("/health", "/health"));
/// assert!(!route_matches("/health", "/healthz"));
/// ```
pub fn route_matches(route: &str, path: &str) -> bool {
    let mut routes = route.split('/');
    let mut paths = path.split('/');
    loop {
        match (routes.next(), paths.next()) {
            (None, None) => return true,
            (Some(pattern), _) if pattern.starts_with('*') => return true,
            (Some(pattern), Some(segment)) => {
                let ok = match pattern.strip_prefix(':') {
                    Some(_) => !segment.is_empty(),
                    None => pattern == segment,
                };
                if !ok {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// `METHOD route`, or `METHOD (unmatched)`.
///
/// ```
/// # use nno_obs::__private::endpoint;
/// assert_eq!(endpoint("GET", Some("/api/data/:id")).as_str(), "GET /api/data/:id");
/// assert_eq!(endpoint("GET", None).as_str(), "GET (unmatched)");
/// ```
pub fn endpoint(method: &str, route: Option<&str>) -> Text<160> {
    let mut out = Text::from(method);
    out.push(" ");
    out.push(route.unwrap_or(UNMATCHED));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_matching_route_wins() {
        let routes = Routes::Match(&["/api/data/export", "/api/data/:id", "/api/*"]);
        assert_eq!(routes.matched("/api/data/export"), Some("/api/data/export"));
        assert_eq!(routes.matched("/api/data/7"), Some("/api/data/:id"));
        assert_eq!(routes.matched("/api/x/y/z"), Some("/api/*"));
        assert_eq!(routes.matched("/wp-login.php"), None);
        assert_eq!(routes.matched(""), None);
    }

    #[test]
    fn a_fixed_route_is_the_endpoint_whatever_the_path() {
        assert_eq!(Routes::Fixed("/api/data").matched("/x"), Some("/api/data"));
    }

    #[test]
    fn hostile_paths_never_become_endpoints() {
        let routes = Routes::Match(&["/api/data"]);
        for path in [
            "/api/data/../../etc",
            "/api/data\r\n",
            "/user/a@b.c",
            "//",
            "/api//data",
        ] {
            assert_eq!(routes.matched(path), None, "{path:?}");
        }
        assert_eq!(
            endpoint("GET", routes.matched("/user/a@b.c")).as_str(),
            "GET (unmatched)"
        );
    }
}
