//! An independent RFC 9162 verifier (§2.1.1 tree hash, §2.1.3.2 inclusion, §2.1.4.2
//! consistency), written from the RFC's text with the workspace's sha2, for checking the proofs
//! the log serves. Test code only: production verifies with ct-merkle.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

pub fn leaf(entry: &[u8]) -> Hash {
    Sha256::new()
        .chain_update([0u8])
        .chain_update(entry)
        .finalize()
        .into()
}

pub fn node(left: &Hash, right: &Hash) -> Hash {
    Sha256::new()
        .chain_update([1u8])
        .chain_update(left)
        .chain_update(right)
        .finalize()
        .into()
}

/// MTH(D[n]) by the recursive definition.
pub fn tree_hash(entries: &[Vec<u8>]) -> Hash {
    match entries.len() {
        0 => Sha256::digest(b"").into(),
        1 => leaf(&entries[0]),
        n => {
            let k = largest_power_of_two_below(n);
            node(&tree_hash(&entries[..k]), &tree_hash(&entries[k..]))
        }
    }
}

fn largest_power_of_two_below(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// §2.1.3.2.
pub fn verify_inclusion(
    leaf_index: u64,
    tree_size: u64,
    leaf_hash: Hash,
    path: &[Hash],
    root: Hash,
) -> bool {
    if leaf_index >= tree_size {
        return false;
    }
    let (mut fnode, mut snode, mut r) = (leaf_index, tree_size - 1, leaf_hash);
    for p in path {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node(p, &r);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && r == root
}

/// §2.1.4.2 (first ≥ 1, first < second).
pub fn verify_consistency(
    first: u64,
    second: u64,
    first_hash: Hash,
    second_hash: Hash,
    path: &[Hash],
) -> bool {
    if first == 0 || first >= second || path.is_empty() {
        return false;
    }
    let mut path = path.to_vec();
    if first.is_power_of_two() {
        path.insert(0, first_hash);
    }
    let (mut fnode, mut snode) = (first - 1, second - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node(c, &fr);
            sr = node(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = node(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    fr == first_hash && sr == second_hash && snode == 0
}
