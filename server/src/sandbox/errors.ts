// The sandbox pool's own failures (SandboxError) and the JSON form in which a worker's errors
// cross back to the gateway, engine errors keeping their NEWTON_ERR_* code.
import { NewtonError, type ErrorInfo } from 'newton-engine';

/**
 * Why the pool, not the engine, failed a job. These are not in the engine's generated table
 * (docs/errors.md), so each carries its JSON-RPC code here.
 */
export type SandboxErrorCode =
  /** The queue is full (`maxQueue` jobs waiting): try again later. */
  | 'NEWTON_ERR_SANDBOX_BUSY'
  /** The job ran past its wall-clock timeout; its worker was killed and replaced. */
  | 'NEWTON_ERR_SANDBOX_TIMEOUT'
  /** The worker's resident memory passed `maxRssMb`; it was killed and replaced. */
  | 'NEWTON_ERR_SANDBOX_MEMORY'
  /** The worker exited mid-job (a native fault, an abort, a kill); it was replaced. */
  | 'NEWTON_ERR_SANDBOX_CRASHED'
  /** The pool is closing or closed. */
  | 'NEWTON_ERR_SANDBOX_CLOSED';

/** JSON-RPC error codes: -32005 "limit exceeded" (EIP-1474), -32615 as the engine's evaluation limits, -32603 internal. */
export const SANDBOX_RPC_CODES: Readonly<Record<SandboxErrorCode, number>> = {
  NEWTON_ERR_SANDBOX_BUSY: -32005,
  NEWTON_ERR_SANDBOX_TIMEOUT: -32615,
  NEWTON_ERR_SANDBOX_MEMORY: -32615,
  NEWTON_ERR_SANDBOX_CRASHED: -32603,
  NEWTON_ERR_SANDBOX_CLOSED: -32603,
};

export class SandboxError extends Error {
  readonly code: SandboxErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: SandboxErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'SandboxError';
    this.code = code;
    this.details = details;
  }

  /** The JSON-RPC error code for this failure. */
  get rpcCode(): number {
    return SANDBOX_RPC_CODES[this.code];
  }
}

/** A worker-side error as JSON: a NewtonError keeps its code and details; anything else is internal. */
export function errorToWire(err: unknown): ErrorInfo {
  if (err instanceof NewtonError) return { code: err.code, message: err.message, details: err.details };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'NEWTON_ERR_INTERNAL', message: `sandbox worker: ${message}` };
}

export function errorFromWire(info: ErrorInfo): NewtonError {
  return new NewtonError(info);
}
