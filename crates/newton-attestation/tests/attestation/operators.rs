//! The operator registry: PoP-gated registration, lookups, totals and the operator set file.

use crate::fixtures::{registry, stake, Signer};
use alloy_primitives::{hex, B256, U256};
use newton_attestation::OperatorRegistry;
use newton_bls::{aggregate_public_keys, fast_aggregate_verify, PublicKey, SecretKey};
use newton_core::ErrorCode;
use serde_json::json;

/// The negation of a compressed G1 point: flip the sign-of-y flag.
fn negate(key: &PublicKey) -> PublicKey {
    let mut bytes = key.to_bytes();
    bytes[0] ^= 0x20;
    PublicKey::from_bytes(&bytes).unwrap()
}

#[test]
fn rogue_key_is_refused_at_registration() {
    let mut registry = OperatorRegistry::new();
    let honest = Signer::new(1);
    honest.register(&mut registry, stake(0, 1000));

    // pk_r = g^x − pk_honest: the pair {pk_honest, pk_r} sums to g^x, so the attacker alone
    // could forge a "joint" signature if pk_r were admitted without a proof of possession.
    let attacker = SecretKey::from_ikm(&[9u8; 32]).unwrap();
    let rogue =
        aggregate_public_keys(&[attacker.public_key(), negate(&honest.key.public_key())]).unwrap();
    let message = b"consensus digest";
    let forged = attacker.sign(message);
    assert!(fast_aggregate_verify(&[honest.key.public_key(), rogue], message, &forged));

    // The attacker cannot prove possession of pk_r: every proof it can make is refused.
    let rogue_id = B256::repeat_byte(0x66);
    for pop in [attacker.prove_possession(), attacker.sign(&rogue.to_bytes())] {
        let err = registry
            .register(rogue_id, &rogue.to_bytes(), &pop.to_bytes(), stake(0, 1000))
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::BlsPopInvalid, "{err}");
        assert!(err.message.contains(&rogue_id.to_string()), "{err}");
    }
    assert_eq!(registry.len(), 1);
    assert_eq!(registry.total_stake(0), U256::from(1000u64));
    assert!(registry.get(&rogue_id).is_none());
}

#[test]
fn malformed_keys_and_proofs_keep_their_bls_codes() {
    let mut registry = OperatorRegistry::new();
    let signer = Signer::new(1);
    let key = signer.key.public_key().to_bytes();
    let pop = signer.key.prove_possession().to_bytes();
    let id = signer.id;

    let err = registry.register(id, &key[..47], &pop, stake(0, 1)).unwrap_err();
    assert_eq!(err.code, ErrorCode::BlsBadEncoding);
    let mut infinity = [0u8; 48];
    infinity[0] = 0xc0;
    let err = registry.register(id, &infinity, &pop, stake(0, 1)).unwrap_err();
    assert_eq!(err.code, ErrorCode::BlsKeyInvalid);
    let err = registry.register(id, &key, &pop[..95], stake(0, 1)).unwrap_err();
    assert_eq!(err.code, ErrorCode::BlsBadEncoding);
    let other_pop = Signer::new(2).key.prove_possession().to_bytes();
    let err = registry.register(id, &key, &other_pop, stake(0, 1)).unwrap_err();
    assert_eq!(err.code, ErrorCode::BlsPopInvalid);
    assert!(registry.is_empty());

    registry.register(id, &key, &pop, stake(0, 1)).unwrap();
    assert_eq!(registry.len(), 1);
}

#[test]
fn ids_and_keys_register_once() {
    let (mut registry, signers) = registry(&[10, 20]);
    let key = signers[0].key.public_key().to_bytes();
    let pop = signers[0].key.prove_possession().to_bytes();
    let err = registry.register(signers[0].id, &key, &pop, stake(0, 5)).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidArgument);
    let err = registry.register(B256::repeat_byte(1), &key, &pop, stake(0, 5)).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidArgument);
    assert!(err.message.contains("already registered"), "{err}");
    assert_eq!(registry.len(), 2);
    assert_eq!(registry.total_stake(0), U256::from(30u64));
}

#[test]
fn totals_never_overflow() {
    let mut registry = OperatorRegistry::new();
    Signer::new(1).register(&mut registry, [(0, U256::MAX)].into());
    let late = Signer::new(2);
    let pop = late.key.prove_possession().to_bytes();
    let err = registry
        .register(late.id, &late.key.public_key().to_bytes(), &pop, [(0, U256::from(1u8))].into())
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidArgument);
    assert_eq!(registry.total_stake(0), U256::MAX);
    assert_eq!(registry.len(), 1);
}

