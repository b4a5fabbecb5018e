//! The private data of one task, as an operator resolves it: identity through the links of the
//! intent's sender, confidential data through the policy client's grants, both opened only when
//! the policy's builtins ask (see `newton_policy::builtins::PrivateData`).

use crate::confidential::GrantState;
use crate::store::PrivacyStore;
use crate::{open_ephemeral, Keyring, SecureEnvelope, SharedKeyring};
use alloy_primitives::{Address, B256};
use newton_core::{Error, ErrorCode, Result};
use newton_policy::builtins::PrivateData;
use newton_policy::EvalRequest;
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

/// An operator's privacy side: the keys it opens envelopes with and, when it serves identity and
/// confidential data, the store they live in.
#[derive(Debug, Clone)]
pub struct PrivacyNode {
    /// The recipient keys; a rotation reaches every clone of the node.
    pub keyring: Arc<SharedKeyring>,
    /// The identity/confidential store, if this node has one.
    pub store: Option<Arc<PrivacyStore>>,
}

impl PrivacyNode {
    pub fn new(keyring: Keyring, store: Option<Arc<PrivacyStore>>) -> Self {
        Self { keyring: Arc::new(SharedKeyring::new(keyring)), store }
    }

    /// Fills `request`'s private parts for a task of `policy_client` whose intent is
    /// `request.input` (its `from` and `chain_id`): `data.privacy` from the ephemeral envelopes in
    /// `wasm_args._newton.privacy`, opened now (one that does not open makes the decision a deny
    /// with its code), and the sender's identity and the client's confidential data, sealed until
    /// a builtin reads them. Errors are the caller's: no intent, or a store for another chain.
    pub fn attach(&self, request: &mut EvalRequest, policy_client: Address, wasm_args: Option<&Value>) -> Result<()> {
        let input = request.input.as_ref().ok_or_else(|| {
            Error::invalid_argument("a private evaluation needs the intent (its `from` and `chain_id`)")
        })?;
        let user = intent_field(input, "from")?
            .parse::<Address>()
            .map_err(|e| Error::invalid_argument(format!("intent `from` is not an address: {e}")))?;
        let chain_id = intent_field(input, "chain_id")?
            .parse::<u64>()
            .map_err(|e| Error::invalid_argument(format!("intent `chain_id` is not a u64: {e}")))?;
        let keyring = self.keyring.current();
        // Ephemeral data that does not open denies the task (with its code); it is not a caller error.
        match wasm_args.map(|args| open_ephemeral(args, policy_client, chain_id, &keyring)).transpose() {
            Ok(privacy) => request.privacy = privacy.flatten().or(request.privacy.take()),
            Err(e) => request.failure = Some(e),
        }
        if let Some(store) = &self.store {
            if store.chain_id() != chain_id {
                return Err(Error::new(
                    ErrorCode::PrivacyAadMismatch,
                    format!("the privacy store serves chain {}, the intent is on chain {chain_id}", store.chain_id()),
                ));
            }
            let task = TaskPrivacy::new(Arc::clone(store), keyring, policy_client, user);
            request.context.sealed = Some(Arc::new(task));
        }
        Ok(())
    }
}

/// A string field of the parsed intent (`from`, `chain_id` as a decimal string).
fn intent_field<'a>(input: &'a Value, field: &str) -> Result<&'a str> {
    input
        .get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::invalid_argument(format!("the intent has no `{field}` string")))
}
