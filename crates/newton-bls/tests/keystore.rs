//! EIP-2335 keystores: the official scrypt and PBKDF2 vectors, round trips and failures.

use newton_bls::keystore::{Kdf, Keystore};
use newton_bls::SecretKey;
use newton_core::ErrorCode;

const PASSWORD: &str = "𝔱𝔢𝔰𝔱𝔭𝔞𝔰𝔰𝔴𝔬𝔯𝔡🔑";
const SECRET: &str = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";
const PUBKEY: &str = "9612d7a727c9d0a22e185a1c768478dfe919cada9266988cb32359c11f2b7b27f4ae4040902382ae2910c15e2b420d07";

/// EIP-2335 "Scrypt Test Vector".
const SCRYPT_VECTOR: &str = r#"{
    "crypto": {
        "kdf": {
            "function": "scrypt",
            "params": {"dklen": 32, "n": 262144, "p": 1, "r": 8,
                       "salt": "d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3"},
            "message": ""
        },
        "checksum": {"function": "sha256", "params": {},
                     "message": "d2217fe5f3e9a1e34581ef8a78f7c9928e436d36dacc5e846690a5581e8ea484"},
        "cipher": {"function": "aes-128-ctr", "params": {"iv": "264daa3f303d7259501c93d997d84fe6"},
                   "message": "06ae90d55fe0a6e9c5c3bc5b170827b2e5cce3929ed3f116c2811e6366dfe20f"}
    },
    "description": "This is a test keystore that uses scrypt to secure the secret.",
    "pubkey": "9612d7a727c9d0a22e185a1c768478dfe919cada9266988cb32359c11f2b7b27f4ae4040902382ae2910c15e2b420d07",
    "path": "m/12381/60/3141592653/589793238",
    "uuid": "1d85ae20-35c5-4611-98e8-aa14a633906f",
    "version": 4
}"#;

/// EIP-2335 "PBKDF2 Test Vector".
const PBKDF2_VECTOR: &str = r#"{
    "crypto": {
        "kdf": {
            "function": "pbkdf2",
            "params": {"dklen": 32, "c": 262144, "prf": "hmac-sha256",
                       "salt": "d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3"},
            "message": ""
        },
        "checksum": {"function": "sha256", "params": {},
                     "message": "8a9f5d9912ed7e75ea794bc5a89bca5f193721d30868ade6f73043c6ea6febf1"},
        "cipher": {"function": "aes-128-ctr", "params": {"iv": "264daa3f303d7259501c93d997d84fe6"},
                   "message": "cee03fde2af33149775b7223e7845e4fb2c8ae1792e5f99fe9ecf474cc8c16ad"}
    },
    "description": "This is a test keystore that uses PBKDF2 to secure the secret.",
    "pubkey": "9612d7a727c9d0a22e185a1c768478dfe919cada9266988cb32359c11f2b7b27f4ae4040902382ae2910c15e2b420d07",
    "path": "m/12381/60/0/0",
    "uuid": "64625def-3331-4eea-ab6f-782f3ed16a83",
    "version": 4
}"#;

const CHEAP: Kdf = Kdf::ScryptWith { n: 16, r: 8, p: 1 };

fn code_of<T: std::fmt::Debug>(r: newton_core::Result<T>) -> ErrorCode {
    r.expect_err("must fail").code
}

#[test]
fn official_vectors_decrypt() {
    for vector in [SCRYPT_VECTOR, PBKDF2_VECTOR] {
        let keystore = Keystore::from_json(vector).expect("vector parses");
        assert_eq!(keystore.pubkey, PUBKEY);
        let sk = keystore.decrypt(PASSWORD).expect("vector decrypts");
        assert_eq!(hex::encode(sk.to_bytes()), SECRET);
        assert_eq!(hex::encode(sk.public_key().to_bytes()), PUBKEY);
        // NFKD maps the Fraktur letters to ASCII: the encoded password is "testpassword🔑".
        assert!(keystore.decrypt("testpassword🔑").is_ok());
        assert_eq!(
            code_of(keystore.decrypt("testpassword")),
            ErrorCode::KeystorePassword
        );
    }
}

#[test]
fn pbkdf2_vector_round_trips_through_json() {
    let keystore = Keystore::from_json(PBKDF2_VECTOR).expect("parses");
    let expected: serde_json::Value = serde_json::from_str(PBKDF2_VECTOR).expect("json");
    let written: serde_json::Value = serde_json::from_str(&keystore.to_json()).expect("json");
    assert_eq!(written, expected);
}

#[test]
fn encrypt_decrypt_round_trip_with_cheap_kdfs() {
    let sk = SecretKey::generate();
    for kdf in [CHEAP, Kdf::Pbkdf2With { c: 16 }] {
        let keystore = Keystore::encrypt(&sk, "correct horse", kdf);
        assert_eq!(keystore.path, "");
        assert_eq!(keystore.pubkey, hex::encode(sk.public_key().to_bytes()));
        let json = keystore.to_json();
        let back = Keystore::from_json(&json).expect("own JSON parses");
        assert_eq!(
            back.decrypt("correct horse").expect("decrypts").to_bytes(),
            sk.to_bytes()
        );
        assert_eq!(
            code_of(back.decrypt("wrong horse")),
            ErrorCode::KeystorePassword
        );
    }
}

