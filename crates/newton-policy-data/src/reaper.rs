//! Tears finished runs down off the caller's path. Dropping a run's Store resets its pooled
//! memories (a PAGEMAP_SCAN, then dirty pages copied back from the image: ≈20 µs for a JS
//! oracle), so a run hands its result back first and this thread drops the Store, then frees
//! the run's instance slot. Its queue holds at most one entry per slot; a full queue (never, while
//! slots bound the runs) drops on the caller's thread.

use newton_core::{Error, Result};
use std::sync::mpsc::{sync_channel, SyncSender};

pub(crate) struct Reaper {
    queue: SyncSender<Box<dyn Send>>,
}

impl Reaper {
    pub fn start(capacity: usize) -> Result<Self> {
        let (queue, finished) = sync_channel::<Box<dyn Send>>(capacity);
        std::thread::Builder::new()
            .name("newton-policy-data-reaper".into())
            // Ends once the runtime (the only sender) is gone and the queue is drained.
            .spawn(move || finished.into_iter().for_each(drop))
            .map_err(|e| Error::internal(format!("reaper thread: {e}")))?;
        Ok(Self { queue })
    }

    /// Drops `run` on the reaper thread; a tuple's fields drop in order (Store, then its slot).
    pub fn drop_later(&self, run: impl Send + 'static) {
        // On a full or closed queue the entry comes back in the error and drops here.
        let _ = self.queue.try_send(Box::new(run));
    }
}
