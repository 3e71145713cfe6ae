//! The simulation: traffic and incidents drawn from the seed, run through the Workers.
//!
//! Platforms are independent (their own random streams and Workers), so they run on several
//! threads; the core services (gateway, registry, provisioning, CLI service) run on one.
//! Within a Worker, requests run in time order, as the store's hourly files expect.

use crate::driver::{Call, Driver};
use crate::fleet::{self, core_script, Platform, FEATURES};
use crate::incidents::{self, Incident, IncidentKind};
use crate::rng::SimRng;
use crate::traffic;
use crate::workers::{self, Plan};
use nno_obs_store::fs::LocalStore;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

const MINUTE: u64 = 60_000;

/// What to simulate.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// How many platforms.
    pub platforms: usize,
    /// How many hours, ending at `until_ms`.
    pub hours: u32,
    /// The seed: the same seed gives the same fleet, traffic and incidents.
    pub seed: u64,
    /// The end of the simulated period (exclusive), ms since the epoch; rounded down to the
    /// minute.
    pub until_ms: u64,
    /// Threads for the platforms (at least 1).
    pub threads: usize,
}

impl SimConfig {
    /// The start of the period.
    pub fn from_ms(&self) -> u64 {
        self.until_ms() - u64::from(self.hours) * 3_600_000
    }

    /// The end of the period, rounded down to the minute.
    pub fn until_ms(&self) -> u64 {
        self.until_ms - self.until_ms % MINUTE
    }
}

/// The fleet and incidents of a configuration, before anything runs.
#[derive(Clone, Debug, Serialize)]
pub struct Schedule {
    /// The platforms.
    pub platforms: Vec<Platform>,
    /// The incidents, in time order.
    pub incidents: Vec<Incident>,
    /// Start of the period.
    pub from_ms: u64,
    /// End of the period (exclusive).
    pub until_ms: u64,
}

/// What a run wrote.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// The schedule that ran (the usage incident's time is the actual crossing).
    pub schedule: Schedule,
    /// Worker invocations (records written).
    pub invocations: u64,
    /// Of which answered 5xx.
    pub server_errors: u64,
}

/// The per-minute traffic of every platform, and the usage limits that make the usage
/// incident happen when scheduled.
struct Traffic {
    counts: Vec<Vec<u64>>,
}

/// Draws the fleet, its traffic and its incidents.
pub fn schedule(config: &SimConfig) -> Schedule {
    let (schedule, _) = plan_traffic(config);
    schedule
}

fn plan_traffic(config: &SimConfig) -> (Schedule, Traffic) {
    let from_ms = config.from_ms();
    let until_ms = config.until_ms();
    let minutes = (until_ms - from_ms) / MINUTE;
    let mut platforms = fleet::platforms(config.platforms.max(1), config.seed);
    let ids: Vec<String> = platforms.iter().map(|p| p.id.clone()).collect();
    let mut incidents = incidents::schedule(&ids, from_ms, until_ms);
    let mut counts: Vec<Vec<u64>> = platforms
        .iter()
        .enumerate()
        .map(|(at, platform)| {
            let mut rng = SimRng::new(config.seed, 100 + at as u64);
            traffic::minute_counts(&mut rng, from_ms, minutes, platform.traffic_weight)
        })
        .collect();
    // A platform provisioned mid-period has no traffic before.
    for incident in &incidents {
        if let IncidentKind::Provisioned { platform } = &incident.kind {
            if let Some(at) = platforms.iter().position(|p| &p.id == platform) {
                let before = ((incident.start_ms.saturating_sub(from_ms)) / MINUTE) as usize;
                for count in counts[at].iter_mut().take(before) {
                    *count = 0;
                }
            }
        }
    }
    // The usage incident: the platform's limit is set so that its invocations reach 90 % of it
    // in the scheduled minute (every request of auth and features is one invocation).
    for incident in &mut incidents {
        if let IncidentKind::UsageThreshold { platform, percent } = &incident.kind {
            if let Some(at) = platforms.iter().position(|p| &p.id == platform) {
                let minute = ((incident.start_ms - from_ms) / MINUTE) as usize;
                let before: u64 = counts[at][..minute.min(counts[at].len())].iter().sum();
                let crossing = before + 1;
                platforms[at].daily_invocation_limit =
                    (crossing * 100).div_ceil(u64::from(*percent));
            }
        }
    }
    // On its way to 90 % the platform crosses 50 % and 75 % (and later perhaps 100 %): each
    // level's crossing is an incident of its own, from the minute its invocations reach it to
    // the minute the next level's do (or the end).
    let mut crossings = Vec::new();
    incidents.retain(|incident| match &incident.kind {
        IncidentKind::UsageThreshold { platform, .. } => {
            if let Some(at) = platforms.iter().position(|p| &p.id == platform) {
                crossings.extend(usage_crossings(
                    platform,
                    &counts[at],
                    platforms[at].daily_invocation_limit,
                    from_ms,
                    until_ms,
                ));
            }
            false
        }
        _ => true,
    });
    incidents.extend(crossings);
    incidents.sort_by_key(|incident| incident.start_ms);
    for (at, platform) in platforms.iter_mut().enumerate() {
        // Every other platform stays well below its limit.
        if !incidents.iter().any(|i| matches!(&i.kind, IncidentKind::UsageThreshold { platform: p, .. } if *p == platform.id)) {
            let total: u64 = counts[at].iter().sum();
            platform.daily_invocation_limit = (total * 4).max(1_000);
        }
    }
    (
        Schedule {
            platforms,
            incidents,
            from_ms,
            until_ms,
        },
        Traffic { counts },
    )
}

