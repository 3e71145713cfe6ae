//! Sink configuration: where lines and points go, the clock, and the counters.
//!
//! This is the only state that may have a process default (DESIGN.md principle 1): it says
//! *where* telemetry goes, never *which request* it belongs to.

use crate::clock::Clock;
use crate::entry::{with_line_buffer, LogEntry};
use crate::fields::Field;
use crate::level::LogLevel;
use crate::sink::{ConsoleSink, LogSink, MemorySink, PointSink};
use crate::stats::{Stats, StatsSnapshot};
use crate::DataPoint;
use nno_obs_schema as schema;
use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// The Analytics Engine bindings NNO Workers declare, and the datasets they are bound to.
///
/// The seed (§10) declares one binding, `ANALYTICS`, and says platform Workers bind it to
/// `{platformId}-usage` *or* `{platformId}-perf`; one binding names one dataset, so a Worker
/// that writes both needs two. nno-obs gives every dataset of §3.1 its own binding:
///
/// | binding | dataset | layout |
/// |---|---|---|
/// | `ANALYTICS` | `nno-core-ops` | [`CoreOpRecord`](crate::CoreOpRecord) |
/// | `SPANS` | `nno-core-ops-spans` | [`SpanRecord`](crate::SpanRecord) |
/// | `PERF` | `{platformId}-perf` | [`PerfRecord`](crate::PerfRecord) |
/// | `USAGE` | `{platformId}-usage` | [`UsageRecord`](crate::UsageRecord) |
/// | `AUTH_EVENTS` | `nno-auth-events` | [`AuthEventRecord`](crate::AuthEventRecord) |
/// | `BUILDS` | `nno-builds` | [`BuildRecord`](crate::BuildRecord) |
/// | `NNO_METRICS` | `nno_metrics` | [`DataPoint::metric`](crate::DataPoint::metric) |
///
/// `NNO_METRICS` is the seed's own name (§1.4, `env?: { NNO_METRICS?: AnalyticsDataset }`);
/// `Telemetry::from_env` (feature `worker`) also accepts `METRICS`, the name nno-obs used before, as an alias.
///
/// ```
/// use nno_obs::Binding;
///
/// assert_eq!(Binding::Perf.binding_name(), "PERF");
/// assert_eq!(Binding::Metrics.binding_name(), "NNO_METRICS");
/// assert_eq!(Binding::Perf.dataset_name(Some("k3m9p2xw7q")), "k3m9p2xw7q-perf");
/// assert_eq!(Binding::Spans.dataset_name(None), "nno-core-ops-spans");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Binding {
    /// `ANALYTICS` → `nno-core-ops` (seed §3.2, §10).
    Analytics,
    /// `SPANS` → `nno-core-ops-spans` (seed §4.2).
    Spans,
    /// `PERF` → `{platformId}-perf` (seed §3.2).
    Perf,
    /// `USAGE` → `{platformId}-usage` (seed §3.1).
    Usage,
    /// `AUTH_EVENTS` → `nno-auth-events` (seed §3.1).
    AuthEvents,
    /// `BUILDS` → `nno-builds` (seed §3.1).
    Builds,
    /// `NNO_METRICS` → `nno_metrics` (seed §1.4).
    Metrics,
}

impl Binding {
    /// Every binding.
    pub const ALL: [Binding; 7] = [
        Binding::Analytics,
        Binding::Spans,
        Binding::Perf,
        Binding::Usage,
        Binding::AuthEvents,
        Binding::Builds,
        Binding::Metrics,
    ];

