//! `opa test`-style policy unit tests (sync or AsyncTask); the report crosses as JSON.

use crate::error::{guard, to_napi};
use crate::job::{job, Job};
use crate::policy::{to_modules, to_options, CompileOptionsInput, ModuleInput};
use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;
use newton_policy::testing::{run_tests, TestOptions};
use newton_policy::PolicyModule;

#[napi(object)]
pub struct TestOptionsInput {
    pub run: Option<String>,
    pub coverage: Option<bool>,
    pub compile: Option<CompileOptionsInput>,
}

fn to_test_options(o: Option<TestOptionsInput>) -> newton_core::Result<TestOptions> {
    let Some(o) = o else { return Ok(TestOptions::default()) };
    Ok(TestOptions { run: o.run, coverage: o.coverage.unwrap_or(false), compile: to_options(o.compile)? })
}

fn run(modules: &[PolicyModule], options: &TestOptions) -> newton_core::Result<String> {
    let report = run_tests(modules, options)?;
    serde_json::to_string(&report).map_err(|e| newton_core::Error::internal(e.to_string()))
}

#[napi]
pub fn run_policy_tests_sync(modules: Vec<ModuleInput>, options: Option<TestOptionsInput>) -> napi::Result<String> {
    let modules = to_modules(modules);
    guard(|| run(&modules, &to_test_options(options)?))
}

#[napi(ts_return_type = "Promise<string>")]
pub fn run_policy_tests(
    modules: Vec<ModuleInput>,
    options: Option<TestOptionsInput>,
) -> napi::Result<AsyncTask<Job<String>>> {
    let options = to_test_options(options).map_err(to_napi)?;
    let modules = to_modules(modules);
    Ok(job(move || run(&modules, &options)))
}
