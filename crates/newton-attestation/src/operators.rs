//! The operator registry: BLS public keys admitted only with a valid proof of possession
//! (rogue-key defence), and each operator's stake per quorum number.
//!
//! An operator set file is a JSON array of `{"operator_id": "0x…32 bytes", "public_key":
//! "0x…48 bytes", "proof_of_possession": "0x…96 bytes", "stake": {"0": "1000"}}`; every
//! entry's proof of possession is verified when the file is loaded.

use crate::stake_json;
use alloy_primitives::{Bytes, B256, U256};
use newton_bls::{PublicKey, Signature};
use newton_core::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// A registered operator: its id, its validated public key and its stake per quorum.
#[derive(Clone, Debug)]
pub struct Operator {
    id: B256,
    public_key: PublicKey,
    proof_of_possession: Bytes,
    stakes: BTreeMap<u8, U256>,
}

impl Operator {
    /// The operator id (EigenLayer's is the hash of the operator's G1 key).
    pub fn id(&self) -> B256 {
        self.id
    }

    /// The public key, validated and proven possessed at registration.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// Stake in `quorum`; zero when the operator is not in it.
    pub fn stake(&self, quorum: u8) -> U256 {
        self.stakes.get(&quorum).copied().unwrap_or_default()
    }

    /// Stake per quorum number.
    pub fn stakes(&self) -> &BTreeMap<u8, U256> {
        &self.stakes
    }
}

/// One entry of an operator set file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorEntry {
    pub operator_id: B256,
    /// Compressed G1 public key, `0x` hex.
    pub public_key: Bytes,
    /// The key's proof of possession (G2 signature under the POP DST), `0x` hex.
    pub proof_of_possession: Bytes,
    /// Stake per quorum number: `{"0": "1000"}`, decimal strings.
    #[serde(with = "stake_json")]
    pub stake: BTreeMap<u8, U256>,
}

/// Registered operators by id, with each quorum's total stake.
#[derive(Clone, Debug, Default)]
pub struct OperatorRegistry {
    operators: BTreeMap<B256, Operator>,
    keys: HashSet<PublicKey>,
    totals: BTreeMap<u8, U256>,
}

impl OperatorRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers an operator after validating its key and verifying its proof of possession.
    ///
    /// Malformed key or proof bytes keep the BLS codes (`BlsBadEncoding`, `BlsKeyInvalid`); a
    /// proof that does not verify → `BlsPopInvalid`; an id or key already registered, or a
    /// quorum total that would exceed 2^256-1 → `InvalidArgument`. Nothing changes on error.
    pub fn register(
        &mut self,
        operator_id: B256,
        public_key: &[u8],
        proof_of_possession: &[u8],
        stakes: BTreeMap<u8, U256>,
    ) -> Result<()> {
        let named =
            |e: Error| Error { message: format!("operator {operator_id}: {}", e.message), ..e };
        if self.operators.contains_key(&operator_id) {
            return Err(Error::invalid_argument(format!(
                "operator {operator_id} is already registered"
            )));
        }
        let key = PublicKey::from_bytes(public_key).map_err(named)?;
        if self.keys.contains(&key) {
            return Err(Error::invalid_argument(format!(
                "operator {operator_id}: public key is already registered to another operator"
            )));
        }
        let proof = Signature::from_bytes(proof_of_possession).map_err(named)?;
        key.verify_possession(&proof).map_err(|e| {
            Error::new(
                ErrorCode::BlsPopInvalid,
                format!(
                    "operator {operator_id}: proof of possession does not verify: {}",
                    e.message
                ),
            )
        })?;
        let mut totals = self.totals.clone();
        for (&quorum, &amount) in &stakes {
            let total = totals.entry(quorum).or_default();
            *total = total.checked_add(amount).ok_or_else(|| {
                Error::invalid_argument(format!(
                    "operator {operator_id}: total stake of quorum {quorum} would exceed 2^256-1"
                ))
            })?;
        }
        self.totals = totals;
        self.keys.insert(key);
        let proof_of_possession = Bytes::copy_from_slice(proof_of_possession);
        let operator = Operator { id: operator_id, public_key: key, proof_of_possession, stakes };
        self.operators.insert(operator_id, operator);
        Ok(())
    }

    /// The operator registered as `id`, if any.
    pub fn get(&self, id: &B256) -> Option<&Operator> {
        self.operators.get(id)
    }

    /// The operator registered as `id`; `OperatorUnknown` if none is.
    pub fn operator(&self, id: &B256) -> Result<&Operator> {
        self.get(id).ok_or_else(|| {
            Error::new(ErrorCode::OperatorUnknown, format!("operator {id} is not registered"))
        })
    }

    /// Every operator, in id order.
    pub fn iter(&self) -> impl Iterator<Item = &Operator> {
        self.operators.values()
    }

    /// How many operators are registered.
    pub fn len(&self) -> usize {
        self.operators.len()
    }

    /// Whether no operator is registered.
    pub fn is_empty(&self) -> bool {
        self.operators.is_empty()
    }

    /// The total stake registered in `quorum`.
    pub fn total_stake(&self, quorum: u8) -> U256 {
        self.totals.get(&quorum).copied().unwrap_or_default()
    }

    /// Registers every entry in order, verifying each proof of possession; the first failure
    /// names its entry's index.
    pub fn from_entries(entries: impl IntoIterator<Item = OperatorEntry>) -> Result<Self> {
        let mut registry = Self::new();
        for (index, entry) in entries.into_iter().enumerate() {
            registry
                .register(
                    entry.operator_id,
                    &entry.public_key,
                    &entry.proof_of_possession,
                    entry.stake,
                )
                .map_err(|e| Error {
                    message: format!("operator set entry {index}: {}", e.message),
                    ..e
                })?;
        }
        Ok(registry)
    }

    /// Parses an operator set file (see the module docs). Not JSON or the wrong shape →
    /// `InvalidJson`; then as [`OperatorRegistry::from_entries`].
    pub fn from_json(text: &str) -> Result<Self> {
        Self::from_entries(Error::parse_json::<Vec<OperatorEntry>>("operator set", text)?)
    }

    /// Reads and parses an operator set file; unreadable → `Io`.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::new(ErrorCode::Io, format!("cannot read operator set {}: {e}", path.display()))
        })?;
        Self::from_json(&text)
    }

    /// The registry as operator set entries, in id order.
    pub fn entries(&self) -> Vec<OperatorEntry> {
        self.iter()
            .map(|op| OperatorEntry {
                operator_id: op.id,
                public_key: Bytes::copy_from_slice(&op.public_key.to_bytes()),
                proof_of_possession: op.proof_of_possession.clone(),
                stake: op.stakes.clone(),
            })
            .collect()
    }

    /// The registry as an operator set file.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(&self.entries())
            .map_err(|e| Error::internal(format!("operator set does not serialize: {e}")))
    }
}
