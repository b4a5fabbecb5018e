//! Log entries hash private inputs and are canonical; tree heads are EIP-712 signatures that
//! recover to the gateway's address and to no one else's once edited.

use alloy_primitives::{address, b256, hex};
use newton_log::{recover_tree_head_signer, sign_tree_head, Decision, LogEntry, Outcome, TreeHead};
use serde_json::json;
use sha2::{Digest, Sha256};

fn outcome(decision: &str) -> Outcome {
    let failed = decision == "failed";
    serde_json::from_value(json!({
        "task_id": "0x".to_owned() + &"11".repeat(32),
        "policy_client": "0x".to_owned() + &"22".repeat(20),
        "policy_id": "0x".to_owned() + &"33".repeat(32),
        "policy_address": "0x".to_owned() + &"44".repeat(20),
        "policy_code_hash": "0x".to_owned() + &"55".repeat(32),
        "intent": {"to": "0xabc", "value": "0x0", "data": "0x1234"},
        "params": "{\"max_amount\":1000}",
        "policy_data": if failed { json!(null) } else { json!([{"data": "0xdeadbeef"}]) },
        "decision": decision,
        "error_code": if failed { json!("NEWTON_ERR_OPERATOR_TIMEOUT") } else { json!(null) },
        "certificate": if failed { json!(null) } else { json!({"signers": ["0x01"], "aggregate_signature": "0x02"}) },
        "response_digest": if failed { json!(null) } else { json!("0x".to_owned() + &"66".repeat(32)) },
        "timestamp": 1_700_000_000_000u64,
    }))
    .unwrap()
}

#[test]
fn entries_carry_hashes_not_plaintext_and_round_trip_canonically() {
    for decision in ["allowed", "denied", "failed"] {
        let entry = LogEntry::from_outcome(&outcome(decision)).unwrap();
        let bytes = entry.to_canonical();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            !text.contains("max_amount") && !text.contains("deadbeef") && !text.contains("0xabc"),
            "{text}"
        );
        assert!(
            text.starts_with(r#"{"certificate_hash":"#),
            "keys sorted: {text}"
        );
        assert_eq!(LogEntry::from_canonical(&bytes).unwrap(), entry);
    }
    let allowed = LogEntry::from_outcome(&outcome("allowed")).unwrap();
    assert_eq!(allowed.decision, Decision::Allowed);
    assert_eq!(
        allowed.params_hash.0,
        <[u8; 32]>::from(Sha256::digest(br#"{"max_amount":1000}"#))
    );
    // Key order and whitespace of the intent do not change its hash (RFC 8785).
    let mut reordered = outcome("allowed");
    reordered.intent =
        serde_json::from_str(r#"{ "data": "0x1234", "value": "0x0", "to": "0xabc" }"#).unwrap();
    assert_eq!(
        LogEntry::from_outcome(&reordered).unwrap().intent_hash,
        allowed.intent_hash
    );
}

#[test]
fn edited_or_non_canonical_entries_are_refused() {
    let bytes = LogEntry::from_outcome(&outcome("denied"))
        .unwrap()
        .to_canonical();
    let spaced = String::from_utf8(bytes.clone())
        .unwrap()
        .replacen(':', ": ", 1);
    assert_eq!(
        LogEntry::from_canonical(spaced.as_bytes())
            .unwrap_err()
            .code
            .as_str(),
        "NEWTON_ERR_LOG_VERIFICATION"
    );
    assert!(LogEntry::from_canonical(b"{\"version\":1}").is_err());
    let mut bad = outcome("failed");
    bad.error_code = None;
    assert_eq!(
        LogEntry::from_outcome(&bad).unwrap_err().code.as_str(),
        "NEWTON_ERR_INVALID_ARGUMENT"
    );
}

#[test]
fn tree_heads_recover_to_the_signer_and_not_once_edited() {
    // Anvil's first account.
    let key =
        hex::decode("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80").unwrap();
    let signer = address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    let head = TreeHead {
        tree_size: 42,
        root_hash: b256!("0x1111111111111111111111111111111111111111111111111111111111111111"),
        timestamp: 1_700_000_000_000,
    };
    let signature = sign_tree_head(&key, &head).unwrap();
    assert_eq!(recover_tree_head_signer(&head, &signature).unwrap(), signer);
    let rolled_back = TreeHead {
        tree_size: 41,
        ..head
    };
    assert_ne!(
        recover_tree_head_signer(&rolled_back, &signature).unwrap(),
        signer
    );
    assert_eq!(
        recover_tree_head_signer(&head, &signature[..64])
            .unwrap_err()
            .code
            .as_str(),
        "NEWTON_ERR_LOG_VERIFICATION"
    );
    assert_eq!(
        sign_tree_head(&[0u8; 32], &head).unwrap_err().code.as_str(),
        "NEWTON_ERR_INVALID_ARGUMENT"
    );
}