/// The usage levels of seed §6.2 (50, 75, 90, 100 %) that a platform's cumulative invocations
/// (`counts` per minute from `from_ms`) cross against `limit`, each as an incident from its
/// crossing minute to the next crossing (or `until_ms`). A level counts as crossed in the
/// minute whose invocations bring the total to it.
fn usage_crossings(
    platform: &str,
    counts: &[u64],
    limit: u64,
    from_ms: u64,
    until_ms: u64,
) -> Vec<Incident> {
    let mut starts: Vec<(u32, u64)> = Vec::new();
    let mut total = 0u64;
    let mut levels = [50u32, 75, 90, 100].into_iter().peekable();
    for (minute, count) in counts.iter().enumerate() {
        total += count;
        while let Some(level) = levels.peek() {
            if total * 100 >= u64::from(*level) * limit {
                starts.push((*level, from_ms + minute as u64 * MINUTE));
                levels.next();
            } else {
                break;
            }
        }
    }
    starts
        .iter()
        .enumerate()
        .map(|(i, (level, start_ms))| Incident {
            kind: IncidentKind::UsageThreshold {
                platform: platform.to_owned(),
                percent: *level,
            },
            start_ms: *start_ms,
            end_ms: starts.get(i + 1).map(|(_, next)| *next).unwrap_or(until_ms),
        })
        .collect()
}

