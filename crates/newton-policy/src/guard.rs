//! Runs one interpreter evaluation inside the engine's guards: enough stack whatever thread
//! calls (the libuv pool's, Node's main thread, a test harness's), the evaluation
//! budget (nesting depth, elements, string bytes, integer size, a deadline inside builtins), and
//! a caught panic turned into an internal error instead of a crash.

use crate::Limits;
use newton_core::Error;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Stack an evaluation needs outside the interpreter's recursion (which grows its own stack on
/// demand, see vendor/regorus/PATCHES.md): walks of values within the depth limit, builtins.
const STACK_BASE: usize = 1 << 20;

/// Evaluates `eval` under `limits`; `Err` only for a caught panic.
pub(crate) fn guarded<T>(limits: &Limits, eval: impl FnOnce() -> T) -> Result<T, Error> {
    let budget = limits.eval_budget();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // Runs in place when this thread has STACK_BASE left; otherwise on a fresh segment.
        stacker::maybe_grow(STACK_BASE, 4 * STACK_BASE, || regorus::with_eval_budget(budget, eval))
    }));
    outcome.map_err(|panic| Error::from_panic("the interpreter panicked", panic.as_ref()))
}
