//! Newton policy engine: Rego v1 policies compiled once on regorus and evaluated many times,
//! concurrently, with the evaluation context a Newton operator builds (`input` = parsed intent,
//! `data.params`, `data.wasm`, `data.privacy`, the Newton builtins).
//!
//! Deny is a value: [`Decision::allow`] is true only when the entrypoint is exactly `true`; an
//! undefined result or an evaluation error is a deny that keeps its reason.

mod ast;
pub mod builtins;
mod check;
mod compile;
mod determinism;
mod diagnostics;
mod engine_pool;
mod evaluate;
mod guard;
mod limits;
mod nesting;
mod options_json;
mod params;
mod params_cache;
mod params_rules;
mod recursion;
mod regorus_value;
mod request_params;
pub mod testing;

pub use check::{check, CheckedModule};
pub use compile::{CompileOptions, ModuleInfo, Policy, PolicyModule};
pub use determinism::NONDETERMINISTIC_BUILTINS;
pub use evaluate::{Decision, EvalRequest};
pub use limits::Limits;
pub use params::ParamsSchema;
pub use request_params::Params;
