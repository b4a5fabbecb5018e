//! What a module returns: checks on the `run` output, the shallow merge into `data.wasm`, and
//! JSON Schema validation of outputs (`newton policy-data validate`).

use newton_core::{is_too_deep, json_kind, Error, ErrorCode, JsonSchema, Result, ViolationReport, MAX_JSON_DEPTH};
use serde_json::{Map, Value};

/// Checks the guest's `Ok` text: at most `max_bytes`, JSON, and an object.
pub fn check_output(text: &str, max_bytes: u64) -> Result<Map<String, Value>> {
    if text.len() as u64 > max_bytes {
        let msg = format!("the module's output is {} bytes, over the {max_bytes}-byte limit", text.len());
        return Err(Error::new(ErrorCode::PolicyDataOutputTooLarge, msg));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => {
            let kind = json_kind(&other);
            Err(Error::new(ErrorCode::PolicyDataOutputNotObject, format!("the module's output is {kind}, not a JSON object")))
        }
        Err(e) if is_too_deep(&e) => Err(Error::new(
            ErrorCode::LimitDepth,
            format!("the module's output nests deeper than {MAX_JSON_DEPTH} levels ({e})"),
        )),
        Err(e) => Err(Error::new(ErrorCode::PolicyDataOutputInvalid, format!("the module's output is not JSON: {e}"))),
    }
}

/// Shallow, in order, last wins: the outputs of a policy's modules become `data.wasm`.
pub fn merge_outputs(outputs: &[Map<String, Value>]) -> Map<String, Value> {
    let mut merged = Map::new();
    for output in outputs {
        for (k, v) in output {
            merged.insert(k.clone(), v.clone());
        }
    }
    merged
}

/// Validates `doc` against a JSON Schema (draft from `$schema`, default 2020-12); the error lists
/// every violation with its JSON pointer.
pub fn validate_json_schema(schema_json: &str, doc: &Value) -> Result<()> {
    const VIOLATION: ViolationReport = ViolationReport {
        code: ErrorCode::PolicyDataOutputSchemaViolation,
        subject: "the output violates the schema",
        redact: false,
    };
    JsonSchema::compile(schema_json, "the output schema", ErrorCode::PolicyDataSchemaInvalid)?.check(doc, &VIOLATION)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("object")
    }

    #[test]
    fn output_must_be_a_bounded_json_object() {
        assert_eq!(check_output(r#"{"a":1}"#, 100).expect("ok")["a"], 1);
        assert_eq!(check_output("[1]", 100).expect_err("array").code, ErrorCode::PolicyDataOutputNotObject);
        assert_eq!(check_output("{", 100).expect_err("json").code, ErrorCode::PolicyDataOutputInvalid);
        assert_eq!(check_output(r#"{"a":"xxxx"}"#, 5).expect_err("size").code, ErrorCode::PolicyDataOutputTooLarge);
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(200), "]".repeat(200));
        assert_eq!(check_output(&deep, 1 << 20).expect_err("depth").code, ErrorCode::LimitDepth);
    }

    #[test]
    fn merge_is_shallow_in_order_last_wins() {
        let merged = merge_outputs(&[obj(json!({"a":{"x":1},"b":1})), obj(json!({"a":{"y":2},"c":3}))]);
        assert_eq!(Value::Object(merged), json!({"a":{"y":2},"b":1,"c":3}));
        assert!(merge_outputs(&[]).is_empty());
    }

    #[test]
    fn schema_validation_lists_violations() {
        let schema = r#"{"type":"object","required":["ok"],"properties":{"ok":{"type":"boolean"}}}"#;
        validate_json_schema(schema, &json!({"ok": true})).expect("valid");
        let e = validate_json_schema(schema, &json!({"ok": 1})).expect_err("type");
        assert_eq!(e.code, ErrorCode::PolicyDataOutputSchemaViolation);
        assert!(e.message.contains("/ok"), "{}", e.message);
        assert_eq!(validate_json_schema("{", &json!({})).expect_err("bad").code, ErrorCode::PolicyDataSchemaInvalid);
    }
}
