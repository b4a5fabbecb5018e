//! Collects operator signatures over one message and issues a [`Certificate`] once every
//! quorum's signed stake reaches the threshold.
//!
//! Signatures are not verified one by one. When the candidates carry enough stake, their
//! aggregate is checked with ONE fast aggregate verification (sound because every registered
//! key has a verified proof of possession); if that fails, the candidates are bisected until
//! each bad signature is isolated and dropped, so a bad signature never reaches a certificate.
//! Shares are only decoded onto the curve on arrival; the subgroup check runs on each aggregate.

use crate::{Certificate, OperatorRegistry, QuorumStakes, QuorumThreshold};
use alloy_primitives::B256;
use newton_bls::{
    aggregate_public_keys, aggregate_shares, aggregate_signatures, PublicKey, Signature,
    SignatureShare,
};
use newton_core::{Error, ErrorCode, Result};
use newton_types::{hash::consensus_digest, sol};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Deref;

/// A signature the aggregator refused, and why.
///
/// JSON: `{"operator_id": "0x…", "code": "NEWTON_ERR_…", "message": "…", "details"?: {…}}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rejection {
    pub operator_id: B256,
    #[serde(flatten)]
    pub error: Error,
}

/// Aggregates signatures over one message for a set of quorums and a threshold. `R` holds the
/// registry: a borrow (`&OperatorRegistry`) or an owner (`Arc<OperatorRegistry>`).
pub struct Aggregator<R: Deref<Target = OperatorRegistry>> {
    registry: R,
    message: B256,
    quorum_numbers: Vec<u8>,
    threshold: QuorumThreshold,
    /// Signatures whose aggregate verified.
    verified: BTreeMap<B256, SignatureShare>,
    /// The signature and key sums of each batch that verified, so the certificate neither
    /// re-sums nor re-checks the shares.
    verified_sums: Vec<(Signature, PublicKey)>,
    /// Signatures accepted but not verified yet.
    pending: BTreeMap<B256, SignatureShare>,
    rejected: Vec<Rejection>,
    issued: bool,
}

impl<R: Deref<Target = OperatorRegistry>> Aggregator<R> {
    /// An aggregator for `message` over `quorum_numbers` (deduplicated; none →
    /// `InvalidArgument`).
    pub fn new(
        registry: R,
        message: B256,
        quorum_numbers: &[u8],
        threshold: QuorumThreshold,
    ) -> Result<Self> {
        let quorum_numbers: Vec<u8> =
            quorum_numbers.iter().copied().collect::<BTreeSet<_>>().into_iter().collect();
        if quorum_numbers.is_empty() {
            return Err(Error::invalid_argument("an aggregator needs at least one quorum number"));
        }
        Ok(Self {
            registry,
            message,
            quorum_numbers,
            threshold,
            verified: BTreeMap::new(),
            verified_sums: Vec::new(),
            pending: BTreeMap::new(),
            rejected: Vec::new(),
            issued: false,
        })
    }

    /// An aggregator for a Newton task: the message is the consensus digest of `response`, the
    /// quorums and threshold are the task's (a threshold above 100 → `InvalidArgument`).
    pub fn for_task(
        registry: R,
        task: &sol::Task,
        response: &sol::TaskResponse,
    ) -> Result<Self> {
        let threshold = QuorumThreshold::new(task.quorumThresholdPercentage)?;
        Self::new(registry, consensus_digest(response), &task.quorumNumbers, threshold)
    }

    /// The message being signed.
    pub fn message(&self) -> B256 {
        self.message
    }

    /// Every signature refused so far: unknown operators, malformed bytes, repeats and
    /// signatures that did not verify.
    pub fn rejected(&self) -> &[Rejection] {
        &self.rejected
    }

    /// Accepts one operator's signature and returns the certificate as soon as every quorum
    /// reaches the threshold (early exit; it is returned once, later signatures are kept but
    /// return `None`).
    ///
    /// The signature is refused (and recorded in [`Aggregator::rejected`]) when the operator is
    /// unknown (`OperatorUnknown`), already signed (`InvalidArgument`) or the bytes are malformed
    /// (the BLS code); other signatures are unaffected. A signature that fails verification is
    /// dropped when the quorum is next checked and its operator may sign again.
    pub fn add(&mut self, operator_id: B256, signature: &[u8]) -> Result<Option<Certificate>> {
        self.accept(operator_id, signature)?;
        if self.issued
            || !self.tally(self.verified.keys().chain(self.pending.keys()))?.is_met(self.threshold)
        {
            return Ok(None);
        }
        self.verify_pending();
        let stakes = self.tally(self.verified.keys())?;
        if !stakes.is_met(self.threshold) {
            return Ok(None);
        }
        self.issue(stakes).map(Some)
    }

    /// Accepts every signature (refusals are recorded and skipped, as in [`Aggregator::add`])
    /// and certifies them all: [`Aggregator::certificate`].
    pub fn aggregate<'s>(
        &mut self,
        signatures: impl IntoIterator<Item = (B256, &'s [u8])>,
    ) -> Result<Certificate> {
        for (operator_id, signature) in signatures {
            // A refusal is recorded in `rejected`; the other signatures go on.
            let _ = self.accept(operator_id, signature);
        }
        self.certificate()
    }

