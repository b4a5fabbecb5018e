//! The aggregator: one fast aggregate check, bisection past bad signatures, early exit.

use crate::fixtures::{registry, response, stake, task, Signer};
use alloy_primitives::{keccak256, B256, U256};
use newton_attestation::{Aggregator, Certificate, OperatorRegistry, QuorumThreshold};
use newton_core::ErrorCode;
use newton_types::hash::consensus_digest;

fn message() -> B256 {
    keccak256("message")
}

fn sigs(signers: &[Signer], message: B256) -> Vec<(B256, [u8; 96])> {
    signers.iter().map(|s| (s.id, s.sign(message))).collect()
}

fn aggregate(
    aggregator: &mut Aggregator<&OperatorRegistry>,
    sigs: &[(B256, [u8; 96])],
) -> newton_core::Result<Certificate> {
    aggregator.aggregate(sigs.iter().map(|(id, sig)| (*id, &sig[..])))
}

#[test]
fn a_bad_signature_among_20_good_ones_is_excluded() {
    let (registry, signers) = registry(&[100; 21]);
    for bad_index in [0, 10, 20] {
        let mut signatures = sigs(&signers, message());
        let bad_id = signatures[bad_index].0;
        // A well-formed signature over another message.
        signatures[bad_index].1 = signers[bad_index].sign(keccak256("other"));
        let mut aggregator =
            Aggregator::new(&registry, message(), &[0], QuorumThreshold::DEFAULT).unwrap();
        let certificate = aggregate(&mut aggregator, &signatures).unwrap();
        assert_eq!(certificate.signers.len(), 20);
        assert!(!certificate.signers.contains(&bad_id));
        assert_eq!(certificate.non_signers, vec![bad_id]);
        assert_eq!(certificate.signed_stake[&0], U256::from(2000u64));
        assert_eq!(certificate.total_stake[&0], U256::from(2100u64));
        let rejected = aggregator.rejected();
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].operator_id, bad_id);
        assert_eq!(rejected[0].error.code, ErrorCode::SignatureInvalid);
        certificate.verify(&registry).unwrap();
    }
}

#[test]
fn several_bad_signatures_are_all_excluded() {
    let (registry, signers) = registry(&[100; 20]);
    let mut signatures = sigs(&signers, message());
    for i in [1, 2, 7, 19] {
        signatures[i].1 = signers[(i + 1) % 20].sign(message()); // another operator's signature
    }
    let mut aggregator =
        Aggregator::new(&registry, message(), &[0], QuorumThreshold::DEFAULT).unwrap();
    let certificate = aggregate(&mut aggregator, &signatures).unwrap();
    assert_eq!(certificate.signers.len(), 16);
    assert_eq!(aggregator.rejected().len(), 4);
    certificate.verify(&registry).unwrap();
}

#[test]
fn add_returns_the_certificate_as_soon_as_the_quorum_is_reached() {
    let (registry, signers) = registry(&[100; 10]);
    let mut aggregator =
        Aggregator::new(&registry, message(), &[0], QuorumThreshold::DEFAULT).unwrap();
    for signer in &signers[..3] {
        assert_eq!(aggregator.add(signer.id, &signer.sign(message())).unwrap(), None);
    }
    let certificate = aggregator.add(signers[3].id, &signers[3].sign(message())).unwrap().unwrap();
    assert_eq!(certificate.signers.len(), 4);
    assert_eq!(certificate.non_signers.len(), 6);
    assert_eq!(certificate.signed_stake[&0], U256::from(400u64));
    certificate.verify(&registry).unwrap();
    // Issued once; later signatures are accepted but return nothing.
    assert_eq!(aggregator.add(signers[4].id, &signers[4].sign(message())).unwrap(), None);
    // Certifying again includes them.
    assert_eq!(aggregator.certificate().unwrap().signers.len(), 5);
}

#[test]
fn a_bad_signature_delays_the_early_exit_and_its_operator_may_sign_again() {
    let (registry, signers) = registry(&[100; 10]);
    let mut aggregator =
        Aggregator::new(&registry, message(), &[0], QuorumThreshold::DEFAULT).unwrap();
    let bad = signers[0].sign(keccak256("wrong"));
    assert_eq!(aggregator.add(signers[0].id, &bad).unwrap(), None);
    for signer in &signers[1..4] {
        // The fourth signature reaches 40% with the bad one counted; verification drops it.
        assert_eq!(aggregator.add(signer.id, &signer.sign(message())).unwrap(), None);
    }
    assert_eq!(aggregator.rejected().len(), 1);
    let certificate = aggregator.add(signers[0].id, &signers[0].sign(message())).unwrap().unwrap();
    assert_eq!(certificate.signers.len(), 4);
    certificate.verify(&registry).unwrap();
}

