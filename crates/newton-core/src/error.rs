//! The error every crate returns: a stable code, a readable message and optional structured
//! details (for example the file, line and column of a parse error).

use crate::{is_too_deep, ErrorCode, MAX_JSON_DEPTH};
use serde::Serialize;
use serde_json::Value;

/// A failure with a stable [`ErrorCode`].
#[derive(Clone, Debug, PartialEq, Serialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), details: None }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidArgument, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }

    /// Parses a JSON document, naming `what` it was in the error.
    pub fn parse_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T> {
        serde_json::from_str(text).map_err(|e| match is_too_deep(&e) {
            true => Self::new(
                ErrorCode::LimitDepth,
                format!("{what} nests deeper than {MAX_JSON_DEPTH} levels ({e})"),
            ),
            false => Self::new(ErrorCode::InvalidJson, format!("{what} is not valid JSON: {e}")),
        })
    }

    /// An `Internal` error for a caught panic, keeping the panic's message.
    pub fn from_panic(context: &str, payload: &(dyn std::any::Any + Send)) -> Self {
        let what = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("unknown panic");
        Self::internal(format!("{context}: {what}"))
    }

    /// The JSON form that crosses every boundary: `{code, message, details?}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| {
            format!(r#"{{"code":"{}","message":"unserializable error"}}"#, self.code)
        })
    }
}
