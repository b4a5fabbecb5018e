//! The privacy layer (`newton-privacy`): HPKE envelopes, an operator's keyring, the
//! identity/confidential store and private evaluation. Keys and envelopes cross as hex/JSON
//! strings, plaintext as bytes. Seal/open cost ≈50–100 µs (an X25519 scalar multiplication or
//! two), so they run as AsyncTasks with sync forms beside them; store writes fsync, so the store
//! is async only.

use crate::error::{guard, to_napi};
use crate::job::{abortable_job, job, Job};
use crate::policy::Policy;
use alloy_primitives::{keccak256, Address, B256};
use napi::bindgen_prelude::{AbortSignal, AsyncTask, Uint8Array};
use napi_derive::napi;
use newton_core::{Error, Result};
use newton_privacy::{
    Authorization, IdentityLink, Keyring, PrivacyNode as Node, PrivacyStore as Store, RecipientKeyPair, SecureEnvelope,
};
use std::sync::{Arc, PoisonError, RwLock};

#[napi(object)]
pub struct PrivacyKeyPair {
    /// X25519 public key, hex without `0x` (as `recipient_pubkey`).
    pub public_key: String,
    /// X25519 secret key, hex without `0x`.
    pub secret_key: String,
}

/// A registry authorization: `signature` (65-byte hex) by `signer` over the EIP-712 message.
#[napi(object)]
pub struct AuthorizationInput {
    pub signer: String,
    pub nonce: i64,
    pub deadline: i64,
    pub signature: String,
}

#[napi(object)]
pub struct IdentityLinkInput {
    pub owner: String,
    pub policy_client: String,
    pub user: String,
    pub domains: Vec<String>,
}

pub(crate) fn address(field: &str, text: &str) -> Result<Address> {
    text.parse().map_err(|e| Error::invalid_argument(format!("{field}: {text:?} is not an address: {e}")))
}

fn key32(field: &str, text: &str) -> Result<[u8; 32]> {
    let bytes = alloy_primitives::hex::decode(text).map_err(|e| Error::invalid_argument(format!("{field}: {e}")))?;
    bytes.try_into().map_err(|b: Vec<u8>| Error::invalid_argument(format!("{field}: {} bytes, expected 32", b.len())))
}

fn chain(text: &str) -> Result<u64> {
    text.parse().map_err(|e| Error::invalid_argument(format!("chain id {text:?}: {e}")))
}

fn b256(field: &str, text: &str) -> Result<B256> {
    text.parse().map_err(|e| Error::invalid_argument(format!("{field}: {text:?} is not 32-byte hex: {e}")))
}

fn count(field: &str, n: i64) -> Result<u64> {
    u64::try_from(n).map_err(|_| Error::invalid_argument(format!("{field} must be a non-negative integer, got {n}")))
}

fn authorization(a: &AuthorizationInput) -> Result<Authorization> {
    Ok(Authorization {
        signer: address("signer", &a.signer)?,
        nonce: count("nonce", a.nonce)?,
        deadline: count("deadline", a.deadline)?,
        signature: alloy_primitives::hex::decode(&a.signature)
            .map_err(|e| Error::invalid_argument(format!("signature: {e}")))?,
    })
}

fn link(l: &IdentityLinkInput) -> Result<IdentityLink> {
    Ok(IdentityLink {
        owner: address("owner", &l.owner)?,
        policy_client: address("policyClient", &l.policy_client)?,
        user: address("user", &l.user)?,
        domains: l.domains.clone(),
    })
}

fn keypair(secret_hex: &str) -> Result<RecipientKeyPair> {
    RecipientKeyPair::from_secret_bytes(&key32("secret key", secret_hex)?)
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::internal(format!("not serializable: {e}")))
}

#[napi]
pub fn generate_privacy_key() -> PrivacyKeyPair {
    let pair = RecipientKeyPair::generate();
    PrivacyKeyPair {
        public_key: alloy_primitives::hex::encode(pair.public_key_bytes()),
        secret_key: alloy_primitives::hex::encode(pair.secret_bytes().as_slice()),
    }
}

