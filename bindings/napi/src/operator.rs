//! `TaskEvaluator`: an operator's two rounds (`prepare`, `commit`), both at once
//! (`evaluateAndSign`) and a dry run (`simulate`), each one AsyncTask; `operatorConsensus` over
//! prepare results. Tasks, deployments, simulations and results cross as JSON text in the forms
//! newton-operator and newton-types own.

use crate::bls::BlsSigner;
use crate::convert::address;
use crate::error::guard;
use crate::job::{abortable_job, job, Job};
use crate::policy::{to_options, Policy};
use crate::policy_data::PolicyDataHost;
use crate::privacy::PrivacyNode;
use napi::bindgen_prelude::{AbortSignal, AsyncTask, Uint8Array};
use napi_derive::napi;
use newton_core::Result;
use newton_operator::{consensus, PolicyDeployment, PreparedData, DEFAULT_TOLERANCE};
use newton_types::{sol, SolJson};
use std::sync::{Arc, PoisonError, RwLock};

type Shared = Arc<RwLock<newton_operator::TaskEvaluator>>;

/// An operator: register policies, PolicyData modules and client deployments, then run tasks
/// concurrently. Runs share a read lock and registration takes the write lock, so every call
/// that locks runs off the event loop (a registration may wait for a run to finish).
#[napi]
pub struct TaskEvaluator {
    inner: Shared,
    public_key: Option<String>,
}

#[napi]
impl TaskEvaluator {
    /// Runs PolicyData on `host`, signs with `signer` (none: a simulator), opens private data
    /// with `privacy`.
    #[napi(constructor)]
    pub fn new(host: &PolicyDataHost, signer: Option<&BlsSigner>, privacy: Option<&PrivacyNode>) -> Self {
        let mut evaluator = match signer {
            Some(signer) => newton_operator::TaskEvaluator::new(signer.secret_key(), host.inner.clone()),
            None => newton_operator::TaskEvaluator::simulator(host.inner.clone()),
        };
        if let Some(node) = privacy {
            evaluator.set_privacy(node.node());
        }
        let public_key = evaluator.public_key().map(|k| alloy_primitives::hex::encode_prefixed(k.to_bytes()));
        Self { inner: Arc::new(RwLock::new(evaluator)), public_key }
    }

    /// Compiles a policy (`policy.rego`) for `entrypoint`; resolves to its `policyCid`.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn add_policy(
        &self,
        source: String,
        entrypoint: String,
        options_json: Option<String>,
    ) -> napi::Result<AsyncTask<Job<String>>> {
        let options = guard(|| to_options(options_json.as_deref()))?;
        let inner = Arc::clone(&self.inner);
        Ok(job(move || write(&inner).add_policy(&source, &entrypoint, options)))
    }

    /// Loads a PolicyData component; resolves to its `wasmCid`.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn add_policy_data(&self, wasm: Uint8Array) -> AsyncTask<Job<String>> {
        let (inner, wasm) = (Arc::clone(&self.inner), wasm.to_vec());
        job(move || write(&inner).add_policy_data(&wasm))
    }

    /// Sets the policy a client uses: `PolicyDeployment` JSON.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn set_policy(&self, policy_client: String, deployment_json: String) -> AsyncTask<Job<()>> {
        let inner = Arc::clone(&self.inner);
        job(move || {
            let client = address("policy client", &policy_client)?;
            write(&inner).set_policy(client, PolicyDeployment::from_json(&deployment_json)?)
        })
    }

    /// The operator's BLS public key (compressed G1, 0x-hex); null for a simulator.
    #[napi(getter)]
    pub fn public_key(&self) -> Option<String> {
        self.public_key.clone()
    }

    /// Task JSON → `PreparedData` JSON.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn prepare(&self, task_json: String) -> AsyncTask<Job<String>> {
        let inner = Arc::clone(&self.inner);
        job(move || Ok(read(&inner).prepare(&sol::Task::from_json(&task_json)?)?.to_json()))
    }

    /// Task JSON and the agreed `PreparedData` JSON → `SignedTaskResponse` JSON.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn commit(&self, task_json: String, agreed_json: String) -> AsyncTask<Job<String>> {
        let inner = Arc::clone(&self.inner);
        job(move || {
            let (task, agreed) = (sol::Task::from_json(&task_json)?, PreparedData::from_json(&agreed_json)?);
            read(&inner).commit(&task, &agreed).map(|signed| signed.to_json())
        })
    }

    /// Task JSON → `SignedTaskResponse` JSON, with this operator's own PolicyData.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn evaluate_and_sign(&self, task_json: String) -> AsyncTask<Job<String>> {
        let inner = Arc::clone(&self.inner);
        job(move || read(&inner).evaluate_and_sign(&sol::Task::from_json(&task_json)?).map(|signed| signed.to_json()))
    }

    /// `policy` evaluated as the simulation JSON describes → `Simulated` JSON; nothing signed.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn simulate(
        &self,
        policy: &Policy,
        simulation_json: String,
        signal: Option<AbortSignal>,
    ) -> AsyncTask<Job<String>> {
        let (inner, policy) = (Arc::clone(&self.inner), Arc::clone(&policy.inner));
        abortable_job(move || Ok(read(&inner).simulate(&policy, &simulation_json)?.to_json()), signal)
    }
}

/// The agreed data of several operators' `PreparedData` JSON (tolerance: a fraction, default 0.1).
#[napi]
pub fn operator_consensus(prepared_json: Vec<String>, tolerance: Option<f64>) -> napi::Result<String> {
    guard(|| {
        let results = prepared_json.iter().map(|j| PreparedData::from_json(j)).collect::<Result<Vec<_>>>()?;
        Ok(consensus(&results, tolerance.unwrap_or(DEFAULT_TOLERANCE))?.to_json())
    })
}

fn read(inner: &Shared) -> std::sync::RwLockReadGuard<'_, newton_operator::TaskEvaluator> {
    inner.read().unwrap_or_else(PoisonError::into_inner)
}

fn write(inner: &Shared) -> std::sync::RwLockWriteGuard<'_, newton_operator::TaskEvaluator> {
    inner.write().unwrap_or_else(PoisonError::into_inner)
}
