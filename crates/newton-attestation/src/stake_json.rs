//! JSON form of stakes per quorum number: `{"0": "1000"}`, amounts as decimal strings.
//!
//! Amounts also parse from `0x` hex strings and JSON integers; they always serialize as decimal.

use alloy_primitives::U256;
use serde::{Deserialize, Deserializer, Serializer};
use std::collections::BTreeMap;

pub(crate) fn serialize<S: Serializer>(
    stakes: &BTreeMap<u8, U256>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(stakes.iter().map(|(quorum, amount)| (quorum.to_string(), amount.to_string())))
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<u8, U256>, D::Error> {
    BTreeMap::<u8, U256>::deserialize(d)
}
