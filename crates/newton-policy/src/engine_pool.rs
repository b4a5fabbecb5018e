//! Prepared engines kept for reuse. Cloning the compiled engine for every evaluation copies its
//! interpreter state; regorus resets that state at the start of each `eval_rule`, and every
//! evaluation sets the data document, preset rules and input anew, so an engine that finished an
//! evaluation can run the next one as a fresh clone would. Engines come back only from
//! evaluations that ended with a value and saw no private data (a panic or plaintext private data
//! drops them), and at most `MAX_IDLE` wait.

use std::sync::{Arc, Mutex, MutexGuard};

/// Idle engines kept; more evaluations at once than this clone the template as before.
const MAX_IDLE: usize = 16;

#[derive(Debug, Default)]
pub(crate) struct EnginePool {
    idle: Mutex<Vec<regorus::Engine>>,
}

impl EnginePool {
    /// An idle engine, or a clone of `template` when none is idle.
    pub fn take(&self, template: &regorus::Engine) -> regorus::Engine {
        self.lock().pop().unwrap_or_else(|| template.clone())
    }

    /// Keeps `engine` for the next evaluation, unless `MAX_IDLE` already wait.
    pub fn give_back(&self, engine: regorus::Engine) {
        let mut idle = self.lock();
        if idle.len() < MAX_IDLE {
            idle.push(engine);
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<regorus::Engine>> {
        // The vector is only pushed to and popped from: a panic elsewhere cannot corrupt it.
        self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Shared by a policy's clones.
pub(crate) type SharedEnginePool = Arc<EnginePool>;