/// Runs the simulation into `store`; `progress(done, total)` is called as minutes of platform
/// traffic complete. The fleet's platform records (names, usage limits) go first into the
/// store's copy of the Registry ([`registry`]), where the read side looks them up; failing to
/// write them is the only error (the Workers' own writes are telemetry, which never fails a
/// program).
pub fn run(
    config: &SimConfig,
    store: Arc<LocalStore>,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> std::io::Result<Summary> {
    let (schedule, traffic) = plan_traffic(config);
    nno_obs_store::fs::write_registry(store.root(), &registry(&schedule))?;
    write_tier_limits(store.root(), &schedule)?;
    let driver = Driver::new(store);
    let minutes = (schedule.until_ms - schedule.from_ms) / MINUTE;
    let total = minutes * schedule.platforms.len() as u64;
    let done = AtomicU64::new(0);
    let threads = config.threads.max(1);
    // Each thread owns some platforms (their random streams go on from hour to hour); all
    // threads advance one simulated hour at a time, so writers of the datasets every platform
    // shares (spans, auth events) stay within an hour of each other, as the store expects.
    let mut shares: Vec<Vec<PlatformRun>> = (0..threads).map(|_| Vec::new()).collect();
    for (at, platform) in schedule.platforms.iter().enumerate() {
        shares[at % threads].push(PlatformRun::new(config, at, platform));
    }
    let mut core = CoreRun::new(config, &schedule);
    let mut minute = 0;
    while minute < minutes {
        let window = minute..(minute + 60).min(minutes);
        std::thread::scope(|scope| {
            let (schedule, traffic, driver, done) = (&schedule, &traffic, &driver, &done);
            let window_core = window.clone();
            let core = &mut core;
            scope.spawn(move || core.run(schedule, driver, window_core));
            for share in shares.iter_mut() {
                let window = window.clone();
                scope.spawn(move || {
                    for platform in share.iter_mut() {
                        let counts = &traffic.counts[platform.index];
                        platform.run(schedule, driver, counts, window.clone());
                        let now = done.fetch_add(window.end - window.start, Ordering::Relaxed)
                            + (window.end - window.start);
                        progress(now, total);
                    }
                });
            }
        });
        minute = window.end;
    }
    let mut incidents = schedule.incidents.clone();
    incidents.sort_by_key(|incident| incident.start_ms);
    Ok(Summary {
        schedule: Schedule {
            incidents,
            ..schedule
        },
        invocations: driver.counters.invocations.load(Ordering::Relaxed),
        server_errors: driver.counters.server_errors.load(Ordering::Relaxed),
    })
}

/// Where the fleet's tier limits go under the store's root: the file `nno-obs-alerts`'
/// `FileLimits` reads (`limits::LIMITS_FILE`; the alert replay reads what this writes).
pub const TIER_LIMITS_FILE: &str = "billing/tier-limits.json";

/// The fleet's tier limits as Billing would give them (`{"source", "platforms": [{platformId,
/// tier, dailyInvocations}]}`), the source of the usage alerts.
///
/// ```
/// use nno_obs_sim::run::{schedule, tier_limits, SimConfig};
///
/// let config = SimConfig { platforms: 2, hours: 1, seed: 1, until_ms: 1_771_804_800_000, threads: 1 };
/// let json = tier_limits(&schedule(&config));
/// assert_eq!(json["platforms"][0]["platformId"], "k3m9p2xw7q");
/// assert!(json["platforms"][0]["dailyInvocations"].as_u64().unwrap() > 0);
/// ```
pub fn tier_limits(schedule: &Schedule) -> serde_json::Value {
    let platforms: Vec<serde_json::Value> = schedule
        .platforms
        .iter()
        .map(|p| {
            serde_json::json!({
                "platformId": p.id,
                "tier": "simulated",
                "dailyInvocations": p.daily_invocation_limit,
            })
        })
        .collect();
    serde_json::json!({ "source": "simulator (billing/tier-limits.json)", "platforms": platforms })
}

/// Writes [`tier_limits`] to `{root}/`[`TIER_LIMITS_FILE`].
fn write_tier_limits(root: &std::path::Path, schedule: &Schedule) -> std::io::Result<()> {
    let path = root.join(TIER_LIMITS_FILE);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let text =
        serde_json::to_string_pretty(&tier_limits(schedule)).map_err(std::io::Error::other)?;
    std::fs::write(path, text)
}

/// The fleet as the NNO Registry would describe it: names (the tier limits are Billing's:
/// [`tier_limits`]).
///
/// ```
/// use nno_obs_sim::run::{registry, schedule, SimConfig};
///
/// let config = SimConfig { platforms: 2, hours: 1, seed: 1, until_ms: 1_771_804_800_000, threads: 1 };
/// let file = registry(&schedule(&config));
/// assert_eq!(file.platforms[0].platform_id, "k3m9p2xw7q");
/// assert_eq!(file.platforms[0].name, "AcmeCorp");
/// ```
pub fn registry(schedule: &Schedule) -> nno_obs_store::registry::RegistryFile {
    nno_obs_store::registry::RegistryFile {
        platforms: schedule
            .platforms
            .iter()
            .map(|p| nno_obs_store::registry::RegistryPlatform {
                platform_id: p.id.clone(),
                name: p.name.clone(),
                daily_invocation_limit: None,
            })
            .collect(),
    }
}

/// The active incident of `kind` matching `predicate` at `at_ms`.
fn active(
    schedule: &Schedule,
    at_ms: u64,
    predicate: impl Fn(&IncidentKind) -> bool,
) -> Option<&Incident> {
    schedule
        .incidents
        .iter()
        .find(|incident| incident.covers(at_ms) && predicate(&incident.kind))
}

fn headers(rng: &mut SimRng) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    for name in ["x-trace-id", "x-request-id"] {
        if let Ok(value) = http::HeaderValue::from_str(&rng.uuid()) {
            headers.insert(name, value);
        }
    }
    headers
}

