//! The ParsedIntent object a policy sees as Rego `input`.

use crate::{abi_json, TaskIntent};
use alloy_dyn_abi::{JsonAbiExt, Specifier};
use alloy_json_abi::Function;
use alloy_primitives::hex;
use newton_core::{Error, ErrorCode, Result};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Builds the Rego `input` for `intent`:
///
/// `{from, to, value, data, chain_id, function_signature, function, decoded_function_signature,
/// decoded_function_arguments}` — addresses and bytes as lowercase `0x` hex, `value` and
/// `chain_id` as decimal strings, `function` as the JSON ABI of the signature parsed by alloy,
/// and the arguments ABI-decoded from `data[4..]`. A plain transfer (empty
/// `function_signature` and `data`) has `function: null`, `decoded_function_signature: null`
/// and no arguments.
///
/// Errors: `IntentInvalid` for calldata without a signature, `AbiSignature` for a signature
/// that is not UTF-8, does not parse or names an unknown type (e.g. a struct name), `AbiDecode`
/// for calldata that does not match it.
pub fn parse_intent(intent: &TaskIntent) -> Result<Value> {
    let (function, signature, arguments) = if intent.function_signature.is_empty() {
        if !intent.data.is_empty() {
            return Err(Error::new(
                ErrorCode::IntentInvalid,
                "intent.data is set but intent.function_signature is empty; send the hex of the \
                 UTF-8 function signature, e.g. \"transfer(address,uint256)\"",
            ));
        }
        (Value::Null, Value::Null, Vec::new())
    } else {
        let signature = std::str::from_utf8(&intent.function_signature).map_err(|e| {
            Error::new(
                ErrorCode::AbiSignature,
                format!("intent.function_signature is not UTF-8 text: {e}"),
            )
        })?;
        let parsed = parsed_function(signature)?;
        let arguments = decode_arguments(&parsed, &intent.data)?;
        (parsed.abi.clone(), Value::String(signature.to_owned()), arguments)
    };
    Ok(json!({
        "from": hex::encode_prefixed(intent.from),
        "to": hex::encode_prefixed(intent.to),
        "value": intent.value.to_string(),
        "data": hex::encode_prefixed(&intent.data),
        "chain_id": intent.chain_id.to_string(),
        "function_signature": hex::encode_prefixed(&intent.function_signature),
        "function": function,
        "decoded_function_signature": signature,
        "decoded_function_arguments": arguments,
    }))
}

/// A function signature parsed once: the function, its selector and its ABI JSON.
struct ParsedFunction {
    function: Function,
    selector: [u8; 4],
    abi: Value,
}

/// Signatures kept per thread; the memo starts over when it is full.
const MAX_PARSED_SIGNATURES: usize = 256;

thread_local! {
    /// Parsed signatures by their text, per thread: a client sends the same few, and parsing one
    /// (selector hash and ABI JSON included) costs more than the rest of `parse_intent`.
    static PARSED_SIGNATURES: RefCell<HashMap<String, Rc<ParsedFunction>>> = RefCell::new(HashMap::new());
}

fn parsed_function(signature: &str) -> Result<Rc<ParsedFunction>> {
    if let Some(parsed) = PARSED_SIGNATURES.with_borrow(|memo| memo.get(signature).cloned()) {
        return Ok(parsed);
    }
    let function = Function::parse(signature.trim()).map_err(|e| {
        Error::new(
            ErrorCode::AbiSignature,
            format!("intent.function_signature {signature:?} is not a Solidity function signature: {e}"),
        )
    })?;
    for param in function.inputs.iter().chain(&function.outputs) {
        param.resolve().map_err(|e| {
            Error::new(
                ErrorCode::AbiSignature,
                format!("intent.function_signature {signature:?} has a type alloy cannot resolve: {e}"),
            )
        })?;
    }
    let parsed = Rc::new(ParsedFunction { selector: function.selector().0, abi: abi_json::function(&function)?, function });
    PARSED_SIGNATURES.with_borrow_mut(|memo| {
        if memo.len() >= MAX_PARSED_SIGNATURES {
            memo.clear();
        }
        memo.insert(signature.to_owned(), Rc::clone(&parsed));
    });
    Ok(parsed)
}

/// Checks the selector of `data` against the parsed function, then ABI-decodes the rest.
fn decode_arguments(parsed: &ParsedFunction, data: &[u8]) -> Result<Vec<Value>> {
    let function = &parsed.function;
    // Formatted only for an error message.
    let expected = || hex::encode_prefixed(parsed.selector);
    let Some((selector, encoded)) = data.split_first_chunk::<4>() else {
        return Err(Error::new(
            ErrorCode::AbiDecode,
            format!(
                "intent.data is {} bytes, too short for the 4-byte selector {} of {}",
                data.len(),
                expected(),
                function.signature()
            ),
        ));
    };
    if selector != &parsed.selector {
        return Err(Error::new(
            ErrorCode::AbiDecode,
            format!(
                "intent.data selector {} does not match {}, the selector of {}",
                hex::encode_prefixed(selector),
                expected(),
                function.signature()
            ),
        ));
    }
    let values = function.abi_decode_input(encoded).map_err(|e| {
        Error::new(
            ErrorCode::AbiDecode,
            format!("intent.data arguments do not ABI-decode as {}: {e}", function.signature()),
        )
    })?;
    Ok(values.iter().map(abi_json::value).collect())
}
