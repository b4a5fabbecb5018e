//! Property tests: the certificate exists and verifies exactly when the signed stake meets the
//! threshold, and no tampered byte of signature, key or message verifies.

use crate::fixtures::{stake, Signer};
use alloy_primitives::{keccak256, B256, U256, U512};
use newton_attestation::{Aggregator, Certificate, OperatorRegistry, QuorumThreshold};
use newton_core::ErrorCode;
use proptest::prelude::*;
use std::sync::OnceLock;

const OPERATORS: usize = 6;

fn message() -> B256 {
    keccak256("property message")
}

/// Operators with their signature over `message()`, made once.
fn signed() -> &'static [(Signer, [u8; 96])] {
    static SIGNED: OnceLock<Vec<(Signer, [u8; 96])>> = OnceLock::new();
    SIGNED.get_or_init(|| {
        (0..OPERATORS as u64)
            .map(|seed| {
                let signer = Signer::new(1000 + seed);
                let signature = signer.sign(message());
                (signer, signature)
            })
            .collect()
    })
}

fn registry_with(stakes: &[u64]) -> OperatorRegistry {
    let mut registry = OperatorRegistry::new();
    for ((signer, _), &amount) in signed().iter().zip(stakes) {
        signer.register(&mut registry, stake(0, amount));
    }
    registry
}

fn certify(
    registry: &OperatorRegistry,
    mask: u8,
    threshold: QuorumThreshold,
) -> newton_core::Result<Certificate> {
    let mut aggregator = Aggregator::new(registry, message(), &[0], threshold).unwrap();
    let chosen = signed().iter().enumerate().filter(|(i, _)| mask >> i & 1 == 1);
    aggregator.aggregate(chosen.map(|(_, (signer, signature))| (signer.id, &signature[..])))
}

/// A valid certificate by operators 0..4 of equal stake, made once.
fn valid() -> &'static (OperatorRegistry, Certificate) {
    static VALID: OnceLock<(OperatorRegistry, Certificate)> = OnceLock::new();
    VALID.get_or_init(|| {
        let registry = registry_with(&[10; OPERATORS]);
        let certificate = certify(&registry, 0b1111, QuorumThreshold::DEFAULT).unwrap();
        (registry, certificate)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn certificate_exists_and_verifies_iff_the_quorum_is_met(
        stakes in proptest::collection::vec(0u64..1000, OPERATORS),
        mask in 0u8..(1 << OPERATORS),
        percent in 0u32..=100,
    ) {
        let registry = registry_with(&stakes);
        let threshold = QuorumThreshold::new(percent).unwrap();
        let signed: u64 =
            stakes.iter().enumerate().filter(|(i, _)| mask >> i & 1 == 1).map(|(_, s)| s).sum();
        let total: u64 = stakes.iter().sum();
        let expected = signed > 0
            && U512::from(signed) * U512::from(100u8) >= U512::from(total) * U512::from(percent);
        match certify(&registry, mask, threshold) {
            Ok(certificate) => {
                prop_assert!(expected, "certified {signed} of {total} at {percent}%");
                prop_assert_eq!(certificate.signers.len(), mask.count_ones() as usize);
                prop_assert_eq!(certificate.signed_stake[&0], U256::from(signed));
                prop_assert!(certificate.verify(&registry).is_ok());
            }
            Err(err) => {
                prop_assert!(!expected, "refused {signed} of {total} at {percent}%: {err}");
                prop_assert_eq!(err.code, ErrorCode::InsufficientQuorumStake);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_tampered_signature_bit_fails(index in 0usize..96, bit in 0u8..8) {
        let (registry, certificate) = valid();
        let mut tampered = certificate.clone();
        tampered.aggregate_signature[index] ^= 1 << bit;
        prop_assert_eq!(tampered.verify(registry).unwrap_err().code, ErrorCode::SignatureInvalid);
    }

    #[test]
    fn any_tampered_message_bit_fails(index in 0usize..32, bit in 0u8..8) {
        let (registry, certificate) = valid();
        let mut tampered = certificate.clone();
        tampered.message.0[index] ^= 1 << bit;
        prop_assert_eq!(tampered.verify(registry).unwrap_err().code, ErrorCode::SignatureInvalid);
    }

    #[test]
    fn any_tampered_aggregate_key_bit_fails(index in 0usize..48, bit in 0u8..8) {
        let (registry, certificate) = valid();
        let mut tampered = certificate.clone();
        tampered.aggregate_public_key[index] ^= 1 << bit;
        prop_assert_eq!(tampered.verify(registry).unwrap_err().code, ErrorCode::SignatureInvalid);
    }
}
