//! `json.is_valid` and `json.match_schema`.

use std::collections::HashMap;

use anyhow::{anyhow, bail, Result};
use jsonschema::error::{TypeKind, ValidationErrorKind as Kind};
use jsonschema::{Draft, ValidationError};
use regorus::Value;
use serde_json::{json, Value as Json};

use super::super::args;

/// `json.is_valid(x)`: whether `x` is a string holding one JSON value; false for a non-string.
pub(super) fn is_valid(name: &str, a: &[Value]) -> Result<Value> {
    let [x] = args(name, a)?;
    let valid = match x {
        Value::String(s) => serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok(),
        _ => false,
    };
    Ok(Value::from(valid))
}

/// `json.match_schema(document, schema)`: `[true, []]`, or `[false, errors]` with one
/// `{"error", "type", "field", "desc"}` object per violation, worded as OPA's gojsonschema.
/// Each argument is a JSON string or an object/array. Without `$schema`, draft 7 applies;
/// remote references are not fetched.
pub(super) fn match_schema(name: &str, a: &[Value]) -> Result<Value> {
    let [document, schema] = args(name, a)?;
    let (document, schema) = (json_arg(name, document)?, json_arg(name, schema)?);
    let validator = match schema.get("$schema") {
        Some(_) => jsonschema::validator_for(&schema),
        None => jsonschema::options()
            .with_draft(Draft::Draft7)
            .build(&schema),
    }
    .map_err(|e| anyhow!("{name}: {e}"))?;
    let mut errors = Vec::new();
    for e in validator.iter_errors(&document) {
        describe(&e, &schema, &mut errors);
    }
    let valid = errors.is_empty();
    Ok(Value::from(vec![
        Value::from(valid),
        Value::from(Json::from(errors)),
    ]))
}

/// A document given as a JSON string or as an object or array.
fn json_arg(name: &str, v: &Value) -> Result<Json> {
    match v {
        Value::String(s) => {
            serde_json::from_str(s).map_err(|_| anyhow!("{name}: invalid JSON string"))
        }
        Value::Object(_) | Value::Array(_) => {
            serde_json::to_value(v).map_err(|e| anyhow!("{name}: {e}"))
        }
        _ => bail!("{name}: wrong type, expected string or object"),
    }
}

