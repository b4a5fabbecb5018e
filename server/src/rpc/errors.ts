// JSON-RPC errors: the standard codes, Newton's -32002 authorization code, and a stable
// NEWTON_ERR_* code in `error.data.code` (engine errors keep theirs and its rpc code).
import { NewtonError, errorCodes, type ErrorCode } from 'newton-engine';
import { SandboxError, type SandboxErrorCode } from '../sandbox/index.js';

/** Codes the gateway adds for failures the engine's table has no code for (HTTP-level and registry). */
export type GatewayCode =
  | 'NEWTON_ERR_METHOD_NOT_FOUND'
  | 'NEWTON_ERR_UNAUTHORIZED'
  | 'NEWTON_ERR_FORBIDDEN'
  | 'NEWTON_ERR_RATE_LIMITED'
  | 'NEWTON_ERR_NOT_FOUND'
  | 'NEWTON_ERR_CONFLICT'
  | 'NEWTON_ERR_TIMEOUT'
  | 'NEWTON_ERR_UNAVAILABLE';

export type RpcErrorCode = ErrorCode | GatewayCode | SandboxErrorCode | 'NEWTON_ERR_OPERATOR_TIMEOUT' | 'NEWTON_ERR_OPERATOR_UNAVAILABLE';

export const RPC = {
  PARSE: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL: -32603,
  AUTHORIZATION: -32002,
  SERVER: -32000,
} as const;

const GATEWAY_RPC: Record<GatewayCode, number> = {
  NEWTON_ERR_METHOD_NOT_FOUND: RPC.METHOD_NOT_FOUND,
  NEWTON_ERR_UNAUTHORIZED: RPC.AUTHORIZATION,
  NEWTON_ERR_FORBIDDEN: RPC.AUTHORIZATION,
  NEWTON_ERR_RATE_LIMITED: RPC.SERVER,
  NEWTON_ERR_NOT_FOUND: RPC.INVALID_PARAMS,
  NEWTON_ERR_CONFLICT: RPC.INVALID_PARAMS,
  NEWTON_ERR_TIMEOUT: RPC.SERVER,
  NEWTON_ERR_UNAVAILABLE: RPC.SERVER,
};

let engineRpc: Map<string, number> | undefined;
const rpcCodeOf = (code: RpcErrorCode): number =>
  (GATEWAY_RPC as Record<string, number>)[code] ??
  (engineRpc ??= new Map(errorCodes().map((e) => [e.code, e.rpcCode]))).get(code) ??
  RPC.INTERNAL;

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
  if (err instanceof SandboxError) return new RpcError(err.code, err.message, { rpcCode: err.rpcCode, details: err.details });
  return new RpcError('NEWTON_ERR_INTERNAL', 'internal error', { httpStatus: 500 });
}
