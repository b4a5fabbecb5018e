//! [`PolicyDataHost`]: the linkers over one [`Runtime`] (engine, HTTP client, instance slots)
//! shared by every module and run. Compiles each module once per content hash (in memory, and
//! on disk with a cache dir).

use crate::bindings::{v0_1, v0_2};
use crate::cache::ArtifactCache;
use crate::engine;
use crate::inspect::{self, WitVersion};
use crate::module::{Compiled, Pre, PolicyDataModule};
use crate::runtime::Runtime;
use crate::state::RunState;
use crate::HostConfig;
use newton_core::{Error, ErrorCode, Result};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use wasmtime::component::{Component, HasSelf, Linker};

/// Compiled modules kept in memory (oldest evicted first).
const MEMORY_CACHE_ENTRIES: usize = 64;

/// Runs PolicyData components. `Send + Sync`: share it in an `Arc` and run from many threads.
#[derive(Clone)]
pub struct PolicyDataHost {
    inner: Arc<HostInner>,
}

struct HostInner {
    runtime: Arc<Runtime>,
    linker_v2: Linker<RunState>,
    linker_v1: Linker<RunState>,
    compiled: Mutex<MemoryCache>,
    disk: Option<ArtifactCache>,
}

#[derive(Default)]
struct MemoryCache {
    map: HashMap<String, Arc<Compiled>>,
    order: VecDeque<String>,
}

impl PolicyDataHost {
    pub fn new(config: HostConfig) -> Result<Self> {
        let runtime = Runtime::new(config)?;
        let engine = &runtime.engine;
        let link = |e: wasmtime::Error| Error::internal(format!("linking the newton:provider world: {e}"));
        let mut linker_v2 = Linker::new(engine);
        v0_2::NewtonProvider::add_to_linker::<_, HasSelf<RunState>>(&mut linker_v2, |s| s).map_err(link)?;
        let mut linker_v1 = Linker::new(engine);
        v0_1::NewtonProvider::add_to_linker::<_, HasSelf<RunState>>(&mut linker_v1, |s| s).map_err(link)?;
        let disk = match &runtime.config.cache_dir {
            Some(dir) => Some(ArtifactCache::open(dir, engine::fingerprint(engine))?),
            None => None,
        };
        let inner =
            HostInner { runtime: Arc::new(runtime), linker_v2, linker_v1, compiled: Mutex::default(), disk };
        Ok(Self { inner: Arc::new(inner) })
    }

    pub fn config(&self) -> &HostConfig {
        &self.inner.runtime.config
    }

    /// Checks and compiles a component (or takes it from the cache by content hash).
    pub fn load(&self, bytes: &[u8]) -> Result<PolicyDataModule> {
        let host = &self.inner;
        let runtime = &host.runtime;
        inspect::check_bytes(bytes, runtime.config.limits.max_module_bytes)?;
        inspect::check_import_names(&inspect::scan_imports(bytes)?)?;
        let hash: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
        if let Some(compiled) = host.cache().map.get(&hash) {
            return Ok(PolicyDataModule::new(Arc::clone(runtime), Arc::clone(compiled)));
        }
        let cached = host.disk.as_ref().and_then(|d| d.load(&runtime.engine, &hash));
        let fresh = cached.is_none();
        let component = match cached {
            Some(c) => c,
            None => Component::new(&runtime.engine, bytes).map_err(|e| compile_error(&e, &runtime.config))?,
        };
        let compiled = Arc::new(host.prepare(hash.clone(), &component)?);
        if let (true, Some(disk)) = (fresh, &host.disk) {
            disk.store(&hash, &component);
        }
        host.remember(hash, Arc::clone(&compiled));
        Ok(PolicyDataModule::new(Arc::clone(runtime), compiled))
    }
}

impl HostInner {
    fn cache(&self) -> std::sync::MutexGuard<'_, MemoryCache> {
        self.compiled.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn remember(&self, hash: String, compiled: Arc<Compiled>) {
        let mut cache = self.cache();
        if cache.map.insert(hash.clone(), compiled).is_none() {
            cache.order.push_back(hash);
        }
        while cache.order.len() > MEMORY_CACHE_ENTRIES {
            if let Some(old) = cache.order.pop_front() {
                cache.map.remove(&old);
            }
        }
    }

    /// Checks imports and the `run` export, then links once into an `InstancePre`.
    fn prepare(&self, hash: String, component: &Component) -> Result<Compiled> {
        let (wit, imports) = inspect::check_imports(&self.runtime.engine, component)?;
        let unlinkable = |e: wasmtime::Error| {
            Error::new(ErrorCode::PolicyDataInvalid, format!("the component's imports do not match newton:provider@{}: {e}", wit.as_str()))
        };
        let wrong_run = |e: wasmtime::Error| {
            Error::new(ErrorCode::PolicyDataMissingExport, format!("the component's `run` export has the wrong type: {e}"))
        };
        let pre = match wit {
            WitVersion::V0_2_0 => {
                let pre = self.linker_v2.instantiate_pre(component).map_err(unlinkable)?;
                Pre::V2(v0_2::NewtonProviderPre::new(pre).map_err(wrong_run)?)
            }
            WitVersion::V0_1_0 => {
                let pre = self.linker_v1.instantiate_pre(component).map_err(unlinkable)?;
                Pre::V1(v0_1::NewtonProviderPre::new(pre).map_err(wrong_run)?)
            }
        };
        Ok(Compiled { hash, wit, imports, pre })
    }
}

/// A compile failure; a memory whose initial size exceeds the pool slot is the memory cap.
fn compile_error(e: &wasmtime::Error, config: &HostConfig) -> Error {
    let text = format!("{e:#}");
    if text.contains("does not fit in pooling allocator") {
        let msg = format!("the module's initial memory exceeds the {}-byte memory cap", config.limits.memory_bytes);
        return Error::new(ErrorCode::PolicyDataLimitMemory, msg);
    }
    Error::new(ErrorCode::PolicyDataInvalid, format!("the component does not compile: {text}"))
}
