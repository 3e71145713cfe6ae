//! What each kind of scheduled incident must raise (shared by the timeline tests): seed §6.2's
//! rows written out here, not read from the crate's own category table, and the alert id the
//! incident must raise (its platform, feature, job or build included).
#![allow(dead_code)]

use nno_obs_alerts::{Category, Recipient, Severity};
use nno_obs_sim::incidents::IncidentKind;

const ADMIN: &[Recipient] = &[Recipient::PlatformAdmin];
const OPS: &[Recipient] = &[Recipient::NnoOps];
const ADMIN_AND_OPS: &[Recipient] = &[Recipient::PlatformAdmin, Recipient::NnoOps];

/// Seed §6.2's row for an incident of `kind`: category, severity, default recipients.
///
/// | Category | Severity | Default recipients |
/// |---|---|---|
/// | Platform Worker error spike | High | Platform admin |
/// | Auth Worker down | Critical | Platform admin + NNO ops |
/// | CF Pages build failure | Medium | Platform admin |
/// | Provisioning job failed | High | NNO ops team |
/// | Provisioning job timeout | Medium | NNO ops team |
/// | Registry D1 latency | High | NNO ops team |
/// | Usage threshold | Info → Critical | Platform admin |
///
/// "Info → Critical" in four steps: 50 % Info, 75 % Medium, 90 % High, 100 % Critical.
pub fn seed_row(kind: &IncidentKind) -> (Category, Severity, &'static [Recipient]) {
    match kind {
        IncidentKind::FeatureErrorSpike { .. } => {
            (Category::WorkerErrorSpike, Severity::High, ADMIN)
        }
        IncidentKind::AuthSilent { .. } => {
            (Category::AuthWorkerDown, Severity::Critical, ADMIN_AND_OPS)
        }
        IncidentKind::PagesBuildFailed { .. } => {
            (Category::PagesBuildFailure, Severity::Medium, ADMIN)
        }
        IncidentKind::ProvisioningJobFailed { .. } => {
            (Category::ProvisioningJobFailed, Severity::High, OPS)
        }
        IncidentKind::ProvisioningJobSlow { .. } => {
            (Category::ProvisioningJobTimeout, Severity::Medium, OPS)
        }
        IncidentKind::SlowRegistryReads { .. } => (Category::RegistryLatency, Severity::High, OPS),
        // Extensions: §5.1's "Alert at" rows page ops; a hung job is §6.2's timeout.
        IncidentKind::GatewayErrors { .. } => (Category::NnoObjective, Severity::High, OPS),
        IncidentKind::SlowRegistryWrites { .. } => (Category::NnoObjective, Severity::Medium, OPS),
        IncidentKind::ProvisioningJobHung { .. } => {
            (Category::ProvisioningJobTimeout, Severity::Medium, OPS)
        }
        IncidentKind::AuthQuiet { .. } | IncidentKind::Provisioned { .. } => {
            panic!("{kind:?} pages nothing")
        }
        IncidentKind::UsageThreshold { percent, .. } => {
            let severity = match percent {
                50 => Severity::Info,
                75 => Severity::Medium,
                90 => Severity::High,
                100 => Severity::Critical,
                other => panic!("no usage level {other} in seed §6.2"),
            };
            (Category::UsageThreshold, severity, ADMIN)
        }
    }
}