#[napi]
pub fn privacy_public_key(secret_key: String) -> napi::Result<String> {
    guard(|| Ok(alloy_primitives::hex::encode(keypair(&secret_key)?.public_key_bytes())))
}

fn seal(plaintext: &[u8], recipient: &str, policy_client: &str, chain_id: &str) -> Result<String> {
    let envelope = SecureEnvelope::seal(
        plaintext,
        &key32("recipient public key", recipient)?,
        address("policy client", policy_client)?,
        chain(chain_id)?,
    )?;
    Ok(envelope.to_json())
}

#[napi]
pub fn seal_envelope_sync(plaintext: Uint8Array, recipient: String, policy_client: String, chain_id: String) -> napi::Result<String> {
    guard(|| seal(&plaintext, &recipient, &policy_client, &chain_id))
}

#[napi(ts_return_type = "Promise<string>")]
pub fn seal_envelope(plaintext: Uint8Array, recipient: String, policy_client: String, chain_id: String) -> AsyncTask<Job<String>> {
    let plaintext = plaintext.to_vec();
    job(move || seal(&plaintext, &recipient, &policy_client, &chain_id))
}

fn open(envelope_json: &str, keyring: &Keyring) -> Result<Uint8Array> {
    keyring.open(&SecureEnvelope::from_json(envelope_json)?).map(Uint8Array::new)
}

/// `keccak256` of the envelope bytes: the store's `data_ref_id`.
#[napi]
pub fn envelope_data_ref_id(envelope_json: String) -> String {
    keccak256(envelope_json.as_bytes()).to_string()
}

/// An operator's privacy side: its keyring (current key first) and, optionally, the store.
#[napi]
pub struct PrivacyNode {
    keyring: RwLock<Arc<Keyring>>,
    store: Option<Arc<Store>>,
}

#[napi]
impl PrivacyNode {
    #[napi(constructor)]
    pub fn new(secret_keys: Vec<String>, store: Option<&PrivacyStore>) -> napi::Result<Self> {
        guard(|| {
            let mut keys = secret_keys.iter().map(|k| keypair(k)).collect::<Result<Vec<_>>>()?.into_iter();
            let current = keys.next().ok_or_else(|| Error::invalid_argument("a privacy node needs at least one key"))?;
            let ring = Keyring::with_previous(current, keys.collect());
            Ok(Self { keyring: RwLock::new(Arc::new(ring)), store: store.map(|s| Arc::clone(&s.inner)) })
        })
    }

    /// The current key's public half (hex): what `newt_getPrivacyPublicKey` publishes.
    #[napi(getter)]
    pub fn public_key(&self) -> String {
        alloy_primitives::hex::encode(self.ring().current().public_key_bytes())
    }

    /// Makes `secret_key` current; envelopes to older keys still open until they are retired.
    #[napi]
    pub fn rotate(&self, secret_key: String) -> napi::Result<()> {
        guard(|| {
            let next = keypair(&secret_key)?;
            self.update(|ring| {
                ring.rotate(next);
                Ok(())
            })
        })
    }

    /// Forgets an older key: envelopes sealed to it fail with `NEWTON_ERR_PRIVACY_KEY_RETIRED`.
    #[napi]
    pub fn retire(&self, public_key: String) -> napi::Result<()> {
        guard(|| {
            let key = key32("public key", &public_key)?;
            self.update(|ring| ring.retire(&key))
        })
    }

    #[napi]
    pub fn open_sync(&self, envelope_json: String) -> napi::Result<Uint8Array> {
        let ring = self.ring();
        guard(|| open(&envelope_json, &ring))
    }

    #[napi(ts_return_type = "Promise<Uint8Array>")]
    pub fn open(&self, envelope_json: String) -> AsyncTask<Job<Uint8Array>> {
        let ring = self.ring();
        job(move || open(&envelope_json, &ring))
    }

