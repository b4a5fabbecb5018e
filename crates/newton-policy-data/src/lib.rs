//! PolicyData host: runs `newton:provider` WebAssembly components (the WIT worlds under `wit/`,
//! `@0.2.0` and legacy `@0.1.0`) under wasmtime, as a Newton operator does before evaluating a
//! policy. Each run is a fresh instance with fuel, memory, stack, wall-clock, http and output
//! limits; every breach has its own error code and the host keeps serving. The only imports a
//! module gets are `http.fetch` (SSRF-guarded, or replayed from fixtures), `secrets.get` and
//! `tlsn` (which reports itself unsupported): no clock, randomness or filesystem.

mod bindings;
mod cache;
mod config;
mod engine;
mod host;
pub mod http;
mod inspect;
mod json;
mod module;
mod output;
mod runtime;
mod secrets;
mod slots;
mod state;

pub use config::{HostConfig, Limits};
pub use host::PolicyDataHost;
pub use http::{Fixtures, HttpMode};
pub use inspect::WitVersion;
pub use json::merge_outputs_json;
pub use module::{PolicyDataModule, RunOptions, RunResult};
pub use output::{check_output, merge_outputs, validate_json_schema};
pub use secrets::{SecretStore, Secrets};
