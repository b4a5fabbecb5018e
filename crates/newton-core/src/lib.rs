//! Shared foundations: the [`Error`] type every crate returns, the one table of stable error
//! codes that crosses Rust → napi → TypeScript → JSON-RPC unchanged, and the one JSON Schema
//! violation report.

mod code;
mod error;
mod json;
mod json_schema;
mod schema;

pub use code::ErrorCode;
pub use error::{Error, Result};
pub use json::{is_too_deep, json_kind, MAX_JSON_DEPTH};
pub use json_schema::{JsonSchema, ViolationReport};
pub use schema::check_schema_version;