    /// Verifies what is pending and certifies every valid signature collected so far; below the
    /// threshold → `InsufficientQuorumStake`.
    pub fn certificate(&mut self) -> Result<Certificate> {
        self.verify_pending();
        let stakes = self.tally(self.verified.keys())?;
        stakes.check(self.threshold)?;
        self.issue(stakes)
    }

    fn accept(&mut self, operator_id: B256, signature: &[u8]) -> Result<()> {
        let accepted = self.registry.operator(&operator_id).and_then(|_| {
            if self.verified.contains_key(&operator_id) || self.pending.contains_key(&operator_id) {
                return Err(Error::invalid_argument(format!(
                    "operator {operator_id} already signed"
                )));
            }
            SignatureShare::from_bytes(signature).map_err(|e| Error {
                message: format!("signature of operator {operator_id}: {}", e.message),
                ..e
            })
        });
        match accepted {
            Ok(signature) => {
                self.pending.insert(operator_id, signature);
                Ok(())
            }
            Err(error) => {
                self.rejected.push(Rejection { operator_id, error: error.clone() });
                Err(error)
            }
        }
    }

    fn tally<'a>(&self, signers: impl Iterator<Item = &'a B256>) -> Result<QuorumStakes> {
        QuorumStakes::tally(&self.registry, signers, &self.quorum_numbers)
    }

    /// Moves the pending signatures that verify to `verified` and rejects the rest.
    fn verify_pending(&mut self) {
        let registry: &OperatorRegistry = &self.registry;
        let pending = std::mem::take(&mut self.pending);
        let candidates: Vec<Candidate<'_>> = pending
            .iter()
            .filter_map(|(id, signature)| {
                let key = registry.get(id)?.public_key();
                Some(Candidate { id: *id, key, signature })
            })
            .collect();
        let mut good = BTreeSet::new();
        let mut sums = Vec::new();
        let mut bad = Vec::new();
        self.bisect(&candidates, &mut good, &mut sums, &mut bad);
        self.verified_sums.extend(sums);
        for id in bad {
            let error = Error::new(
                ErrorCode::SignatureInvalid,
                format!("signature of operator {id} does not verify for message {}", self.message),
            );
            self.rejected.push(Rejection { operator_id: id, error });
        }
        for (id, signature) in pending {
            if good.contains(&id) {
                self.verified.insert(id, signature);
            }
        }
    }

    /// Splits `candidates` into those whose signatures verify and those that do not: one
    /// aggregate check for the whole set, halving only the sets that fail. The sums of the sets
    /// that verified go to `sums`.
    fn bisect(
        &self,
        candidates: &[Candidate<'_>],
        good: &mut BTreeSet<B256>,
        sums: &mut Vec<(Signature, PublicKey)>,
        bad: &mut Vec<B256>,
    ) {
        if candidates.is_empty() {
            return;
        }
        if let Some(sum) = self.aggregate_verifies(candidates) {
            good.extend(candidates.iter().map(|c| c.id));
            sums.push(sum);
        } else if let [only] = candidates {
            bad.push(only.id);
        } else {
            let (left, right) = candidates.split_at(candidates.len() / 2);
            self.bisect(left, good, sums, bad);
            self.bisect(right, good, sums, bad);
        }
    }

    /// The sums of the candidates' signatures and keys when the signature sum (subgroup-checked)
    /// verifies under the key sum: FastAggregateVerify, keeping both sums.
    fn aggregate_verifies(&self, candidates: &[Candidate<'_>]) -> Option<(Signature, PublicKey)> {
        let keys: Vec<PublicKey> = candidates.iter().map(|c| *c.key).collect();
        let shares: Vec<SignatureShare> = candidates.iter().map(|c| *c.signature).collect();
        let signature = aggregate_shares(&shares).ok()?;
        let key = aggregate_public_keys(&keys).ok()?;
        signature.verify(&key, self.message.as_slice()).then_some((signature, key))
    }

    fn issue(&mut self, stakes: QuorumStakes) -> Result<Certificate> {
        let (signatures, keys): (Vec<Signature>, Vec<PublicKey>) =
            self.verified_sums.iter().copied().unzip();
        let aggregate_public_key = aggregate_public_keys(&keys)?.to_bytes();
        let aggregate_signature = aggregate_signatures(&signatures)?.to_bytes();
        let non_signers = self
            .registry
            .iter()
            .filter(|op| !self.verified.contains_key(&op.id()))
            .filter(|op| self.quorum_numbers.iter().any(|&q| !op.stake(q).is_zero()))
            .map(|op| op.id())
            .collect();
        self.issued = true;
        Ok(Certificate {
            message: self.message,
            quorum_numbers: self.quorum_numbers.clone(),
            threshold: self.threshold,
            signers: self.verified.keys().copied().collect(),
            non_signers,
            signed_stake: stakes.signed,
            total_stake: stakes.total,
            aggregate_public_key,
            aggregate_signature,
        })
    }
}

/// A pending signature with its operator's registered key.
struct Candidate<'a> {
    id: B256,
    key: &'a PublicKey,
    signature: &'a SignatureShare,
}
