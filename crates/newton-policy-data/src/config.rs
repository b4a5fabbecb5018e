//! Host configuration: every limit has a documented default and can be set from JSON
//! (camelCase, the TS `PolicyDataHostOptions`).

use newton_core::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

const MIB: u64 = 1024 * 1024;

/// Per-run limits. Each breach fails the run with its own error code; the host keeps serving.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct Limits {
    /// Fuel (≈ WebAssembly instructions) per run. Default 100,000,000, as Newton operators use.
    pub fuel: u64,
    /// Linear-memory cap per memory of an instance. Default 64 MiB: a componentize-js oracle
    /// starts with 8–16 MiB, so this leaves it 4× headroom.
    pub memory_bytes: u64,
    /// Maximum WebAssembly stack. Default 1 MiB.
    pub stack_bytes: u64,
    /// Wall-clock backstop per run (epoch interruption). Default 5,000 ms.
    pub timeout_ms: u64,
    /// `http.fetch` calls per run. Default 50.
    pub max_http_calls: u32,
    /// Bytes per http response body. Default 1 MiB.
    pub max_response_bytes: u64,
    /// Per-call http timeout (bounded by what is left of `timeout_ms`). Default 10,000 ms.
    pub http_timeout_ms: u64,
    /// Bytes of the `run` output. Default 1 MiB.
    pub max_output_bytes: u64,
    /// Bytes of a module, checked before compiling. Default 32 MiB.
    pub max_module_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            fuel: 100_000_000,
            memory_bytes: 64 * MIB,
            stack_bytes: MIB,
            timeout_ms: 5_000,
            max_http_calls: 50,
            max_response_bytes: MIB,
            http_timeout_ms: 10_000,
            max_output_bytes: MIB,
            max_module_bytes: 32 * MIB,
        }
    }
}

/// Everything a [`crate::PolicyDataHost`] is built from.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct HostConfig {
    #[serde(flatten)]
    pub limits: Limits,
    /// Hosts admitted past the SSRF guard: `127.0.0.1`, `localhost`, `127.0.0.1:8787`, `[::1]:80`.
    pub allow_hosts: Vec<String>,
    /// Directory for compiled artifacts (created 0700); none keeps compiled code in memory only.
    pub cache_dir: Option<PathBuf>,
    /// Instances that may run at once (pool slots); further runs wait. Default 16.
    pub max_instances: Option<u32>,
}

impl HostConfig {
    /// Parses the options JSON (`{}` or empty for all defaults).
    pub fn from_json(text: &str) -> Result<Self> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        let invalid = |e: String| Error::invalid_argument(format!("policy data host options: {e}"));
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        // serde cannot deny unknown fields through `flatten`: compare with the known keys instead.
        let known = serde_json::to_value(Self::default()).map_err(|e| invalid(e.to_string()))?;
        if let (Some(given), Some(known)) = (value.as_object(), known.as_object()) {
            if let Some(key) = given.keys().find(|k| !known.contains_key(*k)) {
                return Err(invalid(format!("unknown option `{key}`")));
            }
        }
        let config: Self = serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
        config.check()?;
        Ok(config)
    }

    pub(crate) fn instances(&self) -> u32 {
        self.max_instances.unwrap_or(16)
    }

    /// Rejects limits that cannot work (zero budgets, a stack or memory cap out of range).
    pub fn check(&self) -> Result<()> {
        let l = &self.limits;
        let bad = |what: &str| Err(Error::invalid_argument(format!("policy data host options: {what}")));
        if l.fuel == 0 || l.timeout_ms == 0 || l.http_timeout_ms == 0 {
            return bad("fuel, timeoutMs and httpTimeoutMs must be positive");
        }
        if l.memory_bytes < 64 * 1024 || l.memory_bytes > 4 * 1024 * MIB {
            return bad("memoryBytes must be between 64 KiB and 4 GiB");
        }
        if l.stack_bytes < 64 * 1024 || l.stack_bytes > 64 * MIB {
            return bad("stackBytes must be between 64 KiB and 64 MiB");
        }
        if l.max_output_bytes == 0 || l.max_module_bytes == 0 || l.max_response_bytes == 0 {
            return bad("maxOutputBytes, maxModuleBytes and maxResponseBytes must be positive");
        }
        if !(1..=1024).contains(&self.instances()) {
            return bad("maxInstances must be between 1 and 1024");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_camel_case_options_over_defaults() {
        let c = HostConfig::from_json(r#"{"fuel":5,"allowHosts":["127.0.0.1"],"maxInstances":2}"#).expect("ok");
        assert_eq!(c.limits.fuel, 5);
        assert_eq!(c.limits.max_http_calls, 50);
        assert_eq!(c.allow_hosts, ["127.0.0.1"]);
        assert_eq!(c.instances(), 2);
        assert_eq!(HostConfig::from_json("").expect("empty"), HostConfig::default());
    }

    #[test]
    fn rejects_unknown_and_out_of_range_options() {
        assert!(HostConfig::from_json(r#"{"fuell":5}"#).is_err());
        assert!(HostConfig::from_json(r#"{"fuel":0}"#).is_err());
        assert!(HostConfig::from_json(r#"{"stackBytes":1}"#).is_err());
    }
}
