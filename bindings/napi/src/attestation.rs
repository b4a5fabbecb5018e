//! Attestations: the operator registry, the signature `Aggregator`, certificate verification and
//! the bundle `Validator` with its SQLite spent store. JSON crosses as strings; bytes as `0x` hex
//! or a Uint8Array. Registries are shared by `Arc`: aggregators and validators keep the registry
//! as it was when they were created.

use crate::convert::{b256, bytes, to_json, Hex};
use crate::error::guard;
use crate::job::{job, Job};
use alloy_primitives::B256;
use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;
use newton_attestation as att;
use newton_core::{Error, Result};
use newton_types::{hash, sol, SolJson};
use std::sync::{Arc, Mutex, PoisonError};

/// Registered operators (keys admitted only with a valid proof of possession) and their stakes.
#[napi]
pub struct OperatorRegistry {
    inner: Arc<att::OperatorRegistry>,
}

#[napi]
impl OperatorRegistry {
    /// An empty registry.
    #[napi(constructor)]
    pub fn new() -> Self {
        Self { inner: Arc::default() }
    }

    /// Parses an operator set file (`[{operator_id, public_key, proof_of_possession, stake}]`),
    /// verifying every proof of possession.
    #[napi(factory)]
    pub fn from_json_sync(operators_json: String) -> napi::Result<Self> {
        guard(|| att::OperatorRegistry::from_json(&operators_json).map(Self::wrap))
    }

    #[napi(ts_return_type = "Promise<OperatorRegistry>")]
    pub fn from_json(operators_json: String) -> AsyncTask<Job<OperatorRegistry>> {
        job(move || att::OperatorRegistry::from_json(&operators_json).map(Self::wrap))
    }

    /// Registers one operator set entry (JSON) after verifying its proof of possession.
    #[napi]
    pub fn register(&mut self, entry_json: String) -> napi::Result<()> {
        guard(|| {
            let e: att::OperatorEntry = Error::parse_json("operator entry", &entry_json)?;
            let registry = Arc::make_mut(&mut self.inner);
            registry.register(e.operator_id, &e.public_key, &e.proof_of_possession, e.stake)
        })
    }

    /// The total stake registered in `quorum`, as a decimal string.
    #[napi]
    pub fn total_stake(&self, quorum: u8) -> String {
        self.inner.total_stake(quorum).to_string()
    }

    #[napi(getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }

    /// The registry as an operator set file.
    #[napi]
    pub fn to_json(&self) -> napi::Result<String> {
        guard(|| self.inner.to_json())
    }
}

impl OperatorRegistry {
    fn wrap(registry: att::OperatorRegistry) -> Self {
        Self { inner: Arc::new(registry) }
    }
}

type OwnedAggregator = att::Aggregator<Arc<att::OperatorRegistry>>;

#[napi(object)]
pub struct OperatorSignature<'a> {
    pub operator_id: Hex<'a>,
    pub signature: Hex<'a>,
}

/// Collects signatures over one message; calls on one aggregator are serialized.
#[napi]
pub struct Aggregator {
    inner: Arc<Mutex<OwnedAggregator>>,
}

#[napi]
impl Aggregator {
    /// An aggregator for a 32-byte `message` over `quorum_numbers` at `threshold` percent.
    #[napi(constructor)]
    pub fn new(
        registry: &OperatorRegistry,
        message: Hex<'_>,
        quorum_numbers: Vec<u8>,
        threshold: u32,
    ) -> napi::Result<Self> {
        guard(|| {
            let message = b256("message", &message)?;
            let threshold = att::QuorumThreshold::new(threshold)?;
            Self::wrap(att::Aggregator::new(registry.inner.clone(), message, &quorum_numbers, threshold))
        })
    }

    /// An aggregator for a Newton task: the message is the response's consensus digest, the
    /// quorums and threshold are the task's.
    #[napi(factory)]
    pub fn for_task(registry: &OperatorRegistry, task_json: String, task_response_json: String) -> napi::Result<Self> {
        guard(|| {
            let task = sol::Task::from_json(&task_json)?;
            let response = sol::TaskResponse::from_json(&task_response_json)?;
            Self::wrap(att::Aggregator::for_task(registry.inner.clone(), &task, &response))
        })
    }

    /// The message being signed, 0x-hex.
    #[napi(getter)]
    pub fn message(&self) -> String {
        self.with(|a| a.message().to_string())
    }

    /// Accepts one signature: the certificate JSON when the quorum is first reached, else null.
    #[napi]
    pub fn add(&self, operator_id: Hex<'_>, signature: Hex<'_>) -> napi::Result<Option<String>> {
        guard(|| add(&self.inner, b256("operator id", &operator_id)?, &bytes("signature", &signature)?))
    }

    #[napi(ts_return_type = "Promise<string | null>")]
    pub fn add_async(&self, operator_id: Hex<'_>, signature: Hex<'_>) -> napi::Result<AsyncTask<Job<Option<String>>>> {
        let id = guard(|| b256("operator id", &operator_id))?;
        let signature = guard(|| bytes("signature", &signature))?;
        let inner = self.inner.clone();
        Ok(job(move || add(&inner, id, &signature)))
    }

    /// Accepts every signature (refusals go to `rejected`) and certifies all valid ones.
    #[napi]
    pub fn aggregate_sync(&self, signatures: Vec<OperatorSignature<'_>>) -> napi::Result<String> {
        guard(|| aggregate(&self.inner, &to_pairs(&signatures)?))
    }

