//! Signatures.

use crate::dst::{raw, AUG, PK_VALIDATE, SIGNATURE_LEN, SIG_DST, SIG_GROUPCHECK};
use crate::error::{bad_length, from_blst};
use crate::{fmt_hex, PublicKey};
use blst::BLST_ERROR;
use newton_core::Result;

/// A BLS signature: a G2 point in the prime-order subgroup. The point at infinity parses (it
/// is the valid aggregate of nothing-signs) but verifies against no valid public key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    pub(crate) point: raw::Signature,
}

impl Signature {
    /// Parses a 96-byte compressed signature and subgroup-checks it, once.
    pub fn from_bytes(bytes: &[u8]) -> Result<Signature> {
        if bytes.len() != SIGNATURE_LEN {
            return Err(bad_length("signature", SIGNATURE_LEN, bytes));
        }
        let point = raw::Signature::uncompress(bytes).map_err(|e| from_blst(e, "signature"))?;
        point
            .validate(false)
            .map_err(|e| from_blst(e, "signature"))?;
        Ok(Signature { point })
    }

    pub fn to_bytes(&self) -> [u8; SIGNATURE_LEN] {
        self.point.compress()
    }

    /// Verify: whether this signs `msg` under `pk` with the ciphersuite DST.
    pub fn verify(&self, pk: &PublicKey, msg: &[u8]) -> bool {
        self.point
            .verify(SIG_GROUPCHECK, msg, SIG_DST, AUG, &pk.point, PK_VALIDATE)
            == BLST_ERROR::BLST_SUCCESS
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
    /// 96-byte compressed point on the curve (not necessarily in the subgroup).
    pub fn from_bytes(bytes: &[u8]) -> Result<SignatureShare> {
        if bytes.len() != SIGNATURE_LEN {
            return Err(bad_length("signature", SIGNATURE_LEN, bytes));
        }
        let point = raw::Signature::uncompress(bytes).map_err(|e| from_blst(e, "signature"))?;
        Ok(SignatureShare { point })
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
