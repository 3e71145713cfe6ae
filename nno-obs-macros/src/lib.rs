//! Attribute macros of `nno-obs`: [`macro@nno_instrument`] for job steps and other functions,
//! [`macro@nno_handler`] for HTTP handlers. Use them through the `nno-obs` crate, which re-exports
//! them; the code they generate names only `::nno_obs::__private::…` (or the path given by
//! `crate = "…"`), never anything you must import.
//!
//! Each macro parses its arguments by its table (`args`, `attr`) keeping their spans, finds the
//! function it is on (`item`, `ast`), checks the arguments against it and recognises a
//! handler's shape (`valid`, `fields`, `shape`) — every mistake is a `syn::Error` on the
//! offending token, collected in a `Ctxt` (`ctxt`) and all reported together — and generates
//! the code (`expand`). When a check fails, the function is emitted unchanged beside the errors
//! (`fallback`), so one mistake does not cascade. `imp` runs these steps.

mod args;
mod ast;
mod attr;
mod case;
mod ctxt;
mod expand;
mod fallback;
mod fields;
mod imp;
mod item;
mod shape;
mod valid;

use proc_macro::TokenStream;

/// Instruments a job step (or any function): `step started`, then `step completed` or
/// `step failed`, each carrying the named fields and `step`; with `span`, the body runs in a
/// child span whose seed §4.2 span point is written when it ends.
///
/// ```
/// use nno_obs::{nno_instrument, Obs, Telemetry};
///
/// #[derive(Debug)]
/// struct StepError(String);
/// impl std::fmt::Display for StepError {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         f.write_str(&self.0)
///     }
/// }
///
/// #[nno_instrument(service = "provisioning", name = "create-d1", span, fields(job_id))]
/// fn create_d1(obs: &Obs, job_id: &str) -> Result<u32, StepError> {
///     obs.info("calling the Cloudflare API", &[]); // written by the child span's context
///     Ok(7)
/// }
///
/// let (telemetry, memory) = Telemetry::in_memory();
/// let obs = Obs::from_headers(telemetry, "gateway", &[("x-trace-id", "tr_abc123")]);
/// create_d1(&obs, "job-1").unwrap();
///
/// let started = memory.lines_with_message("step started")[0].json();
/// assert_eq!(started["service"], "provisioning");
/// assert_eq!(started["jobId"], "job-1");
/// assert_eq!(started["step"], "create-d1");
/// let span = &memory.points_in("nno-core-ops-spans")[0];
/// assert_eq!(span.blobs[2], obs.span_id().to_string()); // parent: the caller's span
/// ```
///
/// # What it writes
///
/// Lines (seed §1.5, the provisioning rows), extra keys after the core keys in this order:
///
/// | line | level | extra keys |
/// |---|---|---|
/// | `step started` | `level` (default `info`) | the fields, `step` |
/// | `step completed` | `level` | the fields, `step`, `durationMs` |
/// | `step failed` (the function returned `Err`) | always `error` | the fields, `step`, `durationMs`, `error` (the `Display` of the error) |
///
/// ```text
/// {"timestamp":"…","level":"info","service":"provisioning","traceId":"tr_abc123","requestId":"…","message":"step started","jobId":"job-1","step":"create-d1"}
/// {"timestamp":"…","level":"error","service":"provisioning","traceId":"tr_abc123","requestId":"…","message":"step failed","jobId":"job-1","step":"create-d1","durationMs":45,"error":"D1 quota exceeded"}
/// ```
///
/// With `span`: one point in `nno-core-ops-spans` (binding `SPANS`) per call, blobs `traceId,
/// spanId, parentSpanId, service, operation, outcome ("ok" or "error" for an `Err`),
/// platformId`, doubles `durationMs, error flag`, index `traceId`. Any function returning a
/// `Result` fails on `Err` (the error type must implement `Display`); any other return type
/// never fails. Durations come from the telemetry's clock. An early `return` or `?` is seen like
/// any other return.
///
/// # Arguments
///
/// - `service = "provisioning"` — the service the lines (and the span) are written in,
///   lowercase kebab-case. Default: the context's service.
/// - `name = "create-d1"` — the operation: the `step` key and the span's operation. Default: the
///   function's name.
/// - `span` — run the body in a child span of the context (`obs.child(name)`): new span id,
///   parent = the caller's span, same trace. The body sees the child under the parameter's own
///   name, so nested instrumented calls chain parent and child. Needs a context parameter.
/// - `job` — the span is a job's own span (a provisioning job, seed §6.2/§8.2): its id and
///   operation are the `jobId` and `operation` fields (required:
///   `#[nno_instrument(span, job, name = "run-job", fields(job_id, operation))]`). Its span
///   point is written at the start (outcome `started`) and the end with the job appended
///   (blob8 id, blob9 operation), and at the end the job's `nno-core-ops` point (operation
///   the job's, platform the context's, blob5 the id) — see `nno_obs::job`. Needs `span`.
/// - `fields(job_id, platform_id = pid, count = items.len(), "error.kind" = kind)` — a
///   parameter name alone is logged under its camelCase name (`job_id` → `jobId`); `key = expr`
///   logs any expression (evaluated once, before the body, and borrowed — never cloned); a string
///   key is written as given. Nothing is logged unless named here, so secrets never leak by
///   default (there is no `skip`). A value must implement `serde::Serialize`.
/// - `level = "debug"` — `info` (default), `warn`, `error` or `debug`, for `step started` and
///   `step completed` (`step failed` is always `error`).
/// - `lines = false` — write no lines, keep only the span (requires `span`):
///   `#[nno_instrument(span, lines = false)]`.
/// - `obs = ctx` — the context parameter, when it is not found by its type (`Obs` or `&Obs`),
///   or to choose among several: `#[nno_instrument(span, obs = parent)]`.
/// - `crate = "::my_obs"` — the path of nno-obs when it is renamed in `Cargo.toml`.
///
/// The context parameter is any parameter typed `Obs` or `&Obs`. A function without one writes
/// its lines through the process default telemetry, in the `service` given (then required),
/// without ids — as the seed's `createLogger(service)`.
///
/// # Function shapes
///
/// Free functions and methods (`self`, `&self`, `&mut self`), sync and `async`, with generics,
/// lifetimes, `where` clauses and `impl Trait` arguments or return types, in inherent and trait
/// impls. With `#[async_trait]`, put `#[async_trait]` on the impl and `#[nno_instrument]` on the
/// method (in either order relative to other method attributes): `#[async_trait]` runs first
/// and the macro instruments the boxed future it produces. A field borrows its value for the
/// whole call: if the body consumes a parameter that is also a field, log a derived value
/// instead (`fields(job_id = job_id.clone())`).
///
/// # Common mistakes
///
/// `span` without a context parameter:
///
/// ```compile_fail
/// # use nno_obs::nno_instrument;
/// #[nno_instrument(span)]
/// fn step(job_id: &str) {}
/// ```
///
/// ```text
/// error: `span` needs a context parameter to be the parent of the new span: add `obs: &Obs` to `step` (or name one with `obs = …`)
///  --> src/main.rs:1:18
///   |
/// 1 | #[nno_instrument(span)]
///   |                  ^^^^
/// ```
///
/// A field that is not a parameter (a typo, or an expression without `key =`):
///
/// ```compile_fail
/// # use nno_obs::{nno_instrument, Obs};
/// #[nno_instrument(fields(job))]
/// fn step(obs: &Obs, job_id: &str) {}
/// ```
///
/// ```text
/// error: `job` is not a parameter of `step` (its parameters are `obs`, `job_id`); name a parameter, or give the value: `job = expr`
///  --> src/main.rs:1:25
///   |
/// 1 | #[nno_instrument(fields(job))]
///   |                         ^^^
/// ```
///
/// A field whose key is a core key or one the macros write (`level`, `traceId`, `step`,
/// `durationMs`, …), or a value that cannot be logged (reported at the field):
///
/// ```compile_fail
/// # use nno_obs::{nno_instrument, Obs};
/// #[nno_instrument(fields(trace_id))]
/// fn step(obs: &Obs, trace_id: &str) {}
/// ```
///
/// ```text
/// error: field `trace_id` would be written as `traceId`, a key every log line already has (timestamp, level, service, traceId, requestId, message); rename it, e.g. `trace_id_value = trace_id`
///  --> src/main.rs:1:25
///   |
/// 1 | #[nno_instrument(fields(trace_id))]
///   |                         ^^^^^^^^
/// ```
///
/// Every check has a trybuild case with its exact output in `tests/ui/fail/`.
#[proc_macro_attribute]
pub fn nno_instrument(args: TokenStream, input: TokenStream) -> TokenStream {
    imp::instrument(args.into(), input.into()).into()
}

