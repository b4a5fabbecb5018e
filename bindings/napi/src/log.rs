//! The decision log (newton-log): the in-memory Merkle tree the gateway keeps beside its store,
//! entry building, tree-head signatures and the verifiers the CLI uses. Proofs and signatures run
//! on the libuv pool (a proof at an earlier size rebuilds that prefix); appends, entry building
//! and verification are a few microseconds each and stay sync.

use crate::convert::{b256, key32};
use crate::error::guard;
use crate::job::{job, Job};
use alloy_primitives::{hex, B256};
use napi::bindgen_prelude::{AsyncTask, Either};
use napi_derive::napi;
use newton_core::{Error, ErrorCode, Result};
use newton_log::{DecisionTree, LogEntry, Outcome, TreeHead};
use std::sync::{Arc, RwLock};

fn count(what: &str, value: f64) -> Result<u64> {
    if value.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&value) {
        return Ok(value as u64);
    }
    Err(Error::invalid_argument(format!(
        "{what} must be a whole number ≥ 0, got {value}"
    )))
}

fn hash(what: &str, text: &str) -> Result<B256> {
    b256(what, &Either::A(text.to_owned()))
}

fn hashes(what: &str, proof: &[String]) -> Result<Vec<B256>> {
    proof.iter().map(|h| hash(what, h)).collect()
}

fn hex_all(proof: Vec<B256>) -> Vec<String> {
    proof.iter().map(|h| h.to_string()).collect()
}

/// An append-only RFC 9162 tree over canonical entries.
#[napi]
pub struct DecisionLog {
    inner: Arc<RwLock<DecisionTree>>,
}

#[napi]
impl DecisionLog {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        DecisionLog {
            inner: Arc::new(RwLock::new(DecisionTree::new())),
        }
    }

    #[napi(getter)]
    pub fn size(&self) -> f64 {
        self.read(|t| t.size() as f64)
    }

    /// Appends canonical entries (their JSON text) in order; their leaf hashes, 0x-hex.
    /// NEWTON_ERR_LOG_VERIFICATION if one is not a canonical entry (nothing is appended then).
    #[napi]
    pub fn append(&self, entries: Vec<String>) -> napi::Result<Vec<String>> {
        guard(|| {
            for entry in &entries {
                LogEntry::from_canonical(entry.as_bytes())?;
            }
            let mut tree = self
                .inner
                .write()
                .map_err(|_| Error::internal("the decision log lock is poisoned"))?;
            Ok(entries
                .iter()
                .map(|e| tree.push(e.as_bytes()).to_string())
                .collect())
        })
    }

    /// The entry at `index`, or null past the end.
    #[napi]
    pub fn entry(&self, index: f64) -> napi::Result<Option<String>> {
        guard(|| {
            let index = count("index", index)?;
            Ok(self.read(|t| {
                t.entry(index)
                    .map(|e| String::from_utf8_lossy(e).into_owned())
            }))
        })
    }

    /// The root hash at `size` leaves.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn root(&self, size: f64) -> napi::Result<AsyncTask<Job<String>>> {
        let size = guard(|| count("size", size))?;
        let inner = self.inner.clone();
        Ok(job(move || Ok(read(&inner)?.root(size)?.to_string())))
    }

    /// The audit path of entry `index` in the tree of `size` leaves (NEWTON_ERR_NOT_FOUND outside it).
    #[napi(ts_return_type = "Promise<string[]>")]
    pub fn inclusion_proof(
        &self,
        index: f64,
        size: f64,
    ) -> napi::Result<AsyncTask<Job<Vec<String>>>> {
        let (index, size) = guard(|| Ok((count("index", index)?, count("size", size)?)))?;
        let inner = self.inner.clone();
        Ok(job(move || {
            Ok(hex_all(read(&inner)?.inclusion_proof(index, size)?))
        }))
    }

    /// The proof that the tree of `first` leaves is a prefix of the tree of `second`.
    #[napi(ts_return_type = "Promise<string[]>")]
    pub fn consistency_proof(
        &self,
        first: f64,
        second: f64,
    ) -> napi::Result<AsyncTask<Job<Vec<String>>>> {
        let (first, second) = guard(|| Ok((count("first", first)?, count("second", second)?)))?;
        let inner = self.inner.clone();
        Ok(job(move || {
            Ok(hex_all(read(&inner)?.consistency_proof(first, second)?))
        }))
    }
}

impl DecisionLog {
    fn read<T>(&self, f: impl FnOnce(&DecisionTree) -> T) -> T {
        f(&self
            .inner
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner()))
    }
}

