//! BLS12-381 (`newton-bls`): EIP-2335 keystores, a signer whose secret key stays in Rust, and
//! verification. Bytes cross as Uint8Array; a failed verification is `false`, malformed bytes an
//! error. Every free function has a sync form and an AsyncTask form: each one decompresses and
//! subgroup-checks its points (≈60 µs per signature, ≈40 µs per public key, then ≈0.75 ms per
//! pairing check), above the ~30 µs worth keeping off the event loop (see bench/README.md).
//! Async forms copy their bytes before leaving the JS thread, so callers may reuse their buffers.

use crate::error::{guard, to_napi};
use crate::job::{job, Job};
use napi::bindgen_prelude::{AsyncTask, Uint8Array};
use napi_derive::napi;
use newton_bls::keystore::{Kdf, Keystore};
use newton_bls::encoded::{
    aggregate_public_keys, aggregate_signatures, aggregate_verify, batch_verify, fast_aggregate_verify, verify,
    verify_possession,
};
use newton_bls::SecretKey;
use newton_core::{Error, Result};
use std::sync::Arc;

/// A fresh keystore and what a registry needs of its key (the secret key stays encrypted).
#[napi(object)]
pub struct GeneratedKeystore {
    /// EIP-2335 (version 4) JSON.
    pub keystore_json: String,
    pub public_key: Uint8Array,
    pub proof_of_possession: Uint8Array,
}

#[napi(object)]
pub struct KeyInfo {
    pub public_key: Uint8Array,
    pub proof_of_possession: Uint8Array,
}

#[napi(object)]
pub struct BatchItem {
    pub public_key: Uint8Array,
    pub message: Uint8Array,
    pub signature: Uint8Array,
}

fn parse_kdf(name: Option<&str>) -> Result<Kdf> {
    match name {
        None | Some("scrypt") => Ok(Kdf::Scrypt),
        Some("pbkdf2") => Ok(Kdf::Pbkdf2),
        Some(other) => Err(Error::invalid_argument(format!("unknown KDF \"{other}\"; use scrypt or pbkdf2"))),
    }
}

fn bytes(b: impl AsRef<[u8]>) -> Uint8Array {
    Uint8Array::new(b.as_ref().to_vec())
}

fn owned(list: Vec<Uint8Array>) -> Vec<Vec<u8>> {
    list.iter().map(|b| b.to_vec()).collect()
}

fn key_info(sk: &SecretKey) -> KeyInfo {
    KeyInfo { public_key: bytes(sk.public_key().to_bytes()), proof_of_possession: bytes(sk.prove_possession().to_bytes()) }
}

fn generate(password: &str, kdf: Kdf) -> Result<GeneratedKeystore> {
    let sk = SecretKey::generate();
    let KeyInfo { public_key, proof_of_possession } = key_info(&sk);
    Ok(GeneratedKeystore { keystore_json: Keystore::encrypt(&sk, password, kdf).to_json(), public_key, proof_of_possession })
}

fn decrypt(keystore_json: &str, password: &str) -> Result<SecretKey> {
    Keystore::from_json(keystore_json)?.decrypt(password)
}

/// Generates a key in Rust and returns it only encrypted (`kdf`: `scrypt`, the default, or `pbkdf2`).
#[napi]
pub fn generate_keystore_sync(password: String, kdf: Option<String>) -> napi::Result<GeneratedKeystore> {
    guard(|| generate(&password, parse_kdf(kdf.as_deref())?))
}

#[napi(ts_return_type = "Promise<GeneratedKeystore>")]
pub fn generate_keystore(password: String, kdf: Option<String>) -> napi::Result<AsyncTask<Job<GeneratedKeystore>>> {
    let kdf = parse_kdf(kdf.as_deref()).map_err(to_napi)?;
    Ok(job(move || generate(&password, kdf)))
}

/// Decrypts a keystore and returns its public key and proof of possession (never the secret).
#[napi]
pub fn keystore_info_sync(keystore_json: String, password: String) -> napi::Result<KeyInfo> {
    guard(|| Ok(key_info(&decrypt(&keystore_json, &password)?)))
}

#[napi(ts_return_type = "Promise<KeyInfo>")]
pub fn keystore_info(keystore_json: String, password: String) -> AsyncTask<Job<KeyInfo>> {
    job(move || Ok(key_info(&decrypt(&keystore_json, &password)?)))
}

/// A secret key held in Rust: it signs, and never crosses back to JS.
#[napi]
pub struct BlsSigner {
    sk: Arc<SecretKey>,
    public_key: [u8; newton_bls::PUBLIC_KEY_LEN],
}

impl From<SecretKey> for BlsSigner {
    fn from(sk: SecretKey) -> Self {
        BlsSigner { public_key: sk.public_key().to_bytes(), sk: Arc::new(sk) }
    }
}

impl BlsSigner {
    pub(crate) fn secret_key(&self) -> Arc<SecretKey> {
        Arc::clone(&self.sk)
    }
}

#[napi]
impl BlsSigner {
    #[napi(factory)]
    pub fn from_keystore_sync(keystore_json: String, password: String) -> napi::Result<BlsSigner> {
        guard(|| decrypt(&keystore_json, &password).map(BlsSigner::from))
    }

    #[napi(ts_return_type = "Promise<BlsSigner>")]
    pub fn from_keystore(keystore_json: String, password: String) -> AsyncTask<Job<BlsSigner>> {
        job(move || decrypt(&keystore_json, &password).map(BlsSigner::from))
    }