#[test]
fn defaults_follow_eip_2335() {
    let sk = SecretKey::generate();
    let json: serde_json::Value =
        serde_json::from_str(&Keystore::encrypt(&sk, "pw", Kdf::Pbkdf2).to_json()).expect("json");
    assert_eq!(json["version"], 4);
    assert_eq!(json["crypto"]["kdf"]["params"]["c"], 262144);
    assert_eq!(json["crypto"]["kdf"]["params"]["prf"], "hmac-sha256");
    assert_eq!(json["crypto"]["checksum"]["function"], "sha256");
    assert_eq!(json["crypto"]["cipher"]["function"], "aes-128-ctr");
    let uuid = json["uuid"].as_str().expect("uuid");
    assert_eq!(uuid.len(), 36);
    assert_eq!(&uuid[14..15], "4", "UUID version 4");
    assert!(
        matches!(&uuid[19..20], "8" | "9" | "a" | "b"),
        "RFC 4122 variant"
    );

    let json: serde_json::Value =
        serde_json::from_str(&Keystore::encrypt(&sk, "pw", Kdf::Scrypt).to_json()).expect("json");
    let params = &json["crypto"]["kdf"]["params"];
    assert_eq!(
        (&params["n"], &params["r"], &params["p"], &params["dklen"]),
        (&262144.into(), &8.into(), &1.into(), &32.into())
    );
}

#[test]
fn password_control_codes_are_stripped() {
    let sk = SecretKey::generate();
    let keystore = Keystore::encrypt(&sk, "pass word", CHEAP);
    for equivalent in [
        "pass\u{7f} word",
        "\u{0}pass word\u{1f}",
        "pa\u{85}ss\u{9f} word\n",
    ] {
        assert!(keystore.decrypt(equivalent).is_ok(), "{equivalent:?}");
    }
    assert_eq!(
        code_of(keystore.decrypt("password")),
        ErrorCode::KeystorePassword,
        "space is kept"
    );
}

#[test]
fn malformed_or_unsupported_keystores_are_invalid() {
    let good: serde_json::Value = serde_json::from_str(SCRYPT_VECTOR).expect("json");
    let mutated = |path: &[&str], value: serde_json::Value| {
        let mut doc = good.clone();
        let mut slot = &mut doc;
        for key in path {
            slot = &mut slot[*key];
        }
        *slot = value;
        Keystore::from_json(&doc.to_string())
    };
    assert_eq!(
        code_of(Keystore::from_json("{")),
        ErrorCode::KeystoreInvalid
    );
    assert_eq!(
        code_of(Keystore::from_json("{}")),
        ErrorCode::KeystoreInvalid
    );
    for (path, value) in [
        (&["version"][..], serde_json::json!(3)),
        (&["crypto", "kdf", "function"], "argon2".into()),
        (&["crypto", "kdf", "params", "n"], 1000.into()),
        (&["crypto", "kdf", "params", "n"], (1u64 << 30).into()),
        (&["crypto", "kdf", "params", "dklen"], 16.into()),
        (&["crypto", "checksum", "function"], "keccak256".into()),
        (&["crypto", "cipher", "function"], "aes-256-gcm".into()),
        (&["crypto", "cipher", "params", "iv"], "264daa".into()),
        (&["crypto", "cipher", "message"], "zz".into()),
        (&["pubkey"], "1234".into()),
    ] {
        assert_eq!(
            code_of(mutated(path, value.clone())),
            ErrorCode::KeystoreInvalid,
            "{path:?} = {value}"
        );
    }
}

#[test]
fn tampering_is_detected() {
    let sk = SecretKey::generate();
    let keystore = Keystore::encrypt(&sk, "pw", CHEAP);
    let mut doc: serde_json::Value = serde_json::from_str(&keystore.to_json()).expect("json");
    let message = doc["crypto"]["cipher"]["message"]
        .as_str()
        .expect("hex")
        .to_owned();
    let flipped = format!(
        "{}{}",
        if message.starts_with('0') { "1" } else { "0" },
        &message[1..]
    );
    doc["crypto"]["cipher"]["message"] = flipped.into();
    let tampered = Keystore::from_json(&doc.to_string()).expect("still well-formed");
    assert_eq!(
        code_of(tampered.decrypt("pw")),
        ErrorCode::KeystorePassword,
        "checksum covers the ciphertext"
    );

    let mut other = keystore.clone();
    other.pubkey = hex::encode(SecretKey::generate().public_key().to_bytes());
    assert_eq!(
        code_of(other.decrypt("pw")),
        ErrorCode::KeystoreInvalid,
        "pubkey must match the secret"
    );
}
