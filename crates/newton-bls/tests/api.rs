//! Key, signature and aggregation API behaviour beyond the upstream vectors.

use newton_bls::{
    aggregate_public_keys, aggregate_shares, aggregate_signatures, aggregate_verify, batch_verify,
    fast_aggregate_verify, PublicKey, SecretKey, Signature, SignatureShare,
};
use newton_core::ErrorCode;
use std::collections::HashSet;

/// The BLS12-381 group order r, big-endian.
const ORDER: [u8; 32] = [
    0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05,
    0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
];

fn sk(seed: u8) -> SecretKey {
    SecretKey::from_ikm(&[seed; 32]).expect("ikm")
}

#[test]
fn secret_key_bytes_round_trip_and_range() {
    let key = SecretKey::generate();
    let again = SecretKey::from_bytes(&key.to_bytes()).expect("round trip");
    assert_eq!(again.public_key(), key.public_key());
    assert_ne!(SecretKey::generate().public_key(), key.public_key());

    let mut below = ORDER;
    below[31] -= 1;
    assert!(SecretKey::from_bytes(&below).is_ok());
    for bad in [[0u8; 32], ORDER, [0xff; 32]] {
        assert_eq!(
            SecretKey::from_bytes(&bad).expect_err("out of range").code,
            ErrorCode::BlsKeyInvalid
        );
    }
    assert_eq!(
        SecretKey::from_bytes(&[1u8; 31]).expect_err("short").code,
        ErrorCode::BlsBadEncoding
    );
    assert_eq!(
        SecretKey::from_ikm(&[1u8; 31]).expect_err("short ikm").code,
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        sk(5).to_bytes(),
        sk(5).to_bytes(),
        "KeyGen is deterministic"
    );
}

#[test]
fn debug_never_prints_the_secret() {
    let key = sk(9);
    let printed = format!("{key:?}");
    assert_eq!(printed, "SecretKey(<redacted>)");
    assert!(!printed.contains(&hex::encode(key.to_bytes())));
    assert!(format!("{:?}", key.public_key()).starts_with("PublicKey(0x"));
}

#[test]
fn public_keys_are_validated_once_and_compare_by_bytes() {
    let pk = sk(1).public_key();
    let parsed = PublicKey::from_bytes(&pk.to_bytes()).expect("valid key");
    assert_eq!(parsed, pk);
    let set: HashSet<PublicKey> = [pk, parsed, sk(2).public_key()].into_iter().collect();
    assert_eq!(set.len(), 2);
    let mut infinity = [0u8; 48];
    infinity[0] = 0xc0;
    assert_eq!(
        PublicKey::from_bytes(&infinity).expect_err("infinity").code,
        ErrorCode::BlsKeyInvalid
    );
    assert_eq!(
        PublicKey::from_bytes(&pk.to_bytes()[..47])
            .expect_err("short")
            .code,
        ErrorCode::BlsBadEncoding
    );
    assert_eq!(
        Signature::from_bytes(&[0u8; 95]).expect_err("short").code,
        ErrorCode::BlsBadEncoding
    );

    fn thread_safe<T: Clone + Send + Sync + Eq + std::hash::Hash>() {}
    thread_safe::<PublicKey>();
    fn sendable<T: Send + Sync>() {}
    sendable::<SecretKey>();
    sendable::<Signature>();
}

#[test]
fn signatures_round_trip_and_are_domain_separated() {
    let key = sk(3);
    let pk = key.public_key();
    let sig = key.sign(b"msg");
    assert_eq!(
        Signature::from_bytes(&sig.to_bytes()).expect("round trip"),
        sig
    );
    assert!(sig.verify(&pk, b"msg"));
    assert!(!sig.verify(&sk(4).public_key(), b"msg"));

    let pop = key.prove_possession();
    pk.verify_possession(&pop).expect("own PoP");
    // A PoP is not a signature on the key bytes, and a signature on the key bytes is not a PoP.
    assert!(!pop.verify(&pk, &pk.to_bytes()));
    let err = pk
        .verify_possession(&key.sign(&pk.to_bytes()))
        .expect_err("wrong DST");
    assert_eq!(err.code, ErrorCode::BlsPopInvalid);
    assert!(sk(4).public_key().verify_possession(&pop).is_err());
}

