//! Stake-weighted quorum math: `signed * 100 >= total * threshold` per quorum.

use crate::fixtures::{registry, Signer};
use alloy_primitives::{B256, U256, U512};
use newton_attestation::{OperatorRegistry, QuorumStakes, QuorumThreshold};
use newton_core::ErrorCode;

fn threshold(percent: u32) -> QuorumThreshold {
    QuorumThreshold::new(percent).unwrap()
}

/// The least signed stake meeting `percent` of `total`: ceil(total * percent / 100).
fn least_passing(total: U256, percent: u32) -> U256 {
    let product = U512::from(total) * U512::from(percent);
    let hundred = U512::from(100u8);
    U256::from((product + hundred - U512::from(1u8)) / hundred)
}

#[test]
fn exactly_the_threshold_passes_and_one_wei_less_fails() {
    for total in [U256::from(1000u64), U256::from(10u64).pow(U256::from(21u64)), U256::MAX] {
        for percent in [1, 33, 40, 67, 100] {
            let t = threshold(percent);
            let least = least_passing(total, percent);
            assert!(t.is_met(least, total), "{least} of {total} at {percent}%");
            assert!(
                !t.is_met(least - U256::from(1u8), total),
                "{least}-1 of {total} at {percent}%"
            );
        }
    }
}

#[test]
fn boundary_through_the_registry() {
    let (at, signers) = registry(&[400, 600]);
    let stakes = QuorumStakes::tally(&at, [&signers[0].id], &[0]).unwrap();
    assert_eq!(stakes.signed[&0], U256::from(400u64));
    assert_eq!(stakes.total[&0], U256::from(1000u64));
    stakes.check(QuorumThreshold::DEFAULT).unwrap();

    let (below, signers) = registry(&[399, 601]);
    let stakes = QuorumStakes::tally(&below, [&signers[0].id], &[0]).unwrap();
    let err = stakes.check(QuorumThreshold::DEFAULT).unwrap_err();
    assert_eq!(err.code, ErrorCode::InsufficientQuorumStake);
    let details = err.details.unwrap();
    assert_eq!(details["signed_stake"], "399");
    assert_eq!(details["total_stake"], "1000");
    assert_eq!(details["threshold"], 40);
}

#[test]
fn duplicate_signers_are_counted_once() {
    let (registry, signers) = registry(&[300, 700]);
    let a = &signers[0].id;
    let stakes = QuorumStakes::tally(&registry, [a, a, a, a], &[0, 0]).unwrap();
    assert_eq!(stakes.signed[&0], U256::from(300u64));
    assert_eq!(stakes.signed.len(), 1);
    assert!(!stakes.is_met(QuorumThreshold::DEFAULT));
}

#[test]
fn an_empty_signer_set_never_passes() {
    let (registry, _) = registry(&[1000]);
    let stakes = QuorumStakes::tally(&registry, [], &[0]).unwrap();
    for percent in [0, 1, 40, 100] {
        let err = stakes.check(threshold(percent)).unwrap_err();
        assert_eq!(err.code, ErrorCode::InsufficientQuorumStake, "{percent}%");
    }
    assert!(!threshold(0).is_met(U256::ZERO, U256::from(1u8)));
}

#[test]
fn a_quorum_without_stake_never_passes() {
    let (registry, signers) = registry(&[1000]);
    // Quorum 7 has no stake at all: total 0.
    let stakes = QuorumStakes::tally(&registry, [&signers[0].id], &[7]).unwrap();
    assert_eq!(stakes.total[&7], U256::ZERO);
    assert_eq!(stakes.check(threshold(0)).unwrap_err().code, ErrorCode::InsufficientQuorumStake);
    assert!(!threshold(0).is_met(U256::ZERO, U256::ZERO));
}

#[test]
fn every_quorum_must_pass() {
    let mut registry = OperatorRegistry::new();
    let (a, b) = (Signer::new(1), Signer::new(2));
    a.register(&mut registry, [(0, U256::from(900u64)), (1, U256::from(100u64))].into());
    b.register(&mut registry, [(0, U256::from(100u64)), (1, U256::from(900u64))].into());
    let stakes = QuorumStakes::tally(&registry, [&a.id], &[1, 0]).unwrap();
    let err = stakes.check(QuorumThreshold::DEFAULT).unwrap_err();
    assert_eq!(err.code, ErrorCode::InsufficientQuorumStake);
    assert_eq!(err.details.unwrap()["quorum_number"], 1);
    QuorumStakes::tally(&registry, [&a.id, &b.id], &[0, 1]).unwrap().check(threshold(100)).unwrap();
}

#[test]
fn thresholds_above_100_are_invalid_arguments() {
    assert_eq!(QuorumThreshold::default(), threshold(40));
    assert_eq!(threshold(100).percent(), 100);
    for bad in [101, 255, 256, u32::MAX] {
        assert_eq!(
            QuorumThreshold::new(bad).unwrap_err().code,
            ErrorCode::InvalidArgument,
            "{bad}"
        );
    }
    assert!(serde_json::from_str::<QuorumThreshold>("101").is_err());
    assert_eq!(serde_json::from_str::<QuorumThreshold>("67").unwrap(), threshold(67));
}

#[test]
fn tally_needs_known_signers_and_a_quorum() {
    let (registry, signers) = registry(&[1000]);
    let stranger = B256::repeat_byte(0x77);
    let err = QuorumStakes::tally(&registry, [&signers[0].id, &stranger], &[0]).unwrap_err();
    assert_eq!(err.code, ErrorCode::OperatorUnknown);
    let err = QuorumStakes::tally(&registry, [&signers[0].id], &[]).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidArgument);
}

#[test]
fn stakes_serialize_as_decimal_strings_by_quorum() {
    let (registry, signers) = registry(&[250, 750]);
    let stakes = QuorumStakes::tally(&registry, [&signers[1].id], &[0]).unwrap();
    let json = serde_json::to_value(&stakes).unwrap();
    assert_eq!(json, serde_json::json!({"signed": {"0": "750"}, "total": {"0": "1000"}}));
    assert_eq!(serde_json::from_value::<QuorumStakes>(json).unwrap(), stakes);
}
