//! The rogue-key attack on same-message aggregation, and why registries must require PoP.
//!
//! With an honest key pk_1 registered, an attacker who knows only x publishes
//! pk_r = g^x − pk_1. The aggregate pk_1 + pk_r is g^x, so the attacker alone produces a
//! signature that FastAggregateVerify accepts "from both". The attacker cannot know
//! sk_r = x − sk_1, so pk_r has no valid proof of possession: a registry that stores only keys
//! whose PoP verifies never admits pk_r.

use newton_bls::{
    aggregate_public_keys, aggregate_signatures, aggregate_verify, batch_verify,
    fast_aggregate_verify, PublicKey, SecretKey, Signature, POP_DST,
};
use newton_core::{ErrorCode, Result};

/// The registry rule: a key is admitted only with a valid proof of possession.
fn register(pk_bytes: &[u8], pop: &Signature) -> Result<PublicKey> {
    let pk = PublicKey::from_bytes(pk_bytes)?;
    pk.verify_possession(pop)?;
    Ok(pk)
}

/// −P for a compressed G1 point: the same x with the y-sign flag (0x20) flipped.
fn negate(pk: &PublicKey) -> PublicKey {
    let mut bytes = pk.to_bytes();
    bytes[0] ^= 0x20;
    PublicKey::from_bytes(&bytes).expect("−P is a valid key")
}

#[test]
fn rogue_key_passes_fast_aggregate_verify_but_has_no_pop() {
    let sk_1 = SecretKey::from_ikm(&[1u8; 32]).expect("ikm");
    let pk_1 = register(&sk_1.public_key().to_bytes(), &sk_1.prove_possession())
        .expect("honest key registers");

    let sk_x = SecretKey::from_ikm(&[7u8; 32]).expect("ikm");
    let g_x = sk_x.public_key();
    let pk_r = aggregate_public_keys(&[g_x, negate(&pk_1)]).expect("g^x − pk_1");
    assert_eq!(aggregate_public_keys(&[pk_1, pk_r]).expect("sum"), g_x);

    // The attack: one signature by x alone passes as "pk_1 and pk_r both signed m".
    let m = b"approve task 42";
    let sig_x = sk_x.sign(m);
    assert!(fast_aggregate_verify(&[pk_1, pk_r], m, &sig_x));

    // The defence: no PoP the attacker can make verifies for pk_r.
    let attempts = [
        sk_x.prove_possession(), // PoP of g^x
        sk_1.prove_possession(), // replayed honest PoP
        Signature::from_bytes(
            &blst::min_pk::SecretKey::from_bytes(&sk_x.to_bytes())
                .expect("sk")
                .sign(&pk_r.to_bytes(), POP_DST, &[])
                .to_bytes(),
        )
        .expect("sig"), // x signing pk_r
        sk_x.sign(&pk_r.to_bytes()), // wrong DST
    ];
    for pop in &attempts {
        let err = register(&pk_r.to_bytes(), pop).expect_err("rogue key must not register");
        assert_eq!(err.code, ErrorCode::BlsPopInvalid);
    }
}

#[test]
fn keys_that_cancel_out_never_verify() {
    let sk = SecretKey::from_ikm(&[3u8; 32]).expect("ikm");
    let pk = sk.public_key();
    let infinity = Signature::from_bytes(&{
        let mut b = [0u8; 96];
        b[0] = 0xc0;
        b
    })
    .expect("infinity signature parses");
    assert_eq!(
        aggregate_public_keys(&[pk, negate(&pk)])
            .expect_err("cancels")
            .code,
        ErrorCode::BlsKeyInvalid
    );
    assert!(!fast_aggregate_verify(&[pk, negate(&pk)], b"m", &infinity));
    assert!(!infinity.verify(&pk, b"m"));
}

/// The forged pair (S1 + S′, S2 − S′) passes naive aggregate verification — its sum is
/// S1 + S2 — but random-scalar batch verification rejects it.
#[test]
fn forged_batch_passes_naive_aggregation_only() {
    let sks: Vec<SecretKey> = (1..=2u8)
        .map(|i| SecretKey::from_ikm(&[i; 32]).expect("ikm"))
        .collect();
    let pks: Vec<PublicKey> = sks.iter().map(SecretKey::public_key).collect();
    let msgs = [b"m1".to_vec(), b"m2".to_vec()];
    let s_prime = SecretKey::from_ikm(&[9u8; 32]).expect("ikm").sign(b"junk");
    let minus_s_prime = Signature::from_bytes(&{
        let mut b = s_prime.to_bytes();
        b[0] ^= 0x20; // −S′: the G2 y-sign flag
        b
    })
    .expect("−S′");
    let forged = [
        aggregate_signatures(&[sks[0].sign(&msgs[0]), s_prime]).expect("S1 + S′"),
        aggregate_signatures(&[sks[1].sign(&msgs[1]), minus_s_prime]).expect("S2 − S′"),
    ];
    assert!(!forged[0].verify(&pks[0], &msgs[0]));
    assert!(aggregate_verify(
        &pks,
        &msgs,
        &aggregate_signatures(&forged).expect("sum")
    ));
    let items: Vec<_> = (0..2)
        .map(|i| (pks[i], msgs[i].as_slice(), forged[i]))
        .collect();
    assert!(!batch_verify(&items));
}