/// Instruments an HTTP handler as the seed's `requestLogger` (§1.3) plus the `{platformId}-perf`
/// point (§3.2): trace ids from the request, `→ request` and `← response` lines, ids echoed on
/// the response, one perf point per request.
///
/// ```
/// use nno_obs::{nno_handler, Obs, Telemetry};
///
/// #[nno_handler(service = "analytics", feature = "analytics", route = "/api/data/:id")]
/// fn get_data(req: http::Request<String>, obs: Obs) -> http::Response<String> {
///     obs.info("report built", nno_obs::fields! { rows: 42 });
///     http::Response::new(req.into_body())
/// }
///
/// let (telemetry, memory) = Telemetry::in_memory();
/// let mut req = http::Request::builder()
///     .uri("/api/data/42")
///     .header("x-trace-id", "tr_abc123")
///     .body(String::new())
///     .unwrap();
/// req.extensions_mut().insert(telemetry); // natively: else the process default
/// let response = get_data(req); // the obs parameter is gone from the signature
///
/// assert_eq!(response.headers()["x-trace-id"], "tr_abc123");
/// let done = memory.lines_with_message("← response")[0].json();
/// assert_eq!(done["status"], 200);
/// let perf = &memory.points_in("nno-internal-perf")[0];
/// assert_eq!(perf.blobs, ["analytics", "GET /api/data/:id", "200", ""]);
/// ```
///
/// # What it writes
///
/// - Ids: `x-trace-id` and `x-request-id` from the request (validated; a W3C `traceparent` is
///   used when `x-trace-id` is absent), else fresh UUIDs — `init_trace`. Both are set on the
///   response (an `Ok` one; an `Err` is returned unchanged).
/// - `→ request` {`method`, `path`} before the body, `← response` {`method`, `path`, `status`,
///   `duration`} after it, both `info`, in the handler's `service`, exactly as the seed (the key
///   is `duration`, not `durationMs`). An `Err` counts as status 500.
/// - One point in `{platformId}-perf` (binding `PERF`): blobs `featureId, endpoint, status,
///   entityId`, doubles `1, durationMs, status >= 500 ? 1 : 0`, index `featureId`. The endpoint
///   is `METHOD route`; without `route`, `METHOD path` with id-like segments (all digits, UUIDs,
///   16 or more hex digits) replaced by `:id`, so the number of endpoints stays bounded.
///
/// ```text
/// {"timestamp":"…","level":"info","service":"analytics","traceId":"tr_abc123","requestId":"…","message":"→ request","method":"GET","path":"/api/data/42"}
/// {"timestamp":"…","level":"info","service":"analytics","traceId":"tr_abc123","requestId":"…","message":"← response","method":"GET","path":"/api/data/42","status":200,"duration":45}
/// ```
///
/// # Arguments
///
/// - `service = "analytics"` — required: the service every line of the request is written in
///   (lowercase kebab-case).
/// - `feature = "analytics"` — the perf point's `featureId` (kebab-case). Default: the service.
/// - `route = "/api/data/:id"` — the route pattern, for the endpoint `GET /api/data/:id`.
/// - `platform = expr` — the platform id (anything `Into<Arc<str>>`, evaluated before the body
///   with the parameters in scope). Default: the Worker var `PLATFORM_ID` (natively: the
///   telemetry's). It names the span points' platform; the perf dataset is the telemetry's.
/// - `entity = expr` — the tenant, the perf point's `entityId`. Default: the Worker var
///   `ENTITY_ID` (natively: the telemetry's).
/// - `crate = "::my_obs"` — the path of nno-obs when it is renamed.
///
/// # Handler shapes
///
/// The function the framework calls keeps exactly its own signature: an extra parameter typed
/// `Obs` or `&Obs` (anywhere) receives the request's context and disappears from it.
///
/// - Native (testable without wasm): `fn(http::Request<B> [, obs: Obs]) -> http::Response<B>`
///   or `-> Result<http::Response<B>, E>`, sync or `async`. Telemetry: a `Telemetry` in the
///   request's extensions, else `Telemetry::process_default()`.
/// - workers-rs (feature `worker` of nno-obs): `#[nno_handler(…)]` written *above*
///   `#[event(fetch)]` on `async fn(Request, Env, Context [, obs: Obs]) -> Result<Response>`;
///   router handlers `fn(Request, RouteContext<D> [, obs]) -> Result<Response>` (sync or async).
///   Telemetry: `Telemetry::from_env(&env)`.
///
/// The shape is recognised from the parameters' types, not their number: a parameter typed
/// `Env` makes a fetch handler, one typed `RouteContext<D>` a router handler, neither a native
/// handler. A parameter missing, out of place or foreign to the shape is an error on its token
/// that names the shape recognised and the signature it takes.
///
/// ```ignore
/// #[nno_handler(service = "analytics", feature = "analytics")]
/// #[event(fetch)]
/// async fn fetch(req: Request, env: Env, _ctx: Context, obs: Obs) -> Result<Response> {
///     provision_step(&obs, "job-1").await?;
///     Response::ok("done")
/// }
/// ```
///
/// # Common mistakes
///
/// No `service`:
///
/// ```compile_fail
/// # use nno_obs::nno_handler;
/// #[nno_handler(feature = "analytics")]
/// fn handler(req: http::Request<()>) -> http::Response<()> { http::Response::new(()) }
/// ```
///
/// ```text
/// error: #[nno_handler] needs `service = "…"`: the service every line of the request is written in, e.g. #[nno_handler(service = "analytics")]
/// ```
///
/// No request parameter:
///
/// ```compile_fail
/// # use nno_obs::{nno_handler, Obs};
/// #[nno_handler(service = "analytics")]
/// fn handler(obs: Obs) -> http::Response<()> { http::Response::new(()) }
/// ```
///
/// ```text
/// error: `handler` has no request parameter: a handler takes the request first, e.g. `fn handler(req: http::Request<String>) -> http::Response<String>` or, in a Worker, `async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response>`
/// ```
///
/// A return type that is not a response (reported at the return type):
///
/// ```compile_fail
/// # use nno_obs::nno_handler;
/// #[nno_handler(service = "analytics")]
/// fn handler(req: http::Request<()>) -> String { String::new() }
/// ```
///
/// ```text
/// error[E0277]: `String` is not a response type #[nno_handler] supports
///  --> src/main.rs:2:39
///   |
/// 2 | fn handler(req: http::Request<()>) -> String { String::new() }
///   |                                       ^^^^^^ the handler must return a response
/// ```
///
/// Every check has a trybuild case with its exact output in `tests/ui/fail/`.
#[proc_macro_attribute]
pub fn nno_handler(args: TokenStream, input: TokenStream) -> TokenStream {
    imp::handler(args.into(), input.into()).into()
}
