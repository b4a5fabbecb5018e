// The one error type of the public API. Codes are stable and shared with Rust and JSON-RPC
// (see errorCodes()); deny is never an error — it is a Decision.
import { native } from './native.js';

export type ErrorCode =
  | 'NEWTON_ERR_INVALID_ARGUMENT'
  | 'NEWTON_ERR_INVALID_JSON'
  | 'NEWTON_ERR_IO'
  | 'NEWTON_ERR_INTENT_INVALID'
  | 'NEWTON_ERR_ABI_SIGNATURE'
  | 'NEWTON_ERR_ABI_DECODE'
  | 'NEWTON_ERR_POLICY_PARSE'
  | 'NEWTON_ERR_POLICY_COMPILE'
  | 'NEWTON_ERR_POLICY_NONDETERMINISTIC'
  | 'NEWTON_ERR_POLICY_ENTRYPOINT'
  | 'NEWTON_ERR_POLICY_EVAL'
  | 'NEWTON_ERR_PARAMS_SCHEMA_INVALID'
  | 'NEWTON_ERR_PARAMS_SCHEMA_VIOLATION'
  | 'NEWTON_ERR_BUILTIN_UNSUPPORTED'
  | 'NEWTON_ERR_LIMIT_TIME'
  | 'NEWTON_ERR_LIMIT_SIZE'
  | 'NEWTON_ERR_LIMIT_MEMORY'
  | 'NEWTON_ERR_LIMIT_DEPTH'
  | 'NEWTON_ERR_POLICY_RECURSION'
  | 'NEWTON_ERR_POLICY_EVAL_DEPTH'
  | 'NEWTON_ERR_POLICY_LIMIT_ELEMENTS'
  | 'NEWTON_ERR_POLICY_LIMIT_STRING_BYTES'
  | 'NEWTON_ERR_POLICY_LIMIT_INTEGER'
  | 'NEWTON_ERR_TEST_FAILED'
  | 'NEWTON_ERR_BLS_BAD_ENCODING'
  | 'NEWTON_ERR_BLS_KEY_INVALID'
  | 'NEWTON_ERR_BLS_POP_INVALID'
  | 'NEWTON_ERR_KEYSTORE_INVALID'
  | 'NEWTON_ERR_KEYSTORE_PASSWORD'
  | 'NEWTON_ERR_OPERATOR_UNKNOWN'
  | 'NEWTON_ERR_INSUFFICIENT_QUORUM_STAKE'
  | 'NEWTON_ERR_SIGNATURE_INVALID'
  | 'NEWTON_ERR_POLICY_ID_MISMATCH'
  | 'NEWTON_ERR_INTENT_SENDER_MISMATCH'
  | 'NEWTON_ERR_CHAIN_ID_MISMATCH'
  | 'NEWTON_ERR_ATTESTATION_EXPIRED'
  | 'NEWTON_ERR_ATTESTATION_ALREADY_SPENT'
  | 'NEWTON_ERR_ATTESTATION_HASH_MISMATCH'
  | 'NEWTON_ERR_POLICY_DENIED'
  | 'NEWTON_ERR_STORE'
  | 'NEWTON_ERR_INTERNAL'
  | 'NEWTON_ERR_PRIVACY_DECRYPT'
  | 'NEWTON_ERR_PRIVACY_WRONG_RECIPIENT'
  | 'NEWTON_ERR_PRIVACY_POLICY_CLIENT_MISMATCH'
  | 'NEWTON_ERR_PRIVACY_ENVELOPE_INVALID'
  | 'NEWTON_ERR_PRIVACY_KEY_RETIRED'
  | 'NEWTON_ERR_POLICY_DATA_INVALID'
  | 'NEWTON_ERR_POLICY_DATA_FORBIDDEN_IMPORT'
  | 'NEWTON_ERR_POLICY_DATA_MISSING_EXPORT'
  | 'NEWTON_ERR_POLICY_DATA_TOO_LARGE'
  | 'NEWTON_ERR_POLICY_DATA_LIMIT_FUEL'
  | 'NEWTON_ERR_POLICY_DATA_LIMIT_MEMORY'
  | 'NEWTON_ERR_POLICY_DATA_LIMIT_STACK'
  | 'NEWTON_ERR_POLICY_DATA_LIMIT_TIME'
  | 'NEWTON_ERR_POLICY_DATA_TRAP'
  | 'NEWTON_ERR_POLICY_DATA_GUEST_ERROR'
  | 'NEWTON_ERR_POLICY_DATA_OUTPUT_INVALID'
  | 'NEWTON_ERR_POLICY_DATA_OUTPUT_NOT_OBJECT'
  | 'NEWTON_ERR_POLICY_DATA_OUTPUT_TOO_LARGE'
  | 'NEWTON_ERR_POLICY_DATA_OUTPUT_SCHEMA_VIOLATION'
  | 'NEWTON_ERR_POLICY_DATA_SCHEMA_INVALID'
  | 'NEWTON_ERR_POLICY_DATA_HTTP_FORBIDDEN'
  | 'NEWTON_ERR_POLICY_DATA_HTTP_CALL_LIMIT'
  | 'NEWTON_ERR_POLICY_DATA_HTTP_RESPONSE_TOO_LARGE'
  | 'NEWTON_ERR_POLICY_DATA_HTTP_FIXTURE_MISSING'
  | 'NEWTON_ERR_POLICY_DATA_SECRETS_SCHEMA_VIOLATION'
  | 'NEWTON_ERR_PRIVACY_AAD_MISMATCH'
  | 'NEWTON_ERR_PRIVACY_UNKNOWN_DATA_REF'
  | 'NEWTON_ERR_PRIVACY_NO_GRANT'
  | 'NEWTON_ERR_PRIVACY_GRANT_REVOKED'
  | 'NEWTON_ERR_PRIVACY_UNAUTHORIZED'
  | 'NEWTON_ERR_CONSENSUS_TOLERANCE_EXCEEDED'
  | 'NEWTON_ERR_CONSENSUS_FAILED';

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
