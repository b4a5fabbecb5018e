//! The quorum certificate an [`Aggregator`](crate::Aggregator) issues: one aggregate BLS
//! signature over a message, who signed it, and the stake behind it.

use crate::{hex_array, stake_json, OperatorRegistry, QuorumStakes, QuorumThreshold};
use alloy_primitives::{B256, U256};
use newton_bls::{aggregate_public_keys, fast_aggregate_verify, PublicKey, Signature};
use newton_core::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// An aggregate signature by `signers` over `message` (for Newton, the consensus digest
/// `keccak256(abi.encode(TaskResponse))`).
///
/// JSON: `{"message": "0x…", "quorum_numbers": [0], "threshold": 40, "signers": ["0x…"],
/// "non_signers": ["0x…"], "signed_stake": {"0": "3000"}, "total_stake": {"0": "4000"},
/// "aggregate_public_key": "0x…48 bytes", "aggregate_signature": "0x…96 bytes"}`.
///
/// `non_signers`, `signed_stake` and `total_stake` record the registry as it was at aggregation;
/// [`Certificate::verify`] recomputes them from the registry it is given and never trusts them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub message: B256,
    pub quorum_numbers: Vec<u8>,
    pub threshold: QuorumThreshold,
    /// Signing operator ids, ascending.
    pub signers: Vec<B256>,
    /// Operators with stake in a certificate quorum that did not sign, ascending.
    pub non_signers: Vec<B256>,
    #[serde(with = "stake_json")]
    pub signed_stake: BTreeMap<u8, U256>,
    #[serde(with = "stake_json")]
    pub total_stake: BTreeMap<u8, U256>,
    /// Sum of the signers' public keys (compressed G1).
    #[serde(with = "hex_array")]
    pub aggregate_public_key: [u8; 48],
    /// Sum of the signers' signatures (compressed G2).
    #[serde(with = "hex_array")]
    pub aggregate_signature: [u8; 96],
}

impl Certificate {
    /// Verifies the signature ([`Certificate::verify_signature`]), then that the signers' stake
    /// in the registry meets the certificate's threshold in each of its quorums
    /// (`InsufficientQuorumStake`).
    pub fn verify(&self, registry: &OperatorRegistry) -> Result<()> {
        self.verify_signature(registry)?;
        self.stakes(registry, &self.quorum_numbers)?.check(self.threshold)
    }

    /// Recomputes the aggregate public key from the signers' registered keys and checks it and
    /// the aggregate signature with one fast aggregate verification (sound because every
    /// registered key has a verified proof of possession). A signer not in the registry →
    /// `OperatorUnknown`; no signers, a signer listed twice, a different aggregate key, malformed
    /// signature bytes or a signature that does not verify → `SignatureInvalid`.
    pub fn verify_signature(&self, registry: &OperatorRegistry) -> Result<()> {
        let invalid = |why: String| Error::new(ErrorCode::SignatureInvalid, why);
        if self.signers.is_empty() {
            return Err(invalid("certificate has no signers".into()));
        }
        let mut seen = BTreeSet::new();
        let mut keys: Vec<PublicKey> = Vec::with_capacity(self.signers.len());
        for id in &self.signers {
            if !seen.insert(id) {
                return Err(invalid(format!("certificate lists signer {id} more than once")));
            }
            keys.push(*registry.operator(id)?.public_key());
        }
        let aggregate_key = aggregate_public_keys(&keys)?;
        if aggregate_key.to_bytes()[..] != self.aggregate_public_key[..] {
            return Err(invalid(
                "aggregate public key is not the sum of the signers' registered keys".into(),
            ));
        }
        let signature = Signature::from_bytes(&self.aggregate_signature)
            .map_err(|e| invalid(format!("aggregate signature is malformed: {}", e.message)))?;
        if !fast_aggregate_verify(&keys, self.message.as_slice(), &signature) {
            return Err(invalid(format!(
                "aggregate signature does not verify for message {} and {} signer(s)",
                self.message,
                keys.len()
            )));
        }
        Ok(())
    }

    /// The signers' stake in `quorum_numbers`, tallied from `registry`.
    pub fn stakes(
        &self,
        registry: &OperatorRegistry,
        quorum_numbers: &[u8],
    ) -> Result<QuorumStakes> {
        QuorumStakes::tally(registry, &self.signers, quorum_numbers)
    }

    /// Parses a certificate's JSON form; `InvalidJson` on failure.
    pub fn from_json(text: &str) -> Result<Self> {
        Error::parse_json("certificate", text)
    }

    /// The certificate's JSON form.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self)
            .map_err(|e| Error::internal(format!("certificate does not serialize: {e}")))
    }
}
