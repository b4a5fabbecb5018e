//! Protocol hashes and identifiers (`TaskLib`, `AttestationValidator`, identity and privacy
//! registries). Every ABI encoding goes through alloy.

use crate::sol;
use alloy_primitives::{keccak256, Address, B256, U256};
use alloy_sol_types::{SolStruct, SolValue};

/// `keccak256(abi.encode(intent))`: the `intentHash` of `PolicyDenied` and privacy
/// authorization. The struct is dynamic, so the encoding starts with a `0x20` offset word.
pub fn intent_hash(intent: &sol::Intent) -> B256 {
    keccak256(intent.abi_encode())
}

/// EIP-712 `hashStruct(Intent)`, the struct half of the caller's intent signature.
pub fn intent_eip712_struct_hash(intent: &sol::Intent) -> B256 {
    intent.eip712_hash_struct()
}

/// `TaskLib.taskHash`: `keccak256(abi.encode(taskId, taskCreatedBlock, intent, intentSignature,
/// policyClient, wasmArgs, quorumNumbers, quorumThresholdPercentage, initializationTimestamp))`
/// — an argument list in this order, which is not the struct's field order.
pub fn task_hash(task: &sol::Task) -> B256 {
    let fields = (
        task.taskId,
        task.taskCreatedBlock,
        task.intent.clone(),
        task.intentSignature.clone(),
        task.policyClient,
        task.wasmArgs.clone(),
        task.quorumNumbers.clone(),
        task.quorumThresholdPercentage,
        task.initializationTimestamp,
    );
    keccak256(fields.abi_encode_params())
}

/// A task id: `keccak256(abi.encode(policyClient, intent, initializationTimestamp, nonce))`.
///
/// Newton's gateway does not publish its derivation (protocol reference §15.6); this is the
/// deterministic definition this engine uses, binding the id to the client, the intent, the
/// creation time and a caller-chosen nonce that makes repeated intents distinct.
pub fn task_id(policy_client: Address, intent: &sol::Intent, initialization_timestamp: U256, nonce: U256) -> B256 {
    keccak256((policy_client, intent.clone(), initialization_timestamp, nonce).abi_encode_params())
}

/// `NewtonPolicy.setPolicy`'s policy id: `keccak256(abi.encode(client, policyAddress, owner,
/// policyCid, schemaCid, entrypoint, policyConfig, policyData, block.timestamp, version))`, with
/// every field but `policyId` and `policyCodeHash` taken from the `PolicySet` event's `info`.
/// A new id on every `setPolicy`.
pub fn policy_id(policy_client: Address, info: &sol::SetPolicyInfo, block_timestamp: U256) -> B256 {
    let fields = (
        policy_client,
        info.policyAddress,
        info.owner,
        info.policyCid.clone(),
        info.schemaCid.clone(),
        info.entrypoint.clone(),
        info.policyConfig.clone(),
        info.policyData.clone(),
        block_timestamp,
        info.version.clone(),
    );
    keccak256(fields.abi_encode_params())
}

/// `TaskLib.computeConsensusDigest`: `keccak256(abi.encode(taskResponse))`, the message
/// operators BLS-sign (and the normalized response hash).
pub fn consensus_digest(response: &sol::TaskResponse) -> B256 {
    keccak256(response.abi_encode())
}

/// `respondToTask`'s `taskResponseHash`: `keccak256(abi.encode(taskResponse,
/// responseCertificate))`, the value a challenge must reproduce.
pub fn task_response_hash(response: &sol::TaskResponse, certificate: &sol::ResponseCertificate) -> B256 {
    keccak256((response.clone(), certificate.clone()).abi_encode_params())
}

/// `keccak256(abi.encode(attestation))`, as stored by `AttestationValidator`.
pub fn attestation_hash(attestation: &sol::Attestation) -> B256 {
    keccak256(attestation.abi_encode())
}

/// `policyCodeHash`: keccak256 of the raw Rego source bytes.
pub fn policy_code_hash(rego: &[u8]) -> B256 {
    keccak256(rego)
}

/// Identity / confidential-data domain id: keccak256 of the UTF-8 name (e.g. `"kyc"`).
pub fn domain_id(name: &str) -> B256 {
    keccak256(name.as_bytes())
}

/// HPKE AAD of a privacy envelope: `keccak256(policy_client ‖ chain_id as u64 big-endian)`
/// (28 bytes, i.e. `abi.encodePacked(address, uint64)`).
pub fn privacy_aad(policy_client: Address, chain_id: u64) -> B256 {
    keccak256((policy_client, chain_id).abi_encode_packed())
}