#[test]
fn empty_and_malformed_sets_are_rejected() {
    let key = sk(6);
    let pk = key.public_key();
    let sig = key.sign(b"m");
    assert_eq!(
        aggregate_signatures(&[]).expect_err("empty").code,
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        aggregate_public_keys(&[]).expect_err("empty").code,
        ErrorCode::InvalidArgument
    );
    assert!(!fast_aggregate_verify(&[], b"m", &sig));
    assert!(!aggregate_verify::<&[u8]>(&[], &[], &sig));
    assert!(!batch_verify::<&[u8]>(&[]));
    assert!(
        !aggregate_verify(&[pk], &[b"m", b"n"], &sig),
        "length mismatch"
    );

    // AggregateVerify insists on distinct messages, even when the maths would pass.
    let twice = aggregate_signatures(&[sig, sig]).expect("sum");
    assert!(!aggregate_verify(&[pk, pk], &[b"m", b"m"], &twice));
    assert!(fast_aggregate_verify(&[pk, pk], b"m", &twice));
    assert!(fast_aggregate_verify(&[pk], b"m", &sig));
    assert!(batch_verify(&[
        (pk, b"m".as_slice(), sig),
        (pk, b"m".as_slice(), sig)
    ]));
}

#[test]
fn shares_aggregate_to_a_checked_signature() {
    let msg = b"digest";
    let keys: Vec<SecretKey> = (1u8..=4).map(|i| SecretKey::from_ikm(&[i; 32]).expect("ikm")).collect();
    let shares: Vec<SignatureShare> =
        keys.iter().map(|k| SignatureShare::from_bytes(&k.sign(msg).to_bytes()).expect("share")).collect();
    let pks: Vec<PublicKey> = keys.iter().map(SecretKey::public_key).collect();
    let aggregate = aggregate_shares(&shares).expect("aggregate");
    assert!(fast_aggregate_verify(&pks, msg, &aggregate));
    let signatures: Vec<Signature> = keys.iter().map(|k| k.sign(msg)).collect();
    assert_eq!(aggregate, aggregate_signatures(&signatures).expect("aggregate"));
    assert!(aggregate_shares(&[]).is_err());
    assert!(SignatureShare::from_bytes(&[0u8; 95]).is_err());

    // On the curve but outside G2 (vector deserialization_fails_not_in_G2): a share decodes,
    // and the aggregate it poisons is refused by the subgroup check.
    let outside = "8123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let bytes: Vec<u8> = (0..outside.len()).step_by(2).map(|i| u8::from_str_radix(&outside[i..i + 2], 16).expect("hex")).collect();
    let bad = SignatureShare::from_bytes(&bytes).expect("on the curve");
    assert_eq!(Signature::from_bytes(&bytes).expect_err("not in G2").code, ErrorCode::BlsBadEncoding);
    let poisoned = [shares.as_slice(), &[bad]].concat();
    assert_eq!(aggregate_shares(&poisoned).expect_err("subgroup").code, ErrorCode::BlsBadEncoding);
}

#[test]
fn uncompressed_shares_decode_to_the_same_points() {
    let msg = b"digest";
    let signature = sk(7).sign(msg);
    let uncompressed = signature.to_uncompressed_bytes();
    let share = SignatureShare::from_bytes(&uncompressed).expect("uncompressed share");
    assert_eq!(share, SignatureShare::from_bytes(&signature.to_bytes()).expect("compressed share"));
    assert_eq!(aggregate_shares(&[share]).expect("aggregate"), signature);
    let parsed = Signature::from_bytes(&uncompressed).expect("uncompressed signature");
    assert_eq!(parsed, signature);
    assert!(parsed.verify(&sk(7).public_key(), msg));

    // A flipped y coordinate bit leaves the curve; a compression flag on 192 bytes, or any other
    // length, is malformed.
    let mut off_curve = uncompressed;
    off_curve[191] ^= 1;
    assert_eq!(SignatureShare::from_bytes(&off_curve).expect_err("off curve").code, ErrorCode::BlsBadEncoding);
    let mut flagged = uncompressed;
    flagged[0] |= 0x80;
    assert_eq!(SignatureShare::from_bytes(&flagged).expect_err("flag").code, ErrorCode::BlsBadEncoding);
    let err = SignatureShare::from_bytes(&uncompressed[..191]).expect_err("length");
    assert!(err.message.contains("96 bytes compressed or 192 uncompressed"), "{}", err.message);
}
