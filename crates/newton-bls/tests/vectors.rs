//! Every case of ethereum/bls12-381-tests v0.1.2 (plus the unreleased 006855c extras), from
//! `test/vectors/bls`. `output: null` means the operation must fail.

use newton_bls::{
    aggregate_signatures, aggregate_verify, batch_verify, fast_aggregate_verify, PublicKey,
    SecretKey, Signature,
};
use newton_core::ErrorCode;
use serde_json::Value;
use std::path::{Path, PathBuf};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test/vectors/bls");

/// Runs `check` on every case of `handler`, asserting there are `expected` of them.
fn run(handler: &str, expected: usize, check: impl Fn(&str, &Value, &Value)) {
    let dir = Path::new(VECTORS).join(handler);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), expected, "{handler}: case count");
    for path in files {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("file name")
            .to_owned();
        let case: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        check(&name, &case["input"], &case["output"]);
    }
}

fn bytes(v: &Value) -> Vec<u8> {
    let s = v.as_str().expect("hex string");
    hex::decode(s.strip_prefix("0x").unwrap_or(s)).expect("hex")
}

fn list(v: &Value) -> Vec<Vec<u8>> {
    v.as_array().expect("array").iter().map(bytes).collect()
}

/// Parses every public key, or `None` if any is rejected (which makes any verification false).
fn pubkeys(v: &Value) -> Option<Vec<PublicKey>> {
    list(v)
        .iter()
        .map(|b| PublicKey::from_bytes(b).ok())
        .collect()
}

fn expect_bool(name: &str, output: &Value, got: bool) {
    assert_eq!(Some(got), output.as_bool(), "{name}");
}

#[test]
fn sign() {
    run("sign", 10, |name, input, output| {
        let sk = SecretKey::from_bytes(&bytes(&input["privkey"]));
        if output.is_null() {
            assert_eq!(sk.expect_err(name).code, ErrorCode::BlsKeyInvalid, "{name}");
            return;
        }
        let sig = sk.expect(name).sign(&bytes(&input["message"]));
        assert_eq!(sig.to_bytes().to_vec(), bytes(output), "{name}");
    });
}

#[test]
fn verify() {
    run("verify", 29, |name, input, output| {
        let pk = PublicKey::from_bytes(&bytes(&input["pubkey"]));
        let sig = Signature::from_bytes(&bytes(&input["signature"]));
        let got = match (pk, sig) {
            (Ok(pk), Ok(sig)) => sig.verify(&pk, &bytes(&input["message"])),
            _ => false,
        };
        expect_bool(name, output, got);
    });
}

#[test]
fn aggregate() {
    run("aggregate", 6, |name, input, output| {
        let sigs: Vec<Signature> = list(input)
            .iter()
            .map(|b| Signature::from_bytes(b).expect(name))
            .collect();
        let aggregate = aggregate_signatures(&sigs);
        if output.is_null() {
            assert_eq!(
                aggregate.expect_err(name).code,
                ErrorCode::InvalidArgument,
                "{name}"
            );
        } else {
            assert_eq!(
                aggregate.expect(name).to_bytes().to_vec(),
                bytes(output),
                "{name}"
            );
        }
    });
}

#[test]
fn fast_aggregate_verify_cases() {
    run("fast_aggregate_verify", 12, |name, input, output| {
        let got = match (
            pubkeys(&input["pubkeys"]),
            Signature::from_bytes(&bytes(&input["signature"])),
        ) {
            (Some(pks), Ok(sig)) => fast_aggregate_verify(&pks, &bytes(&input["message"]), &sig),
            _ => false,
        };
        expect_bool(name, output, got);
    });
}

#[test]
fn aggregate_verify_cases() {
    run("aggregate_verify", 5, |name, input, output| {
        let msgs = list(&input["messages"]);
        let got = match (
            pubkeys(&input["pubkeys"]),
            Signature::from_bytes(&bytes(&input["signature"])),
        ) {
            (Some(pks), Ok(sig)) => aggregate_verify(&pks, &msgs, &sig),
            _ => false,
        };
        expect_bool(name, output, got);
    });
}

