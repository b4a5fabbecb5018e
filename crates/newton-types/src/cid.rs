//! IPFS content ids of policy files: CIDv1, `raw` codec, sha2-256, base32 (`bafkrei…`).

use crate::base32;
use sha2::{Digest, Sha256};

/// CID version 1, multicodec `raw` (0x55), multihash sha2-256 (0x12) of 32 (0x20) bytes.
const PREFIX: [u8; 4] = [0x01, 0x55, 0x12, 0x20];

/// The CIDv1 (raw codec, sha2-256, multibase base32 lowercase `b`) of `bytes`.
pub fn cid_v1_raw(bytes: &[u8]) -> String {
    let mut binary = PREFIX.to_vec();
    binary.extend_from_slice(&Sha256::digest(bytes));
    format!("b{}", base32::encode_lower_nopad(&binary))
}

/// Whether `cid` is exactly the [`cid_v1_raw`] of `bytes`.
pub fn verify_cid_v1_raw(cid: &str, bytes: &[u8]) -> bool {
    cid == cid_v1_raw(bytes)
}
