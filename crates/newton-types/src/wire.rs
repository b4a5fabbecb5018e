//! Parsers for the wire encodings of intent fields. Every error names the field it is about.

use alloy_primitives::{hex, Address, Bytes, U256};
use newton_core::{Error, ErrorCode, Result};
use serde_json::Value;

/// Longest excerpt of an offending value quoted back in an error message.
const SHOWN_CHARS: usize = 80;

/// A 20-byte `0x` hex address, any letter case (EIP-55 checksums are not enforced).
pub(crate) fn address(field: &str, value: &Value) -> Result<Address> {
    let parsed = value
        .as_str()
        .and_then(hex_digits)
        .filter(|digits| digits.len() == 40)
        .and_then(|digits| hex::decode(digits).ok())
        .map(|raw| Address::from_slice(&raw));
    parsed.ok_or_else(|| invalid(field, "a 20-byte 0x hex address", value))
}

/// A non-negative integer up to 2^256-1: `0x` hex quantity, decimal string or JSON integer.
pub(crate) fn quantity(field: &str, value: &Value) -> Result<U256> {
    let parsed = match value {
        Value::String(s) => match hex_digits(s) {
            Some(digits) => radix(digits, 16),
            None => radix(s, 10),
        },
        // Above u64, serde_json keeps the digits only with `arbitrary_precision`; floats and
        // negatives never pass the digit check.
        Value::Number(n) => n.as_u64().map(U256::from).or_else(|| radix(&n.to_string(), 10)),
        _ => None,
    };
    parsed.ok_or_else(|| {
        invalid(
            field,
            "a non-negative integer below 2^256 (0x hex quantity, decimal string, or JSON integer \
             up to 2^64-1)",
            value,
        )
    })
}

/// Even-length `0x` hex bytes; `"0x"` and `""` are empty.
pub(crate) fn bytes(field: &str, value: &Value) -> Result<Bytes> {
    let parsed = value.as_str().and_then(|s| match s {
        "" => Some(Bytes::new()),
        _ => hex_digits(s).and_then(|digits| hex::decode(digits).ok()).map(Bytes::from),
    });
    parsed.ok_or_else(|| invalid(field, "even-length 0x hex bytes", value))
}

/// The hex digits after a `0x`/`0X` prefix (possibly none); `None` without the prefix or with
/// any non-hex character after it.
fn hex_digits(s: &str) -> Option<&str> {
    let digits = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))?;
    digits.chars().all(|c| c.is_ascii_hexdigit()).then_some(digits)
}

/// Digits of `radix` only (no sign, separator, prefix or empty string), without overflow.
fn radix(digits: &str, radix: u32) -> Option<U256> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    U256::from_str_radix(digits, u64::from(radix)).ok()
}

fn invalid(field: &str, expected: &str, value: &Value) -> Error {
    let mut shown = value.to_string();
    if shown.chars().count() > SHOWN_CHARS {
        shown = shown.chars().take(SHOWN_CHARS).chain("…".chars()).collect();
    }
    Error::new(ErrorCode::IntentInvalid, format!("intent.{field}: expected {expected}, got {shown}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quantities_accept_hex_decimal_and_numbers() {
        for (input, expected) in [
            (json!("0x0"), U256::ZERO),
            (json!("0xaa36a7"), U256::from(11_155_111u64)),
            (json!("0XAA36A7"), U256::from(11_155_111u64)),
            (json!("11155111"), U256::from(11_155_111u64)),
            (json!(11155111), U256::from(11_155_111u64)),
            (json!(u64::MAX), U256::from(u64::MAX)),
            (json!(format!("0x{}", "f".repeat(64))), U256::MAX),
            (json!(U256::MAX.to_string()), U256::MAX),
        ] {
            assert_eq!(quantity("value", &input).unwrap(), expected, "{input}");
        }
    }

    #[test]
    fn quantities_reject_malformed_values() {
        let too_big = format!("{}0", U256::MAX);
        for input in [
            json!("0x"),
            json!(""),
            json!("-1"),
            json!("+1"),
            json!("1_000"),
            json!("1.5"),
            json!("0xzz"),
            json!(format!("0x1{}", "0".repeat(64))),
            json!(too_big),
            json!(-1),
            json!(1.5),
            json!(1e20),
            json!(null),
            json!(true),
        ] {
            let err = quantity("chain_id", &input).unwrap_err();
            assert_eq!(err.code, ErrorCode::IntentInvalid, "{input}");
            assert!(err.message.starts_with("intent.chain_id: "), "{}", err.message);
        }
    }

    #[test]
    fn addresses_accept_any_case_and_reject_bad_shapes() {
        let lower = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
        let expected: Address = lower.parse().unwrap();
        for ok in [
            lower,
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
            "0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266",
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92267",
        ] {
            let parsed = address("from", &json!(ok)).unwrap();
            assert_eq!(parsed == expected, ok != "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92267");
        }
        for bad in [
            json!("f39fd6e51aad88f6f4ce6ab8827279cfffb92266"),
            json!("0x1234"),
            json!(format!("{lower}00")),
            json!("0xg39fd6e51aad88f6f4ce6ab8827279cfffb92266"),
            json!(1),
        ] {
            let err = address("to", &bad).unwrap_err();
            assert!(err.message.starts_with("intent.to: expected a 20-byte"), "{}", err.message);
        }
    }

    #[test]
    fn bytes_need_even_length_prefixed_hex() {
        assert_eq!(bytes("data", &json!("0x")).unwrap(), Bytes::new());
        assert_eq!(bytes("data", &json!("")).unwrap(), Bytes::new());
        assert_eq!(
            bytes("data", &json!("0xA9059cbb")).unwrap(),
            Bytes::from(vec![0xa9, 0x05, 0x9c, 0xbb])
        );
        for bad in [json!("0xabc"), json!("a9059cbb"), json!("0xzz"), json!("0x0xab"), json!(null)] {
            let err = bytes("data", &bad).unwrap_err();
            assert!(err.message.starts_with("intent.data: "), "{}", err.message);
        }
    }

    #[test]
    fn long_values_are_truncated_in_messages() {
        let long = format!("0x{}", "z".repeat(500));
        let err = bytes("data", &json!(long)).unwrap_err();
        assert!(err.message.ends_with('…') && err.message.len() < 200, "{}", err.message);
    }
}
