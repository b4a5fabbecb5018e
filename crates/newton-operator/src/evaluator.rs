//! [`TaskEvaluator`]: an operator's engines and the client policies it serves.

use crate::PolicyDeployment;
use alloy_primitives::{Address, Bytes};
use newton_bls::{PublicKey, SecretKey};
use newton_core::{json_kind, Error, Result};
use newton_policy::{CompileOptions, Policy, PolicyModule};
use newton_policy_data::{PolicyDataHost, PolicyDataModule};
use newton_privacy::PrivacyNode;
use newton_types::cid::cid_v1_raw;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// A compiled policy with the Rego bytes published in `PolicyTaskData.policy`.
pub(crate) struct CompiledPolicy {
    pub policy: Policy,
    pub source: Bytes,
}

/// A client's deployment with its params parsed once.
pub(crate) struct Client {
    pub deployment: PolicyDeployment,
    pub params: Value,
}

/// An operator: compiled policies by `policyCid`, PolicyData modules by `wasmCid`, the policy
/// each client uses, the privacy node (if it serves private data) and the BLS signing key (none
/// for a simulator, which only [simulates](TaskEvaluator::simulate)).
///
/// Register with `&mut self`, then share it (`Arc`) and run tasks concurrently with `&self`.
pub struct TaskEvaluator {
    pub(crate) host: PolicyDataHost,
    pub(crate) policies: HashMap<String, CompiledPolicy>,
    pub(crate) modules: HashMap<String, PolicyDataModule>,
    pub(crate) clients: HashMap<Address, Client>,
    pub(crate) privacy: Option<PrivacyNode>,
    pub(crate) signer: Option<Arc<SecretKey>>,
}

impl TaskEvaluator {
    /// An operator signing with `signer` (a key or one shared with other holders) and running
    /// PolicyData modules on `host`.
    pub fn new(signer: impl Into<Arc<SecretKey>>, host: PolicyDataHost) -> Self {
        Self { signer: Some(signer.into()), ..Self::simulator(host) }
    }

    /// An evaluator without a signing key: it prepares and simulates; `commit` refuses.
    pub fn simulator(host: PolicyDataHost) -> Self {
        Self {
            host,
            policies: HashMap::new(),
            modules: HashMap::new(),
            clients: HashMap::new(),
            privacy: None,
            signer: None,
        }
    }

    /// The same operator, opening private data with `node`.
    pub fn with_privacy(mut self, node: PrivacyNode) -> Self {
        self.set_privacy(node);
        self
    }

    /// Opens private data with `node` from now on (e.g. after its keyring rotated).
    pub fn set_privacy(&mut self, node: PrivacyNode) {
        self.privacy = Some(node);
    }

    /// The operator's BLS public key (none for a simulator).
    pub fn public_key(&self) -> Option<PublicKey> {
        self.signer.as_ref().map(|key| key.public_key())
    }

    pub(crate) fn signer(&self) -> Result<&SecretKey> {
        self.signer.as_deref().ok_or_else(|| Error::invalid_argument("this evaluator has no signing key: it only simulates"))
    }

    /// Compiles a policy's Rego source (one `policy.rego`, as Newton publishes it) for
    /// `entrypoint` and returns its `policyCid`. Compile errors keep their codes.
    pub fn add_policy(&mut self, source: &str, entrypoint: &str, options: CompileOptions) -> Result<String> {
        let module = PolicyModule { path: "policy.rego".into(), source: source.to_owned() };
        let policy = Policy::compile(&[module], entrypoint, options)?;
        let cid = cid_v1_raw(source.as_bytes());
        let compiled = CompiledPolicy { policy, source: Bytes::copy_from_slice(source.as_bytes()) };
        self.policies.insert(cid.clone(), compiled);
        Ok(cid)
    }

    /// Loads a PolicyData component on the host and returns its `wasmCid`. Load errors keep
    /// their codes.
    pub fn add_policy_data(&mut self, wasm: &[u8]) -> Result<String> {
        let module = self.host.load(wasm)?;
        let cid = cid_v1_raw(wasm);
        self.modules.insert(cid.clone(), module);
        Ok(cid)
    }

    /// Sets the policy `policy_client` uses (replacing any earlier one). The policy and every
    /// module must be registered and the params must be a UTF-8 JSON object
    /// (`InvalidArgument`).
    pub fn set_policy(&mut self, policy_client: Address, deployment: PolicyDeployment) -> Result<()> {
        if !self.policies.contains_key(&deployment.policy_cid) {
            return Err(Error::invalid_argument(format!(
                "client {policy_client}: policy {} is not registered with this operator",
                deployment.policy_cid
            )));
        }
        if let Some(source) = deployment.policy_data.iter().find(|s| !self.modules.contains_key(&s.wasm_cid)) {
            return Err(Error::invalid_argument(format!(
                "client {policy_client}: PolicyData {} module {} is not registered with this operator",
                source.address, source.wasm_cid
            )));
        }
        let params = params(policy_client, &deployment.policy_config.policyParams)?;
        self.clients.insert(policy_client, Client { deployment, params });
        Ok(())
    }

    pub(crate) fn client(&self, policy_client: Address) -> Result<&Client> {
        self.clients.get(&policy_client).ok_or_else(|| {
            Error::invalid_argument(format!("policy client {policy_client} has no policy on this operator"))
        })
    }

    pub(crate) fn policy(&self, cid: &str) -> Result<&CompiledPolicy> {
        self.policies.get(cid).ok_or_else(|| Error::internal(format!("policy {cid} vanished")))
    }

    pub(crate) fn module(&self, cid: &str) -> Result<&PolicyDataModule> {
        self.modules.get(cid).ok_or_else(|| Error::internal(format!("PolicyData module {cid} vanished")))
    }
}

/// `policyParams` as `data.params`: empty bytes are `{}`.
fn params(policy_client: Address, bytes: &[u8]) -> Result<Value> {
    if bytes.is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    let what = format!("client {policy_client}: policyParams");
    let text = std::str::from_utf8(bytes).map_err(|e| Error::invalid_argument(format!("{what} are not UTF-8: {e}")))?;
    match Error::parse_json::<Value>(&what, text)? {
        value @ Value::Object(_) => Ok(value),
        other => Err(Error::invalid_argument(format!("{what} are {}, not a JSON object", json_kind(&other)))),
    }
}
