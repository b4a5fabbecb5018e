//! SecureEnvelope and Keyring: wire form, AAD binding and the distinct failure codes.

use alloy_primitives::{address, keccak256, Address, B256};
use hpke::{Deserializable, OpModeR};
use newton_core::ErrorCode;
use newton_privacy::suite::{Aead, EncappedKey, Kdf, Kem, PrivateKey, INFO};
use newton_privacy::{Keyring, RecipientKeyPair, SecureEnvelope};
use newton_types::hash::privacy_aad;
use serde_json::Value;

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../test/vectors/newton/vectors.json"
);
const PC: Address = address!("1234567890abcdef1234567890abcdef12345678");
const CHAIN: u64 = 11155111;
const CANARY: &[u8] = b"CANARY-7f3e-do-not-leak";

fn sealed(pair: &RecipientKeyPair) -> SecureEnvelope {
    SecureEnvelope::seal(CANARY, &pair.public_key_bytes(), PC, CHAIN).expect("seal")
}

/// The envelope JSON with `field` replaced by `value`, parsed back.
fn edited(env: &SecureEnvelope, field: &str, value: Value) -> SecureEnvelope {
    let mut v: Value = serde_json::from_str(&env.to_json()).expect("json");
    v[field] = value;
    SecureEnvelope::from_json(&v.to_string()).expect("still well-formed")
}

fn code<T: std::fmt::Debug>(r: newton_core::Result<T>) -> ErrorCode {
    r.expect_err("must fail").code
}

#[test]
fn round_trip_and_wire_form() {
    let pair = RecipientKeyPair::generate();
    let env = sealed(&pair);
    let json = env.to_json();
    let v: serde_json::Map<String, Value> = serde_json::from_str(&json).expect("json");
    let order = [
        "enc",
        "ciphertext",
        "policy_client",
        "chain_id",
        "recipient_pubkey",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|k| json.find(&format!("\"{k}\":")).expect(k))
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]) && at[0] == 1,
        "field order in the bytes: {json}"
    );
    assert_eq!(v.len(), order.len());
    assert_eq!(v["enc"].as_str().map(str::len), Some(64));
    assert_eq!(
        v["ciphertext"].as_str().map(str::len),
        Some(2 * (CANARY.len() + 16))
    );
    assert_eq!(v["recipient_pubkey"], hex::encode(pair.public_key_bytes()));
    assert_eq!(v["policy_client"], PC.to_checksum(None));
    assert_eq!(v["chain_id"], CHAIN);
    let back = SecureEnvelope::from_json(&json).expect("parse");
    assert_eq!(back, env);
    assert_eq!(back.to_json(), json);
    assert_eq!(back.open(&pair).expect("open"), CANARY);
    assert_eq!((back.policy_client(), back.chain_id()), (PC, CHAIN));
    // Fresh ephemeral key per seal.
    assert_ne!(sealed(&pair).to_json(), json);
}

#[test]
fn aad_vector_binds_the_envelope() {
    let all: Value =
        serde_json::from_str(&std::fs::read_to_string(VECTORS).expect("read")).expect("json");
    let vector = &all["privacy_aad"][0];
    let pc: Address = vector["policy_client"]
        .as_str()
        .expect("pc")
        .parse()
        .expect("address");
    let chain = vector["chain_id"].as_u64().expect("chain");
    let value: B256 = vector["value"]
        .as_str()
        .expect("value")
        .parse()
        .expect("b256");
    let preimage = hex::decode(
        vector["preimage_hex"]
            .as_str()
            .expect("pre")
            .trim_start_matches("0x"),
    )
    .expect("hex");
    assert_eq!(keccak256(&preimage), value);
    assert_eq!(privacy_aad(pc, chain), value);

    // The envelope's ciphertext opens under exactly the vector's AAD.
    let pair = RecipientKeyPair::from_secret_bytes(&[7u8; 32]).expect("key");
    let env = SecureEnvelope::seal(CANARY, &pair.public_key_bytes(), pc, chain).expect("seal");
    let v: Value = serde_json::from_str(&env.to_json()).expect("json");
    let field = |k: &str| hex::decode(v[k].as_str().expect(k)).expect(k);
    let sk = PrivateKey::from_bytes(&pair.secret_bytes()[..]).expect("sk");
    let enc = EncappedKey::from_bytes(&field("enc")).expect("enc");
    let open = |aad: &[u8]| {
        hpke::single_shot_open::<Aead, Kdf, Kem>(
            &OpModeR::Base,
            &sk,
            &enc,
            INFO,
            &field("ciphertext"),
            aad,
        )
    };
    assert_eq!(open(value.as_slice()).expect("vector AAD opens"), CANARY);
    assert!(open(privacy_aad(pc, chain + 1).as_slice()).is_err());
}

#[test]
fn tampered_ciphertext_and_wrong_aad_fail_to_decrypt() {
    let pair = RecipientKeyPair::generate();
    let env = sealed(&pair);
    let v: Value = serde_json::from_str(&env.to_json()).expect("json");
    let mut ct = hex::decode(v["ciphertext"].as_str().expect("ct")).expect("hex");
    ct[0] ^= 1;
    let tampered = edited(&env, "ciphertext", hex::encode(&ct).into());
    assert_eq!(code(tampered.open(&pair)), ErrorCode::PrivacyDecrypt);

    let other_pc = edited(
        &env,
        "policy_client",
        "0x0000000000000000000000000000000000000001".into(),
    );
    assert_eq!(code(other_pc.open(&pair)), ErrorCode::PrivacyDecrypt);
    let other_chain = edited(&env, "chain_id", (CHAIN + 1).into());
    assert_eq!(code(other_chain.open(&pair)), ErrorCode::PrivacyDecrypt);
    let other_enc = edited(
        &env,
        "enc",
        hex::encode(RecipientKeyPair::generate().public_key_bytes()).into(),
    );
    assert_eq!(code(other_enc.open(&pair)), ErrorCode::PrivacyDecrypt);
}

