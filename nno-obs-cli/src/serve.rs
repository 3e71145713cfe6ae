//! `nno-obs serve`: the read API (`nno-obs-api`) over the local store, on loopback by default;
//! `nno-obs token`: a bearer token for it.
//!
//! The host carries each request to [`nno_obs_console::Console::serve`] (the dashboards'
//! page, or when the path is no page, [`nno_obs_api::Api::handle`]'s answer), and the answer
//! back — routes, tokens, parameters and access are the libraries'. The local backend blocks on files and the
//! search's thread pool, so each request runs on tokio's blocking pool.

use crate::{filters, Failure};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use clap::Args;
use nno_obs_api::jwt::{mint, Claims, JwtSecret};
use nno_obs_api::local::{system_now_ms, LocalBackend};
use nno_obs_api::{http::Request, Api};
use nno_obs_console::Console;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The environment variable holding the API's secret (the Worker's secret of the same name).
pub const SECRET_ENV: &str = "OBSERVABILITY_JWT_SECRET";

#[derive(Args)]
pub struct ServeArgs {
    /// The local store.
    #[arg(long, env = "NNO_OBS_STORE", default_value = "target/nno-obs-store")]
    store: PathBuf,
    /// Where to listen (loopback by default; another address exposes the API to that network).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// A file holding the secret that signs tokens, cursors and links (else
    /// $OBSERVABILITY_JWT_SECRET, else one made for this run).
    #[arg(long)]
    jwt_secret_file: Option<PathBuf>,
    /// The alert state `nno-obs alerts check` keeps.
    #[arg(long, default_value = "target/nno-obs-alerts.json")]
    alert_state: PathBuf,
    /// Serve as if the time were this when the server started (RFC 3339), running on from
    /// there: for a store simulated for another day.
    #[arg(long)]
    at: Option<String>,
    /// Requests answered at once (default: twice the cores); the rest wait their turn, so
    /// memory and threads stay bounded however many clients connect.
    #[arg(long)]
    max_concurrent: Option<usize>,
}

#[derive(Args)]
pub struct TokenArgs {
    /// `operator` or `platform-admin`.
    #[arg(long, default_value = "operator")]
    role: String,
    /// The platform, for a platform admin.
    #[arg(long)]
    platform: Option<String>,
    /// Who the token is for.
    #[arg(long, default_value = "nno-obs-cli")]
    sub: String,
    /// How long it is valid, e.g. 15m, 12h, 7d.
    #[arg(long, default_value = "12h")]
    valid_for: String,
    /// The secret's file (else $OBSERVABILITY_JWT_SECRET).
    #[arg(long)]
    jwt_secret_file: Option<PathBuf>,
}

/// The configured secret: the file, else the environment; `None` when neither is set.
fn configured_secret(file: Option<&Path>) -> Result<Option<JwtSecret>, Failure> {
    let bytes = match file {
        Some(path) => {
            let text = std::fs::read(path)
                .map_err(|e| Failure(format!("--jwt-secret-file {}: {e}", path.display())))?;
            // A trailing newline from `echo` is not part of the secret.
            let trimmed = text.strip_suffix(b"\n").unwrap_or(&text);
            trimmed.strip_suffix(b"\r").unwrap_or(trimmed).to_vec()
        }
        None => match std::env::var_os(SECRET_ENV) {
            Some(value) => value.into_encoded_bytes(),
            None => return Ok(None),
        },
    };
    JwtSecret::new(bytes)
        .map(Some)
        .ok_or_else(|| Failure("the API secret is empty".into()))
}

/// `nno-obs token`.
pub fn token(args: TokenArgs) -> Result<(), Failure> {
    let secret = configured_secret(args.jwt_secret_file.as_deref())?.ok_or_else(|| {
        Failure(format!(
            "no secret: give --jwt-secret-file FILE or set {SECRET_ENV} (the one `nno-obs serve` uses)"
        ))
    })?;
    let claims = claims(
        &args.role,
        args.platform.as_deref(),
        &args.sub,
        &args.valid_for,
    )?;
    println!("{}", mint(&claims, &secret));
    Ok(())
}

fn claims(
    role: &str,
    platform: Option<&str>,
    sub: &str,
    valid_for: &str,
) -> Result<Claims, Failure> {
    let platform_id = match (role, platform) {
        ("operator", None) => None,
        ("operator", Some(_)) => {
            return Err(Failure("--platform is for a platform-admin token".into()))
        }
        ("platform-admin", Some(id)) => Some(
            nno_obs_store::layout::PlatformId::parse(id)
                .map_err(|e| Failure(format!("--platform {id:?}: {e}")))?
                .to_string(),
        ),
        ("platform-admin", None) => {
            return Err(Failure("a platform-admin token needs --platform ID".into()))
        }
        (other, _) => {
            return Err(Failure(format!(
                "--role {other:?}: expected operator or platform-admin"
            )))
        }
    };
    let valid_ms = filters::parse_duration(valid_for).map_err(Failure)?;
    if valid_ms == 0 {
        return Err(Failure("--valid-for must be longer than 0s".into()));
    }
    Ok(Claims {
        sub: sub.to_owned(),
        role: role.to_owned(),
        platform_id,
        exp: ((system_now_ms() + valid_ms) / 1000) as i64,
        nbf: None,
    })
}

