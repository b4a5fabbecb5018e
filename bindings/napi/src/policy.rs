//! `Policy`: compile once (sync or AsyncTask), evaluate many times (sync or AsyncTask). Options,
//! requests and results cross as JSON text in newton-policy's forms.

use crate::convert::to_json;
use crate::error::{guard, to_napi};
use crate::job::{abortable_job, Job};
use crate::text::Text;
use napi::bindgen_prelude::{AbortSignal, AsyncTask};
use napi_derive::napi;
use newton_policy::{CompileOptions, PolicyModule};
use std::sync::Arc;

#[napi(object)]
pub struct ModuleInput {
    pub path: String,
    pub source: String,
}

pub(crate) fn to_modules(modules: Vec<ModuleInput>) -> Vec<PolicyModule> {
    modules.into_iter().map(|m| PolicyModule { path: m.path, source: m.source }).collect()
}

/// `CompileOptions` JSON (newton-policy's form); absent → the defaults.
pub(crate) fn to_options(options_json: Option<&str>) -> newton_core::Result<CompileOptions> {
    CompileOptions::from_json(options_json.unwrap_or(""))
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
        options_json: Option<String>,
    ) -> napi::Result<Policy> {
        let modules = to_modules(modules);
        guard(|| compile(&modules, &entrypoint, to_options(options_json.as_deref())?))
    }

    #[napi(ts_return_type = "Promise<Policy>")]
    pub fn compile(
        modules: Vec<ModuleInput>,
        entrypoint: String,
        options_json: Option<String>,
        signal: Option<AbortSignal>,
    ) -> napi::Result<AsyncTask<Job<Policy>>> {
        let options = to_options(options_json.as_deref()).map_err(to_napi)?;
        let modules = to_modules(modules);
        Ok(abortable_job(move || compile(&modules, &entrypoint, options), signal))
    }

    /// Evaluation request JSON → Decision JSON.
    #[napi(ts_args_type = "requestJson: string")]
    pub fn evaluate_sync(&self, request_json: Text) -> napi::Result<String> {
        guard(|| self.inner.evaluate_json(&request_json.0))
    }

    #[napi(ts_args_type = "requestJson: string, signal?: AbortSignal | undefined | null", ts_return_type = "Promise<string>")]
    pub fn evaluate(&self, request_json: Text, signal: Option<AbortSignal>) -> AsyncTask<Job<String>> {
        let policy = self.inner.clone();
        abortable_job(move || policy.evaluate_json(&request_json.0), signal)
    }

    #[napi(getter)]
    pub fn entrypoint(&self) -> String {
        self.inner.entrypoint().to_string()
    }

    /// `[{path, policyCodeHash, policyCid}]` as JSON.
    #[napi(getter)]
    pub fn modules_json(&self) -> napi::Result<String> {
        guard(|| to_json(self.inner.modules()))
    }
}

fn compile(modules: &[PolicyModule], entrypoint: &str, options: CompileOptions) -> newton_core::Result<Policy> {
    newton_policy::Policy::compile(modules, entrypoint, options).map(|p| Policy { inner: Arc::new(p) })
}

/// Parse + determinism + compile check of modules without an entrypoint; JSON report.
#[napi]
pub fn check_policy_sync(modules: Vec<ModuleInput>, options_json: Option<String>) -> napi::Result<String> {
    let modules = to_modules(modules);
    guard(|| to_json(&newton_policy::check(&modules, &to_options(options_json.as_deref())?)?))
}
