//! Stake-weighted quorum math, as `OperatorVerifierLib` checks it: for every quorum number,
//! `signedStake * 100 >= totalStake * threshold`.
//!
//! Here the products are taken in 512 bits, so no stake is too large; and a quorum whose total
//! or signed stake is zero never passes (so neither does an empty signer set, whatever the
//! threshold).

use crate::{stake_json, OperatorRegistry};
use alloy_primitives::{B256, U256, U512};
use newton_core::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

/// A quorum threshold: a percentage of each quorum's total stake, at most 100.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct QuorumThreshold(u8);

impl QuorumThreshold {
    /// Newton's live default, 40% (the gateway default and the contracts'
    /// `DEFAULT_CROSS_CHAIN_QUORUM_THRESHOLD_PERCENTAGE`; some docs say 67).
    pub const DEFAULT: Self = Self(40);

    /// A threshold of `percent`; above 100 → `InvalidArgument`.
    pub fn new(percent: u32) -> Result<Self> {
        u8::try_from(percent).ok().filter(|&p| p <= 100).map(Self).ok_or_else(|| {
            Error::invalid_argument(format!(
                "quorum threshold must be a percentage from 0 to 100, got {percent}"
            ))
        })
    }

    /// The percentage.
    pub const fn percent(self) -> u8 {
        self.0
    }

    /// Whether `signed` of `total` meets the threshold: both non-zero and
    /// `signed * 100 >= total * threshold`.
    pub fn is_met(self, signed: U256, total: U256) -> bool {
        !signed.is_zero()
            && !total.is_zero()
            && U512::from(signed) * U512::from(100u8) >= U512::from(total) * U512::from(self.0)
    }
}

impl Default for QuorumThreshold {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl TryFrom<u32> for QuorumThreshold {
    type Error = Error;

    fn try_from(percent: u32) -> Result<Self> {
        Self::new(percent)
    }
}

impl From<QuorumThreshold> for u32 {
    fn from(threshold: QuorumThreshold) -> u32 {
        u32::from(threshold.0)
    }
}

/// Signed and total stake per quorum number for one set of signers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuorumStakes {
    /// Stake of the distinct signers, per quorum number.
    #[serde(with = "stake_json")]
    pub signed: BTreeMap<u8, U256>,
    /// Stake of every registered operator, per quorum number.
    #[serde(with = "stake_json")]
    pub total: BTreeMap<u8, U256>,
}

impl QuorumStakes {
    /// Tallies `signers` over `quorum_numbers`, each signer and each quorum counted once however
    /// often it is listed. No quorum numbers → `InvalidArgument`; a signer the registry does not
    /// know → `OperatorUnknown`.
    pub fn tally<'a>(
        registry: &OperatorRegistry,
        signers: impl IntoIterator<Item = &'a B256>,
        quorum_numbers: &[u8],
    ) -> Result<Self> {
        let quorums: BTreeSet<u8> = quorum_numbers.iter().copied().collect();
        if quorums.is_empty() {
            return Err(Error::invalid_argument("no quorum numbers to check stake against"));
        }
        let signers = signers
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|id| registry.operator(id))
            .collect::<Result<Vec<_>>>()?;
        let mut stakes = Self::default();
        for quorum in quorums {
            let mut signed = U256::ZERO;
            for operator in &signers {
                // Never overflows: the registry keeps every quorum's total within 256 bits.
                signed = signed.saturating_add(operator.stake(quorum));
            }
            stakes.signed.insert(quorum, signed);
            stakes.total.insert(quorum, registry.total_stake(quorum));
        }
        Ok(stakes)
    }

    /// Whether there is a quorum and every quorum meets `threshold`.
    pub fn is_met(&self, threshold: QuorumThreshold) -> bool {
        !self.total.is_empty() && self.shortfall(threshold).is_none()
    }

    /// Ok when every quorum meets `threshold`; otherwise `InsufficientQuorumStake` naming the
    /// first quorum that does not, with `{quorum_number, signed_stake, total_stake, threshold}`
    /// as details.
    pub fn check(&self, threshold: QuorumThreshold) -> Result<()> {
        if self.total.is_empty() {
            return Err(Error::new(ErrorCode::InsufficientQuorumStake, "no quorum was tallied"));
        }
        let Some((quorum, signed, total)) = self.shortfall(threshold) else { return Ok(()) };
        Err(Error::new(
            ErrorCode::InsufficientQuorumStake,
            format!(
                "quorum {quorum}: signed stake {signed} of total {total} is below the {}% \
                 threshold",
                threshold.percent()
            ),
        )
        .with_details(json!({
            "quorum_number": quorum,
            "signed_stake": signed.to_string(),
            "total_stake": total.to_string(),
            "threshold": threshold.percent(),
        })))
    }

    fn shortfall(&self, threshold: QuorumThreshold) -> Option<(u8, U256, U256)> {
        self.total.iter().find_map(|(&quorum, &total)| {
            let signed = self.signed.get(&quorum).copied().unwrap_or_default();
            (!threshold.is_met(signed, total)).then_some((quorum, signed, total))
        })
    }
}
