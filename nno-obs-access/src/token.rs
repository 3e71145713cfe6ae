//! The API's bearer tokens: compact JWS, HS256 only (`../shared/API.md`, "Callers and
//! tokens"; RFC 7515, RFC 7519).
//!
//! Why not a JWT crate: the only pure-Rust backend of `jsonwebtoken` (which a Worker needs)
//! brings RSA, ECDSA and EdDSA code into the `.wasm` for algorithms this API must refuse
//! anyway. HMAC-SHA-256 is RustCrypto's `hmac` + `sha2` (constant-time verification); what is
//! left here is the small, strict part — three base64url segments, a header whose `alg` is
//! exactly `HS256`, typed claims — and every refusal is tested.
//!
//! Verification order: size, shape, header (`alg`), signature, then claims — nothing of an
//! unsigned payload is believed.

use crate::caller::Caller;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{KeyInit, Mac};
use nno_obs_store::layout::PlatformId;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The most a token may weigh; anything longer is refused unread.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Clock skew allowed on `exp` and `nbf`, seconds (the API allows at most 60).
pub const LEEWAY_S: i64 = 60;

/// The key that signs and verifies tokens: the bytes of `OBSERVABILITY_JWT_SECRET`.
///
/// Its `Debug` shows no byte of it.
///
/// ```
/// let key = nno_obs_access::token::JwtSecret::new(b"s3cret".to_vec()).unwrap();
/// assert_eq!(format!("{key:?}"), "JwtSecret(6 bytes)");
/// assert!(nno_obs_access::token::JwtSecret::new(Vec::new()).is_none());
/// ```
#[derive(Clone)]
pub struct JwtSecret(Vec<u8>);

impl JwtSecret {
    /// A secret of these bytes; `None` when empty (an empty HMAC key verifies anyone's token).
    pub fn new(bytes: Vec<u8>) -> Option<Self> {
        (!bytes.is_empty()).then_some(Self(bytes))
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC takes keys of any length: this cannot fail.
        <HmacSha256 as KeyInit>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"))
    }

    /// HMAC-SHA-256 of `parts` joined, under this secret with a purpose label, so a signature
    /// made for one purpose (a cursor) is never valid for another (a link, a token).
    pub fn sign_for(&self, purpose: &str, message: &[u8]) -> Vec<u8> {
        let mut mac = self.mac();
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }

    /// Whether `signature` is [`sign_for`](Self::sign_for)'s for `purpose` and `message`
    /// (constant time).
    pub fn verify_for(&self, purpose: &str, message: &[u8], signature: &[u8]) -> bool {
        let mut mac = self.mac();
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(message);
        mac.verify_slice(signature).is_ok()
    }
}

impl fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JwtSecret({} bytes)", self.0.len())
    }
}

/// What a token says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Claims {
    /// `sub`: who.
    pub sub: String,
    /// `role`: `operator` or `platform-admin`.
    pub role: String,
    /// `platformId`, for a platform admin.
    #[serde(rename = "platformId", skip_serializing_if = "Option::is_none")]
    pub platform_id: Option<String>,
    /// `exp`, seconds since the epoch.
    pub exp: i64,
    /// `nbf`, seconds since the epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
}

/// Why a token was refused (all answered 401; the reason is for the message and the tests).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Not three base64url segments of JSON, or too long.
    Malformed,
    /// `alg` is not `HS256` (`none` included), or the header is not a JWS header we take.
    Algorithm,
    /// The signature does not verify.
    Signature,
    /// Past `exp` (with the leeway).
    Expired,
    /// Before `nbf` (with the leeway).
    NotYetValid,
    /// A required claim is missing or of the wrong type, or the role is unknown.
    Claims(&'static str),
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Malformed => f.write_str("the bearer token is not a compact JWS"),
            TokenError::Algorithm => f.write_str("the token's alg must be HS256"),
            TokenError::Signature => f.write_str("the token's signature does not verify"),
            TokenError::Expired => f.write_str("the token has expired"),
            TokenError::NotYetValid => f.write_str("the token is not valid yet"),
            TokenError::Claims(what) => write!(f, "the token's claims are invalid: {what}"),
        }
    }
}

impl std::error::Error for TokenError {}

/// Signs `claims` as an HS256 compact JWS (for `nno-obs token`, `nno-obs serve`'s login link
/// and tests).
///
/// ```
/// use nno_obs_access::token::{mint, verify, Claims, JwtSecret};
///
/// let key = JwtSecret::new(b"k".to_vec()).unwrap();
/// let claims = Claims { sub: "ops@nno".into(), role: "operator".into(), platform_id: None, exp: 2_000, nbf: None };
/// let token = mint(&claims, &key);
/// assert!(verify(&token, &key, 1_000).unwrap().is_operator());
/// ```
pub fn mint(claims: &Claims, secret: &JwtSecret) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    // Claims are strings and integers: serialisation cannot fail.
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let signing_input = format!("{header}.{payload}");
    let mut mac = secret.mac();
    mac.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

