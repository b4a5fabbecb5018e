//! A log entry: what the gateway decided about one task, as RFC 8785 canonical JSON. The
//! intent, params, PolicyData output and certificate enter as SHA-256 of their canonical form,
//! so the log proves a decision without publishing the data it was made on.

use alloy_primitives::{Address, B256};
use newton_core::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2_ct::{Digest, Sha256};

/// The entry format; bumped if a field changes meaning.
const VERSION: u8 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Allowed,
    Denied,
    Failed,
}

/// A finished task as the gateway knows it (the input to [`LogEntry::from_outcome`]).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub task_id: B256,
    pub policy_client: Address,
    pub policy_id: B256,
    pub policy_address: Address,
    pub policy_code_hash: B256,
    /// The task's intent (wire JSON).
    pub intent: Value,
    /// The policy params exactly as configured (hashed as these bytes).
    pub params: String,
    /// The PolicyData outputs the operators agreed on (absent on a failure before that).
    #[serde(default)]
    pub policy_data: Option<Value>,
    pub decision: Decision,
    /// The stable error code of a failed task.
    #[serde(default)]
    pub error_code: Option<String>,
    /// The quorum certificate of a responded task.
    #[serde(default)]
    pub certificate: Option<Value>,
    /// keccak256 of the certified TaskResponse.
    #[serde(default)]
    pub response_digest: Option<B256>,
    /// Unix milliseconds.
    pub timestamp: u64,
}

/// One leaf of the log. Field order is irrelevant: the bytes are RFC 8785 (sorted keys).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogEntry {
    pub version: u8,
    pub task_id: B256,
    pub policy_client: Address,
    pub policy_id: B256,
    pub policy_address: Address,
    pub policy_code_hash: B256,
    pub intent_hash: B256,
    pub params_hash: B256,
    pub policy_data_hash: Option<B256>,
    pub decision: Decision,
    pub error_code: Option<String>,
    pub response_digest: Option<B256>,
    pub certificate_hash: Option<B256>,
    pub timestamp: u64,
}

fn sha256(bytes: &[u8]) -> B256 {
    B256::from_slice(&Sha256::digest(bytes))
}

fn canonical_hash(what: &str, value: &Value) -> Result<B256> {
    let bytes = serde_jcs::to_vec(value)
        .map_err(|e| Error::invalid_argument(format!("{what} is not canonicalizable JSON: {e}")))?;
    Ok(sha256(&bytes))
}

impl LogEntry {
    /// The entry for `outcome`: hashes in place of the intent, params, PolicyData output and certificate.
    pub fn from_outcome(outcome: &Outcome) -> Result<LogEntry> {
        let failed = outcome.decision == Decision::Failed;
        if failed != outcome.error_code.is_some() {
            return Err(Error::invalid_argument(
                "error_code is required for a failed decision and only for one",
            ));
        }
        if !failed && (outcome.certificate.is_none() || outcome.response_digest.is_none()) {
            return Err(Error::invalid_argument(
                "an allowed or denied decision needs its certificate and response_digest",
            ));
        }
        Ok(LogEntry {
            version: VERSION,
            task_id: outcome.task_id,
            policy_client: outcome.policy_client,
            policy_id: outcome.policy_id,
            policy_address: outcome.policy_address,
            policy_code_hash: outcome.policy_code_hash,
            intent_hash: canonical_hash("intent", &outcome.intent)?,
            params_hash: sha256(outcome.params.as_bytes()),
            policy_data_hash: outcome
                .policy_data
                .as_ref()
                .map(|v| canonical_hash("policy_data", v))
                .transpose()?,
            decision: outcome.decision,
            error_code: outcome.error_code.clone(),
            response_digest: outcome.response_digest,
            certificate_hash: outcome
                .certificate
                .as_ref()
                .map(|v| canonical_hash("certificate", v))
                .transpose()?,
            timestamp: outcome.timestamp,
        })
    }

    /// The leaf bytes: RFC 8785 JSON.
    pub fn to_canonical(&self) -> Vec<u8> {
        serde_jcs::to_vec(self).expect("a LogEntry always serializes")
    }

    /// Parses leaf bytes, refusing any that are not exactly this entry's canonical form.
    pub fn from_canonical(bytes: &[u8]) -> Result<LogEntry> {
        let bad = |why: String| {
            Error::new(
                ErrorCode::LogVerification,
                format!("the log entry is malformed: {why}"),
            )
        };
        let entry: LogEntry = serde_json::from_slice(bytes).map_err(|e| bad(e.to_string()))?;
        if entry.version != VERSION {
            return Err(bad(format!(
                "version {} (this build reads {VERSION})",
                entry.version
            )));
        }
        if entry.to_canonical() != bytes {
            return Err(bad("not in RFC 8785 canonical form".to_owned()));
        }
        Ok(entry)
    }
}
