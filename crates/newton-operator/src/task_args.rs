//! A task's `wasm_args`: UTF-8 JSON bytes, the reserved `_newton` key (privacy envelopes, proof
//! CIDs) for the operator only, the rest for the PolicyData modules.

use newton_core::{Error, ErrorCode, Result};
use newton_privacy::{strip_reserved, RESERVED_KEY};
use newton_types::sol;
use serde_json::Value;

/// The decoded `wasm_args` of one task.
pub(crate) struct TaskArgs {
    /// The whole document (`{}` when the task has none).
    pub value: Value,
    /// What the modules receive: the task's text unchanged (big numbers stay exact) or, when it
    /// has a `_newton` key, the document without it.
    pub module_input: String,
}

impl TaskArgs {
    pub fn of(task: &sol::Task) -> Result<Self> {
        if task.wasmArgs.is_empty() {
            return Ok(Self { value: Value::Object(Default::default()), module_input: "{}".into() });
        }
        let text = std::str::from_utf8(&task.wasmArgs).map_err(|e| {
            Error::new(ErrorCode::InvalidJson, format!("task {} wasmArgs are not UTF-8: {e}", task.taskId))
        })?;
        let value: Value = Error::parse_json(&format!("task {} wasmArgs", task.taskId), text)?;
        let module_input = match value.get(RESERVED_KEY) {
            Some(_) => strip_reserved(&value).to_string(),
            None => text.to_owned(),
        };
        Ok(Self { value, module_input })
    }

    /// Whether the task carries ephemeral private data (`_newton.privacy`).
    pub fn has_private_data(&self) -> bool {
        self.value.get(RESERVED_KEY).and_then(|n| n.get("privacy")).is_some()
    }
}
