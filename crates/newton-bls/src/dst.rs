//! The ciphersuite, fixed in one place: the blst variant, the domain-separation tags, the sizes
//! and the group-check flags every blst call passes.

/// min-pk: public keys in G1, signatures in G2.
pub(crate) use blst::min_pk as raw;

/// Signature DST of the proof-of-possession ciphersuite (hash_to_point).
pub const SIG_DST: &[u8] = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
/// Proof-of-possession DST (hash_pubkey_to_point for PopProve / PopVerify).
pub const POP_DST: &[u8] = b"BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

/// A secret key: a 32-byte big-endian scalar.
pub const SECRET_KEY_LEN: usize = 32;
/// A compressed G1 public key.
pub const PUBLIC_KEY_LEN: usize = 48;
/// A compressed G2 signature.
pub const SIGNATURE_LEN: usize = 96;
/// An uncompressed G2 signature (x and y): decoding it takes no square root.
pub const SIGNATURE_UNCOMPRESSED_LEN: usize = 192;

/// Public keys are key-validated (on curve, in G1, not infinity) in `PublicKey::from_bytes`,
/// and every other `PublicKey` is derived from validated points, so blst never re-checks them.
pub(crate) const PK_VALIDATE: bool = false;
/// Signatures are subgroup-checked in `Signature::from_bytes`; signing and aggregation stay in
/// G2, so blst never re-checks them either.
pub(crate) const SIG_GROUPCHECK: bool = false;
/// No message augmentation (the POP ciphersuite signs the message as is).
pub(crate) const AUG: &[u8] = &[];
