//! The validator: each check fails with its own code, in order; a valid bundle passes once.

use crate::fixtures::{certify, response, task, Fixture, CURRENT_BLOCK, EXPIRATION};
use alloy_primitives::{keccak256, Address, Bytes, U256};
use newton_attestation::{check_before_spend, validate, AttestationBundle, Check, QuorumThreshold, Report, Status};
use newton_core::ErrorCode;
use newton_types::hash::attestation_hash;

/// Asserts that exactly `check` failed, with `code`, and that the spend was skipped.
fn assert_only_failure(report: &Report, check: Check, code: ErrorCode) {
    let failed: Vec<(Check, ErrorCode)> = report
        .checks
        .iter()
        .filter(|c| c.status == Status::Failed)
        .map(|c| (c.check, c.error.as_ref().unwrap().code))
        .collect();
    assert_eq!(failed, [(check, code)], "{report:#?}");
    assert_eq!(report.result().unwrap_err().code, code);
    assert!(!report.is_valid());
    let last = report.checks.last().unwrap();
    if check != Check::SingleUse {
        assert_eq!((last.check, last.status), (Check::SingleUse, Status::Skipped));
    }
}

#[test]
fn a_valid_bundle_passes_every_check_in_order_once() {
    let f = Fixture::new();
    let report = f.validate();
    report.result().unwrap();
    assert!(report.is_valid());
    let order: Vec<Check> = report.checks.iter().map(|c| c.check).collect();
    assert_eq!(
        order,
        [
            Check::PolicyId,
            Check::IntentSender,
            Check::ChainId,
            Check::Expiration,
            Check::AttestationHash,
            Check::Signature,
            Check::QuorumStake,
            Check::EvaluationResult,
            Check::SingleUse,
        ]
    );
    assert!(f.store.is_spent(f.bundle.attestation.taskId).unwrap());
}

#[test]
fn policy_id_mismatch() {
    let mut f = Fixture::new();
    f.ctx.policy_id = keccak256("another policy");
    assert_only_failure(&f.validate(), Check::PolicyId, ErrorCode::PolicyIdMismatch);
}

#[test]
fn intent_sender_mismatch() {
    let mut f = Fixture::new();
    f.ctx.caller = Address::repeat_byte(0x42);
    assert_only_failure(&f.validate(), Check::IntentSender, ErrorCode::IntentSenderMismatch);
}

#[test]
fn chain_id_mismatch() {
    let mut f = Fixture::new();
    f.ctx.chain_id = U256::from(1u8);
    assert_only_failure(&f.validate(), Check::ChainId, ErrorCode::ChainIdMismatch);
}

#[test]
fn attestation_expired_at_and_after_the_expiration_block() {
    let mut f = Fixture::new();
    for block in [u64::from(EXPIRATION), u64::from(EXPIRATION) + 1, u64::MAX] {
        f.ctx.current_block = block;
        assert_only_failure(&f.validate(), Check::Expiration, ErrorCode::AttestationExpired);
    }
}

#[test]
fn attestation_valid_one_block_before_expiration() {
    let mut f = Fixture::new();
    f.ctx.current_block = u64::from(EXPIRATION) - 1;
    f.validate().result().unwrap();
}

#[test]
fn the_spent_sentinel_expiration_is_expired() {
    let f = Fixture::new();
    let bundle = AttestationBundle::new(
        f.bundle.task.clone(),
        f.bundle.task_response.clone(),
        f.bundle.certificate.clone(),
        u32::MAX,
    );
    let report = validate(&bundle, &f.ctx, &f.registry, &f.store);
    assert_only_failure(&report, Check::Expiration, ErrorCode::AttestationExpired);
}

#[test]
fn attestation_hash_mismatch() {
    let mut f = Fixture::new();
    f.bundle.attestation_hash = keccak256("not the hash");
    assert_only_failure(&f.validate(), Check::AttestationHash, ErrorCode::AttestationHashMismatch);
}

#[test]
fn attestation_hash_mismatch_when_the_attestation_is_not_the_tasks() {
    let mut f = Fixture::new();
    // A later expiration, consistently hashed, that the task and bundle do not back.
    f.bundle.attestation.expiration = EXPIRATION + 100;
    f.bundle.attestation_hash = attestation_hash(&f.bundle.attestation);
    assert_only_failure(&f.validate(), Check::AttestationHash, ErrorCode::AttestationHashMismatch);

    let mut f = Fixture::new();
    f.bundle.task.intentSignature = Bytes::from(vec![0x22; 65]);
    let report = f.validate();
    assert_only_failure(&report, Check::AttestationHash, ErrorCode::AttestationHashMismatch);
    assert!(report.result().unwrap_err().message.contains("intentSignature"));
}

#[test]
fn signature_invalid_when_the_certificate_signs_another_response() {
    let mut f = Fixture::new();
    let mut other = response(&task(), true);
    other.policyConfig.expireAfter += 1;
    let chosen: Vec<_> = f.signers.iter().take(3).collect();
    f.bundle.certificate = certify(&f.registry, &chosen, &other, 0);
    assert_only_failure(&f.validate(), Check::Signature, ErrorCode::SignatureInvalid);
}

#[test]
fn signature_invalid_when_the_aggregate_is_tampered() {
    let mut f = Fixture::new();
    f.bundle.certificate.aggregate_signature[10] ^= 0x01;
    assert_only_failure(&f.validate(), Check::Signature, ErrorCode::SignatureInvalid);
}