/// A platform's Workers and the random stream of its traffic.
struct PlatformRun<'a> {
    index: usize,
    platform: &'a Platform,
    rng: SimRng,
    auth_script: nno_obs_store::layout::ScriptName,
    feature_scripts: Vec<nno_obs_store::layout::ScriptName>,
    users: Vec<String>,
}

impl<'a> PlatformRun<'a> {
    fn new(config: &SimConfig, index: usize, platform: &'a Platform) -> Self {
        let mut rng = SimRng::new(config.seed, 10_000 + index as u64);
        let users: Vec<String> = (0..200).map(|_| format!("u_{}", rng.id(8))).collect();
        Self {
            index,
            platform,
            rng,
            auth_script: platform.script("auth"),
            feature_scripts: FEATURES.iter().map(|f| platform.script(f)).collect(),
            users,
        }
    }

    /// Runs the platform's requests of the minutes `window` (indexes into `counts`).
    fn run(
        &mut self,
        schedule: &Schedule,
        driver: &Arc<Driver>,
        counts: &[u64],
        window: std::ops::Range<u64>,
    ) {
        let platform = self.platform;
        let (rng, users) = (&mut self.rng, &self.users);
        let (auth_script, feature_scripts) = (&self.auth_script, &self.feature_scripts);
        for minute in window {
            let count = counts.get(minute as usize).copied().unwrap_or(0);
            let minute_ms = schedule.from_ms + minute * MINUTE;
            let mut arrivals: Vec<u64> =
                (0..count).map(|_| minute_ms + rng.below(MINUTE)).collect();
            arrivals.sort_unstable();
            for at_ms in arrivals {
                let user_id = users[rng.below(users.len() as u64) as usize].clone();
                let headers = headers(rng);
                let ray_id = rng.id(16);
                let worker = rng.below(4);
                if worker == 0 {
                    // The auth Worker, unless it is the silent (or quiet) one right now.
                    if active(
                        schedule,
                        at_ms,
                        |k| matches!(k, IncidentKind::AuthSilent { platform: p } | IncidentKind::AuthQuiet { platform: p } if *p == platform.id),
                    )
                    .is_some()
                    {
                        continue;
                    }
                    let path = ["/login", "/session", "/session", "/logout"][rng.below(4) as usize];
                    let plan = Plan {
                        latency_ms: rng.latency(35.0, 160.0),
                        client_error: rng.chance(0.03),
                        user_id,
                        job_id: format!("s_{}", rng.id(12)),
                        ..Plan::default()
                    };
                    let method = if path == "/session" { "GET" } else { "POST" };
                    driver.invoke(
                        Call {
                            script: auth_script,
                            platform: Some(platform),
                            at_ms,
                            method,
                            path,
                            headers,
                            plan,
                            ray_id,
                        },
                        workers::platform::auth,
                    );
                } else {
                    let feature_at = (worker - 1) as usize;
                    let feature = FEATURES[feature_at];
                    let spike = active(
                        schedule,
                        at_ms,
                        |k| matches!(k, IncidentKind::FeatureErrorSpike { platform: p, feature: f, .. } if *p == platform.id && f == feature),
                    );
                    let fail_rate = match spike.map(|i| &i.kind) {
                        Some(IncidentKind::FeatureErrorSpike { rate, .. }) => *rate,
                        _ => 0.002,
                    };
                    let paths = workers::platform::feature_paths(feature);
                    let path = paths[rng.below(paths.len() as u64) as usize];
                    let plan = Plan {
                        latency_ms: rng.latency(60.0, 280.0),
                        fail: rng.chance(fail_rate),
                        client_error: rng.chance(0.02),
                        user_id,
                        ..Plan::default()
                    };
                    let handler = match feature {
                        "analytics" => workers::platform::analytics,
                        "reports" => workers::platform::reports,
                        _ => workers::platform::exports,
                    };
                    driver.invoke(
                        Call {
                            script: &feature_scripts[feature_at],
                            platform: Some(platform),
                            at_ms,
                            method: "GET",
                            path,
                            headers,
                            plan,
                            ray_id,
                        },
                        handler,
                    );
                }
            }
        }
    }
}

