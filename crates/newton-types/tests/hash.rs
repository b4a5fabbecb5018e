//! Struct hashes cross-checked against encodings built independently with alloy-dyn-abi.

use alloy_dyn_abi::DynSolValue;
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::SolValue;
use newton_types::{hash, sol};

fn intent() -> sol::Intent {
    sol::Intent {
        from: Address::repeat_byte(0x11),
        to: Address::repeat_byte(0x22),
        value: U256::from(3u8),
        data: Bytes::from_static(&[0xa9, 0x05, 0x9c, 0xbb]),
        chainId: U256::from(11_155_111u64),
        functionSignature: Bytes::from_static(b"transfer(address,uint256)"),
    }
}

fn dyn_intent(intent: &sol::Intent) -> DynSolValue {
    DynSolValue::Tuple(vec![
        DynSolValue::Address(intent.from),
        DynSolValue::Address(intent.to),
        DynSolValue::Uint(intent.value, 256),
        DynSolValue::Bytes(intent.data.to_vec()),
        DynSolValue::Uint(intent.chainId, 256),
        DynSolValue::Bytes(intent.functionSignature.to_vec()),
    ])
}

#[test]
fn task_hash_uses_the_taskhash_argument_order() {
    let task = sol::Task {
        taskId: B256::repeat_byte(0x01),
        policyClient: Address::repeat_byte(0x33),
        taskCreatedBlock: 7,
        quorumThresholdPercentage: 40,
        intent: intent(),
        intentSignature: Bytes::from(vec![0x1b; 65]),
        wasmArgs: Bytes::from_static(b"{}"),
        quorumNumbers: Bytes::from_static(&[0]),
        initializationTimestamp: U256::from(1_700_000_000u64),
    };
    let expected = DynSolValue::Tuple(vec![
        DynSolValue::FixedBytes(task.taskId, 32),
        DynSolValue::Uint(U256::from(task.taskCreatedBlock), 32),
        dyn_intent(&task.intent),
        DynSolValue::Bytes(task.intentSignature.to_vec()),
        DynSolValue::Address(task.policyClient),
        DynSolValue::Bytes(task.wasmArgs.to_vec()),
        DynSolValue::Bytes(task.quorumNumbers.to_vec()),
        DynSolValue::Uint(U256::from(task.quorumThresholdPercentage), 32),
        DynSolValue::Uint(task.initializationTimestamp, 256),
    ])
    .abi_encode_params();
    assert_eq!(hash::task_hash(&task), keccak256(expected));
    assert_ne!(hash::task_hash(&task), keccak256(task.abi_encode()));
}

#[test]
fn intent_hash_is_abi_encode_of_a_single_dynamic_struct() {
    let intent = intent();
    let encoded = dyn_intent(&intent).abi_encode();
    assert_eq!(encoded[..32], U256::from(0x20).to_be_bytes::<32>());
    assert_eq!(hash::intent_hash(&intent), keccak256(encoded));
}

#[test]
fn consensus_digest_and_attestation_hash_encode_one_struct() {
    let response = sol::TaskResponse {
        taskId: B256::repeat_byte(0x01),
        policyClient: Address::repeat_byte(0x33),
        policyId: B256::repeat_byte(0x44),
        policyAddress: Address::repeat_byte(0x55),
        intent: intent(),
        intentSignature: Bytes::from(vec![0x1b; 65]),
        evaluationResult: Bytes::from(
            newton_types::evaluation_result::encode_evaluation_result(true).to_vec(),
        ),
        policyTaskData: sol::PolicyTaskData {
            policyId: B256::repeat_byte(0x44),
            policyAddress: Address::repeat_byte(0x55),
            policy: Bytes::from_static(b"package x\nallow := true\n"),
            policyData: vec![sol::PolicyData {
                wasmArgs: Bytes::from_static(b"{}"),
                data: Bytes::from_static(b"{\"ok\":true}"),
                policyDataAddress: Address::repeat_byte(0x66),
                expireBlock: 100,
            }],
        },
        policyConfig: sol::PolicyConfig { policyParams: Bytes::from_static(b"{}"), expireAfter: 10 },
        initializationTimestamp: U256::from(1_700_000_000u64),
    };
    let encoded = response.abi_encode();
    assert_eq!(encoded[..32], U256::from(0x20).to_be_bytes::<32>());
    assert_eq!(sol::TaskResponse::abi_decode(&encoded).unwrap(), response);
    assert_eq!(hash::consensus_digest(&response), keccak256(&encoded));

    let attestation = sol::Attestation {
        taskId: response.taskId,
        policyId: response.policyId,
        policyClient: response.policyClient,
        expiration: 1234,
        intent: response.intent.clone(),
        intentSignature: response.intentSignature.clone(),
    };
    let expected = DynSolValue::Tuple(vec![
        DynSolValue::FixedBytes(attestation.taskId, 32),
        DynSolValue::FixedBytes(attestation.policyId, 32),
        DynSolValue::Address(attestation.policyClient),
        DynSolValue::Uint(U256::from(attestation.expiration), 32),
        dyn_intent(&attestation.intent),
        DynSolValue::Bytes(attestation.intentSignature.to_vec()),
    ])
    .abi_encode();
    assert_eq!(hash::attestation_hash(&attestation), keccak256(expected));
}

