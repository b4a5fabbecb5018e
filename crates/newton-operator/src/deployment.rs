//! What the chain says about a policy client's policy, as an operator reads it from the
//! `NewtonPolicyClient`, `NewtonPolicy` and `NewtonPolicyData` contracts before a task.

use alloy_primitives::{Address, B256};
use newton_core::{Error, Result};
use newton_policy_data::RunOptions;
use newton_types::{sol, sol_json};
use serde::Deserialize;
use serde_json::Value;

/// A client's current policy: its ids, the compiled policy and modules it uses (by content id,
/// as registered with the [`TaskEvaluator`](crate::TaskEvaluator)) and its configuration.
#[derive(Clone, Debug)]
pub struct PolicyDeployment {
    /// The client's `policyId`.
    pub policy_id: B256,
    /// The `NewtonPolicy` contract.
    pub policy_address: Address,
    /// `policyCid` of the policy's Rego source.
    pub policy_cid: String,
    /// The client's `PolicyConfig`: params as UTF-8 JSON (an object, `data.params`) and the
    /// attestation lifetime in blocks.
    pub policy_config: sol::PolicyConfig,
    /// The policy's PolicyData sources, in `getPolicyData()` order (later outputs win a key
    /// when they are merged into `data.wasm`).
    pub policy_data: Vec<PolicyDataSource>,
}

/// One `NewtonPolicyData` contract of a policy.
#[derive(Clone, Debug)]
pub struct PolicyDataSource {
    /// The `NewtonPolicyData` contract.
    pub address: Address,
    /// `wasmCid` of its module.
    pub wasm_cid: String,
    /// `expireAfter` in blocks: the output's `expireBlock` is `taskCreatedBlock + expireAfter`
    /// (Newton does not publish its formula; protocol reference §15.6).
    pub expire_after: u32,
    /// The module's secrets (scoped to this client and contract) and HTTP mode.
    pub run_options: RunOptions,
}

impl PolicyDeployment {
    /// Parses the JSON form (the TS API's casing; `policyConfig` in Newton's form):
    ///
    /// `{"policyId": "0x…", "policyAddress": "0x…", "policyCid": "…", "policyConfig":
    /// {"policyParams": "0x…", "expireAfter": n}, "policyData": [{"address": "0x…", "wasmCid": "…",
    /// "expireAfter": n, "runOptions"?: {secrets?, httpMode?, httpFixtures?}}]}`.
    ///
    /// `InvalidJson` when it is not that shape; run options keep their own errors.
    pub fn from_json(text: &str) -> Result<Self> {
        let form: DeploymentJson = Error::parse_json("policy deployment", text)?;
        let policy_data = form
            .policy_data
            .into_iter()
            .map(|s| {
                let options = s.run_options.map_or_else(String::new, |o| o.to_string());
                Ok(PolicyDataSource {
                    address: s.address,
                    wasm_cid: s.wasm_cid,
                    expire_after: s.expire_after,
                    run_options: RunOptions::from_json(&options)?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Self {
            policy_id: form.policy_id,
            policy_address: form.policy_address,
            policy_cid: form.policy_cid,
            policy_config: form.policy_config,
            policy_data,
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DeploymentJson {
    policy_id: B256,
    policy_address: Address,
    policy_cid: String,
    #[serde(with = "sol_json::PolicyConfig")]
    policy_config: sol::PolicyConfig,
    #[serde(default)]
    policy_data: Vec<SourceJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SourceJson {
    address: Address,
    wasm_cid: String,
    expire_after: u32,
    run_options: Option<Value>,
}
