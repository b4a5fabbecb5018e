//! Direct verification of an [`AttestationBundle`]: the checks `NewtonPolicyClient` and
//! `AttestationValidator` make, in their order, each failing with its own code, and last the
//! single-use spend.

use crate::{attestation_for, AttestationBundle, OperatorRegistry, QuorumThreshold, SpentStore};
use alloy_primitives::{Address, B256, U256};
use newton_core::{Error, ErrorCode, Result};
use newton_types::{evaluation_result::is_allowed, hash, sol};
use serde::{Deserialize, Serialize};

/// Where and by whom the attestation is being used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationContext {
    /// The policy client's current policy id.
    pub policy_id: B256,
    /// The chain the attestation is used on.
    pub chain_id: U256,
    /// The account calling the policy client (`msg.sender`).
    pub caller: Address,
    /// The current block number.
    pub current_block: u64,
    /// The lowest quorum threshold accepted, whatever the task asks for (default 40%).
    #[serde(default)]
    pub min_threshold: QuorumThreshold,
}

impl ValidationContext {
    /// A context with the default minimum threshold.
    pub fn new(policy_id: B256, chain_id: U256, caller: Address, current_block: u64) -> Self {
        Self { policy_id, chain_id, caller, current_block, min_threshold: QuorumThreshold::DEFAULT }
    }
}

/// One check, in the order [`validate`] runs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// `attestation.policyId` is the client's policy id (`PolicyIdMismatch`).
    PolicyId,
    /// `attestation.intent.from` is the caller (`IntentSenderMismatch`).
    IntentSender,
    /// `attestation.intent.chainId` is this chain (`ChainIdMismatch`).
    ChainId,
    /// `current_block < attestation.expiration` (`AttestationExpired`).
    Expiration,
    /// The attestation, its hash, the task and the response agree (`AttestationHashMismatch`).
    AttestationHash,
    /// The certificate signs the response's consensus digest and verifies (`SignatureInvalid`).
    Signature,
    /// The signers' stake meets the threshold in every task quorum (`InsufficientQuorumStake`).
    QuorumStake,
    /// The response's evaluation result is an allow (`PolicyDenied`).
    EvaluationResult,
    /// The attestation was not spent before; it is now (`AttestationAlreadySpent`).
    SingleUse,
}

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    Failed,
    /// Not run: the single-use spend runs only when every other check passed.
    Skipped,
}

/// One check's outcome; JSON `{"check", "status", "code"?, "message"?, "details"?}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckOutcome {
    pub check: Check,
    pub status: Status,
    /// Why it failed.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
}

/// Every check's outcome, in order. The overall result is the first failure.
///
/// JSON: `{"checks": [{check, status, code?, message?, details?}], "valid": bool}`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub checks: Vec<CheckOutcome>,
}

impl Serialize for Report {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Json<'a> {
            checks: &'a [CheckOutcome],
            valid: bool,
        }
        Json { checks: &self.checks, valid: self.is_valid() }.serialize(serializer)
    }
}

impl Report {
    /// Whether every check passed (the attestation is now spent).
    pub fn is_valid(&self) -> bool {
        self.checks.iter().all(|c| c.status == Status::Passed)
    }

    /// The first failed check's error, if any.
    pub fn first_failure(&self) -> Option<&Error> {
        self.checks.iter().find_map(|c| c.error.as_ref())
    }

    /// Ok when every check passed, otherwise the first failure.
    pub fn result(&self) -> Result<()> {
        self.first_failure().map_or(Ok(()), |error| Err(error.clone()))
    }

    fn skip_spend(&mut self) {
        self.checks.push(CheckOutcome { check: Check::SingleUse, status: Status::Skipped, error: None });
    }

    fn record(&mut self, check: Check, outcome: Result<()>) {
        let (status, error) = match outcome {
            Ok(()) => (Status::Passed, None),
            Err(error) => (Status::Failed, Some(error)),
        };
        self.checks.push(CheckOutcome { check, status, error });
    }
}

/// Runs every check on `bundle` in order and reports each outcome. The checks before the
/// spend all run even after a failure (so a CLI can show each); the spend runs — marking the
/// attestation used in `store` — only when all of them passed.
pub fn validate(
    bundle: &AttestationBundle,
    ctx: &ValidationContext,
    registry: &OperatorRegistry,
    store: &SpentStore,
) -> Report {
    let mut report = checks(bundle, ctx, registry);
    if report.is_valid() {
        let attestation_hash = bundle.attestation_hash;
        report.record(Check::SingleUse, store.consume(bundle.attestation.taskId, attestation_hash));
    } else {
        report.skip_spend();
    }
    report
}

/// Every check but the spend, which is reported `Skipped`: for a caller that keeps the spent set
/// elsewhere (a database shared by several gateways) and spends there — keyed by task id, with
/// the attestation hash — only when every other check passed.
pub fn check_before_spend(bundle: &AttestationBundle, ctx: &ValidationContext, registry: &OperatorRegistry) -> Report {
    let mut report = checks(bundle, ctx, registry);
    report.skip_spend();
    report
}

