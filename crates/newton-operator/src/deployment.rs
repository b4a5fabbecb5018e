//! What the chain says about a policy client's policy, as an operator reads it from the
//! `NewtonPolicyClient`, `NewtonPolicy` and `NewtonPolicyData` contracts before a task.

use alloy_primitives::{Address, B256};
use newton_policy_data::RunOptions;
use newton_types::sol;

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
