//! Intent parsing and Newton identifiers (cheap: synchronous).

use crate::error::guard;
use napi::bindgen_prelude::Uint8Array;
use napi_derive::napi;
use newton_types::{cid, hash, parse_intent as parse, TaskIntent};

/// Wire TaskIntent JSON → the parsed intent JSON policies see as `input`.
#[napi]
pub fn parse_intent(intent_json: String) -> napi::Result<String> {
    guard(|| Ok(parse(&TaskIntent::from_json(&intent_json)?)?.to_string()))
}

/// `policyCodeHash`: keccak256 of the raw Rego bytes, 0x-hex.
#[napi]
pub fn policy_code_hash(source: Uint8Array) -> String {
    hash::policy_code_hash(&source).to_string()
}

/// `policyCid`: CIDv1 (raw codec, sha2-256, base32) of the exact bytes.
#[napi]
pub fn policy_cid(source: Uint8Array) -> String {
    cid::cid_v1_raw(&source)
}