    /// A 32-byte big-endian scalar (the caller already holds the secret).
    #[napi(factory)]
    pub fn from_secret_key(secret_key: Uint8Array) -> napi::Result<BlsSigner> {
        guard(|| SecretKey::from_bytes(&secret_key).map(BlsSigner::from))
    }

    #[napi(getter)]
    pub fn public_key(&self) -> Uint8Array {
        bytes(self.public_key)
    }

    /// PopProve over the public key (one signing, ≈0.3 ms: a registration-time call, sync only).
    #[napi]
    pub fn proof_of_possession(&self) -> Uint8Array {
        bytes(self.sk.prove_possession().to_bytes())
    }

    #[napi]
    pub fn sign_sync(&self, message: Uint8Array) -> Uint8Array {
        bytes(self.sk.sign(&message).to_bytes())
    }

    #[napi(ts_return_type = "Promise<Uint8Array>")]
    pub fn sign(&self, message: Uint8Array) -> AsyncTask<Job<Uint8Array>> {
        let (sk, message) = (self.sk.clone(), message.to_vec());
        job(move || Ok(bytes(sk.sign(&message).to_bytes())))
    }
}

#[napi]
pub fn bls_verify_sync(public_key: Uint8Array, message: Uint8Array, signature: Uint8Array) -> napi::Result<bool> {
    guard(|| verify(&public_key, &message, &signature))
}

#[napi(ts_return_type = "Promise<boolean>")]
pub fn bls_verify(public_key: Uint8Array, message: Uint8Array, signature: Uint8Array) -> AsyncTask<Job<bool>> {
    let (pk, msg, sig) = (public_key.to_vec(), message.to_vec(), signature.to_vec());
    job(move || verify(&pk, &msg, &sig))
}

#[napi]
pub fn bls_verify_possession_sync(public_key: Uint8Array, proof_of_possession: Uint8Array) -> napi::Result<bool> {
    guard(|| verify_possession(&public_key, &proof_of_possession))
}

#[napi(ts_return_type = "Promise<boolean>")]
pub fn bls_verify_possession(public_key: Uint8Array, proof_of_possession: Uint8Array) -> AsyncTask<Job<bool>> {
    let (pk, pop) = (public_key.to_vec(), proof_of_possession.to_vec());
    job(move || verify_possession(&pk, &pop))
}

#[napi]
pub fn bls_aggregate_signatures_sync(signatures: Vec<Uint8Array>) -> napi::Result<Uint8Array> {
    guard(|| aggregate_signatures(&signatures).map(Uint8Array::new))
}

#[napi(ts_return_type = "Promise<Uint8Array>")]
pub fn bls_aggregate_signatures(signatures: Vec<Uint8Array>) -> AsyncTask<Job<Uint8Array>> {
    let sigs = owned(signatures);
    job(move || aggregate_signatures(&sigs).map(Uint8Array::new))
}

#[napi]
pub fn bls_aggregate_public_keys_sync(public_keys: Vec<Uint8Array>) -> napi::Result<Uint8Array> {
    guard(|| aggregate_public_keys(&public_keys).map(Uint8Array::new))
}

#[napi(ts_return_type = "Promise<Uint8Array>")]
pub fn bls_aggregate_public_keys(public_keys: Vec<Uint8Array>) -> AsyncTask<Job<Uint8Array>> {
    let pks = owned(public_keys);
    job(move || aggregate_public_keys(&pks).map(Uint8Array::new))
}

#[napi]
pub fn bls_fast_aggregate_verify_sync(
    public_keys: Vec<Uint8Array>,
    message: Uint8Array,
    signature: Uint8Array,
) -> napi::Result<bool> {
    guard(|| fast_aggregate_verify(&public_keys, &message, &signature))
}

#[napi(ts_return_type = "Promise<boolean>")]
pub fn bls_fast_aggregate_verify(
    public_keys: Vec<Uint8Array>,
    message: Uint8Array,
    signature: Uint8Array,
) -> AsyncTask<Job<bool>> {
    let (pks, msg, sig) = (owned(public_keys), message.to_vec(), signature.to_vec());
    job(move || fast_aggregate_verify(&pks, &msg, &sig))
}

#[napi]
pub fn bls_aggregate_verify_sync(
    public_keys: Vec<Uint8Array>,
    messages: Vec<Uint8Array>,
    signature: Uint8Array,
) -> napi::Result<bool> {
    guard(|| aggregate_verify(&public_keys, &messages, &signature))
}

#[napi(ts_return_type = "Promise<boolean>")]
pub fn bls_aggregate_verify(
    public_keys: Vec<Uint8Array>,
    messages: Vec<Uint8Array>,
    signature: Uint8Array,
) -> AsyncTask<Job<bool>> {
    let (pks, msgs, sig) = (owned(public_keys), owned(messages), signature.to_vec());
    job(move || aggregate_verify(&pks, &msgs, &sig))
}

#[napi]
pub fn bls_batch_verify_sync(items: Vec<BatchItem>) -> napi::Result<bool> {
    guard(|| batch_verify(items.iter().map(|i| [&*i.public_key, &*i.message, &*i.signature])))
}

#[napi(ts_return_type = "Promise<boolean>")]
pub fn bls_batch_verify(items: Vec<BatchItem>) -> AsyncTask<Job<bool>> {
    let items: Vec<[Vec<u8>; 3]> =
        items.iter().map(|i| [i.public_key.to_vec(), i.message.to_vec(), i.signature.to_vec()]).collect();
    job(move || batch_verify(items.iter().map(|[pk, msg, sig]| [&pk[..], &msg[..], &sig[..]])))
}
