//! prepare → commit and evaluate_and_sign: module order and input, replayed HTTP fixtures from
//! the kyc-screen example, agreed data that differs from the operator's own, and the errors.

use crate::common::*;
use alloy_primitives::keccak256;
use newton_core::ErrorCode;
use newton_operator::{canonical_json, consensus, PreparedData, DEFAULT_TOLERANCE};
use newton_policy_data::{Fixtures, HttpMode, RunOptions};
use newton_types::evaluation_result::is_allowed;
use serde_json::{json, Value};

const PRICE_POLICY: &str = r#"package test
default allow := false
allow if {
  data.wasm.price <= data.params.max_price
  data.wasm.args.asset == "ETH"
}"#;

fn price_operator(seed: u64, price: u64) -> newton_operator::TaskEvaluator {
    let modules = [
        (returning(&format!(r#"{{"price": {price}, "args": "overridden"}}"#)), RunOptions::default()),
        (echo(), RunOptions::default()),
    ];
    operator(seed, &host(), PRICE_POLICY, r#"{"max_price": 100}"#, &modules)
}


#[test]
fn an_evaluator_is_shared_across_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<newton_operator::TaskEvaluator>();
}

#[test]
fn prepare_runs_every_module_in_order_on_the_stripped_args() {
    let op = operator(1, &host(), PRICE_POLICY, "{}", &[(returning(r#"{"b":2,"a":1}"#), RunOptions::default()), (echo(), RunOptions::default())]);
    let task = task(TRANSFER, r#"{"asset": "ETH", "_newton": {"proof_cid": "bafy"}}"#);
    let prepared = op.prepare(&task).expect("prepare");
    assert_eq!(prepared.task_id, task.taskId);
    let addresses: Vec<_> = prepared.policy_data.iter().map(|o| o.policy_data_address).collect();
    assert_eq!(addresses, [policy_data_address(0), policy_data_address(1)]);
    assert_eq!(Value::Object(prepared.policy_data[1].data.clone()), json!({"asset": "ETH"}));
    for output in &prepared.policy_data {
        let canonical = canonical_json(&Value::Object(output.data.clone())).unwrap();
        assert_eq!(output.digest, keccak256(&canonical));
    }
    assert_eq!(prepared.policy_data[0].canonical_data().unwrap(), br#"{"a":1,"b":2}"#);
    assert_eq!(PreparedData::from_json(&prepared.to_json()).unwrap(), prepared);
}

#[test]
fn evaluate_and_sign_builds_the_task_response() {
    let op = price_operator(1, 90);
    let task = task(TRANSFER, r#"{"args": {"asset": "ETH"}}"#);
    let signed = op.evaluate_and_sign(&task).expect("evaluate");
    assert!(signed.decision.allow, "{:?}", signed.decision);
    let r = &signed.task_response;
    assert!(is_allowed(&r.evaluationResult));
    assert_eq!((r.taskId, r.policyClient, r.policyAddress), (task.taskId, CLIENT, policy_address()));
    assert_eq!((&r.intent, &r.intentSignature), (&task.intent, &task.intentSignature));
    assert_eq!(r.policyTaskData.policyId, r.policyId);
    assert_eq!(r.policyTaskData.policy.as_ref(), PRICE_POLICY.as_bytes());
    assert_eq!(r.policyConfig.policyParams.as_ref(), br#"{"max_price": 100}"#);
    assert_eq!(r.initializationTimestamp, task.initializationTimestamp);
    let data = &r.policyTaskData.policyData;
    assert_eq!(data.len(), 2);
    assert_eq!(data[0].data.as_ref(), br#"{"args":"overridden","price":90}"#);
    assert_eq!(data[1].data.as_ref(), br#"{"args":{"asset":"ETH"}}"#);
    assert_eq!(data[1].wasmArgs.as_ref(), br#"{"args": {"asset": "ETH"}}"#, "the task's text, unchanged");
    assert_eq!((data[0].expireBlock, data[1].expireBlock), (CREATED_BLOCK + 100, CREATED_BLOCK + 101));
    assert_eq!(signed.digest, newton_types::hash::consensus_digest(r));

    let over = price_operator(1, 101).evaluate_and_sign(&task).expect("evaluate");
    assert!(!over.decision.allow && !is_allowed(&over.task_response.evaluationResult));
    assert_ne!(over.digest, signed.digest);
}

#[test]
fn commit_evaluates_the_agreed_data_not_its_own() {
    let task = task(TRANSFER, r#"{"args": {"asset": "ETH"}}"#);
    let operators: Vec<_> = [(1, 104), (2, 97), (3, 100)].map(|(seed, price)| price_operator(seed, price)).into();
    let prepared: Vec<PreparedData> = operators.iter().map(|op| op.prepare(&task).expect("prepare")).collect();
    let agreed = consensus(&prepared, DEFAULT_TOLERANCE).expect("consensus");
    assert_eq!(agreed.policy_data[0].data["price"], json!(100));
    let signed: Vec<_> = operators.iter().map(|op| op.commit(&task, &agreed).expect("commit")).collect();
    // The first operator saw 104 > max_price itself, yet signs the agreed 100: an allow.
    assert!(signed.iter().all(|s| s.decision.allow));
    assert!(signed.iter().all(|s| s.digest == signed[0].digest && s.task_response == signed[0].task_response));
    assert!(!operators[0].evaluate_and_sign(&task).expect("own").decision.allow);
}

#[test]
fn commit_refuses_agreed_data_for_another_task_or_policy_or_with_a_wrong_digest() {
    let op = price_operator(1, 90);
    let task = task(TRANSFER, "{}");
    let prepared = op.prepare(&task).expect("prepare");
    let code = |data: &PreparedData| op.commit(&task, data).expect_err("refused").code;

    let mut other_task = prepared.clone();
    other_task.task_id = keccak256("another");
    let mut fewer = prepared.clone();
    fewer.policy_data.pop();
    let mut forged = prepared.clone();
    forged.policy_data[0].data.insert("price".into(), json!(1));
    for bad in [other_task, fewer, forged] {
        assert_eq!(code(&bad), ErrorCode::InvalidArgument);
    }
    op.commit(&task, &prepared).expect("the untouched data commits");
}

#[test]
fn replays_the_kyc_screen_examples_recorded_http_exchanges() {
    let fixtures = Fixtures::from_json(&repo_file("examples/oracles/kyc-screen/http-fixtures.json")).expect("fixtures");
    let url = "https://screening.example.com/v1/addresses/0xd232c8d0dc8069eba108954a5f2307752547df1a/sanctions";
    let replay = RunOptions { http: HttpMode::Replay(fixtures.clone()), ..RunOptions::default() };
    let policy = r#"package test
default allow := false
allow if {
  lower(data.wasm.address) == lower(input.from)
  count(data.wasm.identifications) == 0
}"#;
    let op = operator(1, &host(), policy, "{}", &[(fetching(url), replay.clone())]);
    let intent = repo_file("examples/oracles/kyc-screen/intent.json");
    let task = task(&intent, &repo_file("examples/oracles/kyc-screen/wasm_args.json"));
    let signed = op.evaluate_and_sign(&task).expect("evaluate");
    assert!(signed.decision.allow, "{:?}", signed.decision);
    assert_eq!(
        signed.task_response.policyTaskData.policyData[0].data.as_ref(),
        br#"{"address":"0xd232c8d0dc8069eba108954a5f2307752547df1a","identifications":[]}"#
    );

    let unrecorded = fetching("https://screening.example.com/v1/addresses/0x00/sanctions");
    let op = operator(1, &host(), policy, "{}", &[(unrecorded, replay)]);
    let err = op.prepare(&task).expect_err("no fixture");
    assert_eq!(err.code, ErrorCode::PolicyDataHttpFixtureMissing);
    assert!(err.message.starts_with(&format!("PolicyData {}: ", policy_data_address(0))), "{}", err.message);
}

#[test]
fn task_and_client_errors() {
    let op = price_operator(1, 90);
    let mut unknown = task(TRANSFER, "{}");
    unknown.policyClient = alloy_primitives::Address::repeat_byte(0x99);
    assert_eq!(op.prepare(&unknown).expect_err("client").code, ErrorCode::InvalidArgument);
    assert_eq!(op.prepare(&task(TRANSFER, "{not json")).expect_err("args").code, ErrorCode::InvalidJson);
    let empty = task(TRANSFER, "");
    assert_eq!(Value::Object(op.prepare(&empty).expect("empty args are {}").policy_data[1].data.clone()), json!({}));

    let failing = operator(1, &host(), PRICE_POLICY, "{}", &[(returning("[1]"), RunOptions::default())]);
    let err = failing.prepare(&empty).expect_err("not an object");
    assert_eq!(err.code, ErrorCode::PolicyDataOutputNotObject);

    let mut evaluator = newton_operator::TaskEvaluator::new(signer(9).1, host());
    let cid = evaluator.add_policy(PRICE_POLICY, "test.allow", Default::default()).expect("policy");
    let deployment = |policy_cid: &str, params: &str| newton_operator::PolicyDeployment {
        policy_id: keccak256("p"),
        policy_address: policy_address(),
        policy_cid: policy_cid.into(),
        policy_config: newton_types::sol::PolicyConfig { policyParams: params.as_bytes().to_vec().into(), expireAfter: 1 },
        policy_data: vec![],
    };
    for (policy_cid, params) in [("bafkunknown", "{}"), (cid.as_str(), "[1]"), (cid.as_str(), "{")] {
        let err = evaluator.set_policy(CLIENT, deployment(policy_cid, params)).expect_err("refused");
        assert!(matches!(err.code, ErrorCode::InvalidArgument | ErrorCode::InvalidJson), "{err}");
    }
    evaluator.set_policy(CLIENT, deployment(&cid, "")).expect("empty params are {}");
}
