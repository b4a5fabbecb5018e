//! Canonical JSON (RFC 8785, JCS): the bytes every operator hashes and publishes for a PolicyData
//! output, whatever key order or number spelling its module produced.

use alloy_primitives::{keccak256, B256};
use newton_core::{Error, Result};
use serde_json::Value;

/// The RFC 8785 canonical form of `value`: sorted keys, no whitespace, ECMAScript numbers.
pub fn canonical_json(value: &Value) -> Result<Vec<u8>> {
    // A serde_json value has no non-finite numbers, the one thing JCS cannot print.
    serde_jcs::to_vec(value).map_err(|e| Error::internal(format!("canonical JSON failed: {e}")))
}

/// `keccak256` of [`canonical_json`].
pub fn canonical_json_digest(value: &Value) -> Result<B256> {
    canonical_json(value).map(keccak256)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_and_number_spelling_do_not_change_the_bytes() {
        let a: Value = serde_json::from_str(r#"{"b": [1.0, 2e1], "a": {"y": "é", "x": null}}"#).unwrap();
        let b = json!({"a": {"x": null, "y": "é"}, "b": [1, 20]});
        assert_eq!(canonical_json(&a).unwrap(), r#"{"a":{"x":null,"y":"é"},"b":[1,20]}"#.as_bytes());
        assert_eq!(canonical_json_digest(&a).unwrap(), canonical_json_digest(&b).unwrap());
    }

    #[test]
    fn rfc8785_number_forms() {
        let value: Value = serde_json::from_str("[1e21, 1e-7, 0.1, -0.0, 123456789012]").unwrap();
        assert_eq!(canonical_json(&value).unwrap(), b"[1e+21,1e-7,0.1,0,123456789012]");
    }
}
