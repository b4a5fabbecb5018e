//! JSON forms of the Newton structs (`Intent`, `Task`, `TaskResponse`, `PolicyTaskData`,
//! `PolicyData`, `PolicyConfig`, `Attestation`, `ResponseCertificate`, `SetPolicyInfo`), field for field with their Solidity (camelCase)
//! names; the gateway's snake_case spellings (`task_id`, `evaluation_result`, …) are accepted as
//! aliases.
//!
//! Values: `address`/`bytes32` as `0x` hex; `bytes` as `0x` hex (a JSON array of byte values,
//! as the gateway sends `evaluation_result`, is accepted too); `uint256` as `0x` hex (decimal
//! strings and JSON integers accepted); `uint32` as JSON numbers.
//!
//! Each form is a serde remote definition, so a containing type writes
//! `#[serde(with = "newton_types::sol_json::Task")]`; [`SolJson`] parses and prints one value.
#![allow(non_snake_case)]

use crate::sol;
use alloy_primitives::{Address, Bytes, B256, U256};
use newton_core::{Error, ErrorCode, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

#[derive(Serialize, Deserialize)]
#[serde(remote = "sol::Intent")]
pub struct Intent {
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
pub struct Task {
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
pub struct PolicyData {
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
pub struct PolicyTaskData {
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
pub struct PolicyConfig {
    #[serde(alias = "policy_params")]
    policyParams: Bytes,
    #[serde(alias = "expire_after")]
    expireAfter: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "sol::TaskResponse")]
pub struct TaskResponse {
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
pub struct Attestation {
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

#[derive(Serialize, Deserialize)]
#[serde(remote = "sol::ResponseCertificate")]
pub struct ResponseCertificate {
    #[serde(alias = "reference_block")]
    referenceBlock: u32,
    #[serde(alias = "response_expire_block")]
    responseExpireBlock: u32,
    #[serde(alias = "hash_of_non_signers")]
    hashOfNonSigners: B256,
    #[serde(alias = "signature_data")]
    signatureData: Bytes,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "sol::SetPolicyInfo")]
pub struct SetPolicyInfo {
    #[serde(alias = "policy_id")]
    policyId: B256,
    #[serde(alias = "policy_address")]
    policyAddress: Address,
    owner: Address,
    #[serde(alias = "policy_cid")]
    policyCid: String,
    #[serde(alias = "schema_cid")]
    schemaCid: String,
    entrypoint: String,
    #[serde(alias = "policy_config", with = "PolicyConfig")]
    policyConfig: sol::PolicyConfig,
    #[serde(alias = "policy_data")]
    policyData: Vec<Address>,
    #[serde(alias = "policy_code_hash")]
    policyCodeHash: B256,
    version: String,
}

/// `PolicyData[]` through the [`PolicyData`] form.
pub mod policy_data_list {
    use super::*;

    struct Item<'a>(&'a sol::PolicyData);

    impl Serialize for Item<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            PolicyData::serialize(self.0, s)
        }
    }

    #[derive(Deserialize)]
    struct Owned(#[serde(with = "PolicyData")] sol::PolicyData);

    pub fn serialize<S: Serializer>(
        items: &[sol::PolicyData],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(items.iter().map(Item))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<sol::PolicyData>, D::Error> {
        Ok(Vec::<Owned>::deserialize(d)?.into_iter().map(|item| item.0).collect())
    }
}

/// Parsing and printing one Newton struct in its JSON form.
pub trait SolJson: Sized {
    /// The struct's name in error messages.
    const NAME: &'static str;

    /// Parses the JSON form. Not JSON → `InvalidJson`; a missing or malformed field →
    /// `InvalidJson` naming the struct and the field.
    fn from_json(text: &str) -> Result<Self> {
        Self::from_json_value(Error::parse_json(Self::NAME, text)?)
    }

    /// Like [`SolJson::from_json`], from a parsed value.
    fn from_json_value(value: Value) -> Result<Self>;

    /// The JSON form as a value.
    fn to_json_value(&self) -> Value;

    /// The JSON form as text.
    fn to_json(&self) -> String {
        self.to_json_value().to_string()
    }
}

macro_rules! sol_json {
    ($($form:ident => $name:literal),* $(,)?) => {$(
        impl SolJson for sol::$form {
            const NAME: &'static str = $name;

            fn from_json_value(value: Value) -> Result<Self> {
                $form::deserialize(value).map_err(|e| {
                    Error::new(ErrorCode::InvalidJson, format!("{} is not valid: {e}", Self::NAME))
                })
            }

            fn to_json_value(&self) -> Value {
                // Every field is hex, a number or a nested form: serializing cannot fail.
                $form::serialize(self, serde_json::value::Serializer)
                    .expect("a Newton struct always serializes to JSON")
            }
        }
    )*};
}

sol_json! {
    Intent => "intent",
    Task => "task",
    TaskResponse => "task response",
    PolicyTaskData => "policy task data",
    PolicyData => "policy data",
    PolicyConfig => "policy config",
    Attestation => "attestation",
    ResponseCertificate => "response certificate",
    SetPolicyInfo => "set policy info",
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn intent() -> sol::Intent {
        sol::Intent {
            from: Address::repeat_byte(0x11),
            to: Address::repeat_byte(0x22),
            value: U256::from(3u8),
            data: Bytes::from_static(&[0xa9, 0x05, 0x9c, 0xbb]),
            chainId: U256::from(11_155_111u64),
            functionSignature: Bytes::from_static(b"transfer(address,uint256)"),
        }
    }

    #[test]
    fn task_round_trips_with_solidity_names() {
        let task = sol::Task {
            taskId: B256::repeat_byte(1),
            policyClient: Address::repeat_byte(0xc1),
            taskCreatedBlock: 90,
            quorumThresholdPercentage: 40,
            intent: intent(),
            intentSignature: Bytes::from(vec![0x1b; 65]),
            wasmArgs: Bytes::from_static(b"{}"),
            quorumNumbers: Bytes::from_static(&[0]),
            initializationTimestamp: U256::from(1_700_000_000u64),
        };
        let value = task.to_json_value();
        assert_eq!(value["taskCreatedBlock"], json!(90));
        assert_eq!(value["intent"]["chainId"], json!("0xaa36a7"));
        assert_eq!(value["wasmArgs"], json!("0x7b7d"));
        assert_eq!(sol::Task::from_json(&task.to_json()).unwrap(), task);
    }

    #[test]
    fn snake_case_aliases_and_byte_arrays_are_accepted() {
        let config = sol::PolicyConfig::from_json(r#"{"policy_params":[123,125],"expire_after":5}"#).unwrap();
        assert_eq!((config.policyParams.as_ref(), config.expireAfter), (&b"{}"[..], 5));
    }

    #[test]
    fn errors_name_the_struct() {
        let err = sol::Task::from_json("{").unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidJson);
        let err = sol::TaskResponse::from_json(r#"{"taskId":"0x01"}"#).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidJson);
        assert!(err.message.starts_with("task response is not valid: "), "{}", err.message);
    }
}