fn checks(bundle: &AttestationBundle, ctx: &ValidationContext, registry: &OperatorRegistry) -> Report {
    let attestation = &bundle.attestation;
    let mut report = Report::default();
    report.record(Check::PolicyId, policy_id(attestation, ctx));
    report.record(Check::IntentSender, intent_sender(attestation, ctx));
    report.record(Check::ChainId, chain_id(attestation, ctx));
    report.record(Check::Expiration, expiration(attestation, ctx));
    report.record(Check::AttestationHash, attestation_hash(bundle));
    report.record(Check::Signature, signature(bundle, registry));
    report.record(Check::QuorumStake, quorum_stake(bundle, ctx, registry));
    report.record(Check::EvaluationResult, evaluation_result(&bundle.task_response));
    report
}

fn fail(code: ErrorCode, message: String) -> Result<()> {
    Err(Error::new(code, message))
}

fn policy_id(attestation: &sol::Attestation, ctx: &ValidationContext) -> Result<()> {
    if attestation.policyId == ctx.policy_id {
        return Ok(());
    }
    fail(
        ErrorCode::PolicyIdMismatch,
        format!(
            "attestation policy id {} is not the client's policy id {}",
            attestation.policyId, ctx.policy_id
        ),
    )
}

fn intent_sender(attestation: &sol::Attestation, ctx: &ValidationContext) -> Result<()> {
    if attestation.intent.from == ctx.caller {
        return Ok(());
    }
    fail(
        ErrorCode::IntentSenderMismatch,
        format!("intent sender {} is not the caller {}", attestation.intent.from, ctx.caller),
    )
}

fn chain_id(attestation: &sol::Attestation, ctx: &ValidationContext) -> Result<()> {
    if attestation.intent.chainId == ctx.chain_id {
        return Ok(());
    }
    fail(
        ErrorCode::ChainIdMismatch,
        format!(
            "intent chain id {} is not this chain's id {}",
            attestation.intent.chainId, ctx.chain_id
        ),
    )
}

/// Valid while `current_block < expiration`; `type(uint32).max` is the contracts' spent
/// sentinel and never valid.
fn expiration(attestation: &sol::Attestation, ctx: &ValidationContext) -> Result<()> {
    let expiration = attestation.expiration;
    if expiration == u32::MAX {
        return fail(
            ErrorCode::AttestationExpired,
            "attestation expiration is the spent sentinel type(uint32).max".into(),
        );
    }
    if ctx.current_block < u64::from(expiration) {
        return Ok(());
    }
    fail(
        ErrorCode::AttestationExpired,
        format!(
            "attestation expired at block {expiration} (current block {}; expiry is exclusive)",
            ctx.current_block
        ),
    )
}

/// The attestation must be the one derived from the task and response (which must agree on
/// the fields they share) with the bundle's expiration, and the hash must be its hash.
fn attestation_hash(bundle: &AttestationBundle) -> Result<()> {
    let (task, response) = (&bundle.task, &bundle.task_response);
    let mismatch = |message: String| fail(ErrorCode::AttestationHashMismatch, message);
    let disagreeing = [
        ("taskId", task.taskId != response.taskId),
        ("policyClient", task.policyClient != response.policyClient),
        ("intent", task.intent != response.intent),
        ("intentSignature", task.intentSignature != response.intentSignature),
        (
            "initializationTimestamp",
            task.initializationTimestamp != response.initializationTimestamp,
        ),
    ];
    if let Some((field, _)) = disagreeing.iter().find(|(_, differs)| *differs) {
        return mismatch(format!("task and task_response disagree on {field}"));
    }
    let expected = attestation_for(task, response, bundle.expiration);
    let expected_hash = hash::attestation_hash(&expected);
    if hash::attestation_hash(&bundle.attestation) != expected_hash {
        return mismatch(format!(
            "attestation is not the one derived from the task and response (expected hash \
             {expected_hash})"
        ));
    }
    if bundle.attestation_hash != expected_hash {
        return mismatch(format!(
            "attestation hash {} is not keccak256(abi.encode(attestation)) = {expected_hash}",
            bundle.attestation_hash
        ));
    }
    Ok(())
}

fn signature(bundle: &AttestationBundle, registry: &OperatorRegistry) -> Result<()> {
    let digest = hash::consensus_digest(&bundle.task_response);
    if bundle.certificate.message != digest {
        return fail(
            ErrorCode::SignatureInvalid,
            format!(
                "certificate signs {}, not the task response's consensus digest {digest}",
                bundle.certificate.message
            ),
        );
    }
    bundle.certificate.verify_signature(registry)
}

/// Stake over the task's quorums, at the task's threshold raised to the context's minimum.
fn quorum_stake(
    bundle: &AttestationBundle,
    ctx: &ValidationContext,
    registry: &OperatorRegistry,
) -> Result<()> {
    let threshold =
        QuorumThreshold::new(bundle.task.quorumThresholdPercentage)?.max(ctx.min_threshold);
    bundle.certificate.stakes(registry, &bundle.task.quorumNumbers)?.check(threshold)
}

fn evaluation_result(response: &sol::TaskResponse) -> Result<()> {
    if is_allowed(&response.evaluationResult) {
        return Ok(());
    }
    fail(
        ErrorCode::PolicyDenied,
        format!("task {} was denied: its evaluation result is not an allow", response.taskId),
    )
}
