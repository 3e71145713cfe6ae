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
    /// The gateway answers 5xx to `rate` of its requests (§5.1 "Alert at > 1%").
    GatewayErrors {
        /// The share of 5xx, e.g. 0.03.
        rate: f64,
    },
    /// The registry's writes are slow (§5.1 "Alert at > 500ms").
    SlowRegistryWrites {
        /// The p99 aimed at, in ms.
        p99_ms: u64,
    },
    /// A provisioning job hangs in `step` for the incident's whole window (a job stuck at
    /// its first step, `create-d1`, or hung for 90 minutes deploying its Worker).
    ProvisioningJobHung {
        /// The platform provisioned.
        platform: String,
        /// The job.
        job_id: String,
        /// The step it hangs in.
        step: String,
    },
    /// Not an incident: a small platform's auth Worker gets no request at night for the
    /// window. Nothing may page.
    AuthQuiet {
        /// The platform.
        platform: String,
    },
    /// Not an incident: a platform provisioned at `start_ms`, with no traffic before; its
    /// first hour is the window. Nothing may page.
    Provisioned {
        /// The platform.
        platform: String,
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
            IncidentKind::GatewayErrors { .. } => "gateway 5xx burst",
            IncidentKind::SlowRegistryWrites { .. } => "slow registry writes",
            IncidentKind::ProvisioningJobHung { .. } => "provisioning job hung",
            IncidentKind::AuthQuiet { .. } => "quiet night (no page)",
            IncidentKind::Provisioned { .. } => "platform provisioned (no page)",
        }
    }

    /// Whether it must page: every kind but the quiet stretches ([`IncidentKind::AuthQuiet`],
    /// [`IncidentKind::Provisioned`]), which must page nothing.
    pub fn pages(&self) -> bool {
        !matches!(
            self,
            IncidentKind::AuthQuiet { .. } | IncidentKind::Provisioned { .. }
        )
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
            IncidentKind::GatewayErrors { rate } => format!("gateway ({:.0} % 5xx)", rate * 100.0),
            IncidentKind::SlowRegistryWrites { p99_ms } => {
                format!("registry writes (p99 ≈ {p99_ms} ms)")
            }
            IncidentKind::ProvisioningJobHung {
                platform,
                job_id,
                step,
            } => format!("{platform} job {job_id} at {step}"),
            IncidentKind::AuthQuiet { platform } => format!("{platform} auth"),
            IncidentKind::Provisioned { platform } => platform.clone(),
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
    let mut extra = Vec::new();
    // NNO's own objectives need daytime volume to clear their alert floors (20 requests and 5
    // errors in 5 minutes): scheduled in runs of half a day or more, in the afternoon.
    if span >= 12 * 60 * MINUTE {
        extra.push(Incident {
            kind: IncidentKind::GatewayErrors { rate: 0.03 },
            start_ms: at(0.58),
            end_ms: at(0.58) + 8 * MINUTE,
        });
        extra.push(Incident {
            kind: IncidentKind::SlowRegistryWrites { p99_ms: 900 },
            start_ms: at(0.62),
            end_ms: at(0.62) + 8 * MINUTE,
        });
    }
    // Small platforms (the fleet's last ones, [`crate::fleet::SMALL_FROM`] on): one quiet at
    // night, one provisioned at midday.
    if platforms.len() > crate::fleet::SMALL_FROM + 1 {
        extra.push(Incident {
            kind: IncidentKind::AuthQuiet {
                platform: platform(crate::fleet::SMALL_FROM),
            },
            start_ms: at(0.12),
            end_ms: at(0.12) + 30 * MINUTE,
        });
        extra.push(Incident {
            kind: IncidentKind::Provisioned {
                platform: platform(crate::fleet::SMALL_FROM + 1),
            },
            start_ms: at(0.5),
            end_ms: at(0.5) + 60 * MINUTE,
        });
    }
    let mut incidents = vec![
        Incident {
            kind: IncidentKind::ProvisioningJobHung {
                platform: platform(2),
                job_id: "job-prov-hung-0001".to_owned(),
                step: "deploy-worker".to_owned(),
            },
            start_ms: at(0.05),
            end_ms: at(0.05) + 90 * MINUTE,
        },
        Incident {
            kind: IncidentKind::ProvisioningJobHung {
                platform: platform(5),
                job_id: "job-prov-stuck-0001".to_owned(),
                step: "create-d1".to_owned(),
            },
            start_ms: at(0.70),
            end_ms: at(0.70) + 25 * MINUTE,
        },
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
    ];
    incidents.extend(extra);
    incidents
}
