//! The JSON form of [`CompileOptions`], as the TypeScript API and the CLI write it (camelCase;
//! every key optional, unknown keys refused):
//!
//! `{"regoV0"?, "paramsSchema"?: {schema} | "<schema JSON text>", "data"?: {…},
//! "strictBuiltinErrors"?, "limits"?: {"maxModuleBytes", "maxModules", "maxRequestBytes",
//! "evalTimeoutMs", "maxNesting", "maxEvalDepth", "maxEvalElements", "maxEvalStringBytes",
//! "maxIntegerBits", "paramsCacheEntries"}}`

use crate::testing::TestOptions;
use crate::{CompileOptions, Limits, ParamsSchema};
use newton_core::{Error, Result};
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OptionsJson {
    rego_v0: Option<bool>,
    params_schema: Option<Value>,
    data: Option<Value>,
    strict_builtin_errors: Option<bool>,
    limits: Option<LimitsJson>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LimitsJson {
    max_module_bytes: Option<usize>,
    max_modules: Option<usize>,
    max_request_bytes: Option<usize>,
    eval_timeout_ms: Option<u64>,
    max_nesting: Option<usize>,
    max_eval_depth: Option<u32>,
    max_eval_elements: Option<u64>,
    max_eval_string_bytes: Option<u64>,
    max_integer_bits: Option<u64>,
    params_cache_entries: Option<usize>,
}

impl CompileOptions {
    /// Parses the JSON form; empty text is the defaults. `InvalidJson` for a wrong shape, the
    /// schema's own code for a params schema that does not compile.
    pub fn from_json(text: &str) -> Result<Self> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        let o: OptionsJson = Error::parse_json("compile options", text)?;
        let (d, l) = (Limits::default(), o.limits.unwrap_or_default());
        let params_schema = match o.params_schema {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(ParamsSchema::compile(&text)?),
            Some(schema) => Some(ParamsSchema::compile(&schema.to_string())?),
        };
        Ok(Self {
            rego_v0: o.rego_v0.unwrap_or(false),
            params_schema,
            data: o.data.filter(|d| !d.is_null()),
            strict_builtin_errors: o.strict_builtin_errors.unwrap_or(true),
            limits: Limits {
                max_module_bytes: l.max_module_bytes.unwrap_or(d.max_module_bytes),
                max_modules: l.max_modules.unwrap_or(d.max_modules),
                max_request_bytes: l.max_request_bytes.unwrap_or(d.max_request_bytes),
                eval_timeout: l.eval_timeout_ms.map_or(d.eval_timeout, Duration::from_millis),
                max_nesting: l.max_nesting.unwrap_or(d.max_nesting),
                max_eval_depth: l.max_eval_depth.unwrap_or(d.max_eval_depth),
                max_eval_elements: l.max_eval_elements.unwrap_or(d.max_eval_elements),
                max_eval_string_bytes: l.max_eval_string_bytes.unwrap_or(d.max_eval_string_bytes),
                max_integer_bits: l.max_integer_bits.unwrap_or(d.max_integer_bits),
                params_cache_entries: l.params_cache_entries.unwrap_or(d.params_cache_entries),
            },
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestOptionsJson {
    run: Option<String>,
    coverage: Option<bool>,
    compile: Option<Value>,
}

impl TestOptions {
    /// Parses the JSON form; empty text is the defaults.
    pub fn from_json(text: &str) -> Result<Self> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        let o: TestOptionsJson = Error::parse_json("test options", text)?;
        let compile = o.compile.filter(|c| !c.is_null()).map_or_else(String::new, |c| c.to_string());
        Ok(Self { run: o.run, coverage: o.coverage.unwrap_or(false), compile: CompileOptions::from_json(&compile)? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_is_the_defaults_and_keys_map_onto_fields() {
        let d = CompileOptions::from_json("").expect("defaults");
        assert!(d.strict_builtin_errors && !d.rego_v0 && d.params_schema.is_none());
        let o = CompileOptions::from_json(
            r#"{"regoV0": true, "strictBuiltinErrors": false, "paramsSchema": "{\"type\":\"object\"}",
                "data": {"t": 1}, "limits": {"evalTimeoutMs": 50, "maxNesting": 8}}"#,
        )
        .expect("options");
        assert!(o.rego_v0 && !o.strict_builtin_errors && o.params_schema.is_some());
        assert_eq!(o.limits.eval_timeout, Duration::from_millis(50));
        assert_eq!(o.limits.max_nesting, 8);
        assert_eq!(o.limits.max_modules, Limits::default().max_modules);
        assert!(CompileOptions::from_json(r#"{"paramsSchema": {"type": "object"}}"#)
            .expect("object")
            .params_schema
            .is_some());
    }

    #[test]
    fn wrong_shapes_are_refused() {
        for bad in [r#"{"regoV1": true}"#, r#"{"limits": {"evalTimeoutMs": -1}}"#, "[]"] {
            let err = CompileOptions::from_json(bad).expect_err(bad);
            assert_eq!(err.code, newton_core::ErrorCode::InvalidJson, "{bad}");
        }
    }
}
