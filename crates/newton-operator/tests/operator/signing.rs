//! The signed message is `keccak256(abi.encode(TaskResponse))`, reproduced here from an encoding
//! built field by field with alloy-dyn-abi, and the signatures certify through
//! newton-attestation's aggregator and validator.

use crate::common::*;
use alloy_dyn_abi::DynSolValue;
use alloy_primitives::{keccak256, U256};
use newton_attestation::{validate, Aggregator, AttestationBundle, OperatorRegistry, SpentStore, ValidationContext};
use newton_operator::{consensus, SignedTaskResponse, DEFAULT_TOLERANCE};
use newton_policy_data::RunOptions;
use newton_types::sol;
use std::collections::BTreeMap;

const POLICY: &str = "package test\ndefault allow := false\nallow if data.wasm.score >= 70\n";

/// `TaskResponse` as a dyn-abi tuple, field by field.
pub fn dyn_response(r: &sol::TaskResponse) -> DynSolValue {
    let bytes = |b: &alloy_primitives::Bytes| DynSolValue::Bytes(b.to_vec());
    let intent = &r.intent;
    let policy_data = r
        .policyTaskData
        .policyData
        .iter()
        .map(|d| {
            DynSolValue::Tuple(vec![
                bytes(&d.wasmArgs),
                bytes(&d.data),
                DynSolValue::Address(d.policyDataAddress),
                DynSolValue::Uint(U256::from(d.expireBlock), 32),
            ])
        })
        .collect();
    DynSolValue::Tuple(vec![
        DynSolValue::FixedBytes(r.taskId, 32),
        DynSolValue::Address(r.policyClient),
        DynSolValue::FixedBytes(r.policyId, 32),
        DynSolValue::Address(r.policyAddress),
        DynSolValue::Tuple(vec![
            DynSolValue::Address(intent.from),
            DynSolValue::Address(intent.to),
            DynSolValue::Uint(intent.value, 256),
            bytes(&intent.data),
            DynSolValue::Uint(intent.chainId, 256),
            bytes(&intent.functionSignature),
        ]),
        bytes(&r.intentSignature),
        bytes(&r.evaluationResult),
        DynSolValue::Tuple(vec![
            DynSolValue::FixedBytes(r.policyTaskData.policyId, 32),
            DynSolValue::Address(r.policyTaskData.policyAddress),
            bytes(&r.policyTaskData.policy),
            DynSolValue::Array(policy_data),
        ]),
        DynSolValue::Tuple(vec![bytes(&r.policyConfig.policyParams), DynSolValue::Uint(U256::from(r.policyConfig.expireAfter), 32)]),
        DynSolValue::Uint(r.initializationTimestamp, 256),
    ])
}

/// Three operators, 1000 stake each in quorum 0, committing the agreed data of one task.
fn three_operators(task: &sol::Task) -> (OperatorRegistry, Vec<(alloy_primitives::B256, SignedTaskResponse)>) {
    let host = host();
    let mut registry = OperatorRegistry::new();
    let mut operators = Vec::new();
    for (seed, score) in [(1u64, 81), (2, 79), (3, 80)] {
        let (id, key) = signer(seed);
        let pop = key.prove_possession().to_bytes();
        registry.register(id, &key.public_key().to_bytes(), &pop, BTreeMap::from([(0u8, U256::from(1000u64))])).unwrap();
        let module = returning(&format!(r#"{{"score": {score}}}"#));
        operators.push((id, operator(seed, &host, POLICY, "{}", &[(module, RunOptions::default())])));
    }
    let prepared: Vec<_> = operators.iter().map(|(_, op)| op.prepare(task).unwrap()).collect();
    let agreed = consensus(&prepared, DEFAULT_TOLERANCE).unwrap();
    let signed = operators.iter().map(|(id, op)| (*id, op.commit(task, &agreed).unwrap())).collect();
    (registry, signed)
}

#[test]
fn the_digest_is_an_independent_abi_encode_of_the_response() {
    let task = task(TRANSFER, "{}");
    let (_, signed) = three_operators(&task);
    let signed = &signed[0].1;
    let encoded = dyn_response(&signed.task_response).abi_encode();
    assert_eq!(encoded[..32], U256::from(0x20).to_be_bytes::<32>(), "a dynamic struct starts with its offset");
    assert_eq!(signed.digest, keccak256(&encoded));
    assert_eq!(signed.task_response.policyTaskData.policyData[0].data.as_ref(), br#"{"score":80}"#, "the median");
    let json = serde_json::to_value(signed).unwrap();
    assert_eq!(json["digest"], serde_json::json!(signed.digest));
    assert_eq!(json["task_response"]["policyTaskData"]["policyData"][0]["expireBlock"], CREATED_BLOCK + 100);
}

#[test]
fn the_signatures_certify_and_the_attestation_validates() {
    let task = task(TRANSFER, "{}");
    let (registry, signed) = three_operators(&task);
    let response = &signed[0].1.task_response;
    assert!(signed.iter().all(|(_, s)| s.decision.allow && &s.task_response == response));
    let mut aggregator = Aggregator::for_task(&registry, &task, response).unwrap();
    assert_eq!(aggregator.message(), signed[0].1.digest);
    let mut certificate = None;
    for (id, s) in &signed {
        certificate = certificate.or(aggregator.add(*id, s.signature.as_slice()).unwrap());
    }
    let certificate = certificate.expect("quorum reached");
    assert!(aggregator.rejected().is_empty());
    certificate.verify(&registry).unwrap();

    let bundle = AttestationBundle::new(task.clone(), response.clone(), certificate, CREATED_BLOCK + 60);
    let dir = tempfile::tempdir().unwrap();
    let store = SpentStore::open(dir.path().join("spent.db")).unwrap();
    let ctx = ValidationContext::new(response.policyId, U256::from(CHAIN_ID), task.intent.from, u64::from(CREATED_BLOCK) + 10);
    let report = validate(&bundle, &ctx, &registry, &store);
    assert!(report.is_valid(), "{report:?}");
}

#[test]
fn a_signature_over_another_response_is_rejected() {
    let task = task(TRANSFER, "{}");
    let (registry, signed) = three_operators(&task);
    let mut other = signed[0].1.task_response.clone();
    other.evaluationResult = newton_types::evaluation_result::encode_evaluation_result(false).to_vec().into();
    let mut aggregator = Aggregator::for_task(&registry, &task, &other).unwrap();
    for (id, s) in &signed {
        assert!(aggregator.add(*id, s.signature.as_slice()).unwrap().is_none());
    }
    let err = aggregator.certificate().unwrap_err();
    assert_eq!(err.code, newton_core::ErrorCode::InsufficientQuorumStake);
    assert_eq!(aggregator.rejected().len(), 3);
}
