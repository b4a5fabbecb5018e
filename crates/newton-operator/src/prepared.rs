//! What the prepare round produces: each PolicyData module's unsigned output for a task, with the
//! digest of its canonical JSON, so operators (and the consensus) compare bytes, not formatting.

use crate::canonical::{canonical_json, canonical_json_digest};
use alloy_primitives::{Address, B256};
use newton_core::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One PolicyData module's output for a task.
///
/// JSON: `{"policy_data_address": "0x…", "data": {…}, "digest": "0x…"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyDataOutput {
    /// The PolicyData contract the module belongs to.
    pub policy_data_address: Address,
    /// The module's output: a JSON object (it becomes part of `data.wasm`).
    pub data: Map<String, Value>,
    /// `keccak256` of the RFC 8785 canonical JSON of `data`.
    pub digest: B256,
}

impl PolicyDataOutput {
    /// The output of the module at `policy_data_address`, with its digest.
    pub fn new(policy_data_address: Address, data: Map<String, Value>) -> Result<Self> {
        let digest = canonical_json_digest(&Value::Object(data.clone()))?;
        Ok(Self { policy_data_address, data, digest })
    }

    /// The canonical JSON of `data`: `PolicyData.data` in the `TaskResponse`.
    pub fn canonical_data(&self) -> Result<Vec<u8>> {
        canonical_json(&Value::Object(self.data.clone()))
    }

    /// Checks that `digest` is the digest of `data` (`InvalidArgument` naming the address).
    pub fn check_digest(&self) -> Result<()> {
        let actual = canonical_json_digest(&Value::Object(self.data.clone()))?;
        match actual == self.digest {
            true => Ok(()),
            false => Err(Error::invalid_argument(format!(
                "the output of PolicyData {} has digest {actual}, not the stated {}",
                self.policy_data_address, self.digest
            ))),
        }
    }
}

/// An operator's prepare result for one task, or the agreed data of several (see
/// [`consensus`](crate::consensus)): the task's PolicyData outputs in the policy's order.
///
/// JSON: `{"task_id": "0x…", "policy_data": [PolicyDataOutput, …]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreparedData {
    pub task_id: B256,
    pub policy_data: Vec<PolicyDataOutput>,
}

impl PreparedData {
    /// Parses the JSON form; `InvalidJson` on failure.
    pub fn from_json(text: &str) -> Result<Self> {
        Error::parse_json("prepared data", text)
    }

    /// The JSON form.
    pub fn to_json(&self) -> String {
        // Addresses, digests and JSON values always serialize.
        serde_json::to_string(self).expect("prepared data serializes")
    }
}
