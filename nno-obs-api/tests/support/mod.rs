//! The fixture of the API's tests: a simulated fleet of three platforms for one hour (the
//! real instrumented Workers, written into a local store), an alert state with an alert about
//! two of them, and requests made as a host would make them.

#![allow(dead_code)]

use nno_obs_alerts::outbox::State;
use nno_obs_alerts::route::Destinations;
use nno_obs_alerts::rules::{evaluate, seed_example};
use nno_obs_alerts::state::Policy;
use nno_obs_api::http::{Request, Response};
use nno_obs_api::jwt::{mint, Claims, JwtSecret};
use nno_obs_api::local::{bucket_folders, LocalBackend};
use nno_obs_api::source::{SourceBackend, SourceLimits};
use nno_obs_api::Api;
use nno_obs_logs::LocalFolder;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The end of the simulated hour: 2026-02-22 12:00 UTC.
pub const UNTIL_MS: u64 = 1_771_761_600_000;
/// "Now" for the API: ten minutes after the simulated hour.
pub const NOW_MS: u64 = UNTIL_MS + 600_000;
pub const SECRET: &[u8] = b"test secret of the read API";

pub struct Fixture {
    _dir: tempfile::TempDir,
    pub store: PathBuf,
    pub alert_state: PathBuf,
    /// The platforms, in id order.
    pub platforms: Vec<String>,
}

/// The store, simulated once per test binary.
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        let config = nno_obs_sim::run::SimConfig {
            platforms: 3,
            hours: 1,
            seed: 7,
            until_ms: UNTIL_MS,
            threads: 2,
        };
        let local = Arc::new(nno_obs_store::fs::LocalStore::open(&store).unwrap());
        let summary = nno_obs_sim::run::run(&config, local.clone(), &|_, _| {}).unwrap();
        local.close().unwrap();
        let mut platforms: Vec<String> = summary
            .schedule
            .platforms
            .iter()
            .map(|p| p.id.to_string())
            .collect();
        platforms.sort();
        let alert_state = dir.path().join("alerts.json");
        write_alert_state(&alert_state, &platforms);
        Fixture {
            _dir: dir,
            store,
            alert_state,
            platforms,
        }
    })
}

/// One alert firing about each of the first two platforms (the seed's §6.3 example, aimed at
/// each), so that a platform admin's view can be checked for the other's; the second one
/// silenced.
fn write_alert_state(path: &Path, platforms: &[String]) {
    let (measurements, configs) = seed_example();
    let mut alerts = Vec::new();
    for platform in &platforms[..2] {
        for mut alert in evaluate(&measurements, &configs) {
            alert.id = alert.id.replace("k3m9p2xw7q", platform);
            alert.platform_id = Some(platform.clone());
            alert.message.action = alert.message.action.replace("k3m9p2xw7q", platform);
            alert.message.trace_url = alert
                .message
                .trace_url
                .map(|url| url.replace("k3m9p2xw7q", platform));
            if let Some(p) = alert.message.platform.as_mut() {
                p.id = platform.clone();
                p.name = format!("Platform {platform}");
            }
            alerts.push(alert);
        }
    }
    let mut state = State::default();
    state.evaluate(
        NOW_MS - 60_000,
        &alerts,
        &Policy::default(),
        &Destinations::default(),
    );
    // The second platform's alert is held back by a silence: `/alerts` says so.
    state.held.insert(
        format!("worker-error-spike/{}/analytics", platforms[1]),
        nno_obs_alerts::notify::Mute::Silenced {
            silence: "s-0123456789ab".to_owned(),
            until_ms: NOW_MS + 3_600_000,
        },
    );
    nno_obs_alerts::store::FileStore::new(path)
        .save(&state)
        .unwrap();
}

pub fn secret() -> JwtSecret {
    JwtSecret::new(SECRET.to_vec()).unwrap()
}

/// The API over the fixture's local store, with the object search a Worker runs over R2
/// ([`SourceBackend`] over the store's bucket folders), bounded by `limits`, at [`NOW_MS`].
pub fn source_api(store: &Path, limits: SourceLimits) -> Api<SourceBackend<LocalFolder>> {
    let f = fixture();
    let records = LocalBackend::new(store).with_alert_state(&f.alert_state);
    let mut backend = SourceBackend::new(
        Box::new(nno_obs_query::local::LocalEngine::new(store)),
        Box::new(records),
        Box::new(|| NOW_MS),
    )
    .with_limits(limits);
    for (bucket, folder) in bucket_folders(store) {
        backend = backend.with_bucket(bucket, folder);
    }
    Api::new(backend, secret())
}

/// The API over the fixture, at [`NOW_MS`].
pub fn api() -> Api<LocalBackend> {
    let f = fixture();
    Api::new(
        LocalBackend::new(&f.store)
            .with_alert_state(&f.alert_state)
            .with_clock(Box::new(|| NOW_MS)),
        secret(),
    )
}

pub fn operator_token() -> String {
    token("operator", None)
}

pub fn admin_token(platform: &str) -> String {
    token("platform-admin", Some(platform))
}

pub fn token(role: &str, platform: Option<&str>) -> String {
    mint(
        &Claims {
            sub: "test".into(),
            role: role.into(),
            platform_id: platform.map(str::to_owned),
            exp: (NOW_MS / 1000) as i64 + 3600,
            nbf: None,
        },
        &secret(),
    )
}

/// `GET target` (path and query) with `authorization`.
pub fn get<B: nno_obs_api::Backend>(
    api: &Api<B>,
    target: &str,
    authorization: Option<&str>,
) -> Response {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    pollster::block_on(api.handle(&Request {
        method: "GET",
        path,
        query,
        authorization,
        ..Request::default()
    }))
}

/// `GET target` as the bearer of `token`.
pub fn get_as<B: nno_obs_api::Backend>(api: &Api<B>, target: &str, token: &str) -> Response {
    get(api, target, Some(&format!("Bearer {token}")))
}

pub fn body(response: &Response) -> String {
    String::from_utf8(response.body.clone()).unwrap()
}

pub fn json(response: &Response) -> serde_json::Value {
    serde_json::from_slice(&response.body).unwrap_or_else(|e| panic!("{e}: {}", body(response)))
}

/// The error code of an error answer.
pub fn code(response: &Response) -> String {
    json(response)["error"]["code"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}
