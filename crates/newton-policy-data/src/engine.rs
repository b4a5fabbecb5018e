//! The wasmtime engine of one host: deterministic execution settings, fuel + epoch
//! interruption, the pooling allocator sized from the config, and the epoch ticker thread.

use crate::HostConfig;
use newton_core::{Error, Result};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, OptLevel, PoolingAllocationConfig};

/// One epoch tick; the wall-clock limit is measured in these.
pub(crate) const TICK: Duration = Duration::from_millis(10);

/// Core instances, memories and tables a component may hold (componentize-js components have a
/// handful of core instances; componentize-py's dynamically linked CPython has 38).
const CORE_INSTANCES_PER_COMPONENT: u32 = 64;
const MEMORIES_PER_COMPONENT: u32 = 4;
const TABLES_PER_COMPONENT: u32 = 16;
/// Table elements per table (SpiderMonkey's function table has tens of thousands of entries).
pub(crate) const TABLE_ELEMENTS: usize = 100_000;
/// With Linux's PAGEMAP_SCAN, pages a run dirtied (up to this many bytes per memory) are reset in
/// place on release instead of unmapped, so the next run in the slot takes no page faults (the
/// vendored wasmtime's scan goes past 32 dirty regions: vendor/wasmtime/PATCHES.md).
const KEEP_RESIDENT: usize = 16 << 20;

/// The engine, resetting memories with PAGEMAP_SCAN where the kernel has it (Linux ≥ 6.7; about
/// halves a JS oracle's fresh-instance run); elsewhere, plain decommit.
pub(crate) fn build(config: &HostConfig) -> Result<Engine> {
    build_with(config, true).or_else(|_| build_with(config, false))
}

fn build_with(config: &HostConfig, pagemap_scan: bool) -> Result<Engine> {
    let limits = &config.limits;
    let slots = config.instances();
    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(slots)
        .total_core_instances(slots * CORE_INSTANCES_PER_COMPONENT)
        .total_memories(slots * MEMORIES_PER_COMPONENT)
        .total_tables(slots * TABLES_PER_COMPONENT)
        .max_core_instances_per_component(CORE_INSTANCES_PER_COMPONENT)
        .max_memories_per_component(MEMORIES_PER_COMPONENT)
        .max_tables_per_component(TABLES_PER_COMPONENT)
        .max_memories_per_module(1)
        .max_tables_per_module(4)
        .table_elements(TABLE_ELEMENTS)
        .max_core_instance_size(4 << 20)
        .max_component_instance_size(4 << 20)
        .pagemap_scan(if pagemap_scan { Enabled::Yes } else { Enabled::No })
        // The ResourceLimiter enforces the exact cap first; the pool slot is one page larger.
        .max_memory_size(usize::try_from(limits.memory_bytes + 65_536).unwrap_or(usize::MAX));
    if pagemap_scan {
        pool.linear_memory_keep_resident(KEEP_RESIDENT).table_keep_resident(1 << 20);
    }

    // Threads: the `threads` cargo feature is off, so no shared memory or atomics-wait exist.
    let mut c = Config::new();
    c.wasm_component_model(true)
        .consume_fuel(true)
        .epoch_interruption(true)
        .max_wasm_stack(usize::try_from(limits.stack_bytes).unwrap_or(usize::MAX))
        .shared_memory(false)
        .wasm_relaxed_simd(true)
        .relaxed_simd_deterministic(true)
        .cranelift_nan_canonicalization(true)
        .cranelift_opt_level(OptLevel::Speed)
        .parallel_compilation(true)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    Engine::new(&c).map_err(|e| Error::internal(format!("wasmtime engine: {e}")))
}

/// A short hex digest of everything a compiled artifact depends on: wasmtime's own
/// compatibility hash (its version and compile settings) plus this crate's version.
pub(crate) fn fingerprint(engine: &Engine) -> String {
    struct Sha(Sha256);
    impl std::hash::Hasher for Sha {
        fn finish(&self) -> u64 {
            0
        }
        fn write(&mut self, bytes: &[u8]) {
            self.0.update(bytes);
        }
    }
    let mut h = Sha(Sha256::new());
    std::hash::Hash::hash(&engine.precompile_compatibility_hash(), &mut h);
    h.0.update(env!("CARGO_PKG_VERSION"));
    let digest = h.0.finalize();
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

/// Advances the engine's epoch every [`TICK`] until dropped.
pub(crate) struct Ticker {
    stop: Arc<AtomicBool>,
}

impl Ticker {
    pub fn start(engine: &Engine) -> Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let (engine, flag) = (engine.weak(), Arc::clone(&stop));
        std::thread::Builder::new()
            .name("newton-policy-data-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(TICK);
                    match engine.upgrade() {
                        Some(engine) => engine.increment_epoch(),
                        None => break,
                    }
                }
            })
            .map_err(|e| Error::internal(format!("epoch ticker thread: {e}")))?;
        Ok(Self { stop })
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
