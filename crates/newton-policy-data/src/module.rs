//! [`PolicyDataModule`]: a compiled component ready to run. Every run gets a fresh Store and
//! instance (never reused: runs are isolated), its own fuel, deadline and http budget.

use crate::bindings::{v0_1, v0_2};
use crate::engine::{TABLE_ELEMENTS, TICK};
use crate::http::{Fixtures, HttpMode, HttpSession};
use crate::inspect::WitVersion;
use crate::output::check_output;
use crate::runtime::Runtime;
use crate::secrets::Secrets;
use crate::state::{Breach, Limiter, RunState};
use newton_core::{Error, ErrorCode, Result};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime::{Store, Trap};

/// Longest guest error text kept in an error message.
const MAX_GUEST_ERROR_CHARS: usize = 4096;

pub(crate) enum Pre {
    V2(v0_2::NewtonProviderPre<RunState>),
    V1(v0_1::NewtonProviderPre<RunState>),
}

pub(crate) struct Compiled {
    pub hash: String,
    pub wit: WitVersion,
    pub imports: Vec<String>,
    pub pre: Pre,
}

/// Per-run inputs besides `wasm_args`.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// What `secrets.get` returns (already scoped by the caller); none → the guest gets `Err`.
    pub secrets: Option<Secrets>,
    pub http: HttpMode,
}

/// A successful run.
#[derive(Clone, Debug)]
pub struct RunResult {
    /// The guest's output text, checked to be a JSON object within the size limit.
    pub output: String,
    /// The same output, parsed.
    pub value: Map<String, Value>,
    /// Record mode: the fixtures including this run's exchanges.
    pub http_recorded: Option<Fixtures>,
    pub fuel_consumed: u64,
    pub http_calls: u32,
}

/// A loaded PolicyData component; cheap to clone and `Send + Sync`.
#[derive(Clone)]
pub struct PolicyDataModule {
    runtime: Arc<Runtime>,
    compiled: Arc<Compiled>,
}

impl PolicyDataModule {
    pub(crate) fn new(runtime: Arc<Runtime>, compiled: Arc<Compiled>) -> Self {
        Self { runtime, compiled }
    }

    /// sha256 of the component bytes, lowercase hex.
    pub fn content_hash(&self) -> &str {
        &self.compiled.hash
    }

    pub fn wit_version(&self) -> WitVersion {
        self.compiled.wit
    }

    /// The component's import names (all within the Newton world).
    pub fn imports(&self) -> &[String] {
        &self.compiled.imports
    }

    /// Runs `run(input)` in a fresh instance. `input` is the task's `wasm_args` JSON (`{}` when
    /// there are none). Waits for a free instance slot when `maxInstances` runs are in flight.
    pub fn run(&self, input: &str, options: RunOptions) -> Result<RunResult> {
        serde_json::from_str::<serde::de::IgnoredAny>(input)
            .map_err(|e| Error::new(ErrorCode::InvalidJson, format!("wasm_args is not valid JSON: {e}")))?;
        let limits = &self.runtime.config.limits;
        let _slot = self.runtime.slots.acquire();
        let timeout = Duration::from_millis(limits.timeout_ms);
        let state = RunState {
            limiter: Limiter {
                memory_bytes: usize::try_from(limits.memory_bytes).unwrap_or(usize::MAX),
                table_elements: TABLE_ELEMENTS,
            },
            http: HttpSession::new(Arc::clone(&self.runtime.http), options.http, limits, Instant::now() + timeout),
            secrets: options.secrets,
        };
        let mut store = Store::new(&self.runtime.engine, state);
        store.limiter(|s| &mut s.limiter);
        store.set_fuel(limits.fuel).map_err(|e| Error::internal(format!("set_fuel: {e}")))?;
        store.set_epoch_deadline(limits.timeout_ms.div_ceil(TICK.as_millis() as u64) + 1);
        store.epoch_deadline_trap();

        let returned = match &self.compiled.pre {
            Pre::V2(pre) => pre.instantiate(&mut store).and_then(|b| b.call_run(&mut store, input)),
            Pre::V1(pre) => pre.instantiate(&mut store).and_then(|b| b.call_run(&mut store, input)),
        };
        let fuel_consumed = limits.fuel - store.get_fuel().unwrap_or(0);
        let state = store.into_data();
        let http_calls = state.http.calls();
        let output = match returned {
            Ok(Ok(text)) => text,
            Ok(Err(text)) => return Err(guest_error(&text)),
            Err(e) => return Err(classify(&e, limits)),
        };
        let value = check_output(&output, limits.max_output_bytes)?;
        Ok(RunResult { output, value, http_recorded: state.http.into_recorded(), fuel_consumed, http_calls })
    }
}

fn guest_error(text: &str) -> Error {
    let mut text = text.to_owned();
    if let Some((cut, _)) = text.char_indices().nth(MAX_GUEST_ERROR_CHARS) {
        text.truncate(cut);
        text.push_str("… (truncated)");
    }
    Error::new(ErrorCode::PolicyDataGuestError, format!("WASM execution failed: {text}"))
}

/// Maps a failed instantiate/call to its code: host breaches keep theirs, traps by kind.
fn classify(e: &wasmtime::Error, limits: &crate::Limits) -> Error {
    if let Some(Breach(err)) = e.downcast_ref::<Breach>() {
        return err.clone();
    }
    match e.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => {
            Error::new(ErrorCode::PolicyDataLimitFuel, format!("the run used up its fuel ({} units)", limits.fuel))
        }
        Some(Trap::Interrupt) => Error::new(
            ErrorCode::PolicyDataLimitTime,
            format!("the run exceeded its wall-clock limit of {} ms", limits.timeout_ms),
        ),
        Some(Trap::StackOverflow) => Error::new(
            ErrorCode::PolicyDataLimitStack,
            format!("the run overflowed its {}-byte WebAssembly stack", limits.stack_bytes),
        ),
        Some(trap) => Error::new(ErrorCode::PolicyDataTrap, format!("the module trapped: {trap}")),
        None => Error::new(ErrorCode::PolicyDataTrap, format!("the module failed: {e}")),
    }
}
