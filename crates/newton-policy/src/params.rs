//! The policy's params JSON Schema (the file a Policy's `schemaCid` points to). `data.params` is
//! validated against it before evaluation; a violation is an error, not a deny.

use newton_core::{ErrorCode, JsonSchema, Result, ViolationReport};
use serde_json::Value;

const VIOLATION: ViolationReport = ViolationReport {
    code: ErrorCode::ParamsSchemaViolation,
    subject: "data.params violates the params schema",
    redact: false,
};

/// A compiled params schema, validated once and reused across evaluations.
#[derive(Clone, Debug)]
pub struct ParamsSchema(JsonSchema);

impl ParamsSchema {
    /// Compiles a JSON Schema document (draft auto-detected from `$schema`, default 2020-12).
    pub fn compile(schema_json: &str) -> Result<Self> {
        JsonSchema::compile(schema_json, "params schema", ErrorCode::ParamsSchemaInvalid).map(Self)
    }

    /// Checks `params`; the error lists every violation with its JSON pointer.
    pub fn validate(&self, params: &Value) -> Result<()> {
        self.0.check(params, &VIOLATION)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
