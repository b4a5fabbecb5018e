//! JSON forms of the Newton structs a bundle carries, field for field with their Solidity
//! (camelCase) names; the gateway's snake_case spellings (`task_id`, `evaluation_result`, …) are
//! accepted as aliases.
//!
//! Values: `address`/`bytes32` as `0x` hex; `bytes` as `0x` hex (a JSON array of byte values,
//! as the gateway sends `evaluation_result`, is accepted too); `uint256` as `0x` hex (decimal
//! strings and JSON integers accepted); `uint32` as JSON numbers.
#![allow(non_snake_case)]

use alloy_primitives::{Address, Bytes, B256, U256};
use newton_types::sol;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Serialize, Deserialize)]
#[serde(remote = "sol::Intent")]
pub(crate) struct Intent {
    from: Address,
    to: Address,
    value: U256,
    data: Bytes,
    #[serde(alias = "chain_id")]
    chainId: U256,
    #[serde(alias = "function_signature")]
    functionSignature: Bytes,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "sol::Task")]
pub(crate) struct Task {
    #[serde(alias = "task_id")]
    taskId: B256,
    #[serde(alias = "policy_client")]
    policyClient: Address,
    #[serde(alias = "task_created_block")]
    taskCreatedBlock: u32,
    #[serde(alias = "quorum_threshold_percentage")]
    quorumThresholdPercentage: u32,
    #[serde(with = "Intent")]
    intent: sol::Intent,
    #[serde(alias = "intent_signature")]
    intentSignature: Bytes,
    #[serde(alias = "wasm_args")]
    wasmArgs: Bytes,
    #[serde(alias = "quorum_numbers")]
    quorumNumbers: Bytes,
    #[serde(alias = "initialization_timestamp")]
    initializationTimestamp: U256,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "sol::PolicyData")]
pub(crate) struct PolicyData {
    #[serde(alias = "wasm_args")]
    wasmArgs: Bytes,
    data: Bytes,
    #[serde(alias = "policy_data_address")]
    policyDataAddress: Address,
    #[serde(alias = "expire_block")]
    expireBlock: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "sol::PolicyTaskData")]
pub(crate) struct PolicyTaskData {
    #[serde(alias = "policy_id")]
    policyId: B256,
    #[serde(alias = "policy_address")]
    policyAddress: Address,
    policy: Bytes,
    #[serde(alias = "policy_data", with = "policy_data_list")]
    policyData: Vec<sol::PolicyData>,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "sol::PolicyConfig")]
pub(crate) struct PolicyConfig {
    #[serde(alias = "policy_params")]
    policyParams: Bytes,
    #[serde(alias = "expire_after")]
    expireAfter: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "sol::TaskResponse")]
pub(crate) struct TaskResponse {
    #[serde(alias = "task_id")]
    taskId: B256,
    #[serde(alias = "policy_client")]
    policyClient: Address,
    #[serde(alias = "policy_id")]
    policyId: B256,
    #[serde(alias = "policy_address")]
    policyAddress: Address,
    #[serde(with = "Intent")]
    intent: sol::Intent,
    #[serde(alias = "intent_signature")]
    intentSignature: Bytes,
    #[serde(alias = "evaluation_result")]
    evaluationResult: Bytes,
    #[serde(alias = "policy_task_data", with = "PolicyTaskData")]
    policyTaskData: sol::PolicyTaskData,
    #[serde(alias = "policy_config", with = "PolicyConfig")]
    policyConfig: sol::PolicyConfig,
    #[serde(alias = "initialization_timestamp")]
    initializationTimestamp: U256,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "sol::Attestation")]
pub(crate) struct Attestation {
    #[serde(alias = "task_id")]
    taskId: B256,
    #[serde(alias = "policy_id")]
    policyId: B256,
    #[serde(alias = "policy_client")]
    policyClient: Address,
    expiration: u32,
    #[serde(with = "Intent")]
    intent: sol::Intent,
    #[serde(alias = "intent_signature")]
    intentSignature: Bytes,
}

/// `PolicyData[]` through the [`PolicyData`] form.
mod policy_data_list {
    use super::*;

    struct Item<'a>(&'a sol::PolicyData);

    impl Serialize for Item<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            PolicyData::serialize(self.0, s)
        }
    }

    #[derive(Deserialize)]
    struct Owned(#[serde(with = "PolicyData")] sol::PolicyData);

    pub(crate) fn serialize<S: Serializer>(
        items: &[sol::PolicyData],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(items.iter().map(Item))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<sol::PolicyData>, D::Error> {
        Ok(Vec::<Owned>::deserialize(d)?.into_iter().map(|item| item.0).collect())
    }
}
