// What a task run ends in: responded (a quorum certificate over one TaskResponse) or failed —
// both values, with the operators that failed, timed out, disagreed or signed wrongly.
import type { Certificate, Decision, Hex, NewtonTaskResponse } from 'newton-engine';
import type { OperatorError, OperatorErrorCode } from './operator-errors.js';

/** One operator's signature in the certificate. */
export interface OperatorSignature {
  operator_id: Hex;
  operator_address: Hex;
  /** BLS signature over the certificate's message, 96 bytes. */
  signature: Hex;
}

export interface RespondedOutcome {
  status: 'responded';
  task_id: Hex;
  /** Newton's TaskResponse the quorum signed (Solidity field names). */
  task_response: NewtonTaskResponse;
  decision: Decision;
  /** keccak256(abi.encode(task_response)): the certified message. */
  digest: Hex;
  certificate: Certificate;
  /** The certificate's signers, ascending by operator id. */
  signatures: OperatorSignature[];
  operator_errors: OperatorError[];
  /** Unix milliseconds. */
  timestamp: number;
}

export interface FailedOutcome {
  status: 'failed';
  task_id: Hex;
  /**
   * NEWTON_ERR_INSUFFICIENT_QUORUM_STAKE (too few operators answered or agreed),
   * NEWTON_ERR_OPERATOR_TIMEOUT (as much, with operators still silent at the deadline),
   * NEWTON_ERR_CONSENSUS_TOLERANCE_EXCEEDED / _FAILED (the PolicyData did not agree; details
   * name the JSON path).
   */
  error: { code: OperatorErrorCode; message: string; details?: Record<string, unknown> };
  operator_errors: OperatorError[];
  timestamp: number;
}

export type TaskOutcome = RespondedOutcome | FailedOutcome;
