//! Hashes, selectors and encodings against `test/vectors/newton/vectors.json`.

mod common;

use alloy_primitives::{keccak256, Address, B256};
use alloy_sol_types::SolStruct;
use common::vectors;
use newton_types::{evaluation_result, hash, sol, TaskIntent};

/// Decodes a `0x` hex string from the vectors.
fn hex(value: &serde_json::Value) -> Vec<u8> {
    alloy_primitives::hex::decode(value.as_str().expect("hex string")).expect("valid hex")
}

fn b256(value: &serde_json::Value) -> B256 {
    B256::from_slice(&hex(value))
}

fn example_intent() -> (serde_json::Value, sol::Intent) {
    let example = vectors()["intent_example"].clone();
    let intent = TaskIntent::from_json(&example["intent"].to_string()).unwrap().to_sol().unwrap();
    (example, intent)
}

#[test]
fn intent_example_fields_parse() {
    let (example, intent) = example_intent();
    let fields = &example["intent"];
    assert_eq!(
        intent.chainId,
        alloy_primitives::U256::from(fields["chain_id_decimal"].as_u64().unwrap())
    );
    assert_eq!(
        intent.functionSignature.as_ref(),
        fields["function_signature_utf8"].as_str().unwrap().as_bytes()
    );
    assert_eq!(intent.from, fields["from"].as_str().unwrap().parse::<Address>().unwrap());
}

#[test]
fn intent_hash_matches_vector() {
    let (example, intent) = example_intent();
    assert_eq!(hash::intent_hash(&intent), b256(&example["intent_hash"]["value"]));
}

#[test]
fn intent_eip712_typehash_and_struct_hash_match_vectors() {
    let (example, intent) = example_intent();
    let typehash = &example["eip712_typehash"];
    assert_eq!(sol::Intent::eip712_encode_type(), typehash["type_string"].as_str().unwrap());
    assert_eq!(intent.eip712_type_hash(), b256(&typehash["value"]));
    assert_eq!(hash::intent_eip712_struct_hash(&intent), b256(&example["eip712_struct_hash"]["value"]));
}

#[test]
fn domain_ids_match_vectors() {
    let domains = vectors()["identity_domain_hashes"].as_array().unwrap().clone();
    assert_eq!(domains.len(), 2);
    for domain in domains {
        let name = domain["input_utf8"].as_str().unwrap();
        assert_eq!(hash::domain_id(name), b256(&domain["keccak256"]), "{name}");
    }
}

#[test]
fn privacy_aad_matches_vector() {
    let aad = vectors()["privacy_aad"][0].clone();
    assert_eq!(aad["id"], "aad_u64");
    let client: Address = aad["policy_client"].as_str().unwrap().parse().unwrap();
    let chain_id = aad["chain_id"].as_u64().unwrap();
    assert_eq!(keccak256(hex(&aad["preimage_hex"])), b256(&aad["value"]));
    assert_eq!(hash::privacy_aad(client, chain_id), b256(&aad["value"]));
}

#[test]
fn policy_code_hash_is_keccak_of_raw_bytes() {
    let hello = vectors()["newton_crypto_builtins"]["cases"][0].clone();
    assert_eq!(hello["id"], "keccak_hello");
    assert_eq!(
        hash::policy_code_hash(hello["input_utf8"].as_str().unwrap().as_bytes()),
        b256(&hello["value"])
    );
}

#[test]
fn evaluation_result_cases() {
    let cases = vectors()["evaluation_result"]["cases"].as_array().unwrap().clone();
    assert_eq!(cases.len(), 4);
    for case in cases {
        let bytes = hex(&case["value"]);
        let allowed = case["allowed"].as_bool().unwrap();
        assert_eq!(evaluation_result::is_allowed(&bytes), allowed, "{}", case["id"]);
        if bytes.len() == 32 {
            assert_eq!(
                evaluation_result::encode_evaluation_result(allowed).as_slice(),
                bytes,
                "{}",
                case["id"]
            );
        }
    }
}

#[test]
fn error_selectors_recompute() {
    let errors = vectors()["error_selectors"]["errors"].as_array().unwrap().clone();
    assert_eq!(errors.len(), 23);
    for error in errors {
        let signature = error["signature"].as_str().unwrap();
        let selector = alloy_json_abi::Error::parse(signature).unwrap().selector();
        assert_eq!(&keccak256(signature)[..4], selector.as_slice(), "{signature}");
        assert_eq!(selector.to_string(), error["selector"].as_str().unwrap(), "{signature}");
    }
}