/// One request to a core service.
struct CoreEvent {
    at_ms: u64,
    kind: CoreKind,
}

enum CoreKind {
    Lookup {
        platform: usize,
        write: bool,
    },
    Job {
        platform: usize,
        job_id: String,
        failing_step: Option<&'static str>,
        stall_ms: u64,
        stall_step: Option<&'static str>,
    },
    Build {
        platform: usize,
        build_id: String,
        fail: bool,
    },
}

/// The core services' requests, drawn up front, run hour by hour.
struct CoreRun {
    rng: SimRng,
    events: std::collections::VecDeque<CoreEvent>,
}

impl CoreRun {
    fn new(config: &SimConfig, schedule: &Schedule) -> Self {
        let mut rng = SimRng::new(config.seed, 2);
        let events = core_events(&mut rng, schedule);
        Self {
            rng,
            events: events.into(),
        }
    }

    /// Runs the events of the minutes `window`.
    fn run(&mut self, schedule: &Schedule, driver: &Arc<Driver>, window: std::ops::Range<u64>) {
        let end_ms = schedule.from_ms + window.end * MINUTE;
        while self
            .events
            .front()
            .is_some_and(|event| event.at_ms < end_ms)
        {
            if let Some(event) = self.events.pop_front() {
                run_core_event(&mut self.rng, schedule, driver, event);
            }
        }
    }
}

/// Every core request of the period, in time order.
fn core_events(rng: &mut SimRng, schedule: &Schedule) -> Vec<CoreEvent> {
    let platforms = schedule.platforms.len() as u64;
    let minutes = (schedule.until_ms - schedule.from_ms) / MINUTE;
    let mut events = Vec::new();
    for minute in 0..minutes {
        let minute_ms = schedule.from_ms + minute * MINUTE;
        // Portal and CLI calls through the gateway: about two per platform a minute.
        let lookups = rng.poisson(2.0 * platforms as f64 * traffic::daily_shape(minute_ms));
        for _ in 0..lookups {
            events.push(CoreEvent {
                at_ms: minute_ms + rng.below(MINUTE),
                kind: CoreKind::Lookup {
                    platform: rng.below(platforms) as usize,
                    write: rng.chance(0.2),
                },
            });
        }
        // Feature activations: about one job every 45 minutes.
        if rng.chance(1.0 / 45.0) {
            events.push(CoreEvent {
                at_ms: minute_ms + rng.below(MINUTE),
                kind: CoreKind::Job {
                    platform: rng.below(platforms) as usize,
                    job_id: format!("job-act-{}", rng.id(8)),
                    failing_step: None,
                    stall_ms: 0,
                    stall_step: None,
                },
            });
        }
        // Pages builds: about three per platform per day.
        if rng.chance(3.0 * platforms as f64 / 1440.0) {
            events.push(CoreEvent {
                at_ms: minute_ms + rng.below(MINUTE),
                kind: CoreKind::Build {
                    platform: rng.below(platforms) as usize,
                    build_id: format!("build-{}", rng.id(8)),
                    fail: false,
                },
            });
        }
    }
    let index_of = |id: &str| {
        schedule
            .platforms
            .iter()
            .position(|p| p.id == id)
            .unwrap_or(0)
    };
    for incident in &schedule.incidents {
        match &incident.kind {
            IncidentKind::ProvisioningJobFailed { platform, job_id } => events.push(CoreEvent {
                at_ms: incident.start_ms,
                kind: CoreKind::Job {
                    platform: index_of(platform),
                    job_id: job_id.clone(),
                    failing_step: Some("configure-dns"),
                    stall_ms: 0,
                    stall_step: None,
                },
            }),
            IncidentKind::ProvisioningJobSlow { platform, job_id } => events.push(CoreEvent {
                at_ms: incident.start_ms,
                kind: CoreKind::Job {
                    platform: index_of(platform),
                    job_id: job_id.clone(),
                    failing_step: None,
                    stall_ms: 11 * MINUTE,
                    stall_step: None,
                },
            }),
            IncidentKind::ProvisioningJobHung {
                platform,
                job_id,
                step,
            } => events.push(CoreEvent {
                at_ms: incident.start_ms,
                kind: CoreKind::Job {
                    platform: index_of(platform),
                    job_id: job_id.clone(),
                    failing_step: None,
                    // It ends (and its alert may resolve) at the window's end.
                    stall_ms: incident.end_ms - incident.start_ms,
                    stall_step: Some(match step.as_str() {
                        "create-d1" => "create-d1",
                        "configure-dns" => "configure-dns",
                        _ => "deploy-worker",
                    }),
                },
            }),
            IncidentKind::PagesBuildFailed { platform, build_id } => events.push(CoreEvent {
                at_ms: incident.start_ms,
                kind: CoreKind::Build {
                    platform: index_of(platform),
                    build_id: build_id.clone(),
                    fail: true,
                },
            }),
            _ => {}
        }
    }
    events.sort_by_key(|event| event.at_ms);
    events
}

