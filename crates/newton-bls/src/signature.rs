//! Signatures.

use crate::dst::{raw, SIGNATURE_LEN, SIGNATURE_UNCOMPRESSED_LEN, SIG_DST};
use crate::error::from_blst;
use crate::{fmt_hex, PublicKey};
use blst::BLST_ERROR;
use newton_core::{Error, ErrorCode, Result};

/// A BLS signature: a G2 point in the prime-order subgroup. The point at infinity parses (it
/// is the valid aggregate of nothing-signs) but verifies against no valid public key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    pub(crate) point: raw::Signature,
}

impl Signature {
    /// Parses a signature, 96 bytes compressed or 192 uncompressed, and subgroup-checks it, once.
    pub fn from_bytes(bytes: &[u8]) -> Result<Signature> {
        let point = decode(bytes)?;
        point
            .validate(false)
            .map_err(|e| from_blst(e, "signature"))?;
        Ok(Signature { point })
    }

    pub fn to_bytes(&self) -> [u8; SIGNATURE_LEN] {
        self.point.compress()
    }

    /// The uncompressed form, which a [`SignatureShare`] decodes without a square root.
    pub fn to_uncompressed_bytes(&self) -> [u8; SIGNATURE_UNCOMPRESSED_LEN] {
        self.point.serialize()
    }

    /// Verify: whether this signs `msg` under `pk` with the ciphersuite DST.
    pub fn verify(&self, pk: &PublicKey, msg: &[u8]) -> bool {
        crate::pairing::verify(&pk.point, &self.point, msg, SIG_DST)
    }
}

/// A signature decoded onto the curve but not yet subgroup-checked. Only
/// [`aggregate_shares`](crate::aggregate_shares) takes it, and it checks the aggregate: the
/// subgroup check that verification needs then runs once per aggregate, not once per share.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SignatureShare {
    pub(crate) point: raw::Signature,
}

impl SignatureShare {
    /// A point on the curve (not necessarily in the subgroup): 96 bytes compressed, or 192
    /// uncompressed, which skips the square root that decompression takes (≈20 µs).
    pub fn from_bytes(bytes: &[u8]) -> Result<SignatureShare> {
        decode(bytes).map(|point| SignatureShare { point })
    }
}

impl std::fmt::Debug for SignatureShare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fmt_hex(f, "SignatureShare", &self.point.compress())
    }
}

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fmt_hex(f, "Signature", &self.to_bytes())
    }
}

/// A G2 point on the curve: 96 bytes compressed, or 192 uncompressed (no square root taken).
fn decode(bytes: &[u8]) -> Result<raw::Signature> {
    match bytes.len() {
        SIGNATURE_LEN => raw::Signature::uncompress(bytes),
        // blst would decode a compression-flagged input from its first half alone.
        SIGNATURE_UNCOMPRESSED_LEN if bytes[0] & 0x80 == 0 => raw::Signature::deserialize(bytes),
        SIGNATURE_UNCOMPRESSED_LEN => Err(BLST_ERROR::BLST_BAD_ENCODING),
        n => {
            return Err(Error::new(
                ErrorCode::BlsBadEncoding,
                format!("a BLS signature is {SIGNATURE_LEN} bytes compressed or {SIGNATURE_UNCOMPRESSED_LEN} uncompressed, got {n}"),
            ))
        }
    }
    .map_err(|e| from_blst(e, "signature"))
}
