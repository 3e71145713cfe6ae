//! A platform's Workers: its auth Worker and its feature Workers (seed §1.5's "Platform Auth
//! Workers" and "Platform Feature Workers" rows).

use super::{plan_of, work, SimError};
use nno_obs::{
    fields, nno_handler, AuthEvent, AuthEventRecord, AuthResult, Binding, DataPoint, Obs,
    UsageRecord,
};

type Response = http::Response<()>;

fn status(code: u16) -> Response {
    let mut response = http::Response::new(());
    *response.status_mut() = http::StatusCode::from_u16(code).unwrap_or(http::StatusCode::OK);
    response
}

/// The auth Worker: logins, session checks, logouts.
#[nno_handler(
    service = "auth",
    feature = "auth",
    routes("/login", "/session", "/logout")
)]
pub fn auth(request: http::Request<()>, obs: Obs) -> Response {
    let plan = plan_of(&request);
    let platform = obs.platform_id().unwrap_or("").to_owned();
    let user = plan.user_id.as_str();
    meter_invocation(&obs, "auth");
    work(&obs, plan.latency_ms);
    let (event, code) = match request.uri().path() {
        "/login" if plan.client_error => {
            obs.info(
                "login failure",
                fields! { platformId: platform, userId: user, method: "password", result: "failure" },
            );
            (AuthEvent::Login, 401)
        }
        "/login" => {
            obs.info(
                "login success",
                fields! { platformId: platform, userId: user, method: "password", result: "success" },
            );
            (AuthEvent::Login, 200)
        }
        "/logout" => {
            obs.info(
                "session invalidated",
                fields! { platformId: platform, userId: user, sessionId: plan.job_id },
            );
            (AuthEvent::SessionInvalidated, 204)
        }
        _ if plan.client_error => {
            obs.warn(
                "permission denied",
                fields! { platformId: platform, userId: user, permission: "reports:read" },
            );
            (AuthEvent::PermissionDenied, 403)
        }
        _ => (AuthEvent::SessionCreated, 200),
    };
    let result = if code < 400 {
        AuthResult::Success
    } else {
        AuthResult::Failure
    };
    let record = AuthEventRecord {
        platform_id: &platform,
        event,
        method: "password",
        result,
        duration_ms: plan.latency_ms,
    };
    obs.write_point(Binding::AuthEvents, &DataPoint::auth_event(&record));
    status(code)
}

/// One invocation of a platform Worker on the platform's usage (`{platformId}-usage`): the
/// auth Worker's count against the tier's limit like any feature's.
fn meter_invocation(obs: &Obs, feature: &str) {
    let usage = UsageRecord {
        feature_id: feature,
        entity_id: obs.entity_id().unwrap_or(""),
        metric: UsageRecord::INVOCATIONS,
        units: 1.0,
    };
    obs.write_point(Binding::Usage, &DataPoint::usage(&usage));
}

/// What every feature Worker does: meter the invocation, do the work, log it, and fail the
/// way the plan says.
fn feature_work(
    feature: &str,
    request: &http::Request<()>,
    obs: &Obs,
) -> Result<Response, SimError> {
    let plan = plan_of(request);
    let user = plan.user_id.as_str();
    meter_invocation(obs, feature);
    work(obs, plan.latency_ms);
    if plan.latency_ms > 200 {
        obs.warn(
            "D1 query slow",
            fields! { featureId: feature, query: "SELECT * FROM rows WHERE day >= ?", durationMs: plan.latency_ms },
        );
    }
    if plan.fail {
        return Err(SimError("D1_ERROR: database is locked".to_owned()));
    }
    if plan.client_error {
        obs.warn(
            "auth validation failure",
            fields! { platformId: obs.platform_id().unwrap_or(""), featureId: feature, reason: "expired session", userId: user },
        );
        return Ok(status(401));
    }
    obs.info(
        "request served",
        fields! { featureId: feature, userId: user, rows: plan.latency_ms % 97 },
    );
    Ok(status(200))
}

/// The analytics feature Worker.
#[nno_handler(
    service = "analytics",
    feature = "analytics",
    routes("/api/data", "/api/report/:id")
)]
pub fn analytics(request: http::Request<()>, obs: Obs) -> Result<Response, SimError> {
    feature_work("analytics", &request, &obs)
}

/// The reports feature Worker.
#[nno_handler(
    service = "reports",
    feature = "reports",
    routes("/api/reports", "/api/reports/:id")
)]
pub fn reports(request: http::Request<()>, obs: Obs) -> Result<Response, SimError> {
    feature_work("reports", &request, &obs)
}

/// The exports feature Worker.
#[nno_handler(
    service = "exports",
    feature = "exports",
    routes("/api/exports", "/api/exports/:id/download")
)]
pub fn exports(request: http::Request<()>, obs: Obs) -> Result<Response, SimError> {
    feature_work("exports", &request, &obs)
}

/// The paths each feature serves (the driver picks one per request).
pub fn feature_paths(feature: &str) -> &'static [&'static str] {
    match feature {
        "analytics" => &["/api/data", "/api/report/q3-2026"],
        "reports" => &["/api/reports", "/api/reports/weekly"],
        _ => &["/api/exports", "/api/exports/e-7/download"],
    }
}
