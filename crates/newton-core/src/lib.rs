//! Shared foundations: the [`Error`] type every crate returns and the one table of stable
//! error codes that crosses Rust → napi → TypeScript → JSON-RPC unchanged.

mod code;
mod error;
mod json;
mod schema;

pub use code::ErrorCode;
pub use error::{Error, Result};
pub use json::{is_too_deep, json_kind, MAX_JSON_DEPTH};
pub use schema::check_schema_version;
