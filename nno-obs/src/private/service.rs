//! Service names given to the macros, made an `Arc<str>` once per call site.

use crate::obs::Obs;
use std::sync::{Arc, OnceLock};

/// A service name written in an attribute: made an `Arc<str>` once per call site.
pub struct ServiceName {
    text: &'static str,
    shared: OnceLock<Arc<str>>,
}

impl ServiceName {
    /// A name, checked to be kebab-case by the macro.
    pub const fn new(text: &'static str) -> Self {
        Self {
            text,
            shared: OnceLock::new(),
        }
    }

    /// The name.
    pub fn as_str(&self) -> &'static str {
        self.text
    }

    /// The name as an `Arc<str>` (a reference-count increment after the first call).
    pub fn shared(&self) -> Arc<str> {
        self.shared.get_or_init(|| Arc::from(self.text)).clone()
    }

    /// The name as `parent`'s service would hold it: `parent`'s own `Arc` when it is the same.
    pub(super) fn shared_like(&self, parent: &Obs) -> Arc<str> {
        if parent.service() == self.text {
            parent.service_shared().clone()
        } else {
            self.shared()
        }
    }
}
