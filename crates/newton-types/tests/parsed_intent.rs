//! The Rego `input` built from intents (protocol notes §5.3 and §13C).

mod common;

use alloy_dyn_abi::{DynSolValue, JsonAbiExt};
use alloy_json_abi::Function;
use alloy_primitives::{hex, Address, U256};
use newton_core::ErrorCode;
use newton_types::{parse_intent, TaskIntent};
use serde_json::{json, Value};

fn intent(fields: Value) -> TaskIntent {
    TaskIntent::from_json(&fields.to_string()).unwrap()
}

/// Calldata for `signature` with `args`, encoded by alloy.
fn calldata(signature: &str, args: &[DynSolValue]) -> String {
    hex::encode_prefixed(Function::parse(signature).unwrap().abi_encode_input(args).unwrap())
}

fn utf8_hex(text: &str) -> String {
    hex::encode_prefixed(text)
}

#[test]
fn quickstart_buy_matches_section_13c() {
    let token: Address = "0x8f86403a4de0bb5791fa46b8e795c547942fe4cf".parse().unwrap();
    let data = calldata(
        "buy(address,uint256,uint32)",
        &[
            DynSolValue::Address(token),
            DynSolValue::Uint(U256::from(100_000_000_000u64), 256),
            DynSolValue::Uint(U256::from(2u8), 32),
        ],
    );
    assert!(data.starts_with("0x28dca9f7"), "{data}");
    // The calldata of quickstart-policies policy-files/intent.json.
    assert_eq!(
        data,
        "0x28dca9f70000000000000000000000008f86403a4de0bb5791fa46b8e795c547942fe4cf\
         000000000000000000000000000000000000000000000000000000174876e800\
         0000000000000000000000000000000000000000000000000000000000000002"
    );
    let parsed = parse_intent(&intent(json!({
        "from": "0xd232c8d0Dc8069eBA108954A5f2307752547Df1a",
        "to": "0xF4D520149541f948F6dA99EAeC6Ef6d699690bA3",
        "value": "0",
        "data": data,
        "chain_id": "11155111",
        "function_signature": "0x62757928616464726573732c75696e743235362c75696e74333229",
    })))
    .unwrap();
    assert_eq!(
        parsed,
        json!({
            "from": "0xd232c8d0dc8069eba108954a5f2307752547df1a",
            "to": "0xf4d520149541f948f6da99eaec6ef6d699690ba3",
            "value": "0",
            "data": data,
            "chain_id": "11155111",
            "function_signature": "0x62757928616464726573732c75696e743235362c75696e74333229",
            "function": {
                "name": "buy",
                "type": "function",
                "stateMutability": "nonpayable",
                "inputs": [
                    {"type": "address", "name": "param0"},
                    {"type": "uint256", "name": "param1"},
                    {"type": "uint32", "name": "param2"}
                ],
                "outputs": []
            },
            "decoded_function_signature": "buy(address,uint256,uint32)",
            "decoded_function_arguments": [
                "0x8f86403a4de0bb5791fa46b8e795c547942fe4cf",
                "100000000000",
                2
            ]
        })
    );
}

/// docs.rs newton-testing-utils 0.1.35 `src/policy.rs` `TEST_POLICY_PARSED_INTENT` (values
/// transcribed): the named-parameter signature form, value and chain id as decimal strings.
#[test]
fn newton_testing_utils_parsed_intent() {
    let data = "0xcce7ec130000000000000000000000008f86403a4de0bb5791fa46b8e795c547942fe4cf\
                0000000000000000000000000000000000000000000000000000002e90edd000";
    let signature =
        "0x66756e6374696f6e20627579286164647265737320746f6b656e2c2075696e7432353620616d6f756e7429";
    let expected = json!({
        "from": "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
        "to": "0x8f86403a4de0bb5791fa46b8e795c547942fe4cf",
        "value": "10000000000000000",
        "data": data,
        "chain_id": "31337",
        "function_signature": signature,
        "function": {
            "type": "function",
            "name": "buy",
            "inputs": [{"name": "token", "type": "address"}, {"name": "amount", "type": "uint256"}],
            "outputs": [],
            "stateMutability": "nonpayable"
        },
        "decoded_function_signature": "function buy(address token, uint256 amount)",
        "decoded_function_arguments": ["0x8f86403a4de0bb5791fa46b8e795c547942fe4cf", "200000000000"]
    });
    // Hex quantities and camelCase keys give the same input as the decimal form.
    for wire in [
        json!({"from": expected["from"], "to": expected["to"], "value": "10000000000000000",
               "data": data, "chain_id": "31337", "function_signature": signature}),
        json!({"from": expected["from"], "to": expected["to"], "value": "0x2386f26fc10000",
               "data": data, "chainId": 31337, "functionSignature": signature}),
    ] {
        assert_eq!(parse_intent(&intent(wire)).unwrap(), expected);
    }
}

