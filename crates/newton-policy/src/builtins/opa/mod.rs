//! OPA builtins implemented here because regorus 0.14 lacks them or deviates from OPA (each
//! gap was found by OPA's conformance suite). regorus resolves a call to a registered extension
//! before its own builtin of that name, so registering these overrides its versions.
//!
//! As in OPA, a failing call is an error under strict builtin errors and undefined otherwise.
//! Messages start with the builtin's name and use OPA's wording where OPA defines one.

mod collections;
mod json;
mod nat;
mod units;
mod yaml;

use anyhow::{anyhow, Context as _, Error, Result};
use regorus::{Engine, Value};

use super::Builtin;

/// Every override as `(name, arity, body)`.
const OVERRIDES: &[(&str, u8, Builtin)] = &[
    ("array.flatten", 1, collections::array_flatten),
    ("json.is_valid", 1, json::is_valid),
    ("json.match_schema", 2, json::match_schema),
    ("strings.count", 2, collections::strings_count),
    ("strings.split_n", 3, collections::split_n),
    ("units.parse", 1, units::parse),
    ("units.parse_bytes", 1, units::parse_bytes),
    ("yaml.is_valid", 1, yaml::is_valid),
    ("yaml.unmarshal", 1, yaml::unmarshal),
];

/// Registers the overrides on `engine`; `strict` must match its `set_strict_builtin_errors`.
pub(super) fn register(engine: &mut Engine, strict: bool) -> Result<()> {
    for &(name, arity, body) in OVERRIDES {
        let call = move |args: Vec<Value>| match body(name, &args) {
            Err(_) if !strict => Ok(Value::Undefined),
            result => result,
        };
        engine
            .add_extension(name.to_string(), arity, Box::new(call))
            .with_context(|| format!("registering {name}"))?;
    }
    Ok(())
}

/// OPA's name for the type of `v`.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Set(_) => "set",
        Value::Object(_) => "object",
        Value::Undefined => "undefined",
    }
}

/// OPA's operand type error, e.g. `strings.count: operand 1 must be string but got number`.
fn operand_error(name: &str, pos: usize, want: &str, got: &Value) -> Error {
    anyhow!(
        "{name}: operand {pos} must be {want} but got {}",
        type_name(got)
    )
}

/// String operand `pos` (1-based).
fn string<'a>(name: &str, pos: usize, v: &'a Value) -> Result<&'a str> {
    match v {
        Value::String(s) => Ok(s),
        _ => Err(operand_error(name, pos, "string", v)),
    }
}
