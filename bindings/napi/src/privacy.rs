//! The privacy layer (`newton-privacy`): HPKE envelopes, an operator's keyring and the
//! identity/confidential store. Keys cross as hex (results `0x`-prefixed), envelopes and records
//! as JSON in newton-privacy's forms, plaintext as bytes. Seal/open cost ≈50–100 µs (an X25519
//! scalar multiplication or two), so they run as AsyncTasks with sync forms beside them; store
//! writes fsync, so the store is async only. Private evaluation is `TaskEvaluator.simulate`.

use crate::convert::{address, b256, chain, key32, to_json};
use crate::error::guard;
use crate::job::{job, Job};
use alloy_primitives::hex::encode_prefixed;
use alloy_primitives::keccak256;
use napi::bindgen_prelude::{AsyncTask, Either, Uint8Array};
use napi_derive::napi;
use newton_core::{Error, Result};
use newton_privacy::{
    Authorization, GrantStep, IdentityLink, Keyring, PrivacyNode as Node, PrivacyStore as Store, RecipientKeyPair,
    SecureEnvelope,
};
use std::sync::Arc;

#[napi(object)]
pub struct PrivacyKeyPair {
    /// X25519 public key, 0x-hex (envelopes carry it without `0x` as `recipient_pubkey`).
    pub public_key: String,
    /// X25519 secret key, 0x-hex.
    pub secret_key: String,
}

fn keypair(secret_hex: &str) -> Result<RecipientKeyPair> {
    RecipientKeyPair::from_secret_bytes(&key32("secret key", secret_hex)?)
}

#[napi]
pub fn generate_privacy_key() -> PrivacyKeyPair {
    let pair = RecipientKeyPair::generate();
    PrivacyKeyPair {
        public_key: encode_prefixed(pair.public_key_bytes()),
        secret_key: encode_prefixed(pair.secret_bytes().as_slice()),
    }
}

#[napi]
pub fn privacy_public_key(secret_key: String) -> napi::Result<String> {
    guard(|| Ok(encode_prefixed(keypair(&secret_key)?.public_key_bytes())))
}

fn seal(plaintext: &[u8], recipient: &str, policy_client: &str, chain_id: &str) -> Result<String> {
    let recipient = key32("recipient public key", recipient)?;
    let envelope =
        SecureEnvelope::seal(plaintext, &recipient, address("policy client", policy_client)?, chain(chain_id)?)?;
    Ok(envelope.to_json())
}

#[napi]
pub fn seal_envelope_sync(
    plaintext: Uint8Array,
    recipient: String,
    policy_client: String,
    chain_id: String,
) -> napi::Result<String> {
    guard(|| seal(&plaintext, &recipient, &policy_client, &chain_id))
}