#[test]
fn operator_unknown_when_a_signer_is_not_registered() {
    let mut f = Fixture::new();
    f.bundle.certificate.signers[0] = keccak256("stranger");
    let report = f.validate();
    assert_eq!(report.result().unwrap_err().code, ErrorCode::OperatorUnknown);
    assert_eq!(report.first_failure().unwrap().code, ErrorCode::OperatorUnknown);
}

#[test]
fn insufficient_quorum_stake() {
    // One of four equal operators signs: 25% < 40%.
    let f = Fixture::with_response(response(&task(), true), 1);
    assert_only_failure(&f.validate(), Check::QuorumStake, ErrorCode::InsufficientQuorumStake);
}

#[test]
fn the_context_minimum_raises_a_low_task_threshold() {
    let mut f = Fixture::with_response(response(&task(), true), 1);
    let mut low = f.bundle.task.clone();
    low.quorumThresholdPercentage = 10;
    f.bundle.task = low;
    assert_only_failure(&f.validate(), Check::QuorumStake, ErrorCode::InsufficientQuorumStake);
    f.ctx.min_threshold = QuorumThreshold::new(10).unwrap();
    f.validate().result().unwrap();
}

#[test]
fn policy_denied() {
    let f = Fixture::with_response(response(&task(), false), 3);
    assert_only_failure(&f.validate(), Check::EvaluationResult, ErrorCode::PolicyDenied);
}

#[test]
fn attestation_already_spent() {
    let f = Fixture::new();
    f.validate().result().unwrap();
    assert_only_failure(&f.validate(), Check::SingleUse, ErrorCode::AttestationAlreadySpent);
    // A re-issued attestation for the same task (another expiration) is the same spend.
    let again = AttestationBundle::new(
        f.bundle.task.clone(),
        f.bundle.task_response.clone(),
        f.bundle.certificate.clone(),
        EXPIRATION + 10,
    );
    let report = validate(&again, &f.ctx, &f.registry, &f.store);
    assert_only_failure(&report, Check::SingleUse, ErrorCode::AttestationAlreadySpent);
}

#[test]
fn a_failed_validation_does_not_spend() {
    let mut f = Fixture::new();
    f.ctx.current_block = u64::from(EXPIRATION);
    assert!(!f.validate().is_valid());
    assert!(!f.store.is_spent(f.bundle.attestation.taskId).unwrap());
    f.ctx.current_block = CURRENT_BLOCK;
    f.validate().result().unwrap();
}

#[test]
fn every_check_runs_and_the_first_failure_is_the_result() {
    let mut f = Fixture::new();
    f.ctx.chain_id = U256::from(5u8);
    f.ctx.policy_id = keccak256("other");
    f.bundle.attestation_hash = keccak256("x");
    let report = f.validate();
    let failed: Vec<Check> =
        report.checks.iter().filter(|c| c.status == Status::Failed).map(|c| c.check).collect();
    assert_eq!(failed, [Check::PolicyId, Check::ChainId, Check::AttestationHash]);
    assert_eq!(report.result().unwrap_err().code, ErrorCode::PolicyIdMismatch);
}

#[test]
fn report_json_lists_each_check() {
    let mut f = Fixture::new();
    f.ctx.caller = Address::ZERO;
    let json = serde_json::to_value(f.validate()).unwrap();
    let checks = json["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 9);
    assert_eq!(checks[0], serde_json::json!({"check": "policy_id", "status": "passed"}));
    assert_eq!(checks[1]["check"], "intent_sender");
    assert_eq!(checks[1]["status"], "failed");
    assert_eq!(checks[1]["code"], "NEWTON_ERR_INTENT_SENDER_MISMATCH");
    assert!(checks[1]["message"].as_str().unwrap().contains("is not the caller"));
    assert_eq!(checks[8], serde_json::json!({"check": "single_use", "status": "skipped"}));
}

#[test]
fn store_failures_are_store_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spent.db");
    let f = Fixture::new();
    let store = newton_attestation::SpentStore::open(&path).unwrap();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("DROP TABLE spent_attestations")
        .unwrap();
    let report = validate(&f.bundle, &f.ctx, &f.registry, &store);
    assert_only_failure(&report, Check::SingleUse, ErrorCode::Store);
}

#[test]
fn check_before_spend_runs_every_check_but_leaves_the_spend_to_the_caller() {
    let f = Fixture::new();
    let report = check_before_spend(&f.bundle, &f.ctx, &f.registry);
    let (spend, others) = report.checks.split_last().unwrap();
    assert_eq!(others.len(), 8);
    assert!(others.iter().all(|c| c.status == Status::Passed), "{report:#?}");
    assert_eq!((spend.check, spend.status), (Check::SingleUse, Status::Skipped));
    assert!(!report.is_valid(), "not valid until spent");
    assert!(report.result().is_ok(), "no check failed");
    assert!(!f.store.is_spent(f.bundle.attestation.taskId).unwrap());
    // Checking again is the same answer: nothing was spent.
    assert_eq!(check_before_spend(&f.bundle, &f.ctx, &f.registry), report);

    let mut denied = Fixture::new();
    denied.ctx.policy_id = Default::default();
    assert_only_failure(&check_before_spend(&denied.bundle, &denied.ctx, &denied.registry), Check::PolicyId, ErrorCode::PolicyIdMismatch);
}
