//! Steps: what `#[nno_instrument]` runs around a function body.

use super::fields::DisplayValue;
use super::*;
use crate::fields::Field;
use crate::level::LogLevel;
use crate::obs::Obs;
use crate::schema::SpanOutcome;
use crate::seed::Logger;
use crate::span::ActiveSpan;
use crate::telemetry::Telemetry;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// What one `#[nno_instrument]` call site says, in a `static`.
pub struct StepSpec {
    operation: &'static str,
    service: Option<ServiceName>,
    level: LogLevel,
    lines: bool,
    /// A job's own span (`#[nno_instrument(span, job, fields(job_id, operation))]`).
    job: bool,
    detached: OnceLock<Logger>,
}

impl StepSpec {
    /// A call site: the operation, the service override, the level of `step started` and
    /// `step completed`, whether lines are written.
    pub const fn new(
        operation: &'static str,
        service: Option<&'static str>,
        level: LogLevel,
        lines: bool,
    ) -> Self {
        Self {
            operation,
            service: match service {
                Some(name) => Some(ServiceName::new(name)),
                None => None,
            },
            level,
            lines,
            job: false,
            detached: OnceLock::new(),
        }
    }

    /// The same call site, as a job's own span: `Obs::start_job` with the `jobId` and
    /// `operation` fields.
    pub const fn job(mut self) -> Self {
        self.job = true;
        self
    }

    /// Where lines go for a step without a context: the process default telemetry, the
    /// attribute's service, no ids (the seed's `createLogger(service)`).
    fn detached_logger(&'static self) -> &'static Logger {
        self.detached.get_or_init(|| {
            let service = match &self.service {
                Some(service) => service.shared(),
                // The macro requires `service` for a step without a context.
                None => Arc::from(""),
            };
            Logger::with_telemetry(Telemetry::process_default().clone(), service, None, None)
        })
    }
}

/// The error of a step's `Result`, written as the `error` key.
#[diagnostic::on_unimplemented(
    message = "the error type `{Self}` of an instrumented function must implement `Display`",
    label = "`step failed` writes the error's `Display` as its `error` key",
    note = "implement `std::fmt::Display` for the error type (thiserror's `#[derive(Error)]` does)"
)]
pub trait StepError {
    /// Writes the error.
    fn display(&self) -> &dyn fmt::Display;
}

impl<E: fmt::Display> StepError for E {
    fn display(&self) -> &dyn fmt::Display {
        self
    }
}

/// `Err` of a `Result`-returning step: picked by method resolution before [`NotAResult`].
pub trait StepResult {
    /// The error type.
    type Error: ?Sized;
    /// The error, if the step failed.
    fn nno_error(&self) -> Option<&Self::Error>;
}

impl<T, E> StepResult for Result<T, E> {
    type Error = E;
    #[inline(always)]
    fn nno_error(&self) -> Option<&E> {
        self.as_ref().err()
    }
}

/// Any other return value: the step never fails.
pub trait NotAResult {
    /// Always `None`.
    #[inline(always)]
    fn nno_error(&self) -> Option<&NeverFails> {
        None
    }
}

impl<T: ?Sized> NotAResult for &T {}

/// The error of a step that cannot fail.
#[derive(Debug)]
pub enum NeverFails {}

impl fmt::Display for NeverFails {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {}
    }
}

/// One call of an instrumented function.
pub struct Step {
    spec: &'static StepSpec,
    timing: Timing,
}

enum Timing {
    Span(ActiveSpan),
    Lines { start_ms: u64 },
}

/// Who writes a step's lines.
#[derive(Clone, Copy)]
enum Writer<'a> {
    Obs(&'a Obs),
    Detached(&'static Logger),
}

impl Writer<'_> {
    /// Writes the user's `fields`, then the step's own `extra` keys.
    fn log(self, level: LogLevel, message: &str, fields: &[Field<'_>], extra: &[Field<'_>]) {
        match self {
            Writer::Obs(obs) => obs.log_then(level, message, fields, extra),
            Writer::Detached(logger) => logger.log_then(level, message, fields, extra),
        }
    }
}