struct Shared {
    api: Api<LocalBackend>,
    secure: bool,
    /// Answers under way: each reads files on its own threads, so running more at once than
    /// the cores can serve only multiplies memory.
    permits: tokio::sync::Semaphore,
}

/// `nno-obs serve`.
pub fn serve(args: ServeArgs) -> Result<(), Failure> {
    if !args.store.is_dir() {
        return Err(Failure(format!(
            "no store at {} (run `nno-obs simulate`, or give --store DIR)",
            args.store.display()
        )));
    }
    let (secret, generated) = match configured_secret(args.jwt_secret_file.as_deref())? {
        Some(secret) => (secret, false),
        None => {
            let bytes = [uuid::Uuid::new_v4(), uuid::Uuid::new_v4()]
                .iter()
                .flat_map(|u| u.as_bytes().to_vec())
                .collect();
            (
                JwtSecret::new(bytes).ok_or_else(|| Failure("no secret".into()))?,
                true,
            )
        }
    };
    let offset_ms: i64 = match &args.at {
        Some(text) => filters::parse_time(text)? as i64 - system_now_ms() as i64,
        None => 0,
    };
    let backend = LocalBackend::new(&args.store)
        .with_alert_state(&args.alert_state)
        .with_clock(Box::new(move || {
            (system_now_ms() as i64).saturating_add(offset_ms).max(0) as u64
        }));
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let shared = Arc::new(Shared {
        api: Api::new(backend, secret.clone()),
        secure: !args.listen.ip().is_loopback(),
        permits: tokio::sync::Semaphore::new(args.max_concurrent.unwrap_or(2 * cores).max(1)),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| Failure(format!("--listen {}: {e}", args.listen)))?;
        let address = listener.local_addr()?;
        // Best effort: whoever started the server may stop reading its output (`| head -1`, a
        // supervisor that read the address), and that must not stop the server.
        if let Err(failure) = announce(address, &secret, generated) {
            let why = match failure.message.as_str() {
                "" => "its output was closed",
                other => other,
            };
            let _ = writeln!(
                std::io::stderr(),
                "warning: cannot print where the API is ({why}); serving on http://{address}/"
            );
        }
        let app = axum::Router::new().fallback(handle).with_state(shared);
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| Failure(format!("serving: {e}")))
    })
}

/// Prints where the API is and how to get in.
fn announce(address: SocketAddr, secret: &JwtSecret, generated: bool) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "nno-obs API on http://{address}/api/observability/")?;
    writeln!(
        out,
        "console: http://{address}/internal/observability (operator), http://{address}/platforms/ID/observability (platform admin), after /login"
    )?;
    if generated {
        let operator = claims("operator", None, "nno-obs-serve", "12h")?;
        writeln!(
            out,
            "no secret configured ({SECRET_ENV} or --jwt-secret-file): one was made for this run"
        )?;
        writeln!(
            out,
            "operator login (12 h): http://{address}/login?token={}",
            mint(&operator, secret)
        )?;
        writeln!(
            out,
            "with a configured secret, mint tokens with: nno-obs token --role platform-admin --platform ID"
        )?;
    } else {
        writeln!(
            out,
            "tokens: nno-obs token --role operator | --role platform-admin --platform ID"
        )?;
    }
    out.flush()?;
    Ok(())
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> axum::response::Response {
    let head = method == Method::HEAD;
    // The semaphore is never closed, so acquiring fails only if it were: answer 503 then.
    let Ok(_permit) = shared.permits.acquire().await else {
        return unavailable(head);
    };
    let worker = shared.clone();
    let answered = tokio::task::spawn_blocking(move || {
        let shared = worker;
        let text = |name| {
            headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
        };
        let request = Request {
            method: method.as_str(),
            path: uri.path(),
            query: uri.query().unwrap_or(""),
            authorization: text(header::AUTHORIZATION),
            cookie: text(header::COOKIE),
            secure: shared.secure,
        };
        pollster::block_on(Console::serve(&shared.api, &request))
    })
    .await;
    let Ok(answer) = answered else {
        // The handler panicked: a bug, answered as the API's 503.
        return unavailable(head);
    };
    respond(answer.status, answer.headers, answer.body, head)
}

/// The API's 503, for what goes wrong in the host itself.
fn unavailable(head: bool) -> axum::response::Response {
    let error = nno_obs_api::ApiError::unavailable("the server");
    respond(
        error.status(),
        vec![("content-type", nno_obs_api::http::JSON.to_owned())],
        error.body(),
        head,
    )
}

fn respond(
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    head: bool,
) -> axum::response::Response {
    let length = body.len();
    let mut response = axum::response::Response::new(if head {
        Body::empty()
    } else {
        Body::from(body)
    });
    if head {
        // HEAD tells the length GET would send.
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().append(name, value);
        }
    }
    response
}
