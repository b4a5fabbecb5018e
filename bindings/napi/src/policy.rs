//! `Policy`: compile once (sync or AsyncTask), evaluate many times (sync or AsyncTask).

use crate::error::{guard, to_napi};
use crate::job::{abortable_job, Job};
use napi::bindgen_prelude::{AbortSignal, AsyncTask};
use napi_derive::napi;
use newton_core::Error;
use newton_policy::{CompileOptions, Limits, ParamsSchema, PolicyModule};
use std::sync::Arc;
use std::time::Duration;

#[napi(object)]
pub struct ModuleInput {
    pub path: String,
    pub source: String,
}

#[napi(object)]
#[derive(Default)]
pub struct LimitsInput {
    pub max_module_bytes: Option<u32>,
    pub max_modules: Option<u32>,
    pub max_request_bytes: Option<u32>,
    pub eval_timeout_ms: Option<u32>,
    pub max_nesting: Option<u32>,
    pub max_eval_depth: Option<u32>,
    pub max_eval_elements: Option<u32>,
    pub max_eval_string_bytes: Option<u32>,
    pub max_integer_bits: Option<u32>,
}

#[napi(object)]
pub struct CompileOptionsInput {
    pub rego_v0: Option<bool>,
    /// The params JSON Schema, as JSON text.
    pub params_schema: Option<String>,
    /// Static base data, as JSON text.
    pub data: Option<String>,
    pub strict_builtin_errors: Option<bool>,
    pub limits: Option<LimitsInput>,
}

pub(crate) fn to_modules(modules: Vec<ModuleInput>) -> Vec<PolicyModule> {
    modules.into_iter().map(|m| PolicyModule { path: m.path, source: m.source }).collect()
}

pub(crate) fn to_options(options: Option<CompileOptionsInput>) -> newton_core::Result<CompileOptions> {
    let Some(o) = options else { return Ok(CompileOptions::default()) };
    let d = Limits::default();
    let l = o.limits.unwrap_or_default();
    Ok(CompileOptions {
        rego_v0: o.rego_v0.unwrap_or(false),
        params_schema: o.params_schema.as_deref().map(ParamsSchema::compile).transpose()?,
        data: o.data.as_deref().map(|d| Error::parse_json("static data", d)).transpose()?,
        strict_builtin_errors: o.strict_builtin_errors.unwrap_or(true),
        limits: Limits {
            max_module_bytes: l.max_module_bytes.map_or(d.max_module_bytes, |v| v as usize),
            max_modules: l.max_modules.map_or(d.max_modules, |v| v as usize),
            max_request_bytes: l.max_request_bytes.map_or(d.max_request_bytes, |v| v as usize),
            eval_timeout: l.eval_timeout_ms.map_or(d.eval_timeout, |v| Duration::from_millis(v.into())),
            max_nesting: l.max_nesting.map_or(d.max_nesting, |v| v as usize),
            max_eval_depth: l.max_eval_depth.unwrap_or(d.max_eval_depth),
            max_eval_elements: l.max_eval_elements.map_or(d.max_eval_elements, u64::from),
            max_eval_string_bytes: l.max_eval_string_bytes.map_or(d.max_eval_string_bytes, u64::from),
            max_integer_bits: l.max_integer_bits.map_or(d.max_integer_bits, u64::from),
        },
    })
}

/// A compiled policy; share it freely, evaluate concurrently.
#[napi]
pub struct Policy {
    pub(crate) inner: Arc<newton_policy::Policy>,
}

#[napi]
impl Policy {
    #[napi(factory)]
    pub fn compile_sync(
        modules: Vec<ModuleInput>,
        entrypoint: String,
        options: Option<CompileOptionsInput>,
    ) -> napi::Result<Policy> {
        let modules = to_modules(modules);
        guard(|| compile(&modules, &entrypoint, to_options(options)?))
    }

    #[napi(ts_return_type = "Promise<Policy>")]
    pub fn compile(
        modules: Vec<ModuleInput>,
        entrypoint: String,
        options: Option<CompileOptionsInput>,
        signal: Option<AbortSignal>,
    ) -> napi::Result<AsyncTask<Job<Policy>>> {
        let options = to_options(options).map_err(to_napi)?;
        let modules = to_modules(modules);
        Ok(abortable_job(move || compile(&modules, &entrypoint, options), signal))
    }

    /// Evaluation request JSON → Decision JSON.
    #[napi]
    pub fn evaluate_sync(&self, request_json: String) -> napi::Result<String> {
        guard(|| self.inner.evaluate_json(&request_json))
    }

    #[napi(ts_return_type = "Promise<string>")]
    pub fn evaluate(&self, request_json: String, signal: Option<AbortSignal>) -> AsyncTask<Job<String>> {
        let policy = self.inner.clone();
        abortable_job(move || policy.evaluate_json(&request_json), signal)
    }

    #[napi(getter)]
    pub fn entrypoint(&self) -> String {
        self.inner.entrypoint().to_string()
    }

    /// `[{path, policyCodeHash, policyCid}]` as JSON.
    #[napi(getter)]
    pub fn modules_json(&self) -> String {
        serde_json::to_string(self.inner.modules()).unwrap_or_else(|_| "[]".into())
    }
}

fn compile(modules: &[PolicyModule], entrypoint: &str, options: CompileOptions) -> newton_core::Result<Policy> {
    newton_policy::Policy::compile(modules, entrypoint, options).map(|p| Policy { inner: Arc::new(p) })
}

/// Parse + determinism + compile check of modules without an entrypoint; JSON report.
#[napi]
pub fn check_policy_sync(modules: Vec<ModuleInput>, options: Option<CompileOptionsInput>) -> napi::Result<String> {
    let modules = to_modules(modules);
    guard(|| {
        let checked = newton_policy::check(&modules, &to_options(options)?)?;
        serde_json::to_string(&checked).map_err(|e| Error::internal(e.to_string()))
    })
}
