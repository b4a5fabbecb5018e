//! `yaml.is_valid` and `yaml.unmarshal` over YAML streams, as OPA: every document must parse,
//! and `unmarshal` returns the first. regorus parses one document only.

use anyhow::{anyhow, Result};
use regorus::Value;

use super::super::args;
use super::string;

/// `yaml.is_valid(x)`: whether `x` is a string holding a valid YAML stream; false otherwise.
pub(super) fn is_valid(name: &str, a: &[Value]) -> Result<Value> {
    let [x] = args(name, a)?;
    let valid = match x {
        Value::String(s) => first_document(s).is_ok(),
        _ => false,
    };
    Ok(Value::from(valid))
}

/// `yaml.unmarshal(x)`: the first document of the YAML stream `x` (null when it has none).
pub(super) fn unmarshal(name: &str, a: &[Value]) -> Result<Value> {
    let [x] = args(name, a)?;
    first_document(string(name, 1, x)?).map_err(|e| anyhow!("{name}: {e}"))
}

/// Parses every document of `s`; returns the first.
fn first_document(s: &str) -> Result<Value> {
    let mut first = None;
    for doc in documents(s) {
        let v = Value::from_yaml_str(doc)?;
        first.get_or_insert(v);
    }
    Ok(first.unwrap_or(Value::Null))
}

/// Splits a stream before each line that starts with a `---` marker: libyaml ends the current
/// document there, even inside a block scalar.
fn documents(s: &str) -> Vec<&str> {
    let mut docs = Vec::new();
    let (mut start, mut at) = (0, 0);
    for line in s.split_inclusive('\n') {
        let marker = line
            .strip_prefix("---")
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']));
        if marker && at > start {
            docs.push(&s[start..at]);
            start = at;
        }
        at += line.len();
    }
    docs.push(&s[start..]);
    docs
}