    fn ring(&self) -> Arc<Keyring> {
        Arc::clone(&self.keyring.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Copy-on-write: evaluations in flight keep the keyring they started with.
    fn update(&self, f: impl FnOnce(&mut Keyring) -> Result<()>) -> Result<()> {
        let mut slot = self.keyring.write().unwrap_or_else(PoisonError::into_inner);
        let mut next = Keyring::clone(&slot);
        f(&mut next)?;
        *slot = Arc::new(next);
        Ok(())
    }

    pub(crate) fn node(&self) -> Node {
        Node { keyring: self.ring(), store: self.store.clone() }
    }
}

fn evaluate_with(
    policy: &newton_policy::Policy,
    request_json: &str,
    node: &Node,
    policy_client: &str,
    wasm_args_json: Option<&str>,
) -> Result<String> {
    let policy_client = address("policy client", policy_client)?;
    let wasm_args = wasm_args_json.map(|a| Error::parse_json("wasm_args", a)).transpose()?;
    policy.evaluate_json_with(request_json, |request| node.attach(request, policy_client, wasm_args.as_ref()))
}

/// Evaluates a task of `policy_client` with the node's private data attached (see
/// `PrivacyNode::attach`): request JSON → Decision JSON.
#[napi]
pub fn evaluate_private_sync(
    policy: &Policy,
    request_json: String,
    node: &PrivacyNode,
    policy_client: String,
    wasm_args_json: Option<String>,
) -> napi::Result<String> {
    guard(|| evaluate_with(&policy.inner, &request_json, &node.node(), &policy_client, wasm_args_json.as_deref()))
}

#[napi(ts_return_type = "Promise<string>")]
pub fn evaluate_private(
    policy: &Policy,
    request_json: String,
    node: &PrivacyNode,
    policy_client: String,
    wasm_args_json: Option<String>,
    signal: Option<AbortSignal>,
) -> AsyncTask<Job<String>> {
    let (policy, node) = (Arc::clone(&policy.inner), node.node());
    abortable_job(
        move || evaluate_with(&policy, &request_json, &node, &policy_client, wasm_args_json.as_deref()),
        signal,
    )
}

/// The identity/confidential store of one chain (SQLite, ciphertext only).
#[napi]
pub struct PrivacyStore {
    inner: Arc<Store>,
}

/// Runs `f` against the store off the event loop.
fn with_store<T: Send + 'static>(store: &PrivacyStore, f: impl FnOnce(&Store) -> Result<T> + Send + 'static) -> AsyncTask<Job<T>>
where
    Job<T>: napi::Task,
{
    let store = Arc::clone(&store.inner);
    job(move || f(&store))
}

#[napi]
impl PrivacyStore {
    #[napi(ts_return_type = "Promise<PrivacyStore>")]
    pub fn open(path: String, chain_id: String) -> AsyncTask<Job<PrivacyStore>> {
        job(move || Ok(PrivacyStore { inner: Arc::new(Store::open(&path, chain(&chain_id)?)?) }))
    }

    #[napi(getter)]
    pub fn chain_id(&self) -> String {
        self.inner.chain_id().to_string()
    }

    #[napi(ts_return_type = "Promise<number>")]
    pub fn nonce(&self, signer: String) -> AsyncTask<Job<i64>> {
        with_store(self, move |s| {
            let n = s.nonce(address("signer", &signer)?)?;
            i64::try_from(n).map_err(|_| Error::internal("nonce beyond 2^63"))
        })
    }

    /// `{kind, owner, envelope}` JSON of the envelope under `data_ref_id`.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn envelope(&self, data_ref_id: String) -> AsyncTask<Job<String>> {
        with_store(self, move |s| {
            let stored = s.envelope(b256("data_ref_id", &data_ref_id)?)?;
            let kind = match stored.kind {
                newton_privacy::DataKind::Identity => "identity",
                newton_privacy::DataKind::Confidential => "confidential",
            };
            to_json(&serde_json::json!({"kind": kind, "owner": stored.owner, "envelope": stored.json}))
        })
    }

