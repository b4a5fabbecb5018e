//! Newton protocol types: the wire intent, the parsed intent policies see as Rego `input`, the
//! on-chain structs (`sol`) and their JSON forms (`sol_json`), protocol hashes and ids, CIDs and
//! the `evaluationResult` encoding.

mod abi_json;
mod base32;
pub mod cid;
pub mod evaluation_result;
pub mod hash;
mod intent;
mod parsed_intent;
pub mod sol;
pub mod sol_json;
mod wire;

pub use alloy_primitives::{Address, Bytes, B256, U256};
pub use intent::TaskIntent;
pub use parsed_intent::parse_intent;
pub use sol_json::SolJson;
