//! `opa test`-style policy unit tests (sync or AsyncTask); options and the report cross as JSON
//! in newton-policy's forms.

use crate::convert::to_json;
use crate::error::{guard, to_napi};
use crate::job::{job, Job};
use crate::policy::{to_modules, ModuleInput};
use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;
use newton_policy::testing::{run_tests, TestOptions};
use newton_policy::PolicyModule;

fn run(modules: &[PolicyModule], options: &TestOptions) -> newton_core::Result<String> {
    to_json(&run_tests(modules, options)?)
}

#[napi]
pub fn run_policy_tests_sync(modules: Vec<ModuleInput>, options_json: Option<String>) -> napi::Result<String> {
    let modules = to_modules(modules);
    guard(|| run(&modules, &TestOptions::from_json(options_json.as_deref().unwrap_or(""))?))
}

#[napi(ts_return_type = "Promise<string>")]
pub fn run_policy_tests(
    modules: Vec<ModuleInput>,
    options_json: Option<String>,
) -> napi::Result<AsyncTask<Job<String>>> {
    let options = TestOptions::from_json(options_json.as_deref().unwrap_or("")).map_err(to_napi)?;
    let modules = to_modules(modules);
    Ok(job(move || run(&modules, &options)))
}
