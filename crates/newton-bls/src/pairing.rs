//! One signature check on the calling thread: e(pk, H(m)) · e(g1, −sig) = 1, with one two-pair
//! Miller loop and one final exponentiation. blst's `verify` runs the message's half on its
//! thread pool and waits for it; for a single pair that overlap saves about what the handoff
//! costs (≈850 µs either way on a 2-core VM), and the handoff adds two context switches and a
//! second thread's CPU to every check, so a busy gateway verifies faster without it.

#![allow(unsafe_code)] // blst's C pairing API, which the safe bindings only reach through the pool.

use crate::dst::raw;
use blst::{
    blst_final_exp, blst_fp12, blst_fp12_is_one, blst_fp2_cneg, blst_hash_to_g2,
    blst_miller_loop_n, blst_p1_affine, blst_p1_affine_generator, blst_p1_affine_is_inf, blst_p2,
    blst_p2_affine, blst_p2_affine_is_inf, blst_p2_to_affine,
};
use std::ptr;

/// Whether `sig` signs `msg` under `pk` with the domain separation tag `dst` (no augmentation).
/// Both points must already be validated (on the curve and in the subgroup), as
/// [`crate::PublicKey`] and [`crate::Signature`] are. The identity on either side never verifies.
pub(crate) fn verify(pk: &raw::PublicKey, sig: &raw::Signature, msg: &[u8], dst: &[u8]) -> bool {
    let pk = blst_p1_affine::from(*pk);
    let mut neg_sig = blst_p2_affine::from(*sig);
    // SAFETY: every pointer is to a live, initialised value of the type blst's C API expects;
    // the output arguments are distinct locals.
    unsafe {
        if blst_p1_affine_is_inf(&pk) || blst_p2_affine_is_inf(&neg_sig) {
            return false;
        }
        let y = neg_sig.y;
        blst_fp2_cneg(&mut neg_sig.y, &y, true);
        let mut hashed = blst_p2::default();
        blst_hash_to_g2(
            &mut hashed,
            msg.as_ptr(),
            msg.len(),
            dst.as_ptr(),
            dst.len(),
            ptr::null(),
            0,
        );
        let mut h = blst_p2_affine::default();
        blst_p2_to_affine(&mut h, &hashed);
        let qs: [*const blst_p2_affine; 2] = [&h, &neg_sig];
        let ps: [*const blst_p1_affine; 2] = [&pk, blst_p1_affine_generator()];
        let mut miller = blst_fp12::default();
        blst_miller_loop_n(&mut miller, qs.as_ptr(), ps.as_ptr(), 2);
        let mut gt = blst_fp12::default();
        blst_final_exp(&mut gt, &miller);
        blst_fp12_is_one(&gt)
    }
}
