//! The scheduled incidents: what goes wrong, where, and when. The alert replay
//! (`nno-obs-alerts`, seed §6) checks that alerts fire for each of them, within its window, and
//! for nothing else.

use serde::Serialize;

/// What goes wrong.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum IncidentKind {
    /// A feature Worker answers 5xx to `rate` of its requests.
    FeatureErrorSpike {
        /// The platform.
        platform: String,
        /// The feature.
        feature: String,
        /// The share of 5xx, e.g. 0.12.
        rate: f64,
    },
    /// A platform's auth Worker receives no request at all.
    AuthSilent {
        /// The platform.
        platform: String,
    },
    /// The registry's reads are slow (p99 above 300 ms).
    SlowRegistryReads {
        /// The p99 aimed at, in ms.
        p99_ms: u64,
    },
    /// A provisioning job fails at a step and rolls back.
    ProvisioningJobFailed {
        /// The platform provisioned.
        platform: String,
        /// The job.
        job_id: String,
    },
    /// A provisioning job runs for longer than 10 minutes.
    ProvisioningJobSlow {
        /// The platform provisioned.
        platform: String,
        /// The job.
        job_id: String,
    },
    /// A Cloudflare Pages build of a platform shell fails.
    PagesBuildFailed {
        /// The platform.
        platform: String,
        /// The build.
        build_id: String,
    },
    /// A platform's invocations cross `percent` of its tier's daily limit.
    UsageThreshold {
        /// The platform.
        platform: String,
        /// The threshold crossed.
        percent: u32,
    },
}

impl IncidentKind {
    /// A short name, for the printed schedule.
    pub fn name(&self) -> &'static str {
        match self {
            IncidentKind::FeatureErrorSpike { .. } => "feature 5xx spike",
            IncidentKind::AuthSilent { .. } => "auth Worker silent",
            IncidentKind::SlowRegistryReads { .. } => "slow registry reads",
            IncidentKind::ProvisioningJobFailed { .. } => "provisioning job failed",
            IncidentKind::ProvisioningJobSlow { .. } => "provisioning job > 10 min",
            IncidentKind::PagesBuildFailed { .. } => "Pages build failed",
            IncidentKind::UsageThreshold { .. } => "usage threshold crossed",
        }
    }

    /// Where, for the printed schedule.
    pub fn target(&self) -> String {
        match self {
            IncidentKind::FeatureErrorSpike {
                platform,
                feature,
                rate,
            } => format!("{platform} {feature} ({:.0} % 5xx)", rate * 100.0),
            IncidentKind::AuthSilent { platform } => format!("{platform} auth"),
            IncidentKind::SlowRegistryReads { p99_ms } => format!("registry (p99 ≈ {p99_ms} ms)"),
            IncidentKind::ProvisioningJobFailed { platform, job_id }
            | IncidentKind::ProvisioningJobSlow { platform, job_id } => {
                format!("{platform} job {job_id}")
            }
            IncidentKind::PagesBuildFailed { platform, build_id } => {
                format!("{platform} build {build_id}")
            }
            IncidentKind::UsageThreshold { platform, percent } => {
                format!("{platform} at {percent} % of its daily limit")
            }
        }
    }
}

/// One incident and its window (`start_ms` inclusive, `end_ms` exclusive; a one-off event
/// such as a failed build has a window of its own duration).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Incident {
    /// What.
    #[serde(flatten)]
    pub kind: IncidentKind,
    /// From, ms since the epoch.
    pub start_ms: u64,
    /// To, ms since the epoch.
    pub end_ms: u64,
}

impl Incident {
    /// Whether `at_ms` is in the window.
    pub fn covers(&self, at_ms: u64) -> bool {
        (self.start_ms..self.end_ms).contains(&at_ms)
    }
}

/// The incidents of a run over `[from_ms, until_ms)` on a fleet whose platform ids are
/// `platforms` (at least one). Positions are fractions of the period, rounded to the minute,
/// so a shorter run still holds every incident.
pub fn schedule(platforms: &[String], from_ms: u64, until_ms: u64) -> Vec<Incident> {
    let span = until_ms.saturating_sub(from_ms);
    let at = |fraction: f64| {
        let raw = from_ms + (span as f64 * fraction) as u64;
        raw - raw % 60_000
    };
    let platform = |index: usize| platforms[index % platforms.len()].clone();
    // Not the platform whose auth Worker goes silent (its silence removes invocations the
    // usage schedule counts on), unless there is only one.
    let n = platforms.len().max(1);
    let usage_platform = (5..5 + n).find(|i| n == 1 || i % n != 1 % n).unwrap_or(5);
    const MINUTE: u64 = 60_000;
    vec![
        Incident {
            kind: IncidentKind::ProvisioningJobFailed {
                platform: platform(3),
                job_id: "job-prov-failed-0001".to_owned(),
            },
            start_ms: at(0.20),
            end_ms: at(0.20) + 4 * MINUTE,
        },
        Incident {
            kind: IncidentKind::SlowRegistryReads { p99_ms: 450 },
            start_ms: at(0.30),
            end_ms: at(0.30) + 6 * MINUTE,
        },
        Incident {
            kind: IncidentKind::FeatureErrorSpike {
                platform: platform(0),
                feature: "analytics".to_owned(),
                rate: 0.12,
            },
            start_ms: at(0.40),
            end_ms: at(0.40) + 5 * MINUTE,
        },
        Incident {
            kind: IncidentKind::AuthSilent {
                platform: platform(1),
            },
            start_ms: at(0.55),
            end_ms: at(0.55) + 3 * MINUTE,
        },
        Incident {
            kind: IncidentKind::ProvisioningJobSlow {
                platform: platform(4),
                job_id: "job-prov-slow-0001".to_owned(),
            },
            start_ms: at(0.65),
            end_ms: at(0.65) + 12 * MINUTE,
        },
        Incident {
            kind: IncidentKind::PagesBuildFailed {
                platform: platform(2),
                build_id: "build-failed-0001".to_owned(),
            },
            start_ms: at(0.75),
            end_ms: at(0.75) + 2 * MINUTE,
        },
        Incident {
            kind: IncidentKind::UsageThreshold {
                platform: platform(usage_platform),
                percent: 90,
            },
            start_ms: at(0.85),
            end_ms: until_ms,
        },
    ]
}