fn run_core_event(rng: &mut SimRng, schedule: &Schedule, driver: &Arc<Driver>, event: CoreEvent) {
    let gateway = core_script("gateway");
    let cli = core_script("cli");
    {
        let headers = headers(rng);
        let ray_id = rng.id(16);
        let slow_reads = active(schedule, event.at_ms, |k| {
            matches!(k, IncidentKind::SlowRegistryReads { .. })
        })
        .is_some();
        let slow_writes = active(schedule, event.at_ms, |k| {
            matches!(k, IncidentKind::SlowRegistryWrites { .. })
        })
        .is_some();
        let gateway_errors = active(schedule, event.at_ms, |k| {
            matches!(k, IncidentKind::GatewayErrors { .. })
        })
        .and_then(|incident| match incident.kind {
            IncidentKind::GatewayErrors { rate } => Some(rate),
            _ => None,
        });
        match event.kind {
            CoreKind::Lookup { platform, write } => {
                let platform = &schedule.platforms[platform];
                let path = format!("/api/platforms/{}", platform.id);
                let downstream_ms = match (write, slow_reads) {
                    (true, _) if slow_writes => rng.latency(650.0, 900.0),
                    (true, _) => rng.latency(25.0, 140.0),
                    (false, true) => rng.latency(160.0, 480.0),
                    (false, false) => rng.latency(12.0, 60.0),
                };
                // Drawn only during a burst, so the rest of the day's stream is unchanged.
                let fail = gateway_errors.is_some_and(|rate| rng.chance(rate));
                let plan = Plan {
                    latency_ms: rng.latency(3.0, 12.0),
                    downstream_ms,
                    fail,
                    platform_id: platform.id.clone(),
                    user_id: format!("op_{}", rng.id(6)),
                    ..Plan::default()
                };
                let method = if write { "PUT" } else { "GET" };
                driver.invoke(
                    Call {
                        script: &gateway,
                        platform: None,
                        at_ms: event.at_ms,
                        method,
                        path: &path,
                        headers,
                        plan,
                        ray_id,
                    },
                    workers::core::gateway,
                );
            }
            CoreKind::Job {
                platform,
                job_id,
                failing_step,
                stall_ms,
                stall_step,
            } => {
                let platform = &schedule.platforms[platform];
                let path = format!("/api/platforms/{}/activate", platform.id);
                let plan = Plan {
                    latency_ms: rng.latency(3.0, 12.0),
                    downstream_ms: rng.latency(900.0, 4_000.0),
                    platform_id: platform.id.clone(),
                    job_id,
                    failing_step,
                    stall_ms,
                    stall_step,
                    ..Plan::default()
                };
                driver.invoke(
                    Call {
                        script: &gateway,
                        platform: None,
                        at_ms: event.at_ms,
                        method: "POST",
                        path: &path,
                        headers,
                        plan,
                        ray_id,
                    },
                    workers::core::gateway,
                );
            }
            CoreKind::Build {
                platform,
                build_id,
                fail,
            } => {
                let platform = &schedule.platforms[platform];
                let path = format!("/platforms/{}/builds", platform.id);
                let plan = Plan {
                    latency_ms: rng.latency(70_000.0, 115_000.0),
                    platform_id: platform.id.clone(),
                    job_id: build_id,
                    fail,
                    ..Plan::default()
                };
                driver.invoke(
                    Call {
                        script: &cli,
                        platform: None,
                        at_ms: event.at_ms,
                        method: "POST",
                        path: &path,
                        headers,
                        plan,
                        ray_id,
                    },
                    workers::core::cli,
                );
            }
        }
    }
}