#[test]
fn lookups_and_totals_per_quorum() {
    let mut registry = OperatorRegistry::new();
    let (a, b) = (Signer::new(1), Signer::new(2));
    a.register(&mut registry, [(0, U256::from(100u64)), (1, U256::from(5u64))].into());
    b.register(&mut registry, stake(0, 300));
    assert_eq!(registry.total_stake(0), U256::from(400u64));
    assert_eq!(registry.total_stake(1), U256::from(5u64));
    assert_eq!(registry.total_stake(2), U256::ZERO);
    let op = registry.operator(&a.id).unwrap();
    assert_eq!(op.id(), a.id);
    assert_eq!(op.public_key(), &a.key.public_key());
    assert_eq!(op.stake(1), U256::from(5u64));
    assert_eq!(op.stake(9), U256::ZERO);
    assert_eq!(op.stakes().len(), 2);
    let err = registry.operator(&B256::ZERO).err().unwrap();
    assert_eq!(err.code, ErrorCode::OperatorUnknown);
    let mut ids: Vec<B256> = vec![a.id, b.id];
    ids.sort();
    assert_eq!(registry.iter().map(|op| op.id()).collect::<Vec<_>>(), ids);
}

#[test]
fn operator_set_file_round_trips_and_verifies_every_proof() {
    let (registry, signers) = registry(&[1000, 2500]);
    let text = registry.to_json().unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let first = value
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["operator_id"] == json!(signers[0].id))
        .unwrap();
    assert_eq!(first["stake"], json!({"0": "1000"}));
    assert_eq!(
        first["public_key"],
        json!(hex::encode_prefixed(signers[0].key.public_key().to_bytes()))
    );
    assert_eq!(first["proof_of_possession"].as_str().unwrap().len(), 2 + 192);

    let loaded = OperatorRegistry::from_json(&text).unwrap();
    assert_eq!(loaded.entries(), registry.entries());
    assert_eq!(loaded.total_stake(0), U256::from(3500u64));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("operators.json");
    std::fs::write(&path, &text).unwrap();
    assert_eq!(OperatorRegistry::load(&path).unwrap().len(), 2);
    let err = OperatorRegistry::load(&dir.path().join("missing.json")).err().unwrap();
    assert_eq!(err.code, ErrorCode::Io);
}

#[test]
fn operator_set_file_accepts_hex_stakes_and_refuses_bad_entries() {
    let signer = Signer::new(3);
    let entry = |pop: &[u8]| {
        json!({
            "operator_id": signer.id,
            "public_key": hex::encode(signer.key.public_key().to_bytes()),
            "proof_of_possession": hex::encode_prefixed(pop),
            "stake": {"0": "0x3e8", "1": 7},
        })
    };
    let good = signer.key.prove_possession().to_bytes();
    let registry = OperatorRegistry::from_json(&json!([entry(&good)]).to_string()).unwrap();
    assert_eq!(registry.total_stake(0), U256::from(1000u64));
    assert_eq!(registry.total_stake(1), U256::from(7u64));

    let wrong = Signer::new(4).key.prove_possession().to_bytes();
    let other = Signer::new(5);
    let other_entry = json!({
        "operator_id": other.id,
        "public_key": hex::encode_prefixed(other.key.public_key().to_bytes()),
        "proof_of_possession": hex::encode_prefixed(other.key.prove_possession().to_bytes()),
        "stake": {},
    });
    let err = OperatorRegistry::from_json(&json!([other_entry, entry(&wrong)]).to_string())
        .err()
        .unwrap();
    assert_eq!(err.code, ErrorCode::BlsPopInvalid);
    assert!(err.message.starts_with("operator set entry 1: "), "{err}");

    for bad in ["not json", "{}", r#"[{"operator_id": "0x00"}]"#] {
        assert_eq!(
            OperatorRegistry::from_json(bad).err().unwrap().code,
            ErrorCode::InvalidJson,
            "{bad}"
        );
    }
    let mut extra = entry(&good);
    extra["weight"] = json!(1);
    let err = OperatorRegistry::from_json(&json!([extra]).to_string()).err().unwrap();
    assert_eq!(err.code, ErrorCode::InvalidJson);
}
