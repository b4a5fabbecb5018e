//! Secrets for `secrets.get`: a JSON object scoped to (policy client, policy data id), checked
//! against the PolicyData's secrets JSON Schema when stored. Values never reach Debug, Display,
//! error messages or logs.

use newton_core::{Error, ErrorCode, JsonSchema, Result, ViolationReport};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// The secrets JSON bytes of one scope. Opaque: printing it shows only its size.
#[derive(Clone, PartialEq, Eq)]
pub struct Secrets(Arc<Vec<u8>>);

impl Secrets {
    /// Accepts a JSON object (the shape `secrets.get` hands the guest).
    pub fn from_json(text: &str) -> Result<Self> {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(_)) => Ok(Self(Arc::new(text.as_bytes().to_vec()))),
            Ok(_) => Err(Error::new(ErrorCode::InvalidJson, "secrets must be a JSON object")),
            Err(e) => Err(Error::new(ErrorCode::InvalidJson, format!("secrets are not valid JSON (line {}, column {})", e.line(), e.column()))),
        }
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// Checks these secrets against a secrets JSON Schema. Violations name the JSON pointer and
    /// the schema keyword only — never the offending value.
    pub fn validate(&self, schema_json: &str) -> Result<()> {
        const VIOLATION: ViolationReport = ViolationReport {
            code: ErrorCode::PolicyDataSecretsSchemaViolation,
            subject: "secrets violate the secrets schema",
            redact: true,
        };
        let schema = JsonSchema::compile(schema_json, "secrets schema", ErrorCode::PolicyDataSchemaInvalid)?;
        let doc: Value = serde_json::from_slice(&self.0).map_err(|_| Error::internal("secrets stopped parsing"))?;
        schema.check(&doc, &VIOLATION)
    }
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets(<{} bytes redacted>)", self.0.len())
    }
}

impl std::fmt::Display for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

/// In-memory secrets keyed by (policy client, policy data id), validated when stored.
#[derive(Default)]
pub struct SecretStore {
    entries: RwLock<HashMap<(String, String), Secrets>>,
}

impl SecretStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores `secrets_json` for the scope after checking it against `schema_json` (when the
    /// PolicyData declares one). Scopes compare case-insensitively (addresses are hex).
    pub fn put(&self, policy_client: &str, policy_data_id: &str, secrets_json: &str, schema_json: Option<&str>) -> Result<()> {
        let secrets = Secrets::from_json(secrets_json)?;
        if let Some(schema) = schema_json {
            secrets.validate(schema)?;
        }
        self.write().insert(key(policy_client, policy_data_id), secrets);
        Ok(())
    }

    /// The secrets of a scope, for one run's `secrets.get`.
    pub fn get(&self, policy_client: &str, policy_data_id: &str) -> Option<Secrets> {
        self.entries.read().unwrap_or_else(|p| p.into_inner()).get(&key(policy_client, policy_data_id)).cloned()
    }

    pub fn remove(&self, policy_client: &str, policy_data_id: &str) -> bool {
        self.write().remove(&key(policy_client, policy_data_id)).is_some()
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<(String, String), Secrets>> {
        self.entries.write().unwrap_or_else(|p| p.into_inner())
    }
}

impl std::fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.entries.read().map(|m| m.len()).unwrap_or_default();
        write!(f, "SecretStore(<{n} scopes redacted>)")
    }
}

fn key(client: &str, data: &str) -> (String, String) {
    (client.to_ascii_lowercase(), data.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = r#"{"type":"object","properties":{"API_KEY":{"type":"string","minLength":8}},"required":["API_KEY"],"additionalProperties":false}"#;

    #[test]
    fn stores_valid_secrets_per_scope() {
        let store = SecretStore::new();
        store.put("0xAbC", "0xD1", r#"{"API_KEY":"supersecret"}"#, Some(SCHEMA)).expect("valid");
        let s = store.get("0xabc", "0xd1").expect("scoped");
        assert_eq!(s.bytes(), br#"{"API_KEY":"supersecret"}"#);
        assert!(store.get("0xabc", "0xd2").is_none());
        assert!(store.remove("0xABC", "0xD1"));
    }

    #[test]
    fn violations_never_echo_values() {
        let store = SecretStore::new();
        let e = store.put("c", "d", r#"{"API_KEY":"short"}"#, Some(SCHEMA)).expect_err("too short");
        assert_eq!(e.code, ErrorCode::PolicyDataSecretsSchemaViolation);
        assert!(e.message.contains("/API_KEY") && e.message.contains("minLength"), "{}", e.message);
        assert!(!e.to_json().contains("short"), "{}", e.to_json());
        let e = store.put("c", "d", r#"{"API_KEY":"longenough","EXTRA":"hunter2hunter2"}"#, Some(SCHEMA)).expect_err("extra");
        assert!(!e.to_json().contains("hunter2"), "{}", e.to_json());
        assert!(store.get("c", "d").is_none());
        let e = Secrets::from_json(r#"{"API_KEY": "unterminated"#).expect_err("json");
        assert!(!e.message.contains("unterminated"), "{}", e.message);
    }

    #[test]
    fn debug_and_display_redact() {
        let s = Secrets::from_json(r#"{"k":"topsecret"}"#).expect("ok");
        assert!(!format!("{s:?}{s}").contains("topsecret"));
        let store = SecretStore::new();
        store.put("c", "d", r#"{"k":"topsecret"}"#, None).expect("ok");
        assert!(!format!("{store:?}").contains("topsecret"));
    }
}
