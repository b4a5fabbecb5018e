//! Aggregation and multi-signature verification.
//!
//! All verifiers assume their public keys passed PopVerify at registration (rogue-key defence)
//! and return `false` for an empty set, never the `eth_` "empty set + infinity is valid" variant.

use crate::dst::{raw, PK_VALIDATE, SIG_DST, SIG_GROUPCHECK};
use crate::error::from_blst;
use crate::{fill_random, PublicKey, Signature, SignatureShare};
use blst::{blst_scalar, BLST_ERROR};
use newton_core::{Error, ErrorCode, Result};

/// Bits of each random batch-verification scalar.
const RAND_BITS: usize = 64;

/// Aggregate: the sum of `sigs`; an empty list is `InvalidArgument`.
pub fn aggregate_signatures(sigs: &[Signature]) -> Result<Signature> {
    if sigs.is_empty() {
        return Err(Error::invalid_argument(
            "cannot aggregate an empty list of BLS signatures",
        ));
    }
    let points: Vec<&raw::Signature> = sigs.iter().map(|s| &s.point).collect();
    raw::AggregateSignature::aggregate(&points, SIG_GROUPCHECK)
        .map(|agg| Signature {
            point: agg.to_signature(),
        })
        .map_err(|e| from_blst(e, "signatures"))
}

/// The sum of unchecked shares, subgroup-checked once: not in the subgroup → `BlsBadEncoding`.
pub fn aggregate_shares(shares: &[SignatureShare]) -> Result<Signature> {
    if shares.is_empty() {
        return Err(Error::invalid_argument("cannot aggregate an empty list of BLS signatures"));
    }
    let points: Vec<&raw::Signature> = shares.iter().map(|s| &s.point).collect();
    let point = raw::AggregateSignature::aggregate(&points, false)
        .map_err(|e| from_blst(e, "signatures"))?
        .to_signature();
    point.validate(false).map_err(|e| from_blst(e, "aggregate signature"))?;
    Ok(Signature { point })
}

/// The sum of `pks`; an empty list is `InvalidArgument`, and a sum at infinity (keys that
/// cancel out) is `BlsKeyInvalid`.
pub fn aggregate_public_keys(pks: &[PublicKey]) -> Result<PublicKey> {
    if pks.is_empty() {
        return Err(Error::invalid_argument(
            "cannot aggregate an empty list of BLS public keys",
        ));
    }
    let points: Vec<&raw::PublicKey> = pks.iter().map(|pk| &pk.point).collect();
    let sum = raw::AggregatePublicKey::aggregate(&points, PK_VALIDATE)
        .map(|agg| PublicKey::from_point(agg.to_public_key()))
        .map_err(|e| from_blst(e, "public keys"))?;
    if sum.is_infinity() {
        return Err(Error::new(
            ErrorCode::BlsKeyInvalid,
            "the aggregate BLS public key is the point at infinity",
        ));
    }
    Ok(sum)
}

/// FastAggregateVerify: whether `sig` is every key in `pks` signing the same `msg`.
/// An empty `pks` is `false`. Keys must be PoP-verified.
pub fn fast_aggregate_verify(pks: &[PublicKey], msg: &[u8], sig: &Signature) -> bool {
    if pks.is_empty() {
        return false;
    }
    aggregate_public_keys(pks).is_ok_and(|key| sig.verify(&key, msg))
}

/// AggregateVerify: whether `sig` is `pks[i]` signing `msgs[i]` for every i. The messages must be
/// pairwise distinct (same-message sets belong to [`fast_aggregate_verify`]); an empty set,
/// mismatched lengths or a repeated message is `false`.
pub fn aggregate_verify<M: AsRef<[u8]>>(pks: &[PublicKey], msgs: &[M], sig: &Signature) -> bool {
    if pks.is_empty() || pks.len() != msgs.len() {
        return false;
    }
    let msgs: Vec<&[u8]> = msgs.iter().map(AsRef::as_ref).collect();
    if !blst::uniq(&msgs) {
        return false;
    }
    let points: Vec<&raw::PublicKey> = pks.iter().map(|pk| &pk.point).collect();
    sig.point
        .aggregate_verify(SIG_GROUPCHECK, &msgs, SIG_DST, &points, PK_VALIDATE)
        == BLST_ERROR::BLST_SUCCESS
}

/// Verifies many `(public key, message, signature)` triples at once with random 64-bit
/// scalars (random linear combination), so a set whose errors cancel out (S1+S′, S2−S′)
/// is rejected. `true` only if every triple verifies; an empty batch is `false`.
///
/// # Panics
/// If the OS random number generator fails.
pub fn batch_verify<M: AsRef<[u8]>>(items: &[(PublicKey, M, Signature)]) -> bool {
    if items.is_empty() {
        return false;
    }
    let mut seed = vec![0u8; 8 * items.len()];
    fill_random(&mut seed);
    let rands: Vec<blst_scalar> = seed
        .chunks_exact(8)
        .map(|chunk| {
            let mut b = [0u8; 32];
            b[..8].copy_from_slice(chunk);
            // A zero scalar would drop its triple from the check (odds 2^-64): never allow it.
            if chunk.iter().all(|&x| x == 0) {
                b[0] = 1;
            }
            blst_scalar { b }
        })
        .collect();
    let msgs: Vec<&[u8]> = items.iter().map(|(_, m, _)| m.as_ref()).collect();
    let pks: Vec<&raw::PublicKey> = items.iter().map(|(pk, _, _)| &pk.point).collect();
    let sigs: Vec<&raw::Signature> = items.iter().map(|(_, _, s)| &s.point).collect();
    raw::Signature::verify_multiple_aggregate_signatures(
        &msgs,
        SIG_DST,
        &pks,
        PK_VALIDATE,
        &sigs,
        SIG_GROUPCHECK,
        &rands,
        RAND_BITS,
    ) == BLST_ERROR::BLST_SUCCESS
}
