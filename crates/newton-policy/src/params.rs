//! The policy's params JSON Schema (the file a Policy's `schemaCid` points to). `data.params` is
//! validated against it before evaluation; a violation is an error, not a deny.

use newton_core::{Error, ErrorCode, Result};
use serde_json::{json, Value};

/// A compiled params schema, validated once and reused across evaluations.
#[derive(Clone, Debug)]
pub struct ParamsSchema {
    validator: std::sync::Arc<jsonschema::Validator>,
}

impl ParamsSchema {
    /// Compiles a JSON Schema document (draft auto-detected from `$schema`, default 2020-12).
    pub fn compile(schema_json: &str) -> Result<Self> {
        let schema: Value = serde_json::from_str(schema_json).map_err(|e| {
            Error::new(ErrorCode::ParamsSchemaInvalid, format!("params schema is not JSON: {e}"))
        })?;
        let validator = jsonschema::validator_for(&schema).map_err(|e| {
            Error::new(ErrorCode::ParamsSchemaInvalid, format!("params schema is not a valid JSON Schema: {e}"))
        })?;
        Ok(Self { validator: std::sync::Arc::new(validator) })
    }

    /// Checks `params`; the error lists every violation with its JSON pointer.
    pub fn validate(&self, params: &Value) -> Result<()> {
        let violations: Vec<Value> = self
            .validator
            .iter_errors(params)
            .map(|e| json!({"path": e.instance_path().to_string(), "message": e.to_string()}))
            .collect();
        let Some(first) = violations.first() else { return Ok(()) };
        let path = first["path"].as_str().filter(|p| !p.is_empty()).unwrap_or("/");
        let message = format!(
            "data.params violates the params schema at {path}: {}{}",
            first["message"].as_str().unwrap_or_default(),
            if violations.len() > 1 { format!(" (and {} more)", violations.len() - 1) } else { String::new() }
        );
        Err(Error::new(ErrorCode::ParamsSchemaViolation, message)
            .with_details(json!({ "violations": violations })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = r#"{"type":"object","properties":{"max":{"type":"integer","minimum":0}},"required":["max"],"additionalProperties":false}"#;

    #[test]
    fn accepts_valid_and_lists_violations() {
        let s = ParamsSchema::compile(SCHEMA).expect("schema");
        s.validate(&json!({"max": 5})).expect("valid");
        let e = s.validate(&json!({"max": -1, "extra": true})).expect_err("invalid");
        assert_eq!(e.code, ErrorCode::ParamsSchemaViolation);
        assert_eq!(e.details.expect("details")["violations"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn rejects_bad_schemas() {
        assert_eq!(ParamsSchema::compile("{").expect_err("json").code, ErrorCode::ParamsSchemaInvalid);
        let e = ParamsSchema::compile(r#"{"type": 12}"#).expect_err("schema");
        assert_eq!(e.code, ErrorCode::ParamsSchemaInvalid);
    }
}
