//! Resource limits with documented defaults. Every limit is enforced; a breach is an error
//! code (`NEWTON_ERR_LIMIT_*`, `NEWTON_ERR_POLICY_LIMIT_*`, `NEWTON_ERR_POLICY_EVAL_DEPTH`),
//! never a hang or a crash.

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
    /// Wall-clock budget of one evaluation, honoured inside builtins too. Default 1 s.
    pub eval_timeout: Duration,
    /// Deepest bracket nesting (`(`, `[`, `{`) in Rego source. Default 64.
    pub max_nesting: usize,
    /// Deepest nesting of rule and function evaluations, and of the values they build.
    /// Default 256.
    pub max_eval_depth: u32,
    /// Most collection elements one evaluation creates (array items, set members, object
    /// entries, counted per occurrence). Default 1,000,000.
    pub max_eval_elements: u64,
    /// Most string bytes one evaluation creates. Default 16 MiB.
    pub max_eval_string_bytes: u64,
    /// Largest integer, in bits. Default 4096.
    pub max_integer_bits: u64,
    /// Most distinct params values whose params-only work (converted params, params-only rule
    /// values) a compiled policy keeps, least recently used evicted; 0 turns the cache off.
    /// Default 64.
    pub params_cache_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_module_bytes: 1 << 20,
            max_modules: 256,
            max_request_bytes: 8 << 20,
            eval_timeout: Duration::from_secs(1),
            max_nesting: 64,
            max_eval_depth: 256,
            max_eval_elements: 1_000_000,
            max_eval_string_bytes: 16 << 20,
            max_integer_bits: 4096,
            params_cache_entries: 64,
        }
    }
}

impl Limits {
    /// The interpreter's own timer (checked every 64 steps).
    pub(crate) fn execution_timer(&self) -> regorus::utils::limits::ExecutionTimerConfig {
        regorus::utils::limits::ExecutionTimerConfig {
            limit: self.eval_timeout,
            check_interval: std::num::NonZeroU32::new(64).unwrap_or(std::num::NonZeroU32::MIN),
        }
    }

    /// The evaluation budget handed to the interpreter.
    pub(crate) fn eval_budget(&self) -> regorus::EvalBudgetConfig {
        regorus::EvalBudgetConfig {
            max_depth: self.max_eval_depth,
            max_elements: self.max_eval_elements,
            max_string_bytes: self.max_eval_string_bytes,
            max_integer_bits: self.max_integer_bits,
            timeout: Some(self.eval_timeout),
        }
    }
}
