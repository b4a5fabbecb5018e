//! Resource limits with documented defaults. Every limit is enforced; a breach is an error
//! code (`NEWTON_ERR_LIMIT_*`), never a hang.

use std::time::Duration;

/// Limits applied at compile and evaluation time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest single Rego module, in bytes. Default 1 MiB.
    pub max_module_bytes: usize,
    /// Most modules in one policy (policy + imports + tests). Default 256.
    pub max_modules: usize,
    /// Largest evaluation request (input + data JSON), in bytes. Default 8 MiB.
    pub max_request_bytes: usize,
    /// Wall-clock budget of one evaluation. Default 1 s.
    pub eval_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_module_bytes: 1 << 20,
            max_modules: 256,
            max_request_bytes: 8 << 20,
            eval_timeout: Duration::from_secs(1),
        }
    }
}
