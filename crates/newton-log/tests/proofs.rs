//! The log's proofs for trees of 1…1,000 entries, checked by an independent RFC 9162 verifier
//! (rfc9162.rs) and by the production one; tampered, reordered and rolled-back logs fail.

mod rfc9162;

use alloy_primitives::B256;
use newton_log::{leaf_hash, verify_consistency, verify_inclusion, DecisionTree};

fn entry(i: usize) -> Vec<u8> {
    format!("{{\"entry\":{i}}}").into_bytes()
}

fn hashes(proof: &[B256]) -> Vec<rfc9162::Hash> {
    proof.iter().map(|h| h.0).collect()
}

/// Every index and every earlier size up to 64 entries, then a spread of them up to 1,000.
fn probes(n: u64) -> Vec<u64> {
    if n <= 64 {
        return (0..n).collect();
    }
    let mut out = vec![
        0,
        1,
        n / 3,
        n / 2,
        n - 2,
        n - 1,
        n.next_power_of_two() / 2 - 1,
        n.next_power_of_two() / 2,
    ];
    out.retain(|&i| i < n);
    out
}

#[test]
fn proofs_for_trees_of_1_to_1000_entries_verify_by_rfc_9162() {
    let entries: Vec<Vec<u8>> = (0..1000).map(entry).collect();
    let mut tree = DecisionTree::new();
    let mut roots = vec![rfc9162::tree_hash(&[])];
    for n in 1..=1000u64 {
        let hash = tree.push(&entries[n as usize - 1]);
        assert_eq!(hash.0, rfc9162::leaf(&entries[n as usize - 1]));
        let root = tree.root(n).unwrap();
        assert_eq!(
            root.0,
            rfc9162::tree_hash(&entries[..n as usize]),
            "root at size {n}"
        );
        roots.push(root.0);
        for index in probes(n) {
            let proof = tree.inclusion_proof(index, n).unwrap();
            let leaf = rfc9162::leaf(&entries[index as usize]);
            assert!(
                rfc9162::verify_inclusion(index, n, leaf, &hashes(&proof), root.0),
                "inclusion of {index} in {n}"
            );
            verify_inclusion(&entries[index as usize], index, n, root, &proof).unwrap();
        }
        for first in probes(n).into_iter().filter(|&m| m >= 1) {
            let proof = tree.consistency_proof(first, n).unwrap();
            assert!(
                rfc9162::verify_consistency(
                    first,
                    n,
                    roots[first as usize],
                    root.0,
                    &hashes(&proof)
                ),
                "consistency {first} → {n}"
            );
            verify_consistency(first, B256::from(roots[first as usize]), n, root, &proof).unwrap();
        }
    }
}

#[test]
fn proofs_at_an_earlier_size_match_the_tree_of_that_size() {
    let mut full = DecisionTree::new();
    let mut prefix = DecisionTree::new();
    for i in 0..300 {
        full.push(&entry(i));
        if i < 137 {
            prefix.push(&entry(i));
        }
    }
    assert_eq!(full.root(137).unwrap(), prefix.root(137).unwrap());
    for index in [0, 64, 136] {
        assert_eq!(
            full.inclusion_proof(index, 137).unwrap(),
            prefix.inclusion_proof(index, 137).unwrap()
        );
    }
    assert_eq!(
        full.consistency_proof(20, 137).unwrap(),
        prefix.consistency_proof(20, 137).unwrap()
    );
    // A larger earlier size extends the prefix built for 137; a smaller one is built anew.
    for size in [200, 137, 299, 20] {
        let mut fresh = DecisionTree::new();
        for i in 0..size as usize {
            fresh.push(&entry(i));
        }
        assert_eq!(
            full.root(size).unwrap(),
            fresh.root(size).unwrap(),
            "root at {size}"
        );
        assert_eq!(
            full.inclusion_proof(size - 1, size).unwrap(),
            fresh.inclusion_proof(size - 1, size).unwrap()
        );
        assert_eq!(
            full.consistency_proof(7, size).unwrap(),
            fresh.consistency_proof(7, size).unwrap()
        );
    }
    let proof = full.consistency_proof(137, 300).unwrap();
    assert!(rfc9162::verify_consistency(
        137,
        300,
        prefix.root(137).unwrap().0,
        full.root(300).unwrap().0,
        &hashes(&proof)
    ));
}

