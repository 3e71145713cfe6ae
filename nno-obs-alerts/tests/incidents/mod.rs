//! What each kind of scheduled incident must raise (shared by the timeline tests).

use nno_obs_alerts::Category;
use nno_obs_sim::incidents::IncidentKind;

/// The §6.2 category an incident of `kind` must raise.
pub fn expected_category(kind: &IncidentKind) -> Category {
    match kind {
        IncidentKind::FeatureErrorSpike { .. } => Category::WorkerErrorSpike,
        IncidentKind::AuthSilent { .. } => Category::AuthWorkerDown,
        IncidentKind::SlowRegistryReads { .. } => Category::RegistryLatency,
        IncidentKind::ProvisioningJobFailed { .. } => Category::ProvisioningJobFailed,
        IncidentKind::ProvisioningJobSlow { .. } => Category::ProvisioningJobTimeout,
        IncidentKind::PagesBuildFailed { .. } => Category::PagesBuildFailure,
        IncidentKind::UsageThreshold { .. } => Category::UsageThreshold,
    }
}
