//! The private data of one task, as an operator resolves it: identity through the links of the
//! intent's sender, confidential data through the policy client's grants, both opened only when
//! the policy's builtins ask (see `newton_policy::builtins::PrivateData`).

use crate::confidential::GrantState;
use crate::store::PrivacyStore;
use crate::{Keyring, SecureEnvelope};
use alloy_primitives::{Address, B256};
use newton_core::{Error, ErrorCode, Result};
use newton_policy::builtins::PrivateData;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Where a task's identity and confidential data come from.
#[derive(Debug, Clone)]
pub struct TaskPrivacy {
    store: Arc<PrivacyStore>,
    keyring: Arc<Keyring>,
    policy_client: Address,
    user: Address,
}

impl TaskPrivacy {
    /// The task of `policy_client` whose intent is from `user`.
    pub fn new(store: Arc<PrivacyStore>, keyring: Arc<Keyring>, policy_client: Address, user: Address) -> Self {
        Self { store, keyring, policy_client, user }
    }

    /// Opens the envelope under `data_ref_id`, which must be bound to `bound_to`, as JSON.
    fn open(&self, data_ref_id: B256, bound_to: Address) -> Result<Value> {
        let stored = self.store.envelope(data_ref_id)?;
        let envelope = SecureEnvelope::from_json(&stored.json)?;
        envelope.check_context(bound_to, self.store.chain_id())?;
        let plaintext = self.keyring.open(&envelope)?;
        serde_json::from_slice(&plaintext).map_err(|e| {
            Error::new(ErrorCode::PrivacyEnvelopeInvalid, format!("envelope {data_ref_id} does not decrypt to JSON: {e}"))
        })
    }
}

impl std::fmt::Debug for PrivacyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivacyStore").field("chain_id", &self.chain_id()).finish_non_exhaustive()
    }
}

impl PrivateData for TaskPrivacy {
    /// Every identity domain linked for the sender, domain name → fields.
    fn identity(&self) -> Result<Map<String, Value>> {
        let mut out = Map::new();
        for linked in self.store.linked_identity(self.policy_client, self.user)? {
            out.insert(linked.domain, self.open(linked.data_ref_id, linked.owner)?);
        }
        Ok(out)
    }

    /// The latest version of every granted domain, domain name → plaintext. Fails closed: a
    /// domain whose only grants are revoked → `PrivacyGrantRevoked`; no accepted grant at all →
    /// `PrivacyNoGrant`.
    fn confidential(&self) -> Result<Map<String, Value>> {
        let mut by_domain: BTreeMap<String, Vec<_>> = BTreeMap::new();
        for grant in self.store.grants(self.policy_client)? {
            by_domain.entry(grant.domain.clone()).or_default().push(grant);
        }
        let mut out = Map::new();
        for (domain, grants) in by_domain {
            // Newton reads the first granted provider of a domain.
            match grants.iter().find(|g| g.state == GrantState::Active) {
                Some(grant) => {
                    if let Some(latest) = &grant.latest {
                        out.insert(domain, self.open(latest.data_ref_id, grant.provider)?);
                    }
                }
                None if grants.iter().any(|g| g.state == GrantState::Revoked) => {
                    return Err(Error::new(
                        ErrorCode::PrivacyGrantRevoked,
                        format!("the grant of confidential domain `{domain}` to {} was revoked", self.policy_client),
                    ));
                }
                None => {}
            }
        }
        if out.is_empty() {
            return Err(Error::new(
                ErrorCode::PrivacyNoGrant,
                format!("policy client {} has no accepted grant to any confidential data", self.policy_client),
            ));
        }
        Ok(out)
    }
}