#[test]
fn batch_verify_cases() {
    run("batch_verify", 4, |name, input, output| {
        let sigs: Option<Vec<Signature>> = list(&input["signatures"])
            .iter()
            .map(|b| Signature::from_bytes(b).ok())
            .collect();
        let got = match (pubkeys(&input["pubkeys"]), sigs) {
            (Some(pks), Some(sigs)) => {
                let items: Vec<(PublicKey, Vec<u8>, Signature)> = pks
                    .into_iter()
                    .zip(list(&input["messages"]))
                    .zip(sigs)
                    .map(|((pk, msg), sig)| (pk, msg, sig))
                    .collect();
                batch_verify(&items)
            }
            _ => false,
        };
        expect_bool(name, output, got);
    });
}

/// A G1 case: `true` must parse, except the infinity encoding, which is well-formed but fails
/// KeyValidate (`BlsKeyInvalid`); every `false` is `BlsBadEncoding`.
fn g1_case(name: &str, input: &Value, output: &Value) {
    let parsed = PublicKey::from_bytes(&bytes(&input["pubkey"]));
    match (output.as_bool(), parsed) {
        (Some(true), Ok(_)) => {}
        (Some(true), Err(e)) if name.contains("infinity") => {
            assert_eq!(e.code, ErrorCode::BlsKeyInvalid, "{name}")
        }
        (Some(false), Err(e)) => assert_eq!(e.code, ErrorCode::BlsBadEncoding, "{name}"),
        (_, parsed) => panic!("{name}: expected {output}, got {parsed:?}"),
    }
}

fn g2_case(name: &str, input: &Value, output: &Value) {
    let parsed = Signature::from_bytes(&bytes(&input["signature"]));
    match (output.as_bool(), parsed) {
        (Some(true), Ok(_)) => {}
        (Some(false), Err(e)) => assert_eq!(e.code, ErrorCode::BlsBadEncoding, "{name}"),
        (_, parsed) => panic!("{name}: expected {output}, got {parsed:?}"),
    }
}

#[test]
fn deserialization_g1() {
    run("deserialization_G1", 13, g1_case);
    run("extra_unreleased_006855c/deserialization_G1", 3, g1_case);
}

#[test]
fn deserialization_g2() {
    run("deserialization_G2", 15, g2_case);
    run("extra_unreleased_006855c/deserialization_G2", 3, g2_case);
}

/// blst's hash_to_G2 has no safe Rust entry point, but signing with the secret key 1 returns
/// exactly hash_to_G2(msg, dst): so the RFC 9380 vectors run through blst's `sign`.
#[test]
fn hash_to_g2() {
    const DST: &[u8] = b"QUUX-V01-CS02-with-BLS12381G2_XMD:SHA-256_SSWU_RO_";
    let mut one = [0u8; 32];
    one[31] = 1;
    let sk_one = blst::min_pk::SecretKey::from_bytes(&one).expect("sk = 1");
    run("hash_to_G2", 4, |name, input, output| {
        let msg = input["msg"].as_str().expect("msg").as_bytes();
        // Uncompressed G2 encoding: x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0, 48 bytes each.
        let mut expected = Vec::with_capacity(192);
        for coordinate in ["x", "y"] {
            let parts: Vec<Vec<u8>> = output[coordinate]
                .as_str()
                .expect("coordinate")
                .split(',')
                .map(|c| bytes(&Value::from(c)))
                .collect();
            assert_eq!(parts.len(), 2, "{name}");
            expected.extend_from_slice(&parts[1]);
            expected.extend_from_slice(&parts[0]);
        }
        let got = sk_one.sign(msg, DST, &[]).serialize();
        assert_eq!(got.to_vec(), expected, "{name}");
    });
}
