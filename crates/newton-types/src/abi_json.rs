//! JSON forms of ABI items and values as policies see them in `input`.

use alloy_dyn_abi::DynSolValue;
use alloy_json_abi::Function;
use alloy_primitives::hex;
use newton_core::{Error, Result};
use serde_json::Value;

/// The JSON ABI object of `function`, with unnamed parameters named `param0..N` by their index
/// among their siblings (inputs, outputs, or a tuple's components).
pub(crate) fn function(function: &Function) -> Result<Value> {
    let mut json = serde_json::to_value(function).map_err(|e| {
        Error::internal(format!("JSON ABI of {} does not serialize: {e}", function.signature()))
    })?;
    if let Value::Object(item) = &mut json {
        for key in ["inputs", "outputs"] {
            if let Some(Value::Array(params)) = item.get_mut(key) {
                name_params(params);
            }
        }
    }
    Ok(json)
}

fn name_params(params: &mut [Value]) {
    for (index, param) in params.iter_mut().enumerate() {
        let Value::Object(param) = param else { continue };
        if param.get("name").and_then(Value::as_str).is_none_or(str::is_empty) {
            param.insert("name".into(), Value::String(format!("param{index}")));
        }
        if let Some(Value::Array(components)) = param.get_mut("components") {
            name_params(components);
        }
    }
}

/// A decoded ABI value: address/bytes → lowercase `0x` hex, integers of at most 64 bits → JSON
/// numbers, wider integers → decimal strings, sequences → arrays.
pub(crate) fn value(value: &DynSolValue) -> Value {
    match value {
        DynSolValue::Bool(b) => Value::Bool(*b),
        DynSolValue::Int(n, bits) => match i64::try_from(*n) {
            Ok(small) if *bits <= 64 => Value::from(small),
            _ => Value::String(n.to_string()),
        },
        DynSolValue::Uint(n, bits) => match u64::try_from(*n) {
            Ok(small) if *bits <= 64 => Value::from(small),
            _ => Value::String(n.to_string()),
        },
        DynSolValue::FixedBytes(word, size) => {
            Value::String(hex::encode_prefixed(&word[..(*size).min(32)]))
        }
        DynSolValue::Address(address) => Value::String(hex::encode_prefixed(address)),
        DynSolValue::Function(pointer) => Value::String(hex::encode_prefixed(pointer)),
        DynSolValue::Bytes(bytes) => Value::String(hex::encode_prefixed(bytes)),
        DynSolValue::String(text) => Value::String(text.clone()),
        DynSolValue::Array(items) => sequence(items),
        // Fixed arrays and tuples (and named structs, when alloy's `eip712` feature is on).
        other => sequence(other.as_fixed_seq().unwrap_or_default()),
    }
}

fn sequence(items: &[DynSolValue]) -> Value {
    Value::Array(items.iter().map(value).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Address, FixedBytes, I256, U256};
    use serde_json::json;

    #[test]
    fn integers_switch_to_strings_above_64_bits() {
        assert_eq!(value(&DynSolValue::Uint(U256::from(2u8), 32)), json!(2));
        assert_eq!(value(&DynSolValue::Uint(U256::from(u64::MAX), 64)), json!(u64::MAX));
        assert_eq!(value(&DynSolValue::Uint(U256::from(5u8), 72)), json!("5"));
        assert_eq!(value(&DynSolValue::Uint(U256::MAX, 256)), json!(U256::MAX.to_string()));
        assert_eq!(value(&DynSolValue::Int(I256::MINUS_ONE, 8)), json!(-1));
        assert_eq!(value(&DynSolValue::Int(I256::MIN, 256)), json!(I256::MIN.to_string()));
        assert_eq!(value(&DynSolValue::Int(I256::try_from(-7i64).unwrap(), 128)), json!("-7"));
    }

    #[test]
    fn bytes_addresses_and_sequences() {
        let address: Address = "0x8F86403a4de0bb5791fa46b8e795c547942fe4cf".parse().unwrap();
        let nested = DynSolValue::Tuple(vec![
            DynSolValue::Address(address),
            DynSolValue::FixedArray(vec![DynSolValue::Bool(true), DynSolValue::Bool(false)]),
            DynSolValue::Array(vec![DynSolValue::String("hi".into())]),
            DynSolValue::Bytes(vec![0xAB, 0xCD]),
            DynSolValue::FixedBytes(FixedBytes::right_padding_from(&[0x12]), 1),
        ]);
        assert_eq!(
            value(&nested),
            json!([
                "0x8f86403a4de0bb5791fa46b8e795c547942fe4cf",
                [true, false],
                ["hi"],
                "0xabcd",
                "0x12"
            ])
        );
    }
}
