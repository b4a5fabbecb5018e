//! The commit round: the agreed PolicyData merged into `data.wasm`, private data attached, the
//! policy evaluated, Newton's `TaskResponse` built and its consensus digest BLS-signed.

use crate::evaluator::{Client, CompiledPolicy};
use crate::task_args::TaskArgs;
use crate::{PreparedData, TaskEvaluator};
use alloy_primitives::{Bytes, FixedBytes, B256};
use newton_core::{Error, Result};
use newton_policy::{Decision, EvalRequest};
use newton_policy_data::merge_outputs;
use newton_types::evaluation_result::encode_evaluation_result;
use newton_types::{hash::consensus_digest, parse_intent, sol, sol_json, TaskIntent};
use serde::Serialize;
use serde_json::Value;

/// An operator's signed answer to a task.
///
/// JSON: `{"task_response": {TaskResponse, Solidity field names}, "decision": {…}, "digest":
/// "0x…", "signature": "0x…192 bytes", "public_key": "0x…48 bytes"}`.
#[derive(Clone, Debug, Serialize)]
pub struct SignedTaskResponse {
    #[serde(with = "sol_json::TaskResponse")]
    pub task_response: sol::TaskResponse,
    /// The policy's decision (`allow` is what `evaluationResult` encodes).
    pub decision: Decision,
    /// `keccak256(abi.encode(task_response))`: the consensus digest, the signed message.
    pub digest: B256,
    /// BLS signature over `digest`, uncompressed G2 (192 bytes): the aggregator decodes it
    /// without the square root a compressed point costs.
    pub signature: FixedBytes<192>,
    /// The signer's public key (compressed G1).
    pub public_key: FixedBytes<48>,
}

impl SignedTaskResponse {
    /// The JSON form.
    pub fn to_json(&self) -> String {
        // Hex, numbers and a decision: always serializes.
        serde_json::to_string(self).expect("a signed task response serializes")
    }
}

impl TaskEvaluator {
    /// Evaluates `task` on `agreed` PolicyData (the [`consensus`](crate::consensus) of the
    /// prepare round) and signs the `TaskResponse`.
    ///
    /// `agreed` must be for this task and list the policy's PolicyData contracts in order, each
    /// output matching its digest (`InvalidArgument`). Private data rides in
    /// `wasmArgs._newton.privacy` and needs a privacy node (`InvalidArgument` without one).
    /// A params schema violation keeps its code; everything during evaluation is the
    /// decision (a deny carrying its reason).
    pub fn commit(&self, task: &sol::Task, agreed: &PreparedData) -> Result<SignedTaskResponse> {
        let signer = self.signer()?;
        let client = self.client(task.policyClient)?;
        check_agreed(task, client, agreed)?;
        let args = TaskArgs::of(task)?;
        let compiled = self.policy(&client.deployment.policy_cid)?;
        let outputs: Vec<_> = agreed.policy_data.iter().map(|o| o.data.clone()).collect();
        let mut request = EvalRequest {
            input: Some(parse_intent(&TaskIntent::from(&task.intent))?),
            params: client.params.clone().into(),
            wasm: Value::Object(merge_outputs(&outputs)),
            ..EvalRequest::default()
        };
        match &self.privacy {
            Some(node) => node.attach(&mut request, task.policyClient, Some(&args.value))?,
            None if args.has_private_data() => {
                return Err(Error::invalid_argument(format!(
                    "task {} carries private data (wasmArgs._newton.privacy) but this operator has no privacy node",
                    task.taskId
                )))
            }
            None => {}
        }
        let decision = compiled.policy.evaluate(&request)?;
        let task_response = task_response(task, client, compiled, agreed, &args, decision.allow)?;
        let digest = consensus_digest(&task_response);
        Ok(SignedTaskResponse {
            task_response,
            decision,
            digest,
            signature: FixedBytes(signer.sign(digest.as_slice()).to_uncompressed_bytes()),
            public_key: FixedBytes(signer.public_key().to_bytes()),
        })
    }

    /// Both rounds with this operator's own data: [`TaskEvaluator::prepare`] then
    /// [`TaskEvaluator::commit`], for a single operator.
    pub fn evaluate_and_sign(&self, task: &sol::Task) -> Result<SignedTaskResponse> {
        self.commit(task, &self.prepare(task)?)
    }
}

fn check_agreed(task: &sol::Task, client: &Client, agreed: &PreparedData) -> Result<()> {
    if agreed.task_id != task.taskId {
        return Err(Error::invalid_argument(format!(
            "the agreed data is for task {}, not task {}",
            agreed.task_id, task.taskId
        )));
    }
    let expected: Vec<_> = client.deployment.policy_data.iter().map(|s| s.address).collect();
    let given: Vec<_> = agreed.policy_data.iter().map(|o| o.policy_data_address).collect();
    if given != expected {
        return Err(Error::invalid_argument(format!(
            "the agreed data covers PolicyData {given:?}; the policy of client {} has {expected:?}",
            task.policyClient
        )));
    }
    agreed.policy_data.iter().try_for_each(|o| o.check_digest())
}

/// Newton's `TaskResponse` for `task` (§2 of the protocol reference).
fn task_response(
    task: &sol::Task,
    client: &Client,
    compiled: &CompiledPolicy,
    agreed: &PreparedData,
    args: &TaskArgs,
    allow: bool,
) -> Result<sol::TaskResponse> {
    let deployment = &client.deployment;
    let mut policy_data = Vec::with_capacity(agreed.policy_data.len());
    for (output, source) in agreed.policy_data.iter().zip(&deployment.policy_data) {
        let expire_block = task.taskCreatedBlock.checked_add(source.expire_after).ok_or_else(|| {
            Error::invalid_argument(format!(
                "PolicyData {}: taskCreatedBlock {} + expireAfter {} overflows uint32",
                source.address, task.taskCreatedBlock, source.expire_after
            ))
        })?;
        policy_data.push(sol::PolicyData {
            wasmArgs: Bytes::copy_from_slice(args.module_input.as_bytes()),
            data: Bytes::from(output.canonical_data()?),
            policyDataAddress: source.address,
            expireBlock: expire_block,
        });
    }
    Ok(sol::TaskResponse {
        taskId: task.taskId,
        policyClient: task.policyClient,
        policyId: deployment.policy_id,
        policyAddress: deployment.policy_address,
        intent: task.intent.clone(),
        intentSignature: task.intentSignature.clone(),
        evaluationResult: Bytes::copy_from_slice(&encode_evaluation_result(allow)),
        policyTaskData: sol::PolicyTaskData {
            policyId: deployment.policy_id,
            policyAddress: deployment.policy_address,
            policy: compiled.source.clone(),
            policyData: policy_data,
        },
        policyConfig: deployment.policy_config.clone(),
        initializationTimestamp: task.initializationTimestamp,
    })
}