#[napi(ts_return_type = "Promise<string>")]
pub fn seal_envelope(
    plaintext: Uint8Array,
    recipient: String,
    policy_client: String,
    chain_id: String,
) -> AsyncTask<Job<String>> {
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

/// An operator's privacy side: its keyring (current key first) and, optionally, the store. A
/// rotation reaches every TaskEvaluator holding the node.
#[napi]
pub struct PrivacyNode {
    inner: Node,
}

#[napi]
impl PrivacyNode {
    #[napi(constructor)]
    pub fn new(secret_keys: Vec<String>, store: Option<&PrivacyStore>) -> napi::Result<Self> {
        guard(|| {
            let mut keys = secret_keys.iter().map(|k| keypair(k)).collect::<Result<Vec<_>>>()?.into_iter();
            let current =
                keys.next().ok_or_else(|| Error::invalid_argument("a privacy node needs at least one key"))?;
            let ring = Keyring::with_previous(current, keys.collect());
            Ok(Self { inner: Node::new(ring, store.map(|s| Arc::clone(&s.inner))) })
        })
    }

    /// The current key's public half (0x-hex): what `newt_getPrivacyPublicKey` publishes.
    #[napi(getter)]
    pub fn public_key(&self) -> String {
        encode_prefixed(self.inner.keyring.current().current().public_key_bytes())
    }

    /// Makes `secret_key` current; envelopes to older keys still open until they are retired.
    #[napi]
    pub fn rotate(&self, secret_key: String) -> napi::Result<()> {
        guard(|| {
            let next = keypair(&secret_key)?;
            self.inner.keyring.update(|ring| {
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
            self.inner.keyring.update(|ring| ring.retire(&key))
        })
    }

    #[napi]
    pub fn open_sync(&self, envelope_json: String) -> napi::Result<Uint8Array> {
        guard(|| open(&envelope_json, &self.inner.keyring.current()))
    }

    #[napi(ts_return_type = "Promise<Uint8Array>")]
    pub fn open(&self, envelope_json: String) -> AsyncTask<Job<Uint8Array>> {
        let ring = self.inner.keyring.current();
        job(move || open(&envelope_json, &ring))
    }

    pub(crate) fn node(&self) -> Node {
        self.inner.clone()
    }
}

/// The identity/confidential store of one chain (a SQLite file or a PostgreSQL database;
/// ciphertext only).
#[napi]
pub struct PrivacyStore {
    inner: Arc<Store>,
}

/// Runs `f` against the store off the event loop.
fn with_store<T: Send + 'static>(
    store: &PrivacyStore,
    f: impl FnOnce(&Store) -> Result<T> + Send + 'static,
) -> AsyncTask<Job<T>>
where
    Job<T>: napi::Task,
{
    let store = Arc::clone(&store.inner);
    job(move || f(&store))
}

#[napi]
impl PrivacyStore {
    /// A SQLite file path, or a `postgres://` / `postgresql://` URL.
    #[napi(ts_return_type = "Promise<PrivacyStore>")]
    pub fn open(path_or_url: String, chain_id: String) -> AsyncTask<Job<PrivacyStore>> {
        job(move || Ok(PrivacyStore { inner: Arc::new(Store::open(&path_or_url, chain(&chain_id)?)?) }))
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
        with_store(self, move |s| to_json(&s.envelope(b256("data_ref_id", &Either::A(data_ref_id))?)?))
    }

    #[napi(ts_return_type = "Promise<void>")]
    pub fn set_policy_client_owner(&self, policy_client: String, owner: String) -> AsyncTask<Job<()>> {
        with_store(self, move |s| {
            s.set_policy_client_owner(address("policy client", &policy_client)?, address("owner", &owner)?)
        })
    }

    /// Returns the envelope's `data_ref_id`.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn upload_identity(
        &self,
        owner: String,
        domain: String,
        envelope_json: String,
        auth_json: String,
    ) -> AsyncTask<Job<String>> {
        with_store(self, move |s| {
            let (owner, auth) = (address("owner", &owner)?, Authorization::from_json(&auth_json)?);
            Ok(s.upload_identity(owner, &domain, &envelope_json, &auth)?.to_string())
        })
    }

    #[napi(ts_return_type = "Promise<void>")]
    pub fn link_identity(
        &self,
        link_json: String,
        owner_auth: String,
        user_auth: Option<String>,
    ) -> AsyncTask<Job<()>> {
        with_store(self, move |s| {
            let user_auth = user_auth.as_deref().map(Authorization::from_json).transpose()?;
            s.link_identity(
                &IdentityLink::from_json(&link_json)?,
                &Authorization::from_json(&owner_auth)?,
                user_auth.as_ref(),
            )
        })
    }

    #[napi(ts_return_type = "Promise<void>")]
    pub fn unlink_identity(&self, link_json: String, auth_json: String) -> AsyncTask<Job<()>> {
        with_store(self, move |s| {
            s.unlink_identity(&IdentityLink::from_json(&link_json)?, &Authorization::from_json(&auth_json)?)
        })
    }

    /// `[{domain, owner, data_ref_id}]` JSON.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn linked_identity(&self, policy_client: String, user: String) -> AsyncTask<Job<String>> {
        with_store(self, move |s| {
            to_json(&s.linked_identity(address("policy client", &policy_client)?, address("user", &user)?)?)
        })
    }

    /// `{domain, provider, version, data_ref_id}` JSON of the new version.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn publish_confidential(
        &self,
        provider: String,
        domain: String,
        envelope_json: String,
        auth_json: String,
    ) -> AsyncTask<Job<String>> {
        with_store(self, move |s| {
            let (provider, auth) = (address("provider", &provider)?, Authorization::from_json(&auth_json)?);
            to_json(&s.publish_confidential(provider, &domain, &envelope_json, &auth)?)
        })
    }

    /// `step` is `propose`, `accept` or `revoke`.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn grant(
        &self,
        step: String,
        provider: String,
        domain: String,
        policy_client: String,
        auth_json: String,
    ) -> AsyncTask<Job<()>> {
        with_store(self, move |s| {
            let (step, auth) = (step.parse::<GrantStep>()?, Authorization::from_json(&auth_json)?);
            s.grant(step, address("provider", &provider)?, &domain, address("policy client", &policy_client)?, &auth)
        })
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