    /// Other names a Worker may bind this dataset under, looked up when the main one is absent.
    pub const fn aliases(self) -> &'static [&'static str] {
        match self {
            Binding::Metrics => &["METRICS"],
            _ => &[],
        }
    }

    /// The binding's name in `wrangler.toml` and `env`.
    pub const fn binding_name(self) -> &'static str {
        match self {
            Binding::Analytics => "ANALYTICS",
            Binding::Spans => "SPANS",
            Binding::Perf => "PERF",
            Binding::Usage => "USAGE",
            Binding::AuthEvents => "AUTH_EVENTS",
            Binding::Builds => "BUILDS",
            Binding::Metrics => "NNO_METRICS",
        }
    }

    /// The dataset the binding writes to; per-platform datasets use `nno-internal` when the
    /// platform is unknown.
    pub fn dataset_name(self, platform_id: Option<&str>) -> Cow<'static, str> {
        let platform = platform_id.unwrap_or(schema::NNO_INTERNAL);
        match self {
            Binding::Analytics => Cow::Borrowed(schema::core_ops::DATASET),
            Binding::Spans => Cow::Borrowed(schema::spans::DATASET),
            Binding::Perf => Cow::Owned(format!("{platform}{}", schema::perf::SUFFIX)),
            Binding::Usage => Cow::Owned(format!("{platform}{}", schema::usage::SUFFIX)),
            Binding::AuthEvents => Cow::Borrowed(schema::auth_events::DATASET),
            Binding::Builds => Cow::Borrowed(schema::builds::DATASET),
            Binding::Metrics => Cow::Borrowed(schema::metrics::DATASET),
        }
    }

    const fn slot(self) -> usize {
        self as usize
    }
}

/// A named dataset and the sink that stores its points: the `dataset` argument of
/// [`record_metric`](crate::record_metric) and [`emit_span`](crate::emit_span).
///
/// Writing never fails: a sink error is swallowed and counted.
///
/// ```
/// use nno_obs::{sink::MemorySink, DataPoint, Dataset};
///
/// let memory = MemorySink::new();
/// let spans = Dataset::new("nno-core-ops-spans", memory.clone());
/// assert!(spans.write(&DataPoint::new().blob("x")));
/// assert_eq!(memory.points_in("nno-core-ops-spans").len(), 1);
/// ```
#[derive(Clone)]
pub struct Dataset {
    name: Arc<str>,
    sink: Arc<dyn PointSink>,
    stats: Arc<Stats>,
    clock: Clock,
}

impl fmt::Debug for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dataset")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Dataset {
    /// A dataset with its own counters and the system clock.
    pub fn new(name: impl Into<Arc<str>>, sink: impl PointSink + 'static) -> Self {
        Self::shared(name.into(), Arc::new(sink), Arc::default(), Clock::system())
    }

    fn shared(name: Arc<str>, sink: Arc<dyn PointSink>, stats: Arc<Stats>, clock: Clock) -> Self {
        Self {
            name,
            sink,
            stats,
            clock,
        }
    }

    /// The dataset's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Writes `point`; returns whether the sink took it. Truncation is counted.
    pub fn write(&self, point: &DataPoint<'_>) -> bool {
        if !point.truncation().is_none() {
            self.stats.add_points_truncated(1);
        }
        match self
            .sink
            .write_point(&self.name, self.clock.now_ms(), point)
        {
            Ok(()) => {
                self.stats.add_points_written(1);
                true
            }
            Err(_) => {
                self.stats.add_points_failed(1);
                false
            }
        }
    }

    /// The counters this dataset reports to.
    pub fn stats(&self) -> StatsSnapshot {
        self.stats.snapshot()
    }
}

/// Where telemetry goes: the log sink, the datasets, the clock, the platform and entity of
/// this Worker, and the counters. Cheap to clone.
///
/// ```
/// use nno_obs::{clock::Clock, sink::MemorySink, Binding, Telemetry};
///
/// let memory = MemorySink::new();
/// let telemetry = Telemetry::builder()
///     .log_sink(memory.clone())
///     .all_datasets(memory.clone())
///     .platform_id("k3m9p2xw7q")
///     .clock(Clock::manual(1_771_756_440_123))
///     .build();
/// assert_eq!(telemetry.dataset(Binding::Perf).unwrap().name(), "k3m9p2xw7q-perf");
/// ```
#[derive(Clone)]
pub struct Telemetry {
    inner: Arc<TelemetryInner>,
}

struct TelemetryInner {
    log: Arc<dyn LogSink>,
    datasets: [Option<Dataset>; BINDINGS],
    stats: Arc<Stats>,
    clock: Clock,
    min_level: LogLevel,
    platform_id: Option<Arc<str>>,
    entity_id: Option<Arc<str>>,
}

