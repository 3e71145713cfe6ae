//! Reads that another system checks: the CLI asking Cloudflare's SQL API with the runner's
//! read token (`nno-obs query --cfae`), or printing a statement for a person to run with their
//! own credentials (`nno-obs query --sql`, `nno-obs logs sql --r2-account`). Nothing local is
//! read; the remote engine grants exactly what those credentials allow (an Account
//! Analytics: Read token reads every dataset of the account; R2 credentials, their buckets).
//! The scope here only shapes the question or the statement, so the operator's is given: a
//! read path that took it could read nothing its runner's credentials do not already allow.

use crate::scope::OperatorScope;

/// The operator's scope for a question a remote engine checks (see the module's documentation).
///
/// ```
/// let _checked_by_the_remote = nno_obs_access::remote::operator();
/// ```
pub fn operator() -> OperatorScope {
    OperatorScope::checked()
}