    #[napi(ts_return_type = "Promise<string>")]
    pub fn aggregate(&self, signatures: Vec<OperatorSignature<'_>>) -> napi::Result<AsyncTask<Job<String>>> {
        let pairs = guard(|| to_pairs(&signatures))?;
        let inner = self.inner.clone();
        Ok(job(move || aggregate(&inner, &pairs)))
    }

    /// Every refused signature so far: `[{operator_id, code, message, details?}]`.
    #[napi]
    pub fn rejected(&self) -> napi::Result<String> {
        guard(|| self.with(|a| to_json(a.rejected())))
    }
}

impl Aggregator {
    fn wrap(aggregator: Result<OwnedAggregator>) -> Result<Self> {
        Ok(Self { inner: Arc::new(Mutex::new(aggregator?)) })
    }

    fn with<T>(&self, f: impl FnOnce(&OwnedAggregator) -> T) -> T {
        f(&self.inner.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

fn to_pairs(signatures: &[OperatorSignature<'_>]) -> Result<Vec<(B256, Vec<u8>)>> {
    signatures.iter().map(|s| Ok((b256("operator id", &s.operator_id)?, bytes("signature", &s.signature)?))).collect()
}

fn add(inner: &Mutex<OwnedAggregator>, id: B256, signature: &[u8]) -> Result<Option<String>> {
    let certificate = inner.lock().unwrap_or_else(PoisonError::into_inner).add(id, signature)?;
    certificate.as_ref().map(att::Certificate::to_json).transpose()
}

fn aggregate(inner: &Mutex<OwnedAggregator>, pairs: &[(B256, Vec<u8>)]) -> Result<String> {
    let signatures = pairs.iter().map(|(id, signature)| (*id, signature.as_slice()));
    inner.lock().unwrap_or_else(PoisonError::into_inner).aggregate(signatures)?.to_json()
}

fn verify(registry: &att::OperatorRegistry, certificate_json: &str) -> Result<()> {
    att::Certificate::from_json(certificate_json)?.verify(registry)
}

/// Verifies a certificate's aggregate signature and stake against `registry`; throws if invalid.
#[napi]
pub fn verify_certificate_sync(registry: &OperatorRegistry, certificate_json: String) -> napi::Result<()> {
    guard(|| verify(&registry.inner, &certificate_json))
}

#[napi(ts_return_type = "Promise<void>")]
pub fn verify_certificate(registry: &OperatorRegistry, certificate_json: String) -> AsyncTask<Job<()>> {
    let registry = registry.inner.clone();
    job(move || verify(&registry, &certificate_json))
}

/// Validates bundles against one registry and one spent store (a SQLite file, opened once).
#[napi]
pub struct Validator {
    registry: Arc<att::OperatorRegistry>,
    store: Arc<att::SpentStore>,
}

#[napi]
impl Validator {
    #[napi(constructor)]
    pub fn new(registry: &OperatorRegistry, spent_db_path: String) -> napi::Result<Self> {
        let store = guard(|| att::SpentStore::open(&spent_db_path))?;
        Ok(Self { registry: registry.inner.clone(), store: Arc::new(store) })
    }

    /// Bundle JSON + context JSON → report JSON `{checks, valid}`; a valid bundle is now spent.
    #[napi]
    pub fn validate_sync(&self, bundle_json: String, context_json: String) -> napi::Result<String> {
        guard(|| validate(&self.registry, &self.store, &bundle_json, &context_json))
    }

    #[napi(ts_return_type = "Promise<string>")]
    pub fn validate(&self, bundle_json: String, context_json: String) -> AsyncTask<Job<String>> {
        let (registry, store) = (self.registry.clone(), self.store.clone());
        job(move || validate(&registry, &store, &bundle_json, &context_json))
    }
}

fn validate(
    registry: &att::OperatorRegistry,
    store: &att::SpentStore,
    bundle_json: &str,
    context_json: &str,
) -> Result<String> {
    let bundle = att::AttestationBundle::from_json(bundle_json)?;
    let ctx: att::ValidationContext = Error::parse_json("validation context", context_json)?;
    to_json(&att::validate(&bundle, &ctx, registry, store))
}

/// Every check but the spend (reported `skipped`), for a caller that keeps the spent set
/// elsewhere: bundle JSON + context JSON → report JSON `{checks, valid}`.
#[napi(ts_return_type = "Promise<string>")]
pub fn check_attestation(registry: &OperatorRegistry, bundle_json: String, context_json: String) -> AsyncTask<Job<String>> {
    let registry = registry.inner.clone();
    job(move || {
        let bundle = att::AttestationBundle::from_json(&bundle_json)?;
        let ctx: att::ValidationContext = Error::parse_json("validation context", &context_json)?;
        to_json(&att::check_before_spend(&bundle, &ctx, &registry))
    })
}

/// `keccak256(abi.encode(taskResponse))`: the message operators BLS-sign, 0x-hex.
#[napi]
pub fn consensus_digest(task_response_json: String) -> napi::Result<String> {
    guard(|| Ok(hash::consensus_digest(&sol::TaskResponse::from_json(&task_response_json)?).to_string()))
}

/// A consistent bundle JSON: the attestation derived from the task and response, and its hash.
#[napi]
pub fn attestation_bundle(
    task_json: String,
    task_response_json: String,
    certificate_json: String,
    expiration: u32,
) -> napi::Result<String> {
    guard(|| {
        let task = sol::Task::from_json(&task_json)?;
        let response = sol::TaskResponse::from_json(&task_response_json)?;
        let certificate = att::Certificate::from_json(&certificate_json)?;
        att::AttestationBundle::new(task, response, certificate, expiration).to_json()
    })
}
