//! Small JSON helpers shared by the crates' error messages.

use serde_json::Value;

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
