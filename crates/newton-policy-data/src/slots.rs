//! A counting semaphore over the pooling allocator's instance slots: runs beyond
//! `maxInstances` wait for a slot instead of failing.

use std::sync::{Condvar, Mutex};

pub(crate) struct Slots {
    free: Mutex<u32>,
    freed: Condvar,
}

pub(crate) struct Slot<'a>(&'a Slots);

impl Slots {
    pub fn new(n: u32) -> Self {
        Self { free: Mutex::new(n), freed: Condvar::new() }
    }

    pub fn acquire(&self) -> Slot<'_> {
        let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|p| p.into_inner());
        }
        *free -= 1;
        Slot(self)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        self.0.freed.notify_one();
    }
}