#[test]
fn named_parameters_are_kept() {
    let token: Address = "0x8f86403a4de0bb5791fa46b8e795c547942fe4cf".parse().unwrap();
    let signature = "function buy(address token, uint256 amount)";
    let args = [DynSolValue::Address(token), DynSolValue::Uint(U256::from(5u8), 256)];
    let parsed = parse_intent(&intent(json!({
        "from": "0xd232c8d0dc8069eba108954a5f2307752547df1a",
        "to": "0xf4d520149541f948f6da99eaec6ef6d699690ba3",
        "value": "0x0",
        "data": calldata(signature, &args),
        "chain_id": "0xaa36a7",
        "function_signature": utf8_hex(signature),
    })))
    .unwrap();
    assert_eq!(
        parsed["function"]["inputs"],
        json!([{"name": "token", "type": "address"}, {"name": "amount", "type": "uint256"}])
    );
    assert_eq!(parsed["decoded_function_signature"], signature);
    assert_eq!(
        parsed["decoded_function_arguments"],
        json!(["0x8f86403a4de0bb5791fa46b8e795c547942fe4cf", "5"])
    );
}

#[test]
fn rpc_api_transfer_example() {
    let example = common::vectors()["intent_example"]["intent"].clone();
    let parsed = parse_intent(&TaskIntent::from_json(&example.to_string()).unwrap()).unwrap();
    assert_eq!(parsed["from"], "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    assert_eq!(parsed["to"], "0xb1ad5f82407bc0f19f42b2614fb9083035a36b69");
    assert_eq!(parsed["value"], "0");
    assert_eq!(parsed["chain_id"], "11155111");
    assert_eq!(parsed["data"], example["data"]);
    assert_eq!(parsed["function_signature"], example["function_signature"]);
    assert_eq!(parsed["decoded_function_signature"], "transfer(address,uint256)");
    assert_eq!(
        parsed["function"],
        json!({"type": "function", "name": "transfer", "stateMutability": "nonpayable", "outputs": [],
               "inputs": [{"name": "param0", "type": "address"}, {"name": "param1", "type": "uint256"}]})
    );
    assert_eq!(
        parsed["decoded_function_arguments"],
        json!(["0xe42e3458283032c669c98e0d8f883a92fc64fe22", "1"])
    );
}

#[test]
fn plain_transfer_has_no_function() {
    for data in ["0x", ""] {
        let parsed = parse_intent(&intent(json!({
            "from": "0xd232c8d0dc8069eba108954a5f2307752547df1a",
            "to": "0xf4d520149541f948f6da99eaec6ef6d699690ba3",
            "value": "1000000000000000000",
            "data": data,
            "chain_id": 1,
            "function_signature": "0x",
        })))
        .unwrap();
        assert_eq!(parsed["data"], "0x");
        assert_eq!(parsed["function_signature"], "0x");
        assert_eq!(parsed["value"], "1000000000000000000");
        assert_eq!(parsed["function"], Value::Null);
        assert_eq!(parsed["decoded_function_signature"], Value::Null);
        assert_eq!(parsed["decoded_function_arguments"], json!([]));
    }
}

#[test]
fn tuples_arrays_and_small_ints_map_to_json() {
    let signature =
        "f((address,uint8[2]),bytes32,bool,string,bytes,int64,int128,uint64[],(uint256,string) named)";
    let owner: Address = "0xd232c8d0dc8069eba108954a5f2307752547df1a".parse().unwrap();
    let args = [
        DynSolValue::Tuple(vec![
            DynSolValue::Address(owner),
            DynSolValue::FixedArray(vec![
                DynSolValue::Uint(U256::from(1u8), 8),
                DynSolValue::Uint(U256::from(255u8), 8),
            ]),
        ]),
        DynSolValue::FixedBytes(alloy_primitives::B256::repeat_byte(0xab), 32),
        DynSolValue::Bool(true),
        DynSolValue::String("héllo".into()),
        DynSolValue::Bytes(vec![0xde, 0xad]),
        DynSolValue::Int(alloy_primitives::I256::try_from(-42i64).unwrap(), 64),
        DynSolValue::Int(alloy_primitives::I256::try_from(-42i64).unwrap(), 128),
        DynSolValue::Array(vec![DynSolValue::Uint(U256::from(u64::MAX), 64)]),
        DynSolValue::Tuple(vec![
            DynSolValue::Uint(U256::from(7u8), 256),
            DynSolValue::String(String::new()),
        ]),
    ];
    let parsed = parse_intent(&intent(json!({
        "from": "0xd232c8d0dc8069eba108954a5f2307752547df1a",
        "to": "0xf4d520149541f948f6da99eaec6ef6d699690ba3",
        "value": 0,
        "data": calldata(signature, &args),
        "chain_id": 1,
        "function_signature": utf8_hex(signature),
    })))
    .unwrap();
    assert_eq!(
        parsed["decoded_function_arguments"],
        json!([
            ["0xd232c8d0dc8069eba108954a5f2307752547df1a", [1, 255]],
            format!("0x{}", "ab".repeat(32)),
            true,
            "héllo",
            "0xdead",
            -42,
            "-42",
            [u64::MAX],
            ["7", ""]
        ])
    );
    let inputs = &parsed["function"]["inputs"];
    assert_eq!(
        inputs[0],
        json!({"name": "param0", "type": "tuple", "components": [
            {"name": "param0", "type": "address"}, {"name": "param1", "type": "uint8[2]"}]})
    );
    assert_eq!(inputs[8]["name"], "named");
    assert_eq!(
        inputs[8]["components"],
        json!([{"name": "param0", "type": "uint256"}, {"name": "param1", "type": "string"}])
    );
}

fn error_for(fields: Value) -> newton_core::Error {
    let mut base = json!({
        "from": "0xd232c8d0dc8069eba108954a5f2307752547df1a",
        "to": "0xf4d520149541f948f6da99eaec6ef6d699690ba3",
        "value": "0",
        "data": "0x",
        "chain_id": "1",
        "function_signature": "0x",
    });
    for (key, value) in fields.as_object().unwrap() {
        base[key] = value.clone();
    }
    parse_intent(&intent(base)).unwrap_err()
}

#[test]
fn calldata_without_signature_is_invalid() {
    let err = error_for(json!({"data": "0xa9059cbb"}));
    assert_eq!(err.code, ErrorCode::IntentInvalid);
    assert!(err.message.contains("function_signature is empty"), "{}", err.message);
}

#[test]
fn bad_signatures_are_abi_signature_errors() {
    for signature in [
        "0xff",
        &utf8_hex("buy(address"),
        &utf8_hex("buy(addresss)"),
        &utf8_hex("buy(Order)"),
        &utf8_hex("not a signature"),
    ] {
        let err = error_for(json!({"function_signature": signature, "data": "0x12345678"}));
        assert_eq!(err.code, ErrorCode::AbiSignature, "{signature}: {}", err.message);
        assert!(err.message.starts_with("intent.function_signature "), "{}", err.message);
    }
}

#[test]
fn selector_mismatch_names_both_selectors() {
    let sell_args = [DynSolValue::Address(Address::ZERO), DynSolValue::Uint(U256::ZERO, 256)];
    let err = error_for(json!({
        "function_signature": utf8_hex("buy(address,uint256)"),
        "data": calldata("sell(address,uint256)", &sell_args),
    }));
    assert_eq!(err.code, ErrorCode::AbiDecode);
    let sell = Function::parse("sell(address,uint256)").unwrap().selector().to_string();
    assert!(err.message.contains(&sell) && err.message.contains("0xcce7ec13"), "{}", err.message);
    assert!(err.message.contains("buy(address,uint256)"), "{}", err.message);
}

#[test]
fn short_or_truncated_calldata_is_an_abi_decode_error() {
    let signature = utf8_hex("buy(address,uint256)");
    for data in [
        "0x",
        "0xcce7ec",
        "0xcce7ec13",
        "0xcce7ec130000000000000000000000008f86403a4de0bb5791fa46b8e795c547942fe4cf",
    ] {
        let err = error_for(json!({"function_signature": signature, "data": data}));
        assert_eq!(err.code, ErrorCode::AbiDecode, "{data}: {}", err.message);
        assert!(err.message.starts_with("intent.data "), "{}", err.message);
    }
}
