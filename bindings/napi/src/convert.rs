//! Argument conversions shared by the classes: addresses, 32-byte values, hex or bytes, keys,
//! and chain ids, each failing as `InvalidArgument` naming the argument.

use alloy_primitives::{hex, Address, B256, U256};
use napi::bindgen_prelude::{Either, Uint8ArraySlice};
use napi_derive::napi;
use newton_core::{Error, Result};

/// Bytes given as hex text (with or without `0x`) or as a Uint8Array, read in place (an owned
/// Uint8Array takes and drops a V8 reference per argument).
#[napi]
pub type Hex<'a> = Either<String, Uint8ArraySlice<'a>>;

pub fn address(what: &str, text: &str) -> Result<Address> {
    text.parse().map_err(|e| Error::invalid_argument(format!("{what}: {text:?} is not an address: {e}")))
}

pub fn bytes(what: &str, value: &Hex<'_>) -> Result<Vec<u8>> {
    match value {
        Either::A(text) => hex::decode(text).map_err(|e| Error::invalid_argument(format!("{what} is not hex: {e}"))),
        Either::B(array) => Ok(array.to_vec()),
    }
}

pub fn b256(what: &str, value: &Hex<'_>) -> Result<B256> {
    let bytes = bytes(what, value)?;
    B256::try_from(bytes.as_slice())
        .map_err(|_| Error::invalid_argument(format!("{what} must be 32 bytes, got {}", bytes.len())))
}

/// A 32-byte key as hex text.
pub fn key32(what: &str, text: &str) -> Result<[u8; 32]> {
    b256(what, &Either::A(text.to_owned())).map(|b| b.0)
}

pub fn uint(what: &str, text: &str) -> Result<U256> {
    text.parse().map_err(|e| Error::invalid_argument(format!("{what}: {text:?} is not a uint256: {e}")))
}

pub fn chain(text: &str) -> Result<u64> {
    text.parse().map_err(|e| Error::invalid_argument(format!("chain id {text:?}: {e}")))
}

/// A crate type's JSON form (its serde `Serialize`).
pub fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::internal(format!("not serializable: {e}")))
}
