//! `nno-obs logpush plan`: what provisioning would send to Cloudflare for a platform (or for
//! the core services), as JSON, without sending it. Secrets are written `<redacted>`.

use crate::Failure;
use clap::Args;
use nno_obs_cloudflare::plan::Plan;
use nno_obs_cloudflare::{R2Destination, Secret};
use nno_obs_store::layout::{PlatformId, INTERNAL_BUCKET};
use nno_obs_store::retention::RetentionClass;
use std::io::{self, Write};

/// The core services' Workers, one Logpush job each (seed §2.2).
const CORE_WORKERS: [&str; 6] = [
    "nno-gateway-prod",
    "nno-registry-prod",
    "nno-provisioning-prod",
    "nno-cli-prod",
    "nno-iam-prod",
    "nno-billing-prod",
];

#[derive(Args)]
pub struct PlanArgs {
    /// The platform whose bucket and job to plan (seed §2.3); without it, the core services'
    /// (seed §2.2).
    #[arg(long)]
    platform: Option<String>,
    /// The Cloudflare account (32 hex digits).
    #[arg(
        long,
        env = "CF_ACCOUNT_ID",
        default_value = "00000000000000000000000000000000"
    )]
    account_id: String,
    /// The R2 access key id Logpush writes with.
    #[arg(long, env = "R2_ACCESS_KEY_ID", default_value = "<r2-access-key-id>")]
    r2_access_key_id: String,
}

pub fn plan(args: PlanArgs) -> Result<(), Failure> {
    if !nno_obs_cloudflare::api::is_valid_account_id(&args.account_id) {
        return Err(Failure(
            "--account-id must be 32 lowercase hex digits".to_owned(),
        ));
    }
    // Never printed: the plan shows `<redacted>` in its place.
    let secret = Secret::new("");
    let plan = match &args.platform {
        Some(platform) => {
            let platform =
                PlatformId::parse(platform).map_err(|error| Failure(error.to_string()))?;
            let r2 = R2Destination::new(
                platform.bucket_name(),
                &args.account_id,
                &args.r2_access_key_id,
                secret,
            );
            Plan::platform(platform.as_str(), r2, RetentionClass::PlatformLogs.days())
        }
        None => {
            let r2 = R2Destination::new(
                INTERNAL_BUCKET,
                &args.account_id,
                &args.r2_access_key_id,
                secret,
            );
            Plan::core_services(&CORE_WORKERS, r2, RetentionClass::InternalLogs.days())
        }
    };
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &plan)?;
    writeln!(out)?;
    Ok(())
}
