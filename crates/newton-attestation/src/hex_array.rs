//! JSON form of fixed-size byte arrays (BLS keys and signatures): `0x` hex strings.

use alloy_primitives::FixedBytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub(crate) fn serialize<S: Serializer, const N: usize>(
    bytes: &[u8; N],
    s: S,
) -> Result<S::Ok, S::Error> {
    FixedBytes::<N>::from(*bytes).serialize(s)
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
    d: D,
) -> Result<[u8; N], D::Error> {
    FixedBytes::<N>::deserialize(d).map(|bytes| bytes.0)
}