/// Verifies `token` at `now_s` (seconds since the epoch) and says who it is.
///
/// ```
/// use nno_obs_access::token::{mint, verify, Claims, JwtSecret, TokenError};
///
/// let key = JwtSecret::new(b"k".to_vec()).unwrap();
/// let admin = Claims { sub: "a".into(), role: "platform-admin".into(),
///                      platform_id: Some("k3m9p2xw7q".into()), exp: 2_000, nbf: None };
/// let token = mint(&admin, &key);
/// assert_eq!(verify(&token, &key, 2_059).unwrap().platform().unwrap().as_str(), "k3m9p2xw7q");
/// assert_eq!(verify(&token, &key, 2_061), Err(TokenError::Expired));
/// let other = JwtSecret::new(b"other".to_vec()).unwrap();
/// assert_eq!(verify(&token, &other, 1_000), Err(TokenError::Signature));
/// ```
pub fn verify(token: &str, secret: &JwtSecret, now_s: i64) -> Result<Caller, TokenError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(TokenError::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let header: Value = decode_json(header)?;
    check_header(&header)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| TokenError::Malformed)?;
    let mut mac = secret.mac();
    mac.update(&token.as_bytes()[..header_and_payload_len(token)]);
    mac.verify_slice(&signature)
        .map_err(|_| TokenError::Signature)?;
    let claims: Value = decode_json(payload)?;
    caller_of(&claims, now_s)
}

/// The length of `header.payload` (the signing input): up to the last dot.
fn header_and_payload_len(token: &str) -> usize {
    token.rfind('.').unwrap_or(0)
}

fn decode_json(segment: &str) -> Result<Value, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| TokenError::Malformed)?;
    match serde_json::from_slice(&bytes) {
        Ok(value @ Value::Object(_)) => Ok(value),
        _ => Err(TokenError::Malformed),
    }
}

/// `alg` exactly `HS256`; `typ`, when present, `JWT`; no `crit` (no extension is understood,
/// so none may be required of us).
fn check_header(header: &Value) -> Result<(), TokenError> {
    if header.get("alg").and_then(Value::as_str) != Some("HS256") {
        return Err(TokenError::Algorithm);
    }
    if header.get("crit").is_some() {
        return Err(TokenError::Algorithm);
    }
    match header.get("typ") {
        None => Ok(()),
        Some(Value::String(typ)) if typ.eq_ignore_ascii_case("JWT") => Ok(()),
        Some(_) => Err(TokenError::Algorithm),
    }
}

#[derive(Deserialize)]
struct RawClaims {
    sub: Value,
    role: Value,
    #[serde(rename = "platformId", default)]
    platform_id: Option<Value>,
    exp: Value,
    #[serde(default)]
    nbf: Option<Value>,
}

fn caller_of(claims: &Value, now_s: i64) -> Result<Caller, TokenError> {
    let raw = RawClaims::deserialize(claims)
        .map_err(|_| TokenError::Claims("sub, role and exp are required"))?;
    let sub = raw
        .sub
        .as_str()
        .ok_or(TokenError::Claims("sub must be a string"))?
        .to_owned();
    let exp = numeric_date(&raw.exp).ok_or(TokenError::Claims("exp must be a NumericDate"))?;
    if now_s > exp.saturating_add(LEEWAY_S) {
        return Err(TokenError::Expired);
    }
    if let Some(nbf) = &raw.nbf {
        let nbf = numeric_date(nbf).ok_or(TokenError::Claims("nbf must be a NumericDate"))?;
        if now_s < nbf.saturating_sub(LEEWAY_S) {
            return Err(TokenError::NotYetValid);
        }
    }
    match raw.role.as_str() {
        Some("operator") => Ok(Caller::operator_named(sub)),
        Some("platform-admin") => {
            let id = raw
                .platform_id
                .as_ref()
                .and_then(Value::as_str)
                .ok_or(TokenError::Claims(
                    "platformId is required for a platform-admin",
                ))?;
            let platform = PlatformId::parse(id)
                .map_err(|_| TokenError::Claims("platformId must be 10 characters [a-z0-9]"))?;
            Ok(Caller::admin_named(sub, platform))
        }
        Some(_) => Err(TokenError::Claims(
            "role must be operator or platform-admin",
        )),
        None => Err(TokenError::Claims("role must be a string")),
    }
}

/// A NumericDate: an integer, or a number with a fraction (truncated), within i64.
fn numeric_date(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && f.abs() < 9.0e15)
                .map(|f| f.trunc() as i64)
        }),
        _ => None,
    }
}
