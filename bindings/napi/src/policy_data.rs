//! `PolicyDataHost` / `PolicyDataModule`: load (compile once per content hash) and run
//! PolicyData components, sync or as AsyncTasks on the libuv pool. Options, results and
//! outputs cross as JSON text.

use crate::error::guard;
use crate::job::{abortable_job, Job};
use napi::bindgen_prelude::{AbortSignal, AsyncTask, Uint8Array};
use napi_derive::napi;
use newton_core::Error;
use newton_policy_data::{HostConfig, RunOptions};

/// A PolicyData host: one engine, compiled-module cache and HTTP client for many runs.
#[napi]
pub struct PolicyDataHost {
    pub(crate) inner: newton_policy_data::PolicyDataHost,
}

#[napi]
impl PolicyDataHost {
    /// `options_json`: `PolicyDataHostOptions` as JSON (limits, allowHosts, cacheDir, maxInstances).
    #[napi(constructor)]
    pub fn new(options_json: Option<String>) -> napi::Result<Self> {
        guard(|| {
            let config = HostConfig::from_json(options_json.as_deref().unwrap_or(""))?;
            Ok(Self { inner: newton_policy_data::PolicyDataHost::new(config)? })
        })
    }

    #[napi]
    pub fn load_sync(&self, wasm: Uint8Array) -> napi::Result<PolicyDataModule> {
        guard(|| self.inner.load(&wasm).map(|inner| PolicyDataModule { inner }))
    }

    #[napi(ts_return_type = "Promise<PolicyDataModule>")]
    pub fn load(&self, wasm: Uint8Array, signal: Option<AbortSignal>) -> AsyncTask<Job<PolicyDataModule>> {
        let (host, wasm) = (self.inner.clone(), wasm.to_vec());
        abortable_job(move || host.load(&wasm).map(|inner| PolicyDataModule { inner }), signal)
    }
}

/// A loaded component; every run is a fresh instance.
#[napi]
pub struct PolicyDataModule {
    inner: newton_policy_data::PolicyDataModule,
}

#[napi]
impl PolicyDataModule {
    #[napi(getter)]
    pub fn content_hash(&self) -> String {
        self.inner.content_hash().to_owned()
    }

    #[napi(getter)]
    pub fn wit_version(&self) -> String {
        self.inner.wit_version().as_str().to_owned()
    }

    #[napi(getter)]
    pub fn imports(&self) -> Vec<String> {
        self.inner.imports().to_vec()
    }

    /// `input`: the wasm_args JSON; `options_json`: run options JSON. Returns the RunResult JSON.
    #[napi]
    pub fn run_sync(&self, input: String, options_json: Option<String>) -> napi::Result<String> {
        guard(|| run(&self.inner, &input, options_json.as_deref()))
    }

    #[napi(ts_return_type = "Promise<string>")]
    pub fn run(&self, input: String, options_json: Option<String>, signal: Option<AbortSignal>) -> AsyncTask<Job<String>> {
        let module = self.inner.clone();
        abortable_job(move || run(&module, &input, options_json.as_deref()), signal)
    }
}

fn run(module: &newton_policy_data::PolicyDataModule, input: &str, options: Option<&str>) -> newton_core::Result<String> {
    let options = RunOptions::from_json(options.unwrap_or(""))?;
    module.run(input, options).map(|r| r.to_json())
}

/// Shallow, in-order, last-wins merge of output JSON objects: `data.wasm`.
#[napi]
pub fn merge_policy_data_outputs(outputs: Vec<String>) -> napi::Result<String> {
    guard(|| newton_policy_data::merge_outputs_json(&outputs))
}

/// Validates a JSON document against a JSON Schema (both JSON text).
#[napi]
pub fn validate_policy_data_output(schema_json: String, doc_json: String) -> napi::Result<()> {
    guard(|| {
        let doc = Error::parse_json("the document", &doc_json)?;
        newton_policy_data::validate_json_schema(&schema_json, &doc)
    })
}
