//! A small fleet's logs, written through the real runtime into a real local store.
#![allow(dead_code)]

pub mod build;

use nno_obs::clock::Clock;
use nno_obs::{fields, Obs, Telemetry};
use nno_obs_store::fs::{EventMeta, Invocation, LocalStore};
use nno_obs_store::layout::ScriptName;
use nno_obs_store::record::Outcome;
use std::path::Path;
use std::sync::Arc;

/// 2026-02-22T10:00:00Z.
pub const T0: u64 = 1_771_754_400_000;
pub const PLATFORMS: [&str; 2] = ["k3m9p2xw7q", "p7c4v9b2n6"];

/// A deterministic pseudo-random sequence (no dependency for a test fixture).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The middle line of an invocation (between `→ request` and `← response`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Middle {
    /// warn `Permission denied`, with `userId` and `permission: "Billing.Write"`.
    PermissionDenied,
    /// error `D1 query slow`, with `featureId: "analytics"` and `durationMs: 812`.
    SlowQuery,
    /// debug `cache miss`, with `userId`.
    CacheMiss,
    /// info `Login success`, with `userId`.
    LoginSuccess,
}

impl Middle {
    /// The line's message.
    pub fn message(self) -> &'static str {
        match self {
            Middle::PermissionDenied => "Permission denied",
            Middle::SlowQuery => "D1 query slow",
            Middle::CacheMiss => "cache miss",
            Middle::LoginSuccess => "Login success",
        }
    }

    /// Whether the line carries the invocation's `userId`.
    pub fn has_user(self) -> bool {
        self != Middle::SlowQuery
    }
}

/// What one invocation wrote, as the fixture decided it (not as anything read it back).
#[derive(Clone, Debug)]
pub struct Written {
    pub trace: String,
    pub script: String,
    pub service: &'static str,
    pub platform: &'static str,
    pub user: String,
    pub middle: Middle,
    /// Whether it ended with a `TypeError` exception.
    pub exception: bool,
    /// The times of its entries: its three lines, then its exception's.
    pub times_ms: Vec<u64>,
}

/// Writes `invocations` invocations spread over `hours` hours from [`T0`] into the store at
/// `root`, closing (rotating) it at the end. Returns every trace id used.
pub fn write_fleet(root: &Path, invocations: usize, hours: u64, seed: u64) -> Vec<String> {
    write_fleet_ledger(root, invocations, hours, seed)
        .into_iter()
        .map(|written| written.trace)
        .collect()
}

/// [`write_fleet`], returning what each invocation wrote.
pub fn write_fleet_ledger(root: &Path, invocations: usize, hours: u64, seed: u64) -> Vec<Written> {
    let store = Arc::new(LocalStore::open(root).unwrap());
    let mut rng = Lcg(seed);
    let mut ledger = Vec::new();
    let step = hours * 3_600_000 / invocations as u64;
    for n in 0..invocations {
        let clock = Clock::manual(T0 + n as u64 * step);
        let platform = PLATFORMS[rng.below(2) as usize];
        let (script, service, feature) = match rng.below(4) {
            0 => ("nno-registry-prod".to_owned(), "registry", None),
            1 => ("nno-gateway-prod".to_owned(), "gateway", None),
            2 => (format!("{platform}-auth-prod"), "auth", None),
            _ => (
                format!("{platform}-r8n4t6y1z5-analytics-prod"),
                "analytics",
                Some("analytics"),
            ),
        };
        let trace = format!("tr-{seed}-{n}");
        let user = format!("user-{}", rng.below(7));
        let invocation = Invocation::start(store.clone(), clock.clone());
        let mut builder = Telemetry::builder()
            .log_sink(invocation.clone())
            .clock(clock.clone());
        if script.starts_with(platform) {
            builder = builder.platform_id(platform);
        }
        let obs = Obs::from_headers(
            builder.build(),
            service,
            &[("x-trace-id", trace.as_str()), ("x-request-id", "rq-1")],
        );
        let mut times_ms = vec![clock.now_ms()];
        obs.info("→ request", fields! { method: "GET", path: "/api/data" });
        clock.advance(rng.below(40));
        times_ms.push(clock.now_ms());
        let middle = match rng.below(5) {
            0 => Middle::PermissionDenied,
            1 => Middle::SlowQuery,
            2 => Middle::CacheMiss,
            _ => Middle::LoginSuccess,
        };
        match middle {
            Middle::PermissionDenied => obs.warn("Permission denied", fields! { platformId: platform, userId: user.as_str(), permission: "Billing.Write" }),
            Middle::SlowQuery => obs.error("D1 query slow", fields! { featureId: "analytics", query: "SELECT * FROM \"events\"", durationMs: 812 }),
            Middle::CacheMiss => obs.debug("cache miss", fields! { key: "manifest:k3m9", userId: user.as_str() }),
            Middle::LoginSuccess => obs.info("Login success", fields! { platformId: platform, userId: user.as_str(), method: "password", result: "ok" }),
        }
        clock.advance(rng.below(20));
        times_ms.push(clock.now_ms());
        obs.info(
            "← response",
            fields! { method: "GET", path: "/api/data", status: 200, duration: 12 },
        );
        if let Some(feature) = feature {
            let _ = feature;
        }
        let outcome = if rng.below(10) == 0 {
            Outcome::Exception
        } else {
            Outcome::Ok
        };
        let exception = outcome == Outcome::Exception;
        if exception {
            times_ms.push(clock.now_ms());
            invocation.exception(
                "TypeError",
                "Cannot read properties of undefined (reading 'id')",
            );
        }
        invocation
            .finish(
                &ScriptName::parse(&script).unwrap(),
                outcome,
                EventMeta::fetch("GET", "https://api.example/api/data", 200),
            )
            .unwrap();
        ledger.push(Written {
            trace,
            script,
            service,
            platform,
            user,
            middle,
            exception,
            times_ms,
        });
    }
    store.close().unwrap();
    ledger
}
