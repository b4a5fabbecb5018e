//! The bundle's JSON form: Solidity field names inside Newton structs, gateway spellings accepted.

use crate::fixtures::Fixture;
use newton_attestation::AttestationBundle;
use newton_core::ErrorCode;
use serde_json::{json, Value};

#[test]
fn bundle_json_round_trips_with_camel_case_newton_structs() {
    let f = Fixture::new();
    let text = f.bundle.to_json().unwrap();
    assert_eq!(AttestationBundle::from_json(&text).unwrap(), f.bundle);

    let value: Value = serde_json::from_str(&text).unwrap();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    let mut top = keys(&value);
    top.sort();
    assert_eq!(
        top,
        ["attestation", "attestation_hash", "certificate", "expiration", "task", "task_response"]
    );
    let task = &value["task"];
    assert_eq!(task["taskCreatedBlock"], 90);
    assert_eq!(task["quorumThresholdPercentage"], 40);
    assert_eq!(task["quorumNumbers"], "0x00");
    assert_eq!(task["intent"]["chainId"], "0xaa36a7");
    assert_eq!(task["intent"]["from"], "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    let response = &value["task_response"];
    assert!(response["evaluationResult"].as_str().unwrap().ends_with("01"));
    assert_eq!(response["policyTaskData"]["policyData"][0]["expireBlock"], 200);
    assert_eq!(response["policyConfig"]["expireAfter"], 60);
    assert_eq!(value["attestation"]["expiration"], 150);
    assert_eq!(value["expiration"], 150);
}

/// Converts a camelCase key to the gateway's snake_case.
fn snake(key: &str) -> String {
    key.chars().fold(String::new(), |mut out, c| {
        if c.is_ascii_uppercase() {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
        out
    })
}

fn snake_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => map.iter().map(|(k, v)| (snake(k), snake_keys(v))).collect(),
        Value::Array(items) => Value::Array(items.iter().map(snake_keys).collect()),
        other => other.clone(),
    }
}

#[test]
fn gateway_spellings_parse_to_the_same_bundle() {
    let f = Fixture::new();
    let mut value = serde_json::to_value(&f.bundle).unwrap();
    // The gateway's task_response: snake_case keys, evaluation_result as a byte array,
    // quantities as decimal strings.
    let mut response = snake_keys(&value["task_response"]);
    response["evaluation_result"] = json!(f.bundle.task_response.evaluationResult.to_vec());
    response["intent"]["chain_id"] = json!("11155111");
    response["initialization_timestamp"] = json!(1_700_000_000u64);
    value["task_response"] = response;
    value["attestation"] = snake_keys(&value["attestation"]);
    let parsed: AttestationBundle = serde_json::from_value(value).unwrap();
    assert_eq!(parsed, f.bundle);
}

#[test]
fn malformed_bundles_are_invalid_json() {
    let f = Fixture::new();
    let mut value: Value = serde_json::from_str(&f.bundle.to_json().unwrap()).unwrap();
    for bad in ["", "[]", "{}"] {
        assert_eq!(AttestationBundle::from_json(bad).unwrap_err().code, ErrorCode::InvalidJson);
    }
    value["task"]["taskCreatedBlock"] = json!(-1);
    assert_eq!(
        AttestationBundle::from_json(&value.to_string()).unwrap_err().code,
        ErrorCode::InvalidJson
    );
    value["task"]["taskCreatedBlock"] = json!(90);
    value["certificate"]["threshold"] = json!(101);
    assert_eq!(
        AttestationBundle::from_json(&value.to_string()).unwrap_err().code,
        ErrorCode::InvalidJson
    );
}
