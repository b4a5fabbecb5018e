//! The wire intent (`TaskIntent`) a caller submits, as the gateway accepts it.

use crate::{sol, wire};
use alloy_primitives::{Address, Bytes, U256};
use newton_core::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A transaction intent: `{from, to, value, data, chain_id, function_signature}`.
///
/// Deserializes from snake_case or camelCase keys (`chainId`, `functionSignature`); quantities
/// may be `0x` hex, decimal strings or JSON integers. Serializes to the canonical wire form:
/// snake_case keys, lowercase hex, `0x` hex quantities.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WireIntent")]
pub struct TaskIntent {
    pub from: Address,
    pub to: Address,
    pub value: U256,
    /// Calldata: 4-byte selector then ABI-encoded arguments; empty for a plain transfer.
    pub data: Bytes,
    pub chain_id: U256,
    /// UTF-8 bytes of the human-readable signature (e.g. `transfer(address,uint256)`), not the
    /// selector; empty for a plain transfer.
    pub function_signature: Bytes,
}

/// The intent as it arrives, before each field is checked.
#[derive(Deserialize)]
struct WireIntent {
    from: Value,
    to: Value,
    value: Value,
    data: Value,
    #[serde(alias = "chainId")]
    chain_id: Value,
    #[serde(alias = "functionSignature")]
    function_signature: Value,
}

impl TryFrom<WireIntent> for TaskIntent {
    type Error = Error;

    fn try_from(wire: WireIntent) -> Result<Self> {
        Ok(Self {
            from: wire::address("from", &wire.from)?,
            to: wire::address("to", &wire.to)?,
            value: wire::quantity("value", &wire.value)?,
            data: wire::bytes("data", &wire.data)?,
            chain_id: wire::quantity("chain_id", &wire.chain_id)?,
            function_signature: wire::bytes("function_signature", &wire.function_signature)?,
        })
    }
}

impl TaskIntent {
    /// Parses a JSON intent. Not JSON → `InvalidJson`; a missing or malformed field →
    /// `IntentInvalid` naming the field.
    pub fn from_json(text: &str) -> Result<Self> {
        Self::from_value(Error::parse_json("intent", text)?)
    }

    /// Like [`TaskIntent::from_json`], from an already parsed JSON value.
    pub fn from_value(value: Value) -> Result<Self> {
        if !value.is_object() {
            return Err(Error::new(ErrorCode::IntentInvalid, "intent must be a JSON object"));
        }
        let wire = WireIntent::deserialize(value)
            .map_err(|e| Error::new(ErrorCode::IntentInvalid, format!("intent: {e}")))?;
        Self::try_from(wire)
    }

    /// The on-chain `Intent` struct. Every field is already validated, so this does not fail
    /// today; the `Result` keeps the call site stable if chain-side checks are added.
    pub fn to_sol(&self) -> Result<sol::Intent> {
        Ok(sol::Intent {
            from: self.from,
            to: self.to,
            value: self.value,
            data: self.data.clone(),
            chainId: self.chain_id,
            functionSignature: self.function_signature.clone(),
        })
    }
}

impl From<&sol::Intent> for TaskIntent {
    /// The wire intent of an on-chain `Intent` (every field is already typed).
    fn from(intent: &sol::Intent) -> Self {
        Self {
            from: intent.from,
            to: intent.to,
            value: intent.value,
            data: intent.data.clone(),
            chain_id: intent.chainId,
            function_signature: intent.functionSignature.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRANSFER: &str = r#"{
        "from": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        "to": "0xb1aD5f82407bC0f19f42b2614fb9083035a36b69",
        "value": "0x0",
        "data": "0xa9059cbb",
        "chainId": "0xaa36a7",
        "functionSignature": "0x7472616e7366657228616464726573732c75696e7432353629"
    }"#;

    #[test]
    fn camel_case_aliases_and_serde_agree_with_from_json() {
        let intent = TaskIntent::from_json(TRANSFER).unwrap();
        assert_eq!(intent.chain_id, U256::from(11_155_111u64));
        assert_eq!(&intent.function_signature[..], b"transfer(address,uint256)");
        let via_serde: TaskIntent = serde_json::from_str(TRANSFER).unwrap();
        assert_eq!(via_serde, intent);
    }

    #[test]
    fn serializes_to_canonical_wire_form_and_round_trips() {
        let intent = TaskIntent::from_json(TRANSFER).unwrap();
        let wire = serde_json::to_value(&intent).unwrap();
        assert_eq!(
            wire,
            serde_json::json!({
                "from": "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
                "to": "0xb1ad5f82407bc0f19f42b2614fb9083035a36b69",
                "value": "0x0",
                "data": "0xa9059cbb",
                "chain_id": "0xaa36a7",
                "function_signature": "0x7472616e7366657228616464726573732c75696e7432353629"
            })
        );
        assert_eq!(serde_json::from_value::<TaskIntent>(wire).unwrap(), intent);
    }

    #[test]
    fn errors_name_the_field_and_code() {
        let err = TaskIntent::from_json("{not json").unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidJson);

        let err = TaskIntent::from_json("[1]").unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (ErrorCode::IntentInvalid, "intent must be a JSON object")
        );

        let missing = TRANSFER.replace(r#""value": "0x0","#, "");
        let err = TaskIntent::from_json(&missing).unwrap_err();
        assert_eq!(err.code, ErrorCode::IntentInvalid);
        assert!(err.message.contains("missing field `value`"), "{}", err.message);

        let bad_chain = TRANSFER.replace("0xaa36a7", "sepolia");
        let err = TaskIntent::from_json(&bad_chain).unwrap_err();
        assert_eq!(err.code, ErrorCode::IntentInvalid);
        assert!(err.message.starts_with("intent.chain_id: "), "{}", err.message);

        let bad_data = TRANSFER.replace("0xa9059cbb", "0xa9059cb");
        let err = serde_json::from_str::<TaskIntent>(&bad_data).unwrap_err();
        assert!(err.to_string().contains("intent.data: "), "{err}");
    }

    #[test]
    fn to_sol_copies_every_field() {
        let intent = TaskIntent::from_json(TRANSFER).unwrap();
        let sol = intent.to_sol().unwrap();
        assert_eq!(
            (sol.from, sol.to, sol.value, sol.chainId),
            (intent.from, intent.to, intent.value, intent.chain_id)
        );
        assert_eq!((&sol.data, &sol.functionSignature), (&intent.data, &intent.function_signature));
        assert_eq!(TaskIntent::from(&sol), intent);
    }
}
