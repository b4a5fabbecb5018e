// One JSON-RPC 2.0 exchange: validates the envelope (and batches), authenticates, finds the
// method, checks its permission and params, runs it under a timeout, and shapes the reply.
// Every request is answered, with `"id": null` when it had none.
import type { FastifyBaseLogger } from 'fastify';
import type { Gateway } from '../gateway.js';
import type { ApiKeyRecord } from '../store/store.js';
import { RPC, RpcError, invalidParams, toRpcError } from './errors.js';
import type { Method } from './method.js';

export type RpcId = string | number | null;

export interface RpcReply {
  jsonrpc: '2.0';
  id: RpcId;
  result?: unknown;
  error?: ReturnType<RpcError['toJson']>;
}

export interface Dispatch {
  gateway: Gateway;
  methods: Map<string, Method>;
  /** The key the request presented: a record, or why there is none. */
  key: ApiKeyRecord | RpcError;
  log: FastifyBaseLogger;
  methodTimeoutMs: number;
}

const invalidRequest = (message: string) => new RpcError('NEWTON_ERR_INVALID_JSON', message, { rpcCode: RPC.INVALID_REQUEST });

export const errorReply = (id: RpcId, err: RpcError): RpcReply => ({ jsonrpc: '2.0', id, error: err.toJson() });

/** The id to echo: a string, number or null; anything else is not an id. */
function idOf(request: unknown): RpcId | undefined {
  if (typeof request !== 'object' || request === null || Array.isArray(request) || !('id' in request)) return null;
  const { id } = request as { id: unknown };
  return typeof id === 'string' || typeof id === 'number' || id === null ? id : undefined;
}

/** Answers a parsed body: one request or a batch. Resolves to the HTTP status and the reply. */
export async function dispatch(body: unknown, ctx: Dispatch): Promise<{ status: number; payload: RpcReply | RpcReply[] }> {
  if (Array.isArray(body)) {
    if (body.length === 0) return { status: 200, payload: errorReply(null, invalidRequest('Invalid request format: empty batch')) };
    if (ctx.key instanceof RpcError) return { status: ctx.key.httpStatus, payload: errorReply(null, ctx.key) };
    return { status: 200, payload: (await Promise.all(body.map((request) => one(request, ctx)))).map((r) => r.reply) };
  }
  const { status, reply } = await one(body, ctx);
  return { status, payload: reply };
}

/** One request's reply and the HTTP status it would have alone (an error's own status, else 200). */
async function one(request: unknown, ctx: Dispatch): Promise<{ status: number; reply: RpcReply }> {
  const id = idOf(request);
  try {
    if (id === undefined) throw invalidRequest('Invalid request format: id must be a string, number or null');
    if (typeof request !== 'object' || request === null || Array.isArray(request)) throw invalidRequest('Invalid request format: expected a JSON-RPC request object');
    const { jsonrpc, method: name } = request as Record<string, unknown>;
    if (jsonrpc !== '2.0') throw invalidRequest('Invalid request format: jsonrpc must be "2.0"');
    if (typeof name !== 'string') throw invalidRequest('Invalid request format: method must be a string');
    if (ctx.key instanceof RpcError) throw ctx.key;
    const method = ctx.methods.get(name);
    if (!method) throw new RpcError('NEWTON_ERR_METHOD_NOT_FOUND', `Unknown Newton RPC method: ${name}`);
    if (!ctx.key.permissions.includes(method.permission)) {
      throw new RpcError('NEWTON_ERR_FORBIDDEN', `${method.permission === 'read' ? 'RpcRead' : 'RpcWrite'} permission required`, { httpStatus: 403 });
    }
    const params = method.check(paramsOf((request as { params?: unknown }).params));
    const result = await withTimeout(method.handler(params, { gateway: ctx.gateway, key: ctx.key, log: ctx.log }), method.timeoutMs?.(params) ?? ctx.methodTimeoutMs);
    return { status: 200, reply: { jsonrpc: '2.0', id: id ?? null, result } };
  } catch (err) {
    const rpc = toRpcError(err);
    if (rpc.code === 'NEWTON_ERR_INTERNAL') ctx.log.error({ err }, 'internal error in an RPC method');
    return { status: rpc.httpStatus, reply: errorReply(id ?? null, rpc) };
  }
}

/** Params as an object, a one-element positional array, or absent/null for no-arg methods. */
function paramsOf(params: unknown): unknown {
  if (params === undefined || params === null) return {};
  if (Array.isArray(params)) {
    if (params.length === 0) return {};
    if (params.length === 1) return params[0];
    throw invalidParams('Invalid params: a positional array must hold exactly one params object');
  }
  return params;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RpcError('NEWTON_ERR_TIMEOUT', `Request timeout after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
