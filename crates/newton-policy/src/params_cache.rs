//! A bounded LRU of the work that depends only on a request's params: the data document with
//! `data.params` converted to a regorus value once, and the values of the policy's params-only
//! rules (`params_rules`) at their paths. Keyed by the params' JSON text as the request carried it
//! (`Params::key`), so two requests share an entry only when their params are equal (equal params
//! written differently only miss); there is nothing to invalidate, a policy owns its cache and a
//! different params value is a different key.

use newton_core::Result;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

/// What one params value yields.
pub(crate) struct ParamsEntry {
    /// The static data with `params` and, when `preset`, each params-only rule's value at its
    /// path: an evaluation adds `wasm`, `data` and `privacy`.
    pub data: regorus::Value,
    /// `data` holds the params-only rules' values; false when there are none or one of them is
    /// undefined or fails, in which case evaluations compute them as usual.
    pub preset: bool,
}

pub(crate) struct ParamsCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    tick: u64,
    /// foldhash, not SipHash: keys are whole params documents, and at most `capacity` wait.
    entries: HashMap<String, (u64, Arc<ParamsEntry>), foldhash::fast::RandomState>,
}

impl ParamsCache {
    /// A cache of at most `capacity` (> 0) params values.
    pub fn new(capacity: usize) -> Self {
        Self { capacity, inner: Mutex::new(Inner::default()) }
    }

    /// The entry for `key`, made by `make` (outside the lock) when absent; the least recently
    /// used entry makes room. An error from `make` is returned and nothing is cached.
    pub fn get_or_make(&self, key: &str, make: impl FnOnce() -> Result<ParamsEntry>) -> Result<Arc<ParamsEntry>> {
        if let Some(entry) = self.lock().touch(key) {
            return Ok(entry);
        }
        let entry = Arc::new(make()?);
        let mut inner = self.lock();
        if inner.entries.len() >= self.capacity && !inner.entries.contains_key(key) {
            let oldest = inner.entries.iter().min_by_key(|(_, (used, _))| *used).map(|(k, _)| k.clone());
            oldest.map(|k| inner.entries.remove(&k));
        }
        inner.tick += 1;
        let tick = inner.tick;
        inner.entries.insert(key.to_owned(), (tick, entry.clone()));
        Ok(entry)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Entries are immutable once inserted, so a panic elsewhere cannot leave one half-made.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Inner {
    fn touch(&mut self, key: &str) -> Option<Arc<ParamsEntry>> {
        self.tick += 1;
        let tick = self.tick;
        self.entries.get_mut(key).map(|(used, entry)| {
            *used = tick;
            entry.clone()
        })
    }
}

impl fmt::Debug for ParamsCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParamsCache").field("capacity", &self.capacity).field("len", &self.lock().entries.len()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: i64) -> ParamsEntry {
        ParamsEntry { data: regorus::Value::from(n), preset: false }
    }

    #[test]
    fn keeps_the_most_recently_used() {
        let cache = ParamsCache::new(2);
        cache.get_or_make("a", || Ok(entry(1))).unwrap();
        cache.get_or_make("b", || Ok(entry(2))).unwrap();
        cache.get_or_make("a", || unreachable!("a is cached")).unwrap();
        cache.get_or_make("c", || Ok(entry(3))).unwrap(); // evicts b
        assert_eq!(cache.get_or_make("a", || Ok(entry(9))).unwrap().data, regorus::Value::from(1));
        assert_eq!(cache.get_or_make("b", || Ok(entry(4))).unwrap().data, regorus::Value::from(4));
        assert_eq!(cache.lock().entries.len(), 2);
    }
}
