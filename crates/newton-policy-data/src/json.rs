//! The JSON forms that cross the napi boundary: run options in, run results out, outputs to
//! merge. Nested JSON documents (secrets, fixtures, the output) travel as JSON text.

use crate::{merge_outputs, Fixtures, HttpMode, RunOptions, RunResult, Secrets};
use newton_core::{Error, ErrorCode, Result};
use serde::Deserialize;
use serde_json::{json, Map, Value};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RunOptionsJson {
    secrets: Option<String>,
    http_mode: Option<String>,
    http_fixtures: Option<String>,
}

impl RunOptions {
    /// `{secrets?, httpMode?: "live"|"replay"|"record", httpFixtures?}`; secrets and fixtures are
    /// JSON text. With fixtures and no mode the run replays; record appends to given fixtures.
    pub fn from_json(text: &str) -> Result<Self> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        let o: RunOptionsJson =
            serde_json::from_str(text).map_err(|e| Error::invalid_argument(format!("run options: {e}")))?;
        let fixtures = o.http_fixtures.as_deref().map(Fixtures::from_json).transpose()?;
        let http = match (o.http_mode.as_deref(), fixtures) {
            (None | Some("live"), None) => HttpMode::Live,
            (Some("live"), Some(_)) => return Err(Error::invalid_argument("run options: httpFixtures need httpMode replay or record")),
            (None | Some("replay"), Some(f)) => HttpMode::Replay(f),
            (Some("replay"), None) => return Err(Error::invalid_argument("run options: httpMode replay needs httpFixtures")),
            (Some("record"), f) => HttpMode::Record(f.unwrap_or_else(Fixtures::new)),
            (Some(other), _) => return Err(Error::invalid_argument(format!("run options: unknown httpMode `{other}`"))),
        };
        let secrets = o.secrets.as_deref().map(Secrets::from_json).transpose()?;
        Ok(Self { secrets, http })
    }
}

impl RunResult {
    /// `{output, http_recorded?, fuel_consumed, http_calls}` with `output` and `http_recorded` as JSON text.
    pub fn to_json(&self) -> String {
        let mut v = json!({"output": self.output, "fuel_consumed": self.fuel_consumed, "http_calls": self.http_calls});
        if let Some(f) = &self.http_recorded {
            v["http_recorded"] = Value::String(f.to_json());
        }
        v.to_string()
    }
}

/// Merges module outputs given as JSON texts (each must be an object) into `data.wasm` text.
pub fn merge_outputs_json(outputs: &[String]) -> Result<String> {
    let maps = outputs
        .iter()
        .enumerate()
        .map(|(i, text)| match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Err(Error::new(ErrorCode::PolicyDataOutputNotObject, format!("output {i} is not a JSON object"))),
            Err(e) => Err(Error::new(ErrorCode::PolicyDataOutputInvalid, format!("output {i} is not JSON: {e}"))),
        })
        .collect::<Result<Vec<Map<String, Value>>>>()?;
    Ok(Value::Object(merge_outputs(&maps)).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_options_pick_the_http_mode() {
        assert!(matches!(RunOptions::from_json("").expect("empty").http, HttpMode::Live));
        let f = r#"{"version":1,"entries":[]}"#;
        let o = RunOptions::from_json(&json!({"httpFixtures": f}).to_string()).expect("replay");
        assert!(matches!(o.http, HttpMode::Replay(_)));
        let o = RunOptions::from_json(r#"{"httpMode":"record","secrets":"{\"k\":1}"}"#).expect("record");
        assert!(matches!(o.http, HttpMode::Record(ref f) if f.is_empty()) && o.secrets.is_some());
        assert!(RunOptions::from_json(r#"{"httpMode":"replay"}"#).is_err());
        assert!(RunOptions::from_json(r#"{"httpMode":"carrier-pigeon"}"#).is_err());
        assert!(RunOptions::from_json(r#"{"secret":"{}"}"#).is_err());
        assert_eq!(RunOptions::from_json(r#"{"secrets":"[1]"}"#).expect_err("array").code, ErrorCode::InvalidJson);
    }

    #[test]
    fn merges_output_texts() {
        let merged = merge_outputs_json(&[r#"{"a":1,"b":1}"#.into(), r#"{"b":2}"#.into()]).expect("merge");
        assert_eq!(merged, r#"{"a":1,"b":2}"#);
        assert_eq!(merge_outputs_json(&["[1]".into()]).expect_err("array").code, ErrorCode::PolicyDataOutputNotObject);
    }
}
