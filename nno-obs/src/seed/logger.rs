//! The seed's `Logger` (§1.2): a service name, optional trace and request ids, four levels.

use crate::fields::Field;
use crate::level::LogLevel;
use crate::obs::Obs;
use crate::telemetry::Telemetry;
use std::sync::Arc;

/// Writes `LogEntry` lines for one service, optionally tagged with a trace and request id.
///
/// `error` lines go to stderr (`console.error`), the others to stdout (`console.log`), through
/// the [`Telemetry`] it was made from; [`Logger::new`] uses the console.
///
/// ```
/// use nno_obs::{fields, Logger};
///
/// let logger = Logger::new("provisioning", Some("tr_abc123"), None);
/// logger.info("job created", fields! { jobId: "job-1", operation: "PROVISION_PLATFORM" });
/// ```
#[derive(Clone, Debug)]
pub struct Logger {
    telemetry: Telemetry,
    service: Arc<str>,
    trace_id: Option<Arc<str>>,
    request_id: Option<Arc<str>>,
}

/// A logger for `service` without trace or request ids, writing to the
/// [process default](Telemetry::process_default) — the console unless configured otherwise (the
/// seed's `createLogger`).
///
/// ```
/// nno_obs::create_logger("registry").debug("manifest fetched", nno_obs::fields! { featureCount: 3 });
/// ```
pub fn create_logger(service: &str) -> Logger {
    Logger::new(service, None, None)
}

impl Logger {
    /// A logger writing to the [process default](Telemetry::process_default) (the console
    /// unless configured otherwise), as the seed's `new Logger(service, traceId?, requestId?)`.
    pub fn new(service: &str, trace_id: Option<&str>, request_id: Option<&str>) -> Self {
        Self::with_telemetry(
            Telemetry::process_default().clone(),
            service.into(),
            trace_id.map(Arc::from),
            request_id.map(Arc::from),
        )
    }

    pub(crate) fn with_telemetry(
        telemetry: Telemetry,
        service: Arc<str>,
        trace_id: Option<Arc<str>>,
        request_id: Option<Arc<str>>,
    ) -> Self {
        Self {
            telemetry,
            service,
            trace_id,
            request_id,
        }
    }

    /// The service name.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The trace id, if set.
    pub fn trace_id(&self) -> Option<&str> {
        self.trace_id.as_deref()
    }

    /// The request id, if set.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// Writes a line at `level`.
    pub fn log(&self, level: LogLevel, message: &str, fields: &[Field<'_>]) {
        self.log_then(level, message, fields, &[]);
    }

    /// [`Logger::log`] with `extra` fields after `fields`.
    pub(crate) fn log_then(
        &self,
        level: LogLevel,
        message: &str,
        fields: &[Field<'_>],
        extra: &[Field<'_>],
    ) {
        self.telemetry.emit(
            level,
            &self.service,
            crate::telemetry::LineIds::Separate(
                self.trace_id.as_deref(),
                self.request_id.as_deref(),
            ),
            message,
            fields,
            extra,
        );
    }

    crate::level::level_methods!();
}

impl Obs {
    /// A [`Logger`] with this context's service and ids (the seed's `c.get("logger")`).
    ///
    /// ```
    /// use nno_obs::{Obs, Telemetry};
    ///
    /// let obs = Obs::from_headers(Telemetry::in_memory().0, "registry", &[("x-trace-id", "tr_1")]);
    /// assert_eq!(obs.logger().trace_id(), Some("tr_1"));
    /// ```
    pub fn logger(&self) -> Logger {
        Logger::with_telemetry(
            self.telemetry().clone(),
            self.service_shared().clone(),
            Some(Arc::from(self.trace_id())),
            Some(Arc::from(self.request_id())),
        )
    }
}
