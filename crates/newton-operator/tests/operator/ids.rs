//! Ids and hashes of what the operator produces, against test/vectors/newton/vectors.json where
//! the vectors have them and against independent alloy-dyn-abi encodings where they do not
//! (Newton publishes no task id, task hash or policy id example).

use crate::common::*;
use alloy_dyn_abi::DynSolValue;
use alloy_primitives::{keccak256, B256, U256};
use newton_attestation::attestation_for;
use newton_policy_data::RunOptions;
use newton_types::{hash, sol, SolJson};
use serde_json::Value;

fn vectors() -> Value {
    serde_json::from_str(&repo_file("test/vectors/newton/vectors.json")).expect("vectors")
}

fn b256(value: &Value) -> B256 {
    value.as_str().expect("hex").parse().expect("bytes32")
}

fn dyn_intent(i: &sol::Intent) -> DynSolValue {
    DynSolValue::Tuple(vec![
        DynSolValue::Address(i.from),
        DynSolValue::Address(i.to),
        DynSolValue::Uint(i.value, 256),
        DynSolValue::Bytes(i.data.to_vec()),
        DynSolValue::Uint(i.chainId, 256),
        DynSolValue::Bytes(i.functionSignature.to_vec()),
    ])
}

#[test]
fn a_task_for_the_vector_intent_carries_its_hashes() {
    let example = vectors()["intent_example"].clone();
    let task = task(&example["intent"].to_string(), "{}");
    assert_eq!(hash::intent_hash(&task.intent), b256(&example["intent_hash"]["value"]));
    assert_eq!(hash::intent_eip712_struct_hash(&task.intent), b256(&example["eip712_struct_hash"]["value"]));

    let task_id = DynSolValue::Tuple(vec![
        DynSolValue::Address(CLIENT),
        dyn_intent(&task.intent),
        DynSolValue::Uint(task.initializationTimestamp, 256),
        DynSolValue::Uint(U256::from(1u8), 256),
    ]);
    assert_eq!(task.taskId, keccak256(task_id.abi_encode_params()));

    let task_hash = DynSolValue::Tuple(vec![
        DynSolValue::FixedBytes(task.taskId, 32),
        DynSolValue::Uint(U256::from(task.taskCreatedBlock), 32),
        dyn_intent(&task.intent),
        DynSolValue::Bytes(task.intentSignature.to_vec()),
        DynSolValue::Address(task.policyClient),
        DynSolValue::Bytes(task.wasmArgs.to_vec()),
        DynSolValue::Bytes(task.quorumNumbers.to_vec()),
        DynSolValue::Uint(U256::from(task.quorumThresholdPercentage), 32),
        DynSolValue::Uint(task.initializationTimestamp, 256),
    ]);
    assert_eq!(hash::task_hash(&task), keccak256(task_hash.abi_encode_params()));
    assert_eq!(sol::Task::from_json(&task.to_json()).expect("task JSON"), task);
}

#[test]
fn the_responses_code_hash_attestation_hash_and_response_hash() {
    let policy = "package test\ndefault allow := true\n";
    let op = operator(1, &host(), policy, "{}", &[(returning("{}"), RunOptions::default())]);
    let task = task(TRANSFER, "{}");
    let response = op.evaluate_and_sign(&task).expect("evaluate").task_response;
    assert_eq!(hash::policy_code_hash(&response.policyTaskData.policy), keccak256(policy));
    assert_eq!(sol::TaskResponse::from_json(&response.to_json()).expect("response JSON"), response);

    let attestation = attestation_for(&task, &response, CREATED_BLOCK + 60);
    let expected = DynSolValue::Tuple(vec![
        DynSolValue::FixedBytes(task.taskId, 32),
        DynSolValue::FixedBytes(response.policyId, 32),
        DynSolValue::Address(CLIENT),
        DynSolValue::Uint(U256::from(CREATED_BLOCK + 60), 32),
        dyn_intent(&task.intent),
        DynSolValue::Bytes(task.intentSignature.to_vec()),
    ]);
    assert_eq!(hash::attestation_hash(&attestation), keccak256(expected.abi_encode()));

    let certificate = sol::ResponseCertificate {
        referenceBlock: CREATED_BLOCK + 1,
        responseExpireBlock: CREATED_BLOCK + 61,
        hashOfNonSigners: keccak256("non-signers"),
        signatureData: vec![1, 2, 3].into(),
    };
    let expected = DynSolValue::Tuple(vec![
        crate::signing::dyn_response(&response),
        DynSolValue::Tuple(vec![
            DynSolValue::Uint(U256::from(certificate.referenceBlock), 32),
            DynSolValue::Uint(U256::from(certificate.responseExpireBlock), 32),
            DynSolValue::FixedBytes(certificate.hashOfNonSigners, 32),
            DynSolValue::Bytes(certificate.signatureData.to_vec()),
        ]),
    ]);
    assert_eq!(hash::task_response_hash(&response, &certificate), keccak256(expected.abi_encode_params()));
}
