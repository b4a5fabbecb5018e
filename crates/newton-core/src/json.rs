//! Small JSON helpers shared by the crates' error messages.

use serde_json::Value;

/// How deep a JSON document may nest: serde_json's recursion limit, kept on everywhere so that
/// parsing (and every later walk of the value) stays within a bounded stack.
pub const MAX_JSON_DEPTH: usize = 128;

/// True when serde_json refused a document for nesting deeper than [`MAX_JSON_DEPTH`].
pub fn is_too_deep(e: &serde_json::Error) -> bool {
    e.to_string().starts_with("recursion limit exceeded")
}

/// The kind of a JSON value, as error messages name it: "null", "a boolean", "an object", ….
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