impl Step {
    /// A step in a child span of `parent` (`span`): the child's context writes the lines.
    pub fn begin_span(spec: &'static StepSpec, parent: &Obs, fields: &[Field<'_>]) -> Self {
        let mut child = parent.child(spec.operation);
        if let Some(service) = &spec.service {
            child.set_service(service.shared_like(parent));
        }
        let span = if spec.job {
            child.start_job(field_text(fields, "jobId"), field_text(fields, "operation"))
        } else {
            child.start_span()
        };
        if spec.lines {
            write_started(spec, Writer::Obs(span.obs()), fields);
        }
        Self {
            spec,
            timing: Timing::Span(span),
        }
    }

    /// A step without a span: lines written in `context`'s name (with the attribute's service,
    /// if it gives one) or, without a context, in the attribute's service through the process
    /// default telemetry, without ids.
    pub fn begin(spec: &'static StepSpec, context: Option<&Obs>, fields: &[Field<'_>]) -> Self {
        with_writer(spec, context, |writer| write_started(spec, writer, fields));
        Self {
            spec,
            timing: Timing::Lines {
                start_ms: now_ms(context),
            },
        }
    }

    /// The child span's context (a `span` step always has one; `fallback` is never used).
    pub fn obs<'a>(&'a self, fallback: &'a Obs) -> &'a Obs {
        match &self.timing {
            Timing::Span(span) => span.obs(),
            Timing::Lines { .. } => fallback,
        }
    }

    /// Ends the step: `step completed`, or `step failed` when `error` is `Some`, and the span
    /// point of a `span` step. `context` is the caller's context for a step without a span.
    pub fn end<E: StepError + ?Sized>(
        self,
        context: Option<&Obs>,
        error: Option<&E>,
        fields: &[Field<'_>],
    ) {
        let spec = self.spec;
        match self.timing {
            Timing::Span(span) => {
                if spec.lines {
                    let duration_ms = span.elapsed_ms();
                    write_ended(spec, Writer::Obs(span.obs()), duration_ms, error, fields);
                }
                span.end(if error.is_some() {
                    SpanOutcome::Error
                } else {
                    SpanOutcome::Ok
                });
            }
            Timing::Lines { start_ms } => {
                let duration_ms = now_ms(context).saturating_sub(start_ms);
                with_writer(spec, context, |writer| {
                    write_ended(spec, writer, duration_ms, error, fields)
                });
            }
        }
    }
}

/// The text of field `key`: a string as itself, any other value as its JSON; `""` when the
/// field is absent (the macro requires it) or cannot be written.
fn field_text(fields: &[Field<'_>], key: &str) -> String {
    let Some(field) = fields.iter().find(|field| field.key == key) else {
        return String::new();
    };
    let mut json = Vec::new();
    if !field.value.write_json(&mut json) {
        return String::new();
    }
    serde_json::from_slice::<String>(&json)
        .unwrap_or_else(|_| String::from_utf8_lossy(&json).into_owned())
}

fn now_ms(context: Option<&Obs>) -> u64 {
    match context {
        Some(obs) => obs.telemetry().clock().now_ms(),
        None => Telemetry::process_default().clock().now_ms(),
    }
}

/// Runs `write` with the writer of a step without a span.
fn with_writer<R>(
    spec: &'static StepSpec,
    context: Option<&Obs>,
    write: impl FnOnce(Writer<'_>) -> R,
) -> R {
    match (context, &spec.service) {
        (None, _) => write(Writer::Detached(spec.detached_logger())),
        (Some(obs), Some(service)) if obs.service() != service.as_str() => {
            // The caller's ids, the attribute's service: a view, not a new span.
            let view = obs.with_service(service.shared());
            write(Writer::Obs(&view))
        }
        (Some(obs), _) => write(Writer::Obs(obs)),
    }
}

fn write_started(spec: &StepSpec, writer: Writer<'_>, fields: &[Field<'_>]) {
    if !spec.lines {
        return;
    }
    let step = [Field {
        key: "step",
        value: &spec.operation,
    }];
    writer.log(spec.level, "step started", fields, &step);
}

fn write_ended<E: StepError + ?Sized>(
    spec: &StepSpec,
    writer: Writer<'_>,
    duration_ms: u64,
    error: Option<&E>,
    fields: &[Field<'_>],
) {
    if !spec.lines {
        return;
    }
    // The fields every end line adds after the user's; `error` only on `step failed`.
    let error_value = error.map(|error| DisplayValue(error.display()));
    let extra = [
        Field {
            key: "step",
            value: &spec.operation,
        },
        Field {
            key: "durationMs",
            value: &duration_ms,
        },
        Field {
            key: "error",
            value: match &error_value {
                Some(error) => error,
                None => &(),
            },
        },
    ];
    let (level, message, extra) = if error_value.is_some() {
        (LogLevel::Error, "step failed", &extra[..])
    } else {
        (spec.level, "step completed", &extra[..2])
    };
    writer.log(level, message, fields, extra);
}
