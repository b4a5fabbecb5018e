//! Simulation: a policy evaluated on PolicyData run here (or on data given), plaintext or sealed
//! private data, nothing signed; and an evaluator without a key.

use crate::common::*;
use newton_core::ErrorCode;
use newton_operator::TaskEvaluator;
use newton_policy::{CompileOptions, Policy, PolicyModule};
use newton_privacy::{Keyring, PrivacyNode, RecipientKeyPair, SecureEnvelope};
use serde_json::{json, Value};

const POLICY: &str = r#"package test
default allow := false
allow if {
  data.wasm.amount <= data.params.max
  object.get(data, ["privacy", "limit"], 100) >= data.wasm.amount
}"#;

fn policy() -> Policy {
    let module = PolicyModule { path: "policy.rego".into(), source: POLICY.into() };
    Policy::compile(&[module], "test.allow", CompileOptions::default()).expect("compile")
}

fn intent() -> Value {
    serde_json::from_str(TRANSFER).expect("intent")
}

#[test]
fn modules_run_on_the_wasm_args_and_merge_in_order() {
    let mut sim = TaskEvaluator::simulator(host());
    let echo_cid = sim.add_policy_data(&echo()).expect("echo");
    let fixed_cid = sim.add_policy_data(&returning(r#"{"amount":7,"source":"fixed"}"#)).expect("fixed");
    let request = json!({
        "intent": intent(), "params": {"max": 10},
        "policy_data": [{"wasm_cid": echo_cid}, {"wasm_cid": fixed_cid}],
        "wasm_args": r#"{"amount": 3, "big": 123456789012345678901234567890}"#,
    });
    let out = sim.simulate(&policy(), &request.to_string()).expect("simulate");
    assert!(out.decision.allow, "{:?}", out.decision);
    assert_eq!(out.wasm["amount"], 7, "the later module wins a key");
    assert_eq!(out.policy_data.len(), 2);
    assert_eq!(out.policy_data[0].wasm_cid, echo_cid);
    assert_eq!(out.policy_data[0].data["amount"], 3);
    assert_eq!(out.input.as_ref().expect("parsed intent")["chain_id"], "11155111");
    assert_eq!(out.params, json!({"max": 10}));
    let text = out.to_json();
    assert!(text.contains(r#""policy_data":[{"wasm_cid":"#), "{text}");
}

#[test]
fn given_data_and_plaintext_privacy_need_no_modules() {
    let sim = TaskEvaluator::simulator(host());
    let run = |privacy: Value| {
        let request = json!({"intent": intent(), "params": {"max": 10}, "wasm": {"amount": 5}, "privacy": privacy});
        sim.simulate(&policy(), &request.to_string()).expect("simulate").decision.allow
    };
    assert!(run(json!({"limit": 5})));
    assert!(!run(json!({"limit": 4})));
}

#[test]
fn bad_simulations_are_errors_with_codes() {
    let mut sim = TaskEvaluator::simulator(host());
    let cid = sim.add_policy_data(&echo()).expect("echo");
    let code = |request: Value| sim.simulate(&policy(), &request.to_string()).expect_err("refused").code;
    let both = json!({"intent": intent(), "wasm": {}, "policy_data": [{"wasm_cid": cid}]});
    assert_eq!(code(both), ErrorCode::InvalidArgument);
    assert_eq!(code(json!({"intent": intent(), "policy_data": [{"wasm_cid": "bafynothere"}]})), ErrorCode::InvalidArgument);
    assert_eq!(code(json!({"intent": intent(), "wasm_args": 5})), ErrorCode::InvalidArgument);
    assert_eq!(code(json!({"intent": intent(), "wasm_args": "{not json"})), ErrorCode::InvalidJson);
    assert_eq!(code(json!({"intent": intent(), "surprise": 1})), ErrorCode::InvalidJson);
    assert_eq!(code(json!({"intent": intent(), "policy_client": format!("{CLIENT}")})), ErrorCode::InvalidArgument);
}

#[test]
fn a_private_simulation_opens_the_envelopes_like_commit() {
    let key = RecipientKeyPair::generate();
    let mut sim = TaskEvaluator::simulator(host());
    sim.set_privacy(PrivacyNode::new(Keyring::new(key.clone()), None));
    let cid = sim.add_policy_data(&echo()).expect("echo");
    let run = |limit: u64| {
        let sealed = SecureEnvelope::seal(json!({"limit": limit}).to_string().as_bytes(), &key.public_key_bytes(), CLIENT, CHAIN_ID)
            .expect("seal")
            .to_json();
        let args = json!({"amount": 5, "_newton": {"privacy": [serde_json::from_str::<Value>(&sealed).expect("json")]}});
        let request = json!({
            "intent": intent(), "params": {"max": 10}, "policy_data": [{"wasm_cid": cid}],
            "wasm_args": args, "policy_client": format!("{CLIENT}"),
        });
        sim.simulate(&policy(), &request.to_string()).expect("simulate")
    };
    let allowed = run(5);
    assert!(allowed.decision.allow, "{:?}", allowed.decision);
    assert!(allowed.policy_data[0].data.get("_newton").is_none(), "modules never see `_newton`");
    assert!(!run(4).decision.allow);
}

#[test]
fn a_simulator_has_no_key_and_does_not_commit() {
    let sim = TaskEvaluator::simulator(host());
    assert!(sim.public_key().is_none());
    let op = operator(1, &host(), POLICY, r#"{"max": 10}"#, &[]);
    assert!(op.public_key().is_some());
    let task = task(TRANSFER, "{}");
    let agreed = op.prepare(&task).expect("prepare");
    let err = sim.commit(&task, &agreed).expect_err("no key");
    assert_eq!(err.code, ErrorCode::InvalidArgument);
    assert!(err.message.contains("no signing key"), "{}", err.message);
}
