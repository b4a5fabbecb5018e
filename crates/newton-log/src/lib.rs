//! The gateway's decision log, in the style of Certificate Transparency (RFC 9162): every task
//! outcome becomes a canonical [`LogEntry`] (hashes only, never private plaintext), the entries
//! are the leaves of an append-only Merkle tree ([`DecisionTree`], ct-merkle: leaf
//! `SHA-256(0x00 ‖ entry)`, node `SHA-256(0x01 ‖ left ‖ right)`), and the gateway signs tree
//! heads with its secp256k1 key as EIP-712 typed data ([`TreeHead`]).

mod entry;
mod tree;
mod tree_head;

pub use entry::{Decision, LogEntry, Outcome};
pub use tree::{leaf_hash, verify_consistency, verify_inclusion, DecisionTree};
pub use tree_head::{recover_tree_head_signer, sign_tree_head, tree_head_digest, TreeHead};