#[test]
fn bad_sizes_and_indices_are_errors_not_panics() {
    let mut tree = DecisionTree::new();
    assert_eq!(tree.root(0).unwrap().0, rfc9162::tree_hash(&[]));
    assert_eq!(
        tree.inclusion_proof(0, 0).unwrap_err().code.as_str(),
        "NEWTON_ERR_NOT_FOUND"
    );
    tree.push(&entry(0));
    assert_eq!(tree.inclusion_proof(0, 1).unwrap(), Vec::<B256>::new());
    assert_eq!(
        tree.inclusion_proof(1, 1).unwrap_err().code.as_str(),
        "NEWTON_ERR_NOT_FOUND"
    );
    assert_eq!(
        tree.inclusion_proof(0, 2).unwrap_err().code.as_str(),
        "NEWTON_ERR_NOT_FOUND"
    );
    assert_eq!(
        tree.consistency_proof(2, 1).unwrap_err().code.as_str(),
        "NEWTON_ERR_INVALID_ARGUMENT"
    );
    assert_eq!(
        tree.consistency_proof(1, 5).unwrap_err().code.as_str(),
        "NEWTON_ERR_NOT_FOUND"
    );
    assert_eq!(tree.consistency_proof(0, 1).unwrap(), Vec::<B256>::new());
    assert_eq!(tree.consistency_proof(1, 1).unwrap(), Vec::<B256>::new());
    assert_eq!(
        tree.root(u64::MAX).unwrap_err().code.as_str(),
        "NEWTON_ERR_NOT_FOUND"
    );
}

fn tree_of(entries: &[Vec<u8>]) -> DecisionTree {
    let mut tree = DecisionTree::new();
    for e in entries {
        tree.push(e);
    }
    tree
}

#[test]
fn a_tampered_entry_is_detected() {
    let entries: Vec<Vec<u8>> = (0..50).map(entry).collect();
    let tree = tree_of(&entries);
    let (root, proof) = (
        tree.root(50).unwrap(),
        tree.inclusion_proof(17, 50).unwrap(),
    );
    verify_inclusion(&entries[17], 17, 50, root, &proof).unwrap();
    let edited = br#"{"entry":71}"#;
    let err = verify_inclusion(edited, 17, 50, root, &proof).unwrap_err();
    assert_eq!(err.code.as_str(), "NEWTON_ERR_LOG_VERIFICATION");
    // The log rewritten around the edit has another root: it is not consistent with the signed one.
    let mut rewritten = entries.clone();
    rewritten[17] = edited.to_vec();
    let forged = tree_of(&rewritten);
    assert_ne!(forged.root(50).unwrap(), root);
    assert!(verify_consistency(50, root, 50, forged.root(50).unwrap(), &[]).is_err());
    let mut longer = rewritten.clone();
    longer.push(entry(50));
    let forged = tree_of(&longer);
    let proof = forged.consistency_proof(50, 51).unwrap();
    assert!(verify_consistency(50, root, 51, forged.root(51).unwrap(), &proof).is_err());
}

#[test]
fn a_reordered_entry_is_detected() {
    let entries: Vec<Vec<u8>> = (0..40).map(entry).collect();
    let tree = tree_of(&entries);
    let root = tree.root(40).unwrap();
    // Entry 9 presented at index 10 (or with 10's proof) does not verify.
    let proof9 = tree.inclusion_proof(9, 40).unwrap();
    assert!(verify_inclusion(&entries[9], 10, 40, root, &proof9).is_err());
    assert!(verify_inclusion(
        &entries[9],
        10,
        40,
        root,
        &tree.inclusion_proof(10, 40).unwrap()
    )
    .is_err());
    let mut swapped = entries.clone();
    swapped.swap(9, 10);
    let reordered = tree_of(&swapped);
    assert_ne!(reordered.root(40).unwrap(), root);
    assert!(verify_inclusion(
        &entries[9],
        10,
        40,
        root,
        &reordered.inclusion_proof(10, 40).unwrap()
    )
    .is_err());
}

#[test]
fn a_rolled_back_or_truncated_tree_head_is_detected() {
    let entries: Vec<Vec<u8>> = (0..100).map(entry).collect();
    let tree = tree_of(&entries);
    let (saved, newer) = (tree.root(80).unwrap(), tree.root(100).unwrap());
    verify_consistency(
        80,
        saved,
        100,
        newer,
        &tree.consistency_proof(80, 100).unwrap(),
    )
    .unwrap();
    // A head older than the one saved: the log went backwards.
    let older = tree.root(60).unwrap();
    let err = verify_consistency(
        80,
        saved,
        60,
        older,
        &tree.consistency_proof(60, 80).unwrap(),
    )
    .unwrap_err();
    assert_eq!(err.code.as_str(), "NEWTON_ERR_LOG_VERIFICATION");
    // Truncated to 70 and grown again to 100 with other entries: not an extension of the saved head.
    let mut regrown = entries[..70].to_vec();
    regrown.extend((1000..1030).map(entry));
    let forked = tree_of(&regrown);
    let proof = forked.consistency_proof(80, 100).unwrap();
    assert!(verify_consistency(80, saved, 100, forked.root(100).unwrap(), &proof).is_err());
    assert!(!rfc9162::verify_consistency(
        80,
        100,
        saved.0,
        forked.root(100).unwrap().0,
        &hashes(&proof)
    ));
}

#[test]
fn leaf_hash_is_sha256_of_0x00_and_the_entry() {
    assert_eq!(leaf_hash(b"abc").0, rfc9162::leaf(b"abc"));
}