#[test]
fn unknown_malformed_and_repeated_signatures_are_refused_one_by_one() {
    let (registry, signers) = registry(&[100; 5]);
    let mut aggregator =
        Aggregator::new(&registry, message(), &[0], QuorumThreshold::DEFAULT).unwrap();
    let stranger = Signer::new(99);
    let err = aggregator.add(stranger.id, &stranger.sign(message())).unwrap_err();
    assert_eq!(err.code, ErrorCode::OperatorUnknown);
    let err = aggregator.add(signers[0].id, &[0u8; 96]).unwrap_err();
    assert_eq!(err.code, ErrorCode::BlsBadEncoding);
    let err = aggregator.add(signers[0].id, &[1u8; 10]).unwrap_err();
    assert_eq!(err.code, ErrorCode::BlsBadEncoding);
    assert_eq!(aggregator.add(signers[0].id, &signers[0].sign(message())).unwrap(), None);
    let err = aggregator.add(signers[0].id, &signers[0].sign(message())).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidArgument);
    assert_eq!(aggregator.rejected().len(), 4);
    let certificate = aggregator.add(signers[1].id, &signers[1].sign(message())).unwrap().unwrap();
    assert_eq!(certificate.signers.len(), 2);

    // The batch form skips the same refusals and certifies the rest.
    let mut batch = Aggregator::new(&registry, message(), &[0], QuorumThreshold::DEFAULT).unwrap();
    let mut signatures = sigs(&signers, message());
    signatures.push((stranger.id, stranger.sign(message())));
    signatures[2].1 = [0xff; 96];
    let certificate = aggregate(&mut batch, &signatures).unwrap();
    assert_eq!(certificate.signers.len(), 4);
    let codes: Vec<ErrorCode> = batch.rejected().iter().map(|r| r.error.code).collect();
    assert_eq!(codes, [ErrorCode::BlsBadEncoding, ErrorCode::OperatorUnknown]);
}

#[test]
fn too_little_stake_is_insufficient_quorum_stake() {
    let (registry, signers) = registry(&[100, 100, 100]);
    let mut aggregator =
        Aggregator::new(&registry, message(), &[0], QuorumThreshold::new(67).unwrap()).unwrap();
    let err = aggregate(&mut aggregator, &sigs(&signers[..2], message())).unwrap_err();
    assert_eq!(err.code, ErrorCode::InsufficientQuorumStake);
    let mut empty =
        Aggregator::new(&registry, message(), &[0], QuorumThreshold::new(0).unwrap()).unwrap();
    assert_eq!(empty.certificate().unwrap_err().code, ErrorCode::InsufficientQuorumStake);
    let err = Aggregator::new(&registry, message(), &[], QuorumThreshold::DEFAULT).err().unwrap();
    assert_eq!(err.code, ErrorCode::InvalidArgument);
}

#[test]
fn for_task_signs_the_consensus_digest_at_the_task_threshold() {
    let (registry, signers) = registry(&[100; 5]);
    let task = task();
    let response = response(&task, true);
    let mut aggregator = Aggregator::for_task(&registry, &task, &response).unwrap();
    let digest = consensus_digest(&response);
    assert_eq!(aggregator.message(), digest);
    let certificate = aggregate(&mut aggregator, &sigs(&signers[..2], digest)).unwrap();
    assert_eq!(certificate.message, digest);
    assert_eq!(certificate.threshold.percent(), 40);
    assert_eq!(certificate.quorum_numbers, vec![0]);
    let mut bad_task = task.clone();
    bad_task.quorumThresholdPercentage = 101;
    let err = Aggregator::for_task(&registry, &bad_task, &response).err().unwrap();
    assert_eq!(err.code, ErrorCode::InvalidArgument);
}

