// The sandbox pool's own failures (SandboxError) and the JSON form in which a worker's errors
// cross back to the gateway, engine errors keeping their NEWTON_ERR_* code.
import { NewtonError, errorCodes, type ErrorCode, type ErrorInfo } from 'newton-engine';

/**
 * Why the pool, not the engine, failed a job (BUSY: the queue is full; TIMEOUT / MEMORY: the
 * worker passed its limit and was replaced; CRASHED: it exited mid-job; CLOSED: the pool closed).
 */
export type SandboxErrorCode = Extract<ErrorCode, `NEWTON_ERR_SANDBOX_${string}`>;

export class SandboxError extends Error {
  readonly code: SandboxErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: SandboxErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'SandboxError';
    this.code = code;
    this.details = details;
  }

  /** The JSON-RPC error code for this failure (from the engine's code table). */
  get rpcCode(): number {
    return errorCodes().find((e) => e.code === this.code)?.rpcCode ?? -32603;
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
