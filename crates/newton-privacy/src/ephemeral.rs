//! Ephemeral privacy data: envelopes in the task's `wasm_args` under `_newton.privacy`, opened
//! for one evaluation and exposed as `data.privacy`. Nothing here is ever stored.

use crate::{Keyring, SecureEnvelope};
use alloy_primitives::Address;
use newton_core::{Error, ErrorCode, Result};
use serde_json::{Map, Value};

/// The reserved `wasm_args` key the gateway strips before PolicyData sees the arguments.
pub const RESERVED_KEY: &str = "_newton";

/// Opens every envelope in `wasm_args._newton.privacy` (an array of envelope objects or JSON
/// strings) for `policy_client` on `chain_id` and merges their plaintexts — each a JSON object —
/// shallowly, in order, into the `data.privacy` document. `None` when there are none.
pub fn open_ephemeral(wasm_args: &Value, policy_client: Address, chain_id: u64, keyring: &Keyring) -> Result<Option<Value>> {
    let Some(envelopes) = wasm_args.get(RESERVED_KEY).and_then(|n| n.get("privacy")) else {
        return Ok(None);
    };
    let Value::Array(envelopes) = envelopes else {
        return Err(invalid("`_newton.privacy` must be an array of envelopes"));
    };
    let mut merged = Map::new();
    for (i, item) in envelopes.iter().enumerate() {
        let envelope = match item {
            Value::String(json) => SecureEnvelope::from_json(json)?,
            Value::Object(_) => SecureEnvelope::from_json(&item.to_string())?,
            _ => return Err(invalid(&format!("`_newton.privacy[{i}]` is not an envelope"))),
        };
        envelope.check_context(policy_client, chain_id)?;
        let plaintext = keyring.open(&envelope)?;
        match serde_json::from_slice::<Value>(&plaintext) {
            Ok(Value::Object(fields)) => merged.extend(fields),
            _ => return Err(invalid(&format!("`_newton.privacy[{i}]` does not decrypt to a JSON object"))),
        }
    }
    Ok(Some(Value::Object(merged)))
}

/// `wasm_args` without the reserved `_newton` key, as PolicyData modules receive them.
pub fn strip_reserved(wasm_args: &Value) -> Value {
    match wasm_args {
        Value::Object(fields) if fields.contains_key(RESERVED_KEY) => {
            Value::Object(fields.iter().filter(|(k, _)| *k != RESERVED_KEY).map(|(k, v)| (k.clone(), v.clone())).collect())
        }
        other => other.clone(),
    }
}

fn invalid(message: &str) -> Error {
    Error::new(ErrorCode::PrivacyEnvelopeInvalid, message.to_owned())
}
