// JSON-RPC errors: the standard codes, Newton's -32002 authorization code, and a stable
// NEWTON_ERR_* code in `error.data.code` (engine errors keep theirs and its rpc code).
import { NewtonError, errorCodes, type ErrorCode } from 'newton-engine';
import { SandboxError } from '../sandbox/index.js';

/** Every code a gateway answers with: the one table (crates/newton-core/src/code.rs). */
export type RpcErrorCode = ErrorCode;

export const RPC = {
  PARSE: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL: -32603,
  AUTHORIZATION: -32002,
  SERVER: -32000,
} as const;

let rpcCodes: Map<string, number> | undefined;
const rpcCodeOf = (code: RpcErrorCode): number =>
  (rpcCodes ??= new Map(errorCodes().map((e) => [e.code, e.rpcCode]))).get(code) ?? RPC.INTERNAL;

/** An error answered as a JSON-RPC error object, at `httpStatus`. */
export class RpcError extends Error {
  readonly rpcCode: number;
  readonly code: RpcErrorCode;
  readonly details?: Record<string, unknown>;
  readonly httpStatus: number;

  constructor(code: RpcErrorCode, message: string, options: { rpcCode?: number; details?: Record<string, unknown>; httpStatus?: number } = {}) {
    super(message);
    this.name = 'RpcError';
    this.code = code;
    this.rpcCode = options.rpcCode ?? rpcCodeOf(code);
    this.details = options.details;
    this.httpStatus = options.httpStatus ?? 200;
  }

  toJson(): { code: number; message: string; data: Record<string, unknown> } {
    return { code: this.rpcCode, message: this.message, data: { code: this.code, ...(this.details && { details: this.details }) } };
  }
}

export const invalidParams = (message: string, details?: Record<string, unknown>) =>
  new RpcError('NEWTON_ERR_INVALID_ARGUMENT', message, { rpcCode: RPC.INVALID_PARAMS, details });
export const notFound = (message: string) => new RpcError('NEWTON_ERR_NOT_FOUND', message);
export const unauthorized = (message: string) => new RpcError('NEWTON_ERR_PRIVACY_UNAUTHORIZED', message, { rpcCode: RPC.AUTHORIZATION });

/** Any thrown value as an RpcError: engine errors keep their code; anything else is internal. */
export function toRpcError(err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  if (err instanceof NewtonError) return new RpcError(err.code, err.message, { details: err.details });
  if (err instanceof SandboxError) return new RpcError(err.code, err.message, { details: err.details });
  return new RpcError('NEWTON_ERR_INTERNAL', 'internal error', { httpStatus: 500 });
}
