//! Intent parsing and Newton identifiers and hashes (cheap: synchronous). Newton structs cross
//! as JSON in newton-types' forms; results are 0x-hex.

use crate::convert::{address, uint};
use crate::error::guard;
use napi::bindgen_prelude::Uint8Array;
use napi_derive::napi;
use newton_types::{cid, hash, parse_intent as parse, sol, SolJson, TaskIntent};

/// Wire TaskIntent JSON → the parsed intent JSON policies see as `input`.
#[napi]
pub fn parse_intent(intent_json: String) -> napi::Result<String> {
    guard(|| Ok(parse(&TaskIntent::from_json(&intent_json)?)?.to_string()))
}

/// `policyCodeHash`: keccak256 of the raw Rego bytes, 0x-hex.
#[napi]
pub fn policy_code_hash(source: Uint8Array) -> String {
    hash::policy_code_hash(&source).to_string()
}

/// `policyCid`: CIDv1 (raw codec, sha2-256, base32) of the exact bytes.
#[napi]
pub fn policy_cid(source: Uint8Array) -> String {
    cid::cid_v1_raw(&source)
}

/// `taskId`: `keccak256(abi.encode(policyClient, intent, initializationTimestamp, nonce))` (intent
/// in Newton's JSON form; the numbers as decimal or 0x-hex strings).
#[napi]
pub fn task_id(
    policy_client: String,
    intent_json: String,
    initialization_timestamp: String,
    nonce: String,
) -> napi::Result<String> {
    guard(|| {
        let client = address("policy client", &policy_client)?;
        let intent = sol::Intent::from_json(&intent_json)?;
        Ok(hash::task_id(
            client,
            &intent,
            uint("initializationTimestamp", &initialization_timestamp)?,
            uint("nonce", &nonce)?,
        )
        .to_string())
    })
}

/// `taskHash` of a Task (Newton's JSON form).
#[napi]
pub fn task_hash(task_json: String) -> napi::Result<String> {
    guard(|| Ok(hash::task_hash(&sol::Task::from_json(&task_json)?).to_string()))
}

/// `policyId` that `NewtonPolicy.setPolicy` assigns: the client, the `PolicySet` event's info and
/// the block timestamp.
#[napi]
pub fn policy_id(policy_client: String, set_policy_info_json: String, block_timestamp: String) -> napi::Result<String> {
    guard(|| {
        let client = address("policy client", &policy_client)?;
        let info = sol::SetPolicyInfo::from_json(&set_policy_info_json)?;
        Ok(hash::policy_id(client, &info, uint("blockTimestamp", &block_timestamp)?).to_string())
    })
}

/// `taskResponseHash`: `keccak256(abi.encode(taskResponse, responseCertificate))`.
#[napi]
pub fn task_response_hash(task_response_json: String, response_certificate_json: String) -> napi::Result<String> {
    guard(|| {
        let response = sol::TaskResponse::from_json(&task_response_json)?;
        let certificate = sol::ResponseCertificate::from_json(&response_certificate_json)?;
        Ok(hash::task_response_hash(&response, &certificate).to_string())
    })
}

/// `keccak256(abi.encode(attestation))`, as `AttestationValidator` stores it.
#[napi]
pub fn attestation_hash(attestation_json: String) -> napi::Result<String> {
    guard(|| Ok(hash::attestation_hash(&sol::Attestation::from_json(&attestation_json)?).to_string()))
}
