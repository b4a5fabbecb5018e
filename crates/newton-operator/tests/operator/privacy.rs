//! Ephemeral private data: sealed to the operator, carried in `wasmArgs._newton.privacy`, opened
//! only at commit as `data.privacy`; PolicyData modules and the published response never see it.

use crate::common::*;
use newton_core::ErrorCode;
use newton_policy_data::RunOptions;
use newton_privacy::{Keyring, PrivacyNode, RecipientKeyPair, SecureEnvelope};
use serde_json::{json, Value};

const POLICY: &str = r#"package test
default allow := false
allow if {
  data.privacy.limit >= data.wasm.amount
  not data.wasm._newton
}"#;

fn private_task(operator_key: &RecipientKeyPair, limit: u64) -> newton_types::sol::Task {
    let plaintext = json!({"limit": limit}).to_string();
    let envelope = SecureEnvelope::seal(plaintext.as_bytes(), &operator_key.public_key_bytes(), CLIENT, CHAIN_ID).expect("seal");
    let envelope: Value = serde_json::from_str(&envelope.to_json()).expect("envelope JSON");
    task(TRANSFER, &json!({"amount": 5, "_newton": {"privacy": [envelope]}}).to_string())
}

#[test]
fn private_data_reaches_only_the_policy() {
    let key = RecipientKeyPair::generate();
    let node = PrivacyNode::new(Keyring::new(key.clone()), None);
    let op = operator(1, &host(), POLICY, "{}", &[(echo(), RunOptions::default())]).with_privacy(node);

    let allowed = op.evaluate_and_sign(&private_task(&key, 5)).expect("evaluate");
    assert!(allowed.decision.allow, "{:?}", allowed.decision);
    let published = &allowed.task_response.policyTaskData.policyData[0];
    assert_eq!(published.wasmArgs.as_ref(), br#"{"amount":5}"#);
    assert_eq!(published.data.as_ref(), br#"{"amount":5}"#);

    let denied = op.evaluate_and_sign(&private_task(&key, 4)).expect("evaluate");
    assert!(!denied.decision.allow);

    // Sealed to another key: the task is a deny carrying the privacy code, not an error.
    let stranger = op.evaluate_and_sign(&private_task(&RecipientKeyPair::generate(), 5)).expect("evaluate");
    assert!(!stranger.decision.allow);
    assert_eq!(stranger.decision.error.expect("error").code, ErrorCode::PrivacyWrongRecipient);
}

#[test]
fn private_data_without_a_privacy_node_is_refused() {
    let op = operator(1, &host(), POLICY, "{}", &[(echo(), RunOptions::default())]);
    let task = private_task(&RecipientKeyPair::generate(), 5);
    op.prepare(&task).expect("prepare needs no privacy node");
    assert_eq!(op.evaluate_and_sign(&task).expect_err("no node").code, ErrorCode::InvalidArgument);
}
