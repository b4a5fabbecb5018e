// The one error type of the public API. Codes are stable and shared with Rust and JSON-RPC
// (see errorCodes(); the ErrorCode union is generated from the same table); deny is never an
// error — it is a Decision.
import type { ErrorCode } from './error-codes.js';
import { native } from './native.js';

export type { ErrorCode };

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export interface ErrorCodeEntry {
  code: ErrorCode;
  rpcCode: number;
  description: string;
}

export class NewtonError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(info: ErrorInfo, options?: { cause?: unknown }) {
    super(info.message, options);
    this.name = 'NewtonError';
    this.code = info.code;
    this.details = info.details;
  }
}

/** The error-code table, straight from the Rust source of truth. */
export function errorCodes(): ErrorCodeEntry[] {
  return JSON.parse(native.errorCodes()) as ErrorCodeEntry[];
}

/** Native errors carry `{code, message, details?}` JSON as their message; anything else is a bug. */
export function toNewtonError(err: unknown): NewtonError {
  if (err instanceof NewtonError) return err;
  const message = err instanceof Error ? err.message : String(err);
  try {
    const info = JSON.parse(message) as ErrorInfo;
    if (typeof info?.code === 'string' && typeof info.message === 'string') return new NewtonError(info);
  } catch {
    // Not a native error (e.g. an AbortError or a JS TypeError from argument conversion).
  }
  if (err instanceof Error && err.name === 'AbortError') throw err;
  return new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message }, { cause: err });
}

/** Calls into native code, rethrowing its failures as NewtonError. */
export function call<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toNewtonError(err);
  }
}

export async function callAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toNewtonError(err);
  }
}