impl fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Telemetry")
            .field("datasets", &self.inner.datasets)
            .field("platform_id", &self.inner.platform_id)
            .field("entity_id", &self.inner.entity_id)
            .finish_non_exhaustive()
    }
}

impl Default for Telemetry {
    fn default() -> Self {
        Self::console()
    }
}

impl Telemetry {
    /// Starts a configuration: console logs, no datasets, the system clock.
    pub fn builder() -> TelemetryBuilder {
        TelemetryBuilder::default()
    }

    /// Lines to the console, no datasets: the seed's `Logger` as it is in Phase 1.
    pub fn console() -> Self {
        Self::builder().build()
    }

    /// The process default: what [`Logger::new`](crate::Logger::new),
    /// [`create_logger`](crate::create_logger) and native `#[nno_handler]` functions (for
    /// requests that carry no `Telemetry` in their extensions) write to. The console unless
    /// [`Telemetry::install_default`] was called first.
    pub fn process_default() -> &'static Telemetry {
        PROCESS_DEFAULT.get_or_init(Telemetry::console)
    }

    /// Makes `self` the [process default](Telemetry::process_default). Only the first call
    /// (before any use of the default) takes effect; later ones get their telemetry back.
    ///
    /// This is sink configuration, never request state: no trace id lives here.
    pub fn install_default(self) -> Result<(), Telemetry> {
        PROCESS_DEFAULT.set(self)
    }

    /// Everything captured in memory, for tests: lines, and the points of every binding.
    pub fn in_memory() -> (Self, MemorySink) {
        let memory = MemorySink::new();
        let telemetry = Self::builder()
            .log_sink(memory.clone())
            .all_datasets(memory.clone())
            .build();
        (telemetry, memory)
    }

    /// A logger for `service`, without trace ids.
    pub fn logger(&self, service: impl Into<Arc<str>>) -> crate::seed::Logger {
        crate::seed::Logger::with_telemetry(self.clone(), service.into(), None, None)
    }

    /// The dataset behind `binding`, if one is configured.
    pub fn dataset(&self, binding: Binding) -> Option<&Dataset> {
        self.inner.datasets[binding.slot()].as_ref()
    }

    /// The clock.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// The platform this Worker belongs to (`PLATFORM_ID`), if known.
    pub fn platform_id(&self) -> Option<&str> {
        self.inner.platform_id.as_deref()
    }

    pub(crate) fn platform_id_shared(&self) -> Option<Arc<str>> {
        self.inner.platform_id.clone()
    }

    /// The tenant this Worker serves (`ENTITY_ID`), if known.
    pub fn entity_id(&self) -> Option<&str> {
        self.inner.entity_id.as_deref()
    }

    pub(crate) fn entity_id_shared(&self) -> Option<Arc<str>> {
        self.inner.entity_id.clone()
    }

    /// The counters.
    pub fn stats(&self) -> StatsSnapshot {
        self.inner.stats.snapshot()
    }

    /// Whether lines of `level` are written.
    pub fn is_enabled(&self, level: LogLevel) -> bool {
        level >= self.inner.min_level
    }

    /// Formats and writes one line (`fields`, then `extra`); failures are counted, never
    /// returned.
    pub(crate) fn emit(
        &self,
        level: LogLevel,
        service: &str,
        ids: LineIds<'_>,
        message: &str,
        fields: &[Field<'_>],
        extra: &[Field<'_>],
    ) {
        if !self.is_enabled(level) {
            return;
        }
        let (trace_id, request_id) = match ids {
            LineIds::Separate(trace_id, request_id) => (trace_id, request_id),
            LineIds::Prewritten(_) => (None, None),
        };
        let entry = LogEntry {
            timestamp_ms: self.inner.clock.now_ms(),
            level,
            service,
            trace_id,
            request_id,
            message,
            fields,
        };
        with_line_buffer(|buffer| {
            let report = match ids {
                LineIds::Separate(..) => entry.write_ndjson_then(buffer, extra),
                LineIds::Prewritten(json) => entry.write_ndjson_with_ids(buffer, json, extra),
            };
            let stats = &self.inner.stats;
            if report.renamed_fields > 0 {
                stats.add_renamed_fields(u64::from(report.renamed_fields));
            }
            if report.field_errors > 0 {
                stats.add_field_errors(u64::from(report.field_errors));
            }
            self.write_raw_line(level, buffer);
        });
    }

    /// Hands a finished line (JSON object + `\n`) to the log sink, counting the outcome.
    pub(crate) fn write_raw_line(&self, level: LogLevel, line: &[u8]) {
        let stats = &self.inner.stats;
        // Lines are built from `&str` pieces and ASCII JSON syntax only, so they are UTF-8.
        match self
            .inner
            .log
            .write_line(level, crate::sink::LogLine::built(line))
        {
            Ok(()) => stats.add_lines_written(1),
            Err(_) => stats.add_lines_failed(1),
        }
    }

    pub(crate) fn raw_stats(&self) -> &Stats {
        &self.inner.stats
    }
}

/// The trace and request ids of a line: as text, or already written as JSON members by a
/// request context.
#[derive(Clone, Copy)]
pub(crate) enum LineIds<'a> {
    Separate(Option<&'a str>, Option<&'a str>),
    Prewritten(&'a [u8]),
}

static PROCESS_DEFAULT: OnceLock<Telemetry> = OnceLock::new();

/// How many bindings there are.
const BINDINGS: usize = Binding::ALL.len();

/// Configures a [`Telemetry`]; see [`Telemetry::builder`].
pub struct TelemetryBuilder {
    log: Arc<dyn LogSink>,
    datasets: [Option<Arc<dyn PointSink>>; BINDINGS],
    clock: Clock,
    min_level: LogLevel,
    platform_id: Option<Arc<str>>,
    entity_id: Option<Arc<str>>,
}

impl Default for TelemetryBuilder {
    fn default() -> Self {
        Self {
            log: Arc::new(ConsoleSink),
            datasets: Default::default(),
            clock: Clock::system(),
            min_level: LogLevel::Debug,
            platform_id: None,
            entity_id: None,
        }
    }
}

impl TelemetryBuilder {
    /// Where log lines go (default: the console).
    pub fn log_sink(mut self, sink: impl LogSink + 'static) -> Self {
        self.log = Arc::new(sink);
        self
    }

    /// Where `binding`'s points go.
    pub fn dataset(mut self, binding: Binding, sink: impl PointSink + 'static) -> Self {
        self.datasets[binding.slot()] = Some(Arc::new(sink));
        self
    }

    /// Sends the points of every binding to one sink (memory, local store).
    pub fn all_datasets(mut self, sink: impl PointSink + 'static) -> Self {
        let sink: Arc<dyn PointSink> = Arc::new(sink);
        for slot in &mut self.datasets {
            *slot = Some(sink.clone());
        }
        self
    }

    /// The clock (default: the system clock).
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The lowest level written (default: `debug`, i.e. everything, as the seed).
    pub fn min_level(mut self, level: LogLevel) -> Self {
        self.min_level = level;
        self
    }

    /// The platform (`PLATFORM_ID`); names the `-perf` and `-usage` datasets.
    pub fn platform_id(mut self, platform_id: impl Into<Arc<str>>) -> Self {
        self.platform_id = Some(platform_id.into());
        self
    }

    /// The tenant (`ENTITY_ID`).
    pub fn entity_id(mut self, entity_id: impl Into<Arc<str>>) -> Self {
        self.entity_id = Some(entity_id.into());
        self
    }

    /// Finishes the configuration.
    pub fn build(self) -> Telemetry {
        let stats = Arc::new(Stats::default());
        let platform = self.platform_id.as_deref();
        let mut datasets: [Option<Dataset>; BINDINGS] = Default::default();
        for binding in Binding::ALL {
            if let Some(sink) = &self.datasets[binding.slot()] {
                let name: Arc<str> = Arc::from(binding.dataset_name(platform).as_ref());
                datasets[binding.slot()] = Some(Dataset::shared(
                    name,
                    sink.clone(),
                    stats.clone(),
                    self.clock.clone(),
                ));
            }
        }
        Telemetry {
            inner: Arc::new(TelemetryInner {
                log: self.log,
                datasets,
                stats,
                clock: self.clock,
                min_level: self.min_level,
                platform_id: self.platform_id,
                entity_id: self.entity_id,
            }),
        }
    }
}