#[test]
fn task_id_encodes_client_intent_timestamp_and_nonce_as_arguments() {
    let intent = intent();
    let client = Address::repeat_byte(0x33);
    let (timestamp, nonce) = (U256::from(1_700_000_000u64), U256::from(7u8));
    let expected = DynSolValue::Tuple(vec![
        DynSolValue::Address(client),
        dyn_intent(&intent),
        DynSolValue::Uint(timestamp, 256),
        DynSolValue::Uint(nonce, 256),
    ])
    .abi_encode_params();
    assert_eq!(hash::task_id(client, &intent, timestamp, nonce), keccak256(expected));
    assert_ne!(hash::task_id(client, &intent, timestamp, nonce), hash::task_id(client, &intent, timestamp, U256::ZERO));
}

#[test]
fn policy_id_encodes_the_set_policy_arguments() {
    let info = sol::SetPolicyInfo {
        policyId: B256::ZERO,
        policyAddress: Address::repeat_byte(0x55),
        owner: Address::repeat_byte(0x77),
        policyCid: "bafkreihtbsfdwri6pzlkoqpqlxl3esexff3u6crjg2n5s2bvgca2rqgkam".into(),
        schemaCid: "bafkreierdrbh6byjpb26zt3dz5yqy44dp2vxcthvsqwl2ak63q5jdgx5fy".into(),
        entrypoint: "newton_quickstart.allow".into(),
        policyConfig: sol::PolicyConfig { policyParams: Bytes::from_static(b"{}"), expireAfter: 100 },
        policyData: vec![Address::repeat_byte(0x66), Address::repeat_byte(0x67)],
        policyCodeHash: B256::repeat_byte(0x99),
        version: "0.5.0".into(),
    };
    let client = Address::repeat_byte(0x33);
    let timestamp = U256::from(1_700_000_123u64);
    let expected = DynSolValue::Tuple(vec![
        DynSolValue::Address(client),
        DynSolValue::Address(info.policyAddress),
        DynSolValue::Address(info.owner),
        DynSolValue::String(info.policyCid.clone()),
        DynSolValue::String(info.schemaCid.clone()),
        DynSolValue::String(info.entrypoint.clone()),
        DynSolValue::Tuple(vec![
            DynSolValue::Bytes(info.policyConfig.policyParams.to_vec()),
            DynSolValue::Uint(U256::from(info.policyConfig.expireAfter), 32),
        ]),
        DynSolValue::Array(info.policyData.iter().map(|a| DynSolValue::Address(*a)).collect()),
        DynSolValue::Uint(timestamp, 256),
        DynSolValue::String(info.version.clone()),
    ])
    .abi_encode_params();
    assert_eq!(hash::policy_id(client, &info, timestamp), keccak256(expected));
    let mut other = info.clone();
    other.policyCodeHash = B256::repeat_byte(0x11);
    assert_eq!(hash::policy_id(client, &other, timestamp), hash::policy_id(client, &info, timestamp));
}

#[test]
fn task_response_hash_encodes_response_and_certificate_as_arguments() {
    let response = sol::TaskResponse { intent: intent(), ..Default::default() };
    let certificate = sol::ResponseCertificate {
        referenceBlock: 100,
        responseExpireBlock: 160,
        hashOfNonSigners: B256::repeat_byte(0x0a),
        signatureData: Bytes::from_static(&[1, 2, 3]),
    };
    let encoded = (response.clone(), certificate.clone()).abi_encode_params();
    assert_eq!(hash::task_response_hash(&response, &certificate), keccak256(&encoded));
    // Two dynamic arguments: two head offsets, the response's first.
    assert_eq!(encoded[..32], U256::from(0x40).to_be_bytes::<32>());
    assert_ne!(hash::task_response_hash(&response, &certificate), hash::consensus_digest(&response));
}