#[test]
fn wrong_recipient_is_its_own_error() {
    let env = sealed(&RecipientKeyPair::generate());
    assert_eq!(
        code(env.open(&RecipientKeyPair::generate())),
        ErrorCode::PrivacyWrongRecipient
    );
}

#[test]
fn malformed_envelopes_are_invalid() {
    let env = sealed(&RecipientKeyPair::generate());
    let good: Value = serde_json::from_str(&env.to_json()).expect("json");
    let with = |field: &str, value: Value| {
        let mut v = good.clone();
        v[field] = value;
        v.to_string()
    };
    let without = |field: &str| {
        let mut v = good.clone();
        v.as_object_mut().expect("object").remove(field);
        v.to_string()
    };
    let enc = good["enc"].as_str().expect("enc").to_owned();
    let cases = [
        "not json".to_owned(),
        "[]".to_owned(),
        with("enc", format!("0x{enc}").into()),
        with("enc", enc[2..].into()),
        with("enc", "zz".repeat(32).into()),
        with("recipient_pubkey", "00".repeat(31).into()),
        with("ciphertext", "00".repeat(15).into()),
        with("ciphertext", "abc".into()),
        with(
            "policy_client",
            "1234567890abcdef1234567890abcdef12345678".into(),
        ),
        with("policy_client", "0x1234".into()),
        with("chain_id", (-1).into()),
        with("chain_id", "11155111".into()),
        with("extra", 1.into()),
        without("chain_id"),
    ];
    for case in &cases {
        assert_eq!(
            code(SecureEnvelope::from_json(case)),
            ErrorCode::PrivacyEnvelopeInvalid,
            "{case}"
        );
    }
}

#[test]
fn canary_plaintext_never_in_the_json() {
    let pair = RecipientKeyPair::generate();
    let json = sealed(&pair).to_json();
    let canary = std::str::from_utf8(CANARY).expect("utf8");
    assert!(!json.contains(canary));
    assert!(!json.contains(&hex::encode(CANARY)));
    assert!(!json.contains(&hex::encode(&pair.secret_bytes()[..])));
}

#[test]
fn data_ref_id_is_keccak_of_the_json() {
    let env = sealed(&RecipientKeyPair::generate());
    assert_eq!(env.data_ref_id(), keccak256(env.to_json().as_bytes()));
    assert_eq!(
        SecureEnvelope::from_json(&env.to_json())
            .expect("parse")
            .data_ref_id(),
        env.data_ref_id()
    );
}

#[test]
fn check_context_names_the_mismatch() {
    let env = sealed(&RecipientKeyPair::generate());
    assert!(env.check_context(PC, CHAIN).is_ok());
    assert_eq!(
        code(env.check_context(Address::ZERO, CHAIN)),
        ErrorCode::PrivacyPolicyClientMismatch
    );
    assert_eq!(code(env.check_context(PC, 1)), ErrorCode::PrivacyAadMismatch);
}

#[test]
fn keys_never_print_their_secret() {
    let pair = RecipientKeyPair::from_secret_bytes(&[0x42; 32]).expect("key");
    let shown = format!("{pair:?}");
    assert!(shown.contains(&hex::encode(pair.public_key_bytes())));
    assert!(!shown.contains(&hex::encode(&pair.secret_bytes()[..])));
    assert!(!shown.contains("4242"));
    let again = RecipientKeyPair::from_secret_bytes(&pair.secret_bytes()).expect("key");
    assert_eq!(again.public_key_bytes(), pair.public_key_bytes());
}

#[test]
fn bad_recipient_key_is_rejected_at_seal() {
    // The all-zero X25519 point gives an all-zero shared secret, which HPKE refuses.
    let err = SecureEnvelope::seal(CANARY, &[0u8; 32], PC, CHAIN).expect_err("low-order key");
    assert_eq!(err.code, ErrorCode::InvalidArgument);
}

#[test]
fn keyring_rotation_retirement_and_unknown_keys() {
    let (k1, k2, k3) = (
        RecipientKeyPair::generate(),
        RecipientKeyPair::generate(),
        RecipientKeyPair::generate(),
    );
    let (p1, p2) = (k1.public_key_bytes(), k2.public_key_bytes());
    let old = sealed(&k1);
    let mut ring = Keyring::new(k1);
    assert_eq!(ring.open(&old).expect("current"), CANARY);

    ring.rotate(k2);
    assert_eq!(ring.current().public_key_bytes(), p2);
    let new =
        SecureEnvelope::seal(CANARY, &ring.current().public_key_bytes(), PC, CHAIN).expect("seal");
    assert_eq!(ring.open(&new).expect("new key"), CANARY);
    assert_eq!(ring.open(&old).expect("previous key still opens"), CANARY);

    assert_eq!(code(ring.retire(&p2)), ErrorCode::InvalidArgument);
    assert_eq!(
        code(ring.retire(&k3.public_key_bytes())),
        ErrorCode::InvalidArgument
    );
    ring.retire(&p1).expect("retire");
    assert_eq!(code(ring.open(&old)), ErrorCode::PrivacyKeyRetired);
    assert_eq!(code(ring.retire(&p1)), ErrorCode::InvalidArgument);
    assert_eq!(
        code(ring.open(&sealed(&k3))),
        ErrorCode::PrivacyWrongRecipient
    );
    assert_eq!(ring.open(&new).expect("current still opens"), CANARY);
    assert!(!format!("{ring:?}").contains(&hex::encode(&k3.secret_bytes()[..])));
}
