//! JSON Schema checks with one report shape: the error's details list every violation with its
//! JSON pointer, and its message names the first and counts the rest.

use crate::{Error, ErrorCode, Result};
use serde_json::{json, Value};
use std::sync::Arc;

/// A compiled JSON Schema (draft from `$schema`, default 2020-12); cheap to clone.
#[derive(Clone, Debug)]
pub struct JsonSchema(Arc<jsonschema::Validator>);

/// How [`JsonSchema::check`] reports violations.
pub struct ViolationReport {
    pub code: ErrorCode,
    /// Starts the message, e.g. "data.params violates the params schema".
    pub subject: &'static str,
    /// Report the schema keyword instead of the validator's message, which can quote the value.
    pub redact: bool,
}

impl JsonSchema {
    /// Compiles `schema_json`; a failure has `code` and names the schema as `what`.
    pub fn compile(schema_json: &str, what: &str, code: ErrorCode) -> Result<Self> {
        let schema: Value =
            serde_json::from_str(schema_json).map_err(|e| Error::new(code, format!("{what} is not JSON: {e}")))?;
        let validator = jsonschema::validator_for(&schema)
            .map_err(|e| Error::new(code, format!("{what} is not a valid JSON Schema: {e}")))?;
        Ok(Self(Arc::new(validator)))
    }

    /// Checks `doc`; each violation in the details is `{path, message}`, or `{path, keyword}` when redacted.
    pub fn check(&self, doc: &Value, report: &ViolationReport) -> Result<()> {
        let violations: Vec<Value> = self
            .0
            .iter_errors(doc)
            .map(|e| {
                let path = e.instance_path().to_string();
                if report.redact {
                    let keyword = e.schema_path().to_string();
                    json!({"path": path, "keyword": keyword.rsplit('/').next().unwrap_or_default()})
                } else {
                    json!({"path": path, "message": e.to_string()})
                }
            })
            .collect();
        let Some(first) = violations.first() else { return Ok(()) };
        let path = first["path"].as_str().filter(|p| !p.is_empty()).unwrap_or("/");
        let more = violations.len() - 1;
        let (what, rest) = match report.redact {
            true => (format!(" ({})", first["keyword"].as_str().unwrap_or_default()), format!(" and {more} more")),
            false => (format!(": {}", first["message"].as_str().unwrap_or_default()), format!(" (and {more} more)")),
        };
        let message = format!("{} at {path}{what}{}", report.subject, if more > 0 { rest.as_str() } else { "" });
        Err(Error::new(report.code, message).with_details(json!({ "violations": violations })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = r#"{"type":"object","properties":{"k":{"type":"string","minLength":8}},"required":["k"],"additionalProperties":false}"#;

    fn report(redact: bool) -> ViolationReport {
        ViolationReport { code: ErrorCode::ParamsSchemaViolation, subject: "doc violates the schema", redact }
    }

    #[test]
    fn bad_schemas_get_the_given_code() {
        let e = JsonSchema::compile("{", "the schema", ErrorCode::PolicyDataSchemaInvalid).expect_err("json");
        assert_eq!(e.code, ErrorCode::PolicyDataSchemaInvalid);
        assert!(e.message.starts_with("the schema is not JSON: "), "{}", e.message);
        let e = JsonSchema::compile(r#"{"type": 12}"#, "the schema", ErrorCode::ParamsSchemaInvalid).expect_err("schema");
        assert!(e.message.starts_with("the schema is not a valid JSON Schema: "), "{}", e.message);
    }

    #[test]
    fn reports_the_first_violation_and_lists_all() {
        let schema = JsonSchema::compile(SCHEMA, "s", ErrorCode::ParamsSchemaInvalid).expect("schema");
        schema.check(&json!({"k": "longenough"}), &report(false)).expect("valid");
        let e = schema.check(&json!({"k": "short"}), &report(false)).expect_err("one");
        assert_eq!(e.code, ErrorCode::ParamsSchemaViolation);
        assert_eq!(e.message, r#"doc violates the schema at /k: "short" is shorter than 8 characters"#);
        let e = schema.check(&json!([]), &report(false)).expect_err("root");
        assert!(e.message.starts_with("doc violates the schema at /: "), "{}", e.message);
        let e = schema.check(&json!({"k": 1, "x": 2}), &report(false)).expect_err("two");
        assert!(e.message.ends_with(" (and 1 more)"), "{}", e.message);
        assert_eq!(e.details.expect("details")["violations"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn redacted_reports_name_keywords_not_values() {
        let schema = JsonSchema::compile(SCHEMA, "s", ErrorCode::ParamsSchemaInvalid).expect("schema");
        let e = schema.check(&json!({"k": "short", "x": "hunter2"}), &report(true)).expect_err("two");
        assert_eq!(e.message, "doc violates the schema at /k (minLength) and 1 more");
        assert!(!e.to_json().contains("short") && !e.to_json().contains("hunter2"), "{}", e.to_json());
    }
}
