//! Deterministic operators, a Newton task and response, and a fully valid bundle.

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use newton_attestation::{
    Aggregator, AttestationBundle, Certificate, OperatorRegistry, QuorumThreshold, SpentStore,
    ValidationContext,
};
use newton_bls::SecretKey;
use newton_types::{evaluation_result::encode_evaluation_result, hash::consensus_digest, sol};
use std::collections::BTreeMap;
use tempfile::TempDir;

pub const CHAIN_ID: u64 = 11_155_111;
pub const CREATED_BLOCK: u32 = 90;
pub const CURRENT_BLOCK: u64 = 100;
pub const EXPIRATION: u32 = 150;

/// An operator's signing key and id (the id is the keccak of its public key, as EigenLayer's
/// is the hash of the G1 key).
pub struct Signer {
    pub id: B256,
    pub key: SecretKey,
}

impl Signer {
    pub fn new(seed: u64) -> Self {
        let key = SecretKey::from_ikm(keccak256(seed.to_be_bytes()).as_slice()).unwrap();
        Self { id: keccak256(key.public_key().to_bytes()), key }
    }

    pub fn sign(&self, message: B256) -> [u8; 96] {
        self.key.sign(message.as_slice()).to_bytes()
    }

    pub fn register(&self, registry: &mut OperatorRegistry, stakes: BTreeMap<u8, U256>) {
        let pop = self.key.prove_possession().to_bytes();
        registry.register(self.id, &self.key.public_key().to_bytes(), &pop, stakes).unwrap();
    }
}

pub fn stake(quorum: u8, amount: u64) -> BTreeMap<u8, U256> {
    BTreeMap::from([(quorum, U256::from(amount))])
}

/// A registry of operators seeded `0..stakes.len()`, each with its stake in quorum 0.
pub fn registry(stakes: &[u64]) -> (OperatorRegistry, Vec<Signer>) {
    let mut registry = OperatorRegistry::new();
    let signers: Vec<Signer> = (0..stakes.len() as u64).map(Signer::new).collect();
    for (signer, &amount) in signers.iter().zip(stakes) {
        signer.register(&mut registry, stake(0, amount));
    }
    (registry, signers)
}

pub fn caller() -> Address {
    "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".parse().unwrap()
}

pub fn policy_id() -> B256 {
    keccak256("policy")
}

pub fn task() -> sol::Task {
    sol::Task {
        taskId: keccak256("task-1"),
        policyClient: Address::repeat_byte(0xc1),
        taskCreatedBlock: CREATED_BLOCK,
        quorumThresholdPercentage: 40,
        intent: sol::Intent {
            from: caller(),
            to: Address::repeat_byte(0xb1),
            value: U256::ZERO,
            data: Bytes::from_static(&[0xa9, 0x05, 0x9c, 0xbb]),
            chainId: U256::from(CHAIN_ID),
            functionSignature: Bytes::from_static(b"transfer(address,uint256)"),
        },
        intentSignature: Bytes::from(vec![0x11; 65]),
        wasmArgs: Bytes::new(),
        quorumNumbers: Bytes::from_static(&[0]),
        initializationTimestamp: U256::from(1_700_000_000u64),
    }
}

pub fn response(task: &sol::Task, allow: bool) -> sol::TaskResponse {
    sol::TaskResponse {
        taskId: task.taskId,
        policyClient: task.policyClient,
        policyId: policy_id(),
        policyAddress: Address::repeat_byte(0xaa),
        intent: task.intent.clone(),
        intentSignature: task.intentSignature.clone(),
        evaluationResult: Bytes::from(encode_evaluation_result(allow).to_vec()),
        policyTaskData: sol::PolicyTaskData {
            policyId: policy_id(),
            policyAddress: Address::repeat_byte(0xaa),
            policy: Bytes::from_static(b"package p\ndefault allow := true\n"),
            policyData: vec![sol::PolicyData {
                wasmArgs: Bytes::new(),
                data: Bytes::from_static(b"{}"),
                policyDataAddress: Address::repeat_byte(0xdd),
                expireBlock: 200,
            }],
        },
        policyConfig: sol::PolicyConfig {
            policyParams: Bytes::from_static(b"{}"),
            expireAfter: 60,
        },
        initializationTimestamp: task.initializationTimestamp,
    }
}

/// A certificate by `signers` over the consensus digest of `response`, certified at `threshold`.
pub fn certify(
    registry: &OperatorRegistry,
    signers: &[&Signer],
    response: &sol::TaskResponse,
    threshold: u32,
) -> Certificate {
    let digest = consensus_digest(response);
    let threshold = QuorumThreshold::new(threshold).unwrap();
    let mut aggregator = Aggregator::new(registry, digest, &[0], threshold).unwrap();
    let signatures: Vec<(B256, [u8; 96])> =
        signers.iter().map(|s| (s.id, s.sign(digest))).collect();
    aggregator.aggregate(signatures.iter().map(|(id, sig)| (*id, &sig[..]))).unwrap()
}

/// Four operators of 1000 stake each; three sign an allowed response.
pub struct Fixture {
    pub registry: OperatorRegistry,
    pub signers: Vec<Signer>,
    pub bundle: AttestationBundle,
    pub ctx: ValidationContext,
    pub store: SpentStore,
    _dir: TempDir,
}

impl Fixture {
    pub fn new() -> Self {
        Self::with_response(response(&task(), true), 3)
    }

    /// A bundle for `response` certified by the first `signing` operators (at threshold 0, so a
    /// weak certificate can be built too).
    pub fn with_response(response: sol::TaskResponse, signing: usize) -> Self {
        let (registry, signers) = registry(&[1000, 1000, 1000, 1000]);
        let chosen: Vec<&Signer> = signers.iter().take(signing).collect();
        let certificate = certify(&registry, &chosen, &response, 0);
        let bundle = AttestationBundle::new(task(), response, certificate, EXPIRATION);
        let ctx =
            ValidationContext::new(policy_id(), U256::from(CHAIN_ID), caller(), CURRENT_BLOCK);
        let dir = tempfile::tempdir().unwrap();
        let store = SpentStore::open(dir.path().join("spent.db")).unwrap();
        Self { registry, signers, bundle, ctx, store, _dir: dir }
    }

    pub fn validate(&self) -> newton_attestation::Report {
        newton_attestation::validate(&self.bundle, &self.ctx, &self.registry, &self.store)
    }
}
