//! Signed tree heads: the gateway's EIP-712 signature over `SignedTreeHead {treeSize, rootHash,
//! timestamp}` (domain `{name: "Newton Decision Log", version: "1"}`) with its secp256k1 key, so
//! viem's `recoverTypedDataAddress` checks them as this crate does.

use alloy_primitives::{Address, Signature, B256};
use alloy_sol_types::{eip712_domain, Eip712Domain, SolStruct};
use k256::ecdsa::SigningKey;
use newton_core::{Error, ErrorCode, Result};

alloy_sol_types::sol! {
    /// The log's state at one size: its RFC 9162 root hash and when the gateway saw it (unix ms).
    struct SignedTreeHead { uint64 treeSize; bytes32 rootHash; uint64 timestamp; }
}

const DOMAIN: Eip712Domain = eip712_domain! { name: "Newton Decision Log", version: "1", };

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreeHead {
    pub tree_size: u64,
    pub root_hash: B256,
    pub timestamp: u64,
}

/// The EIP-712 signing hash of `head`.
pub fn tree_head_digest(head: &TreeHead) -> B256 {
    SignedTreeHead {
        treeSize: head.tree_size,
        rootHash: head.root_hash,
        timestamp: head.timestamp,
    }
    .eip712_signing_hash(&DOMAIN)
}

/// A 65-byte signature (`r ‖ s ‖ v`, v = 27 or 28) of `head` with `secret_key`.
pub fn sign_tree_head(secret_key: &[u8], head: &TreeHead) -> Result<[u8; 65]> {
    let invalid =
        || Error::invalid_argument("the gateway key is not a 32-byte secp256k1 secret key");
    let key = <&[u8; 32]>::try_from(secret_key)
        .ok()
        .and_then(|bytes| SigningKey::from_bytes(bytes.into()).ok())
        .ok_or_else(invalid)?;
    let (signature, recovery) = key
        .sign_prehash_recoverable(tree_head_digest(head).as_slice())
        .map_err(|e| Error::internal(format!("signing the tree head failed: {e}")))?;
    let mut out = [0u8; 65];
    out[..64].copy_from_slice(&signature.to_bytes());
    out[64] = 27 + recovery.to_byte();
    Ok(out)
}

/// The address that signed `head`; NEWTON_ERR_LOG_VERIFICATION when the signature is malformed.
pub fn recover_tree_head_signer(head: &TreeHead, signature: &[u8]) -> Result<Address> {
    let bad = |what: &str| {
        Error::new(
            ErrorCode::LogVerification,
            format!("the tree head signature {what}"),
        )
    };
    let signature =
        Signature::from_raw(signature).map_err(|_| bad("is not 65 bytes of r, s and v"))?;
    signature
        .recover_address_from_prehash(&tree_head_digest(head))
        .map_err(|_| bad("does not recover to an address"))
}
