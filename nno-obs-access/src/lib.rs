//! # nno-obs-access
//!
//! Who may read what (DESIGN principle 10). The read side's libraries take a
//! [`PlatformScope`] (one platform) or an [`OperatorScope`] (the fleet) and build every SQL
//! statement, path, cursor and link from it. This crate defines both and is the only place
//! that makes them, each time after a check:
//!
//! | who | the check | mint |
//! |---|---|---|
//! | a caller of the read API | an HS256 token, signature and claims verified | [`token::verify`] → [`Caller`] → [`Caller::target`], [`Caller::operator`], [`Caller::platform_scope`] |
//! | a person at the terminal (the CLI) | the store's folder (or the files) readable by this process | [`local::operator`], [`local::operator_of_files`] (feature `local`) |
//! | the `nno-logging` Worker's cron | a workers-rs `ScheduledEvent`, which only the runtime hands out | `scheduled::operator` (feature `worker`) |
//! | the CLI asking a remote engine: the SQL API (`query --cfae`), or a statement it prints (`query --sql`, `logs sql --r2-account`) | the remote engine checks the runner's credentials; nothing local is read | [`remote::operator`] |
//! | an operator looking at one platform | the operator's scope | [`OperatorScope::platform`] |
//!
//! Tests mint scopes through the `testing` feature, which only dev-dependencies enable.
//!
//! ```
//! use nno_obs_access::token::{mint, verify, Claims, JwtSecret};
//! use nno_obs_access::{Denied, Target};
//! use nno_obs_store::layout::PlatformId;
//!
//! let key = JwtSecret::new(b"s3cret".to_vec()).unwrap();
//! let admin = Claims { sub: "a@acme".into(), role: "platform-admin".into(),
//!                      platform_id: Some("k3m9p2xw7q".into()), exp: 2_000, nbf: None };
//! let caller = verify(&mint(&admin, &key), &key, 1_000).unwrap();
//! let mine = PlatformId::parse("k3m9p2xw7q").unwrap();
//! assert!(matches!(caller.target(Some(&mine)), Ok(Target::Platform(_))));
//! assert_eq!(caller.target(None), Err(Denied::PlatformRequired));
//! assert_eq!(caller.operator(), Err(Denied::Forbidden));
//! ```

#![warn(missing_docs)]

pub mod caller;
#[cfg(feature = "local")]
pub mod local;
pub mod remote;
#[cfg(feature = "worker")]
pub mod scheduled;
pub mod scope;
#[cfg(feature = "testing")]
pub mod testing;
pub mod token;

pub use caller::{Caller, Denied, Target};
pub use scope::{OperatorScope, PlatformScope};
