//! A request's `data.params`, kept as the JSON text the request carried and parsed only when
//! something needs the value: a params schema, or a params-cache miss. A client's params change
//! far less often than its tasks arrive, so most evaluations never parse them.

use newton_core::{json_kind, Error, Result};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::sync::OnceLock;

/// `data.params`: a JSON object, from text or from a value.
#[derive(Clone, Debug, Default)]
pub struct Params {
    /// The object's text as received; `None` when built from a value (or absent: `{}`).
    text: Option<Box<RawValue>>,
    value: OnceLock<Value>,
}

impl Params {
    /// Params from the request's `params` member: an object, or `null` for none.
    pub fn from_json(raw: Box<RawValue>) -> Result<Self> {
        match raw.get() {
            text if text.starts_with('{') => Ok(Self { text: Some(raw), value: OnceLock::new() }),
            "null" => Ok(Self::default()),
            text => {
                let kind = serde_json::from_str(text).map_or("invalid JSON", |v: Value| json_kind(&v));
                Err(Error::invalid_argument(format!("`params` must be a JSON object, got {kind}")))
            }
        }
    }

    /// The params value, parsed on first use.
    pub fn value(&self) -> Result<&Value> {
        if let Some(value) = self.value.get() {
            return Ok(value);
        }
        let value = match &self.text {
            Some(raw) => Error::parse_json("params", raw.get())?,
            None => Value::Object(Map::new()),
        };
        Ok(self.value.get_or_init(|| value))
    }

    /// The params cache's key: the text as received, or the value's JSON. Equal text means equal
    /// params; equal params written differently only miss the cache.
    pub(crate) fn key(&self) -> Result<Cow<'_, str>> {
        match &self.text {
            Some(raw) => Ok(Cow::Borrowed(raw.get())),
            None => serde_json::to_string(self.value()?)
                .map(Cow::Owned)
                .map_err(|e| Error::internal(format!("params are not serializable: {e}"))),
        }
    }
}

impl From<Value> for Params {
    /// Params from a value; not an object means an evaluation with `data.params` set to it.
    fn from(value: Value) -> Self {
        Self { text: None, value: OnceLock::from(value) }
    }
}