fn read(inner: &RwLock<DecisionTree>) -> Result<std::sync::RwLockReadGuard<'_, DecisionTree>> {
    inner
        .read()
        .map_err(|_| Error::internal("the decision log lock is poisoned"))
}

#[napi(object)]
pub struct BuiltLogEntry {
    /// The canonical entry (RFC 8785 JSON text): the leaf's bytes.
    pub entry: String,
    pub leaf_hash: String,
}

/// The log entry of a finished task (`Outcome` JSON: ids, intent, params, PolicyData output,
/// decision, certificate …): hashes in place of the data.
#[napi]
pub fn build_log_entry(outcome_json: String) -> napi::Result<BuiltLogEntry> {
    guard(|| {
        let outcome: Outcome = Error::parse_json("the task outcome", &outcome_json)?;
        let entry = LogEntry::from_outcome(&outcome)?.to_canonical();
        let leaf_hash = newton_log::leaf_hash(&entry).to_string();
        Ok(BuiltLogEntry {
            entry: String::from_utf8(entry).map_err(|e| Error::internal(e.to_string()))?,
            leaf_hash,
        })
    })
}

/// The RFC 9162 leaf hash of a canonical entry, 0x-hex.
#[napi]
pub fn log_leaf_hash(entry: String) -> String {
    newton_log::leaf_hash(entry.as_bytes()).to_string()
}

/// The signed part of a tree head; times are unix milliseconds.
#[napi(object)]
pub struct TreeHeadClaims {
    pub tree_size: f64,
    pub root_hash: String,
    pub timestamp: f64,
}

fn head(c: &TreeHeadClaims) -> Result<TreeHead> {
    Ok(TreeHead {
        tree_size: count("treeSize", c.tree_size)?,
        root_hash: hash("rootHash", &c.root_hash)?,
        timestamp: count("timestamp", c.timestamp)?,
    })
}

/// The 65-byte EIP-712 `SignedTreeHead` signature (0x-hex) with the gateway's secp256k1 key.
#[napi(ts_return_type = "Promise<string>")]
pub fn sign_tree_head(
    secret_key: String,
    claims: TreeHeadClaims,
) -> napi::Result<AsyncTask<Job<String>>> {
    let (key, head) = guard(|| Ok((key32("secretKey", &secret_key)?, head(&claims)?)))?;
    Ok(job(move || {
        Ok(hex::encode_prefixed(newton_log::sign_tree_head(
            &key, &head,
        )?))
    }))
}

/// The address (checksummed) that signed the tree head; NEWTON_ERR_LOG_VERIFICATION when malformed.
#[napi(ts_return_type = "Promise<string>")]
pub fn recover_tree_head_signer(
    claims: TreeHeadClaims,
    signature: String,
) -> napi::Result<AsyncTask<Job<String>>> {
    let head = guard(|| head(&claims))?;
    Ok(job(move || {
        let bytes = hex::decode(&signature).map_err(|_| {
            Error::new(
                ErrorCode::LogVerification,
                "the tree head signature is not hex".to_owned(),
            )
        })?;
        Ok(newton_log::recover_tree_head_signer(&head, &bytes)?.to_checksum(None))
    }))
}

/// Checks that `entry` is leaf `index` of the tree of `size` leaves with root `root`; throws
/// NEWTON_ERR_LOG_VERIFICATION with the reason when it is not.
#[napi]
pub fn verify_log_inclusion(
    entry: String,
    index: f64,
    size: f64,
    root: String,
    proof: Vec<String>,
) -> napi::Result<()> {
    guard(|| {
        newton_log::verify_inclusion(
            entry.as_bytes(),
            count("index", index)?,
            count("size", size)?,
            hash("root", &root)?,
            &hashes("proof", &proof)?,
        )
    })
}

/// Checks that the tree of `first` leaves (`first_root`) is a prefix of the tree of `second`
/// leaves (`second_root`); throws NEWTON_ERR_LOG_VERIFICATION with the reason when it is not.
#[napi]
pub fn verify_log_consistency(
    first: f64,
    first_root: String,
    second: f64,
    second_root: String,
    proof: Vec<String>,
) -> napi::Result<()> {
    guard(|| {
        newton_log::verify_consistency(
            count("first", first)?,
            hash("firstRoot", &first_root)?,
            count("second", second)?,
            hash("secondRoot", &second_root)?,
            &hashes("proof", &proof)?,
        )
    })
}
