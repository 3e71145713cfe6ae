//! The Worker's scheduled run: the alerting cron measures the whole fleet.
//!
//! Only the Workers runtime hands a Worker a [`worker::ScheduledEvent`] (its `scheduled`
//! handler's argument; it cannot be made from Rust values), so holding one proves this is
//! the deployment's own cron and not a request: the operator's scope is its due.

use crate::scope::OperatorScope;

/// The operator's scope of the cron run that `event` started.
pub fn operator(event: &worker::ScheduledEvent) -> OperatorScope {
    let _ = event;
    OperatorScope::checked()
}
