// `operator_errors`: what went wrong with one operator in a task, in the gateway's shape, and the
// two network codes the engine's error table does not have (timeouts and unreachable operators).
import { NewtonError, type ErrorCode, type Hex } from 'newton-engine';
import type { OperatorIdentity } from './transport.js';

/** The engine's codes, plus an operator that did not answer in time or could not be reached. */
export type OperatorErrorCode = ErrorCode;

/** One entry of `operator_errors` (Newton's gateway shape). */
export interface OperatorError {
  operator_address: Hex;
  operator_id: Hex;
  error_code: OperatorErrorCode;
  /** Prefixed with the round: `deploy: …`, `prepare: …`, `commit: …`. */
  message: string;
  /** Unix milliseconds. */
  timestamp: number;
  /** Whether the same task might succeed on this operator if tried again. */
  retryable: boolean;
}

/** Where an operator failed: announcing a policy to it, or a task's rounds. */
export type Round = 'deploy' | 'prepare' | 'commit';

/** Conditions that pass: silence, I/O, a slow or failing upstream (a module's Err), live data drifting. */
const RETRYABLE = new Set<OperatorErrorCode>([
  'NEWTON_ERR_OPERATOR_TIMEOUT',
  'NEWTON_ERR_OPERATOR_UNAVAILABLE',
  'NEWTON_ERR_IO',
  'NEWTON_ERR_POLICY_DATA_LIMIT_TIME',
  'NEWTON_ERR_POLICY_DATA_GUEST_ERROR',
  'NEWTON_ERR_CONSENSUS_TOLERANCE_EXCEEDED',
]);

export function operatorError(identity: OperatorIdentity, round: Round, code: OperatorErrorCode, message: string): OperatorError {
  return {
    operator_address: identity.operatorAddress,
    operator_id: identity.operatorId,
    error_code: code,
    message: `${round}: ${message}`,
    timestamp: Date.now(),
    retryable: RETRYABLE.has(code),
  };
}

/** What a transport threw: a NewtonError keeps its code; anything else is an unreachable operator. */
export function thrownError(identity: OperatorIdentity, round: Round, err: unknown): OperatorError {
  if (err instanceof NewtonError) return operatorError(identity, round, err.code, err.message);
  const message = err instanceof Error ? err.message : String(err);
  return operatorError(identity, round, 'NEWTON_ERR_OPERATOR_UNAVAILABLE', message);
}