    #[napi(ts_return_type = "Promise<void>")]
    pub fn set_policy_client_owner(&self, policy_client: String, owner: String) -> AsyncTask<Job<()>> {
        with_store(self, move |s| s.set_policy_client_owner(address("policy client", &policy_client)?, address("owner", &owner)?))
    }

    /// Returns the envelope's `data_ref_id`.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn upload_identity(&self, owner: String, domain: String, envelope_json: String, auth: AuthorizationInput) -> napi::Result<AsyncTask<Job<String>>> {
        let auth = authorization(&auth).map_err(to_napi)?;
        Ok(with_store(self, move |s| Ok(s.upload_identity(address("owner", &owner)?, &domain, &envelope_json, &auth)?.to_string())))
    }

    #[napi(ts_return_type = "Promise<void>")]
    pub fn link_identity(&self, link_input: IdentityLinkInput, owner_auth: AuthorizationInput, user_auth: Option<AuthorizationInput>) -> napi::Result<AsyncTask<Job<()>>> {
        let (l, owner_auth) = (link(&link_input).map_err(to_napi)?, authorization(&owner_auth).map_err(to_napi)?);
        let user_auth = user_auth.as_ref().map(authorization).transpose().map_err(to_napi)?;
        Ok(with_store(self, move |s| s.link_identity(&l, &owner_auth, user_auth.as_ref())))
    }

    #[napi(ts_return_type = "Promise<void>")]
    pub fn unlink_identity(&self, link_input: IdentityLinkInput, auth: AuthorizationInput) -> napi::Result<AsyncTask<Job<()>>> {
        let (l, auth) = (link(&link_input).map_err(to_napi)?, authorization(&auth).map_err(to_napi)?);
        Ok(with_store(self, move |s| s.unlink_identity(&l, &auth)))
    }

    /// `[{domain, owner, data_ref_id}]` JSON.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn linked_identity(&self, policy_client: String, user: String) -> AsyncTask<Job<String>> {
        with_store(self, move |s| to_json(&s.linked_identity(address("policy client", &policy_client)?, address("user", &user)?)?))
    }

    /// `{domain, provider, version, data_ref_id}` JSON of the new version.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn publish_confidential(&self, provider: String, domain: String, envelope_json: String, auth: AuthorizationInput) -> napi::Result<AsyncTask<Job<String>>> {
        let auth = authorization(&auth).map_err(to_napi)?;
        Ok(with_store(self, move |s| to_json(&s.publish_confidential(address("provider", &provider)?, &domain, &envelope_json, &auth)?)))
    }

    /// `step` is `propose`, `accept` or `revoke`.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn grant(&self, step: String, provider: String, domain: String, policy_client: String, auth: AuthorizationInput) -> napi::Result<AsyncTask<Job<()>>> {
        let auth = authorization(&auth).map_err(to_napi)?;
        Ok(with_store(self, move |s| {
            let (provider, pc) = (address("provider", &provider)?, address("policy client", &policy_client)?);
            match step.as_str() {
                "propose" => s.propose_grant(provider, &domain, pc, &auth),
                "accept" => s.accept_grant(provider, &domain, pc, &auth),
                "revoke" => s.revoke_grant(provider, &domain, pc, &auth),
                other => Err(Error::invalid_argument(format!("unknown grant step {other:?}; use propose, accept or revoke"))),
            }
        }))
    }

    /// `[{provider, domain, state, latest}]` JSON.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn grants(&self, policy_client: String) -> AsyncTask<Job<String>> {
        with_store(self, move |s| to_json(&s.grants(address("policy client", &policy_client)?)?))
    }

    /// `[{domain, provider, version, data_ref_id}]` JSON, oldest first.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn versions(&self, provider: String, domain: String) -> AsyncTask<Job<String>> {
        with_store(self, move |s| to_json(&s.versions(address("provider", &provider)?, &domain)?))
    }
}