/// The alert id an incident must raise; `job` names the alert's job after the schedule's (the
/// schedule names the job the simulator's Workers run).
pub fn expected_id(kind: &IncidentKind, job: impl Fn(&str) -> String) -> String {
    match kind {
        IncidentKind::FeatureErrorSpike {
            platform, feature, ..
        } => format!("worker-error-spike/{platform}/{feature}"),
        IncidentKind::AuthSilent { platform } => format!("auth-worker-down/{platform}/auth"),
        IncidentKind::SlowRegistryReads { .. } => "registry-latency/nno/registry-read-p99".into(),
        IncidentKind::ProvisioningJobFailed { platform, job_id } => {
            format!("provisioning-job-failed/{platform}/{}", job(job_id))
        }
        IncidentKind::ProvisioningJobSlow { platform, job_id } => {
            format!("provisioning-job-timeout/{platform}/{}", job(job_id))
        }
        IncidentKind::PagesBuildFailed { platform, build_id } => {
            format!("pages-build-failure/{platform}/{build_id}")
        }
        IncidentKind::UsageThreshold { platform, percent } => {
            format!("usage-threshold/{platform}/{percent}")
        }
        IncidentKind::GatewayErrors { .. } => "nno-objective/nno/gateway-5xx".into(),
        IncidentKind::SlowRegistryWrites { .. } => "nno-objective/nno/registry-write-p99".into(),
        IncidentKind::ProvisioningJobHung {
            platform, job_id, ..
        } => format!("provisioning-job-timeout/{platform}/{}", job(job_id)),
        IncidentKind::AuthQuiet { platform } | IncidentKind::Provisioned { platform } => {
            format!("(no page: {platform})")
        }
    }
}

/// The kind's name, for the set of kinds a run must have scheduled.
pub fn kind_name(kind: &IncidentKind) -> &'static str {
    match kind {
        IncidentKind::FeatureErrorSpike { .. } => "feature-error-spike",
        IncidentKind::AuthSilent { .. } => "auth-silent",
        IncidentKind::SlowRegistryReads { .. } => "slow-registry-reads",
        IncidentKind::ProvisioningJobFailed { .. } => "provisioning-job-failed",
        IncidentKind::ProvisioningJobSlow { .. } => "provisioning-job-slow",
        IncidentKind::PagesBuildFailed { .. } => "pages-build-failed",
        IncidentKind::UsageThreshold { .. } => "usage-threshold",
        IncidentKind::GatewayErrors { .. } => "gateway-errors",
        IncidentKind::SlowRegistryWrites { .. } => "slow-registry-writes",
        IncidentKind::ProvisioningJobHung { .. } => "provisioning-job-hung",
        IncidentKind::AuthQuiet { .. } => "auth-quiet",
        IncidentKind::Provisioned { .. } => "provisioned",
    }
}

/// Every incident kind the simulator schedules in a day of 20 platforms (the fleet-wide
/// objective incidents need half a day; the quiet ones, small platforms).
pub const ALL_KINDS: [&str; 12] = [
    "auth-quiet",
    "auth-silent",
    "feature-error-spike",
    "gateway-errors",
    "pages-build-failed",
    "provisioned",
    "provisioning-job-failed",
    "provisioning-job-hung",
    "provisioning-job-slow",
    "slow-registry-reads",
    "slow-registry-writes",
    "usage-threshold",
];

/// The kinds of a short run of a few platforms (two hours of six).
pub const SHORT_RUN_KINDS: [&str; 8] = [
    "auth-silent",
    "feature-error-spike",
    "pages-build-failed",
    "provisioning-job-failed",
    "provisioning-job-hung",
    "provisioning-job-slow",
    "slow-registry-reads",
    "usage-threshold",
];

/// Asserts that `incidents` hold every kind, and returns their usage levels, sorted.
pub fn assert_every_kind(incidents: &[nno_obs_sim::incidents::Incident]) -> Vec<u32> {
    assert_kinds(incidents, &ALL_KINDS)
}

/// Asserts that `incidents` hold exactly `expected` kinds, and returns their usage levels.
pub fn assert_kinds(incidents: &[nno_obs_sim::incidents::Incident], expected: &[&str]) -> Vec<u32> {
    let kinds: std::collections::BTreeSet<&str> =
        incidents.iter().map(|i| kind_name(&i.kind)).collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        expected,
        "every incident kind occurs"
    );
    let mut levels: Vec<u32> = incidents
        .iter()
        .filter_map(|i| match &i.kind {
            IncidentKind::UsageThreshold { percent, .. } => Some(*percent),
            _ => None,
        })
        .collect();
    levels.sort_unstable();
    levels
}
