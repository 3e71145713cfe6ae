//! A Worker's `Env` as a [`Telemetry`]: its Analytics Engine bindings and its vars.

use super::AnalyticsEngineSink;
use crate::telemetry::{Binding, Telemetry};

impl Telemetry {
    /// A Worker's telemetry: console lines, and every binding of [`Binding::ALL`] that `env`
    /// has (under its name or an [alias](Binding::aliases); a missing one is simply not written
    /// to), with `PLATFORM_ID` and `ENTITY_ID` from the Worker's vars.
    ///
    /// ```no_run
    /// # fn demo(env: &worker::Env) {
    /// let telemetry = nno_obs::Telemetry::from_env(env);
    /// # }
    /// ```
    pub fn from_env(env: &::worker::Env) -> Self {
        let mut builder = Self::builder();
        for binding in Binding::ALL {
            let found = std::iter::once(binding.binding_name())
                .chain(binding.aliases().iter().copied())
                .find_map(|name| env.analytics_engine(name).ok());
            if let Some(dataset) = found {
                builder = builder.dataset(binding, AnalyticsEngineSink::new(dataset));
            }
        }
        if let Ok(platform) = env.var("PLATFORM_ID") {
            builder = builder.platform_id(platform.to_string());
        }
        if let Ok(entity) = env.var("ENTITY_ID") {
            builder = builder.entity_id(entity.to_string());
        }
        builder.build()
    }
}

/// `Telemetry::from_env`, read once per isolate: a Worker's bindings and vars do not change
/// while its isolate lives, and looking up nine of them on every request cost about 20 µs per
/// request in workerd (`scripts/e2e.sh --bench`, hello-obs against hello). This is sink
/// configuration only; no request state is kept.
pub(crate) fn isolate_telemetry(env: &::worker::Env) -> Telemetry {
    thread_local! {
        static TELEMETRY: std::cell::RefCell<Option<Telemetry>> =
            const { std::cell::RefCell::new(None) };
    }
    let cached = TELEMETRY.try_with(|slot| {
        let mut slot = slot.try_borrow_mut().ok()?;
        Some(slot.get_or_insert_with(|| Telemetry::from_env(env)).clone())
    });
    match cached {
        Ok(Some(telemetry)) => telemetry,
        // Never expected (no re-entrant call, no thread teardown), but never a panic either.
        _ => Telemetry::from_env(env),
    }
}
