//! BLS12-381 signatures for Newton attestations, on `blst`.
//!
//! One ciphersuite only: `BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_` (min-pk: 48-byte G1 public
//! keys, 96-byte G2 signatures), with proofs of possession under
//! `BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_`. Points are validated once, when they are parsed
//! ([`PublicKey::from_bytes`], [`Signature::from_bytes`]), so verification never re-checks them.
//!
//! **Rogue-key defence:** [`fast_aggregate_verify`] is only sound over keys whose proof of
//! possession verified ([`PublicKey::verify_possession`]). A registry must require a valid PoP
//! before it stores a key; see `tests/rogue_key.rs`.
//!
//! [`keystore`] reads and writes EIP-2335 keystores.

mod aggregate;
mod dst;
pub mod encoded;
mod error;
mod keys;
pub mod keystore;
mod pairing;
mod signature;

pub use aggregate::{
    aggregate_public_keys, aggregate_shares, aggregate_signatures, aggregate_verify, batch_verify,
    fast_aggregate_verify,
};
pub use dst::{
    POP_DST, PUBLIC_KEY_LEN, SECRET_KEY_LEN, SIGNATURE_LEN, SIGNATURE_UNCOMPRESSED_LEN, SIG_DST,
};
pub use keys::{PublicKey, SecretKey};
pub use signature::{Signature, SignatureShare};

/// Fills `buf` from the operating system's CSPRNG.
///
/// # Panics
/// If the OS has no randomness to give, which no supported platform does once booted.
fn fill_random(buf: &mut [u8]) {
    if let Err(e) = getrandom::fill(buf) {
        panic!("the OS random number generator failed: {e}");
    }
}

/// Writes `bytes` as lowercase hex, for `Debug` output.
fn fmt_hex(f: &mut std::fmt::Formatter<'_>, name: &str, bytes: &[u8]) -> std::fmt::Result {
    write!(f, "{name}(0x")?;
    bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))?;
    f.write_str(")")
}
