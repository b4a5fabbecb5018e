//! The bundle a caller presents to have an attestation verified directly: the task, the
//! operators' response, the attestation derived from them, its hash, the quorum certificate
//! over the response, and the expiration block.

use crate::Certificate;
use alloy_primitives::B256;
use newton_core::{Error, Result};
use newton_types::{hash::attestation_hash, sol, sol_json};
use serde::{Deserialize, Serialize};

/// Everything [`validate`](crate::validate) checks.
///
/// JSON: snake_case keys at the top; the Newton structs keep their Solidity field names (the
/// gateway's snake_case spellings are accepted too), values as described in `newton_types::sol_json`:
///
/// ```json
/// {
///   "task": {"taskId": "0x…", "policyClient": "0x…", "taskCreatedBlock": 100,
///            "quorumThresholdPercentage": 40,
///            "intent": {"from": "0x…", "to": "0x…", "value": "0x0", "data": "0x…",
///                       "chainId": "0xaa36a7", "functionSignature": "0x…"},
///            "intentSignature": "0x…", "wasmArgs": "0x", "quorumNumbers": "0x00",
///            "initializationTimestamp": "0x…"},
///   "task_response": {"taskId": "0x…", "policyClient": "0x…", "policyId": "0x…",
///            "policyAddress": "0x…", "intent": {…}, "intentSignature": "0x…",
///            "evaluationResult": "0x…01",
///            "policyTaskData": {"policyId": "0x…", "policyAddress": "0x…", "policy": "0x…",
///                "policyData": [{"wasmArgs": "0x", "data": "0x…", "policyDataAddress": "0x…",
///                                "expireBlock": 200}]},
///            "policyConfig": {"policyParams": "0x…", "expireAfter": 50},
///            "initializationTimestamp": "0x…"},
///   "attestation": {"taskId": "0x…", "policyId": "0x…", "policyClient": "0x…",
///            "expiration": 150, "intent": {…}, "intentSignature": "0x…"},
///   "attestation_hash": "0x…",
///   "certificate": {"message": "0x…", "quorum_numbers": [0], "threshold": 40, …},
///   "expiration": 150
/// }
/// ```
///
/// Trust: the certificate authenticates `task_response` (its consensus digest is the signed
/// message). `attestation`, `attestation_hash` and `expiration` must agree with the task and
/// response (the hash check), and `task` supplies the quorum numbers and threshold, which the
/// verifier raises to its own minimum.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttestationBundle {
    #[serde(with = "sol_json::Task")]
    pub task: sol::Task,
    #[serde(alias = "taskResponse", with = "sol_json::TaskResponse")]
    pub task_response: sol::TaskResponse,
    #[serde(with = "sol_json::Attestation")]
    pub attestation: sol::Attestation,
    /// `keccak256(abi.encode(attestation))`, as `AttestationValidator` stores it.
    #[serde(alias = "attestationHash")]
    pub attestation_hash: B256,
    pub certificate: Certificate,
    /// The block from which the attestation is expired (exclusive bound).
    pub expiration: u32,
}

impl AttestationBundle {
    /// A consistent bundle: the attestation is derived with [`attestation_for`] and hashed.
    pub fn new(
        task: sol::Task,
        task_response: sol::TaskResponse,
        certificate: Certificate,
        expiration: u32,
    ) -> Self {
        let attestation = attestation_for(&task, &task_response, expiration);
        let attestation_hash = attestation_hash(&attestation);
        Self { task, task_response, attestation, attestation_hash, certificate, expiration }
    }

    /// Parses a bundle's JSON form; `InvalidJson` on failure.
    pub fn from_json(text: &str) -> Result<Self> {
        Error::parse_json("attestation bundle", text)
    }

    /// The bundle's JSON form.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map_err(|e| Error::internal(format!("attestation bundle does not serialize: {e}")))
    }
}

/// The attestation `respondToTask` records for an allowed task: the task's id, client, intent
/// and intent signature, the response's policy id, and `expiration`.
pub fn attestation_for(
    task: &sol::Task,
    response: &sol::TaskResponse,
    expiration: u32,
) -> sol::Attestation {
    sol::Attestation {
        taskId: task.taskId,
        policyId: response.policyId,
        policyClient: task.policyClient,
        expiration,
        intent: task.intent.clone(),
        intentSignature: task.intentSignature.clone(),
    }
}