/// Appends gojsonschema's report of `e` against `schema`; for a failed `anyOf`/`oneOf`, also
/// the errors of the alternative with the fewest.
fn describe(e: &ValidationError<'_>, schema: &Json, out: &mut Vec<Json>) {
    let segments: Vec<String> = e.instance_path().iter().map(|s| s.to_string()).collect();
    let field = match segments.is_empty() {
        true => "(Root)".to_string(),
        false => segments.join("."),
    };
    let mut push = |kind: &str, desc: String| {
        let error = format!("{field}: {desc}");
        out.push(json!({"error": error, "type": kind, "field": field, "desc": desc}));
    };
    let mut best = None;
    match e.kind() {
        Kind::AdditionalItems { .. } => push(
            "array_no_additional_items",
            "No additional items allowed on array".into(),
        ),
        Kind::AdditionalProperties { unexpected } => {
            for p in unexpected {
                push(
                    "additional_property_not_allowed",
                    format!("Additional property {p} is not allowed"),
                );
            }
        }
        Kind::AnyOf { context } => {
            push(
                "number_any_of",
                "Must validate at least one schema (anyOf)".into(),
            );
            best = context.iter().min_by_key(|errors| errors.len());
        }
        Kind::OneOfNotValid { context } => {
            push(
                "number_one_of",
                "Must validate one and only one schema (oneOf)".into(),
            );
            best = context.iter().min_by_key(|errors| errors.len());
        }
        Kind::OneOfMultipleValid { .. } => push(
            "number_one_of",
            "Must validate one and only one schema (oneOf)".into(),
        ),
        Kind::Constant { expected_value } => {
            push("const", format!("{field} does not match: {expected_value}"))
        }
        Kind::Contains => push("contains", "At least one of the items must match".into()),
        Kind::Enum { options } => {
            let allowed: Vec<String> = options
                .as_array()
                .into_iter()
                .flatten()
                .map(Json::to_string)
                .collect();
            let allowed = if allowed.is_empty() {
                "(none)".into()
            } else {
                allowed.join(", ")
            };
            push(
                "enum",
                format!("{field} must be one of the following: {allowed}"),
            );
        }
        Kind::ExclusiveMaximum { limit } => push("number_lt", format!("Must be less than {limit}")),
        Kind::ExclusiveMinimum { limit } => {
            push("number_gt", format!("Must be greater than {limit}"))
        }
        Kind::FalseSchema => push("false", "False always fails validation".into()),
        Kind::Format { format } => push("format", format!("Does not match format '{format}'")),
        Kind::MaxItems { limit } => push(
            "array_max_items",
            format!("Array must have at most {limit} items"),
        ),
        Kind::MinItems { limit } => push(
            "array_min_items",
            format!("Array must have at least {limit} items"),
        ),
        Kind::Maximum { limit } => push(
            "number_lte",
            format!("Must be less than or equal to {limit}"),
        ),
        Kind::Minimum { limit } => push(
            "number_gte",
            format!("Must be greater than or equal to {limit}"),
        ),
        Kind::MaxLength { limit } => push(
            "string_lte",
            format!("String length must be less than or equal to {limit}"),
        ),
        Kind::MinLength { limit } => push(
            "string_gte",
            format!("String length must be greater than or equal to {limit}"),
        ),
        Kind::MaxProperties { limit } => push(
            "array_max_properties",
            format!("Must have at most {limit} properties"),
        ),
        Kind::MinProperties { limit } => push(
            "array_min_properties",
            format!("Must have at least {limit} properties"),
        ),
        Kind::MultipleOf { multiple_of } => push(
            "multiple_of",
            format!("Must be a multiple of {multiple_of}"),
        ),
        Kind::Not { .. } => push("number_not", "Must not validate the schema (not)".into()),
        Kind::Pattern { pattern } => push("pattern", format!("Does not match pattern '{pattern}'")),
        Kind::PropertyNames { error } => {
            let property = error.instance().as_str().unwrap_or_default().to_string();
            push(
                "invalid_property_name",
                format!("Property name of \"{property}\" does not match"),
            );
        }
        Kind::Required { property } => {
            let property = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_string);
            push("required", format!("{property} is required"));
        }
        Kind::Type { kind } => {
            // Several types are listed as the schema writes them.
            let written = schema
                .pointer(e.schema_path().as_str())
                .and_then(Json::as_array);
            let expected = match (kind, written) {
                (TypeKind::Single(t), _) => t.to_string(),
                (_, Some(types)) => format!(
                    "[{}]",
                    types
                        .iter()
                        .filter_map(Json::as_str)
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                (TypeKind::Multiple(set), None) => format!(
                    "[{}]",
                    set.iter()
                        .map(|t| t.to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            };
            let given = type_of(e.instance());
            push(
                "invalid_type",
                format!("Invalid type. Expected: {expected}, given: {given}"),
            );
        }
        Kind::UniqueItems => {
            let mut seen = HashMap::new();
            for (j, item) in e.instance().as_array().into_iter().flatten().enumerate() {
                if let Some(i) = seen.insert(item.to_string(), j) {
                    push("unique", format!("array items[{i},{j}] must be unique"));
                }
            }
        }
        other => push(other.keyword(), e.to_string()),
    }
    for sub in best.into_iter().flatten() {
        describe(sub, schema, out);
    }
}

/// gojsonschema's type of a JSON value: a number with an integer value is an `integer`.
fn type_of(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(n)
            if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) =>
        {
            "integer"
        }
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}