#[test]
fn non_signers_are_the_quorum_members_that_did_not_sign() {
    let mut registry = OperatorRegistry::new();
    let signers: Vec<Signer> = (0..4).map(Signer::new).collect();
    signers[0].register(&mut registry, stake(0, 500));
    signers[1].register(&mut registry, stake(0, 100));
    signers[2].register(&mut registry, stake(1, 100)); // another quorum only
    signers[3].register(&mut registry, stake(0, 0)); // in quorum 0 without stake
    let mut aggregator =
        Aggregator::new(&registry, message(), &[0], QuorumThreshold::DEFAULT).unwrap();
    let certificate = aggregate(&mut aggregator, &sigs(&signers[..1], message())).unwrap();
    assert_eq!(certificate.non_signers, vec![signers[1].id]);
}

#[test]
fn certificate_verification_catches_every_tampering() {
    let (registry, signers) = registry(&[100; 5]);
    let mut aggregator =
        Aggregator::new(&registry, message(), &[0], QuorumThreshold::DEFAULT).unwrap();
    let certificate = aggregate(&mut aggregator, &sigs(&signers[..3], message())).unwrap();
    certificate.verify(&registry).unwrap();
    let code = |c: &Certificate| c.verify(&registry).unwrap_err().code;

    let mut c = certificate.clone();
    c.message = keccak256("other");
    assert_eq!(code(&c), ErrorCode::SignatureInvalid);
    let mut c = certificate.clone();
    c.aggregate_signature = signers[0].sign(message());
    assert_eq!(code(&c), ErrorCode::SignatureInvalid);
    let mut c = certificate.clone();
    c.aggregate_signature[5] ^= 1;
    assert_eq!(code(&c), ErrorCode::SignatureInvalid);
    let mut c = certificate.clone();
    c.signers.pop();
    assert_eq!(code(&c), ErrorCode::SignatureInvalid);
    let mut c = certificate.clone();
    c.signers.push(signers[4].id);
    assert_eq!(code(&c), ErrorCode::SignatureInvalid);
    let mut c = certificate.clone();
    c.signers.push(c.signers[0]);
    assert_eq!(code(&c), ErrorCode::SignatureInvalid);
    let mut c = certificate.clone();
    c.signers.clear();
    assert_eq!(code(&c), ErrorCode::SignatureInvalid);
    let mut c = certificate.clone();
    c.signers[0] = Signer::new(77).id;
    assert_eq!(code(&c), ErrorCode::OperatorUnknown);
    let mut c = certificate.clone();
    c.aggregate_public_key = signers[4].key.public_key().to_bytes();
    assert_eq!(code(&c), ErrorCode::SignatureInvalid);
    let mut c = certificate.clone();
    c.threshold = QuorumThreshold::new(61).unwrap();
    assert_eq!(code(&c), ErrorCode::InsufficientQuorumStake);
    // The recorded stakes are informational: verify recomputes them from the registry.
    let mut c = certificate.clone();
    c.signed_stake.insert(0, U256::ZERO);
    c.verify(&registry).unwrap();
}

#[test]
fn certificate_json_is_hex_and_round_trips() {
    let (registry, signers) = registry(&[100; 3]);
    let mut aggregator =
        Aggregator::new(&registry, message(), &[0], QuorumThreshold::DEFAULT).unwrap();
    let certificate = aggregate(&mut aggregator, &sigs(&signers[..2], message())).unwrap();
    let text = certificate.to_json().unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
    for key in [
        "message",
        "quorum_numbers",
        "threshold",
        "signers",
        "non_signers",
        "signed_stake",
        "total_stake",
        "aggregate_public_key",
        "aggregate_signature",
    ] {
        assert!(keys.contains(&key), "{key} missing from {text}");
    }
    assert_eq!(value["quorum_numbers"], serde_json::json!([0]));
    assert_eq!(value["threshold"], 40);
    assert_eq!(value["signed_stake"], serde_json::json!({"0": "200"}));
    assert_eq!(value["aggregate_public_key"].as_str().unwrap().len(), 2 + 96);
    assert_eq!(value["aggregate_signature"].as_str().unwrap().len(), 2 + 192);
    let parsed = Certificate::from_json(&text).unwrap();
    assert_eq!(parsed, certificate);
    parsed.verify(&registry).unwrap();
    assert_eq!(Certificate::from_json("{}").unwrap_err().code, ErrorCode::InvalidJson);
}
