// The task methods' result shapes (Newton's gateway): snake_case at the top, the contracts'
// camelCase inside `task` and the nested structs of `task_response`, `evaluation_result` as the
// 32 bytes of abi.encode(bool), and failures as results with `status: "failed"`.
import type { Certificate, Hex, NewtonTask, NewtonTaskResponse } from 'newton-engine';
import type { TaskEvent, TaskOutcome } from './network.js';
import type { OperatorError } from '../network/operator-errors.js';

export interface TaskSuccess {
  task_id: Hex;
  status: 'success';
  /** Newton's is EigenLayer's BN254 NonSignerStakesAndSignature; ours is a BLS12-381 certificate (below). */
  aggregation_response: null;
  task: NewtonTask;
  task_response: {
    task_id: Hex;
    policy_client: Hex;
    policy_id: Hex;
    policy_address: Hex;
    intent: NewtonTaskResponse['intent'];
    intent_signature: Hex;
    evaluation_result: number[];
    policy_task_data: NewtonTaskResponse['policyTaskData'];
    policy_config: NewtonTaskResponse['policyConfig'];
    initialization_timestamp: Hex;
  };
  /**
   * 0x hex of the UTF-8 JSON of `certificate`; in chain mode `abi.encode(BlsCertificate)`, what
   * the gateway posted with the response to the TaskResponseHandler (server/src/chain).
   */
  signature_data: Hex;
  certificate: Certificate;
  /** The block the response was accepted at, and the first block at which its attestation is expired. */
  reference_block: number;
  expiration: number;
  operator_errors: OperatorError[];
  error: null;
  /** Unix milliseconds. */
  timestamp: number;
}

export interface TaskFailure {
  task_id: Hex;
  status: 'failed';
  error: { code: string; message: string; details?: Record<string, unknown> };
  aggregation_response: null;
  operator_errors: OperatorError[];
  timestamp: number;
}

export type TaskResult = TaskSuccess | TaskFailure;

/** A WebSocket update's `result`: the network's event, with the RPC result once the task ended. */
export type TaskUpdate = Omit<TaskEvent, 'data'> & { data: Omit<TaskEvent['data'], 'result'> & { result: TaskResult | null } };

const bytes = (hex: Hex) => Array.from(Buffer.from(hex.slice(2), 'hex'));
const hexOf = (text: string): Hex => `0x${Buffer.from(text, 'utf8').toString('hex')}`;
const quantityHex = (value: string): Hex => `0x${BigInt(value).toString(16)}`;

export function taskResult(task: NewtonTask, outcome: TaskOutcome, referenceBlock: number, signatureData?: Hex): TaskResult {
  if (outcome.status === 'failed') {
    return { task_id: task.taskId, status: 'failed', error: outcome.error, aggregation_response: null, operator_errors: outcome.operator_errors, timestamp: outcome.timestamp };
  }
  const r = outcome.task_response;
  return {
    task_id: task.taskId,
    status: 'success',
    aggregation_response: null,
    task,
    task_response: {
      task_id: r.taskId,
      policy_client: r.policyClient,
      policy_id: r.policyId,
      policy_address: r.policyAddress,
      intent: r.intent,
      intent_signature: r.intentSignature,
      evaluation_result: bytes(r.evaluationResult),
      policy_task_data: r.policyTaskData,
      policy_config: r.policyConfig,
      initialization_timestamp: quantityHex(r.initializationTimestamp),
    },
    signature_data: signatureData ?? hexOf(JSON.stringify(outcome.certificate)),
    certificate: outcome.certificate,
    reference_block: referenceBlock,
    expiration: referenceBlock + r.policyConfig.expireAfter,
    operator_errors: outcome.operator_errors,
    error: null,
    timestamp: outcome.timestamp,
  };
}

/** The TaskResponse (contracts' JSON) back from a success result, for attestation checks. */
export function taskResponseOf(result: TaskSuccess): NewtonTaskResponse {
  const r = result.task_response;
  return {
    taskId: r.task_id,
    policyClient: r.policy_client,
    policyId: r.policy_id,
    policyAddress: r.policy_address,
    intent: r.intent,
    intentSignature: r.intent_signature,
    evaluationResult: `0x${Buffer.from(r.evaluation_result).toString('hex')}`,
    policyTaskData: r.policy_task_data,
    policyConfig: r.policy_config,
    initializationTimestamp: BigInt(r.initialization_timestamp).toString(),
  };
}
