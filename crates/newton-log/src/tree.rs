//! The log's Merkle tree: ct-merkle's in-memory RFC 9162 tree over the canonical entries, with
//! proofs at any earlier size. A proof at the current size costs O(log n); at an earlier size the
//! tree of that prefix is built first (O(n) hashing, or only the entries past the last prefix
//! built, which is kept), so clients should ask at the latest head.

use alloy_primitives::B256;
use ct_merkle::mem_backed_tree::MemoryBackedTree;
use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
use newton_core::{Error, ErrorCode, Result};
use sha2_ct::{Digest, Sha256};
use std::sync::{Arc, Mutex};

/// A leaf's bytes, shared between the tree and prefix rebuilds.
#[derive(Clone, Debug)]
struct Leaf(Arc<[u8]>);

impl AsRef<[u8]> for Leaf {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

type Tree = MemoryBackedTree<Sha256, Leaf>;

#[derive(Default)]
pub struct DecisionTree {
    tree: Tree,
    /// The last earlier-size tree built: asked again, or extended to a larger earlier size.
    prefix: Mutex<Option<Arc<Tree>>>,
}

/// RFC 9162 §2.1.1: the leaf hash `SHA-256(0x00 ‖ entry)`.
pub fn leaf_hash(entry: &[u8]) -> B256 {
    B256::from_slice(
        &Sha256::new_with_prefix([0u8])
            .chain_update(entry)
            .finalize(),
    )
}

fn out_of_range(message: String) -> Error {
    Error::new(ErrorCode::NotFound, message)
}

fn b256(digest: &[u8]) -> B256 {
    B256::from_slice(digest)
}

impl DecisionTree {
    pub fn new() -> DecisionTree {
        DecisionTree::default()
    }

    /// Appends one canonical entry; returns its leaf hash.
    pub fn push(&mut self, entry: &[u8]) -> B256 {
        self.tree.push(Leaf(entry.into()));
        leaf_hash(entry)
    }

    pub fn size(&self) -> u64 {
        self.tree.len()
    }

    /// The entry at `index`.
    pub fn entry(&self, index: u64) -> Option<&[u8]> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.tree.get(i))
            .map(|leaf| leaf.as_ref())
    }

    /// Runs `f` on the tree as it was at `size` leaves.
    fn at<T>(&self, size: u64, f: impl FnOnce(&Tree) -> T) -> Result<T> {
        if size > self.size() {
            return Err(out_of_range(format!(
                "tree size {size} is beyond the log's {}",
                self.size()
            )));
        }
        if size == self.size() {
            return Ok(f(&self.tree));
        }
        let mut cached = self
            .prefix
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let prefix = match cached.as_ref() {
            Some(tree) if tree.len() == size => tree.clone(),
            Some(tree) if tree.len() < size => Arc::new(self.extend((**tree).clone(), size)),
            _ => Arc::new(self.extend(Tree::new(), size)),
        };
        *cached = Some(prefix.clone());
        drop(cached);
        Ok(f(&prefix))
    }

    /// `tree` (a prefix of this one) grown to `size` leaves.
    fn extend(&self, mut tree: Tree, size: u64) -> Tree {
        for leaf in &self.tree.items()[tree.len() as usize..size as usize] {
            tree.push(leaf.clone());
        }
        tree
    }

    /// The root hash at `size` (SHA-256 of nothing for the empty tree).
    pub fn root(&self, size: u64) -> Result<B256> {
        self.at(size, |tree| b256(tree.root().as_bytes()))
    }

    /// RFC 9162 §2.1.3: the audit path of leaf `index` in the tree of `size` leaves.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<B256>> {
        if index >= size {
            return Err(out_of_range(format!(
                "entry {index} is not in a tree of size {size}"
            )));
        }
        self.at(size, |tree| {
            tree.prove_inclusion(index as usize)
                .as_bytes()
                .chunks(32)
                .map(b256)
                .collect()
        })
    }

    /// RFC 9162 §2.1.4: the proof that the tree of `first` leaves is a prefix of the tree of `second`.
    pub fn consistency_proof(&self, first: u64, second: u64) -> Result<Vec<B256>> {
        if first > second {
            return Err(Error::invalid_argument(format!(
                "first ({first}) is larger than second ({second})"
            )));
        }
        self.at(second, |tree| match first {
            0 => Vec::new(), // the empty tree is a prefix of every tree
            _ => tree
                .prove_consistency((second - first) as usize)
                .as_bytes()
                .chunks(32)
                .map(b256)
                .collect(),
        })
    }
}

fn digests(proof: &[B256]) -> Vec<u8> {
    proof.iter().flat_map(|h| h.0).collect()
}

fn failed(message: String) -> Error {
    Error::new(ErrorCode::LogVerification, message)
}

/// Checks that `entry` is leaf `index` of the tree of `size` leaves whose root is `root`.
pub fn verify_inclusion(
    entry: &[u8],
    index: u64,
    size: u64,
    root: B256,
    proof: &[B256],
) -> Result<()> {
    let proof = InclusionProof::<Sha256>::try_from_bytes(digests(proof))
        .map_err(|e| failed(format!("the inclusion proof is malformed: {e}")))?;
    RootHash::<Sha256>::new(root.0.into(), size)
        .verify_inclusion(&entry, index, &proof)
        .map_err(|e| {
            failed(format!(
                "entry {index} is not included in the tree of size {size}: {e}"
            ))
        })
}

/// Checks that the tree of `first` leaves (root `first_root`) is a prefix of the tree of
/// `second` leaves (root `second_root`).
pub fn verify_consistency(
    first: u64,
    first_root: B256,
    second: u64,
    second_root: B256,
    proof: &[B256],
) -> Result<()> {
    if first > second {
        return Err(failed(format!(
            "the log shrank from {first} to {second} entries"
        )));
    }
    if first == second {
        return match proof.is_empty() && first_root == second_root {
            true => Ok(()),
            false => Err(failed(format!(
                "two different roots for the same tree size {first}"
            ))),
        };
    }
    if first == 0 {
        return Ok(());
    }
    let proof = ConsistencyProof::<Sha256>::try_from_bytes(digests(proof))
        .map_err(|e| failed(format!("the consistency proof is malformed: {e}")))?;
    RootHash::<Sha256>::new(second_root.0.into(), second)
        .verify_consistency(&RootHash::new(first_root.0.into(), first), &proof)
        .map_err(|e| {
            failed(format!(
                "the tree of size {second} does not extend the tree of size {first}: {e}"
            ))
        })
}
