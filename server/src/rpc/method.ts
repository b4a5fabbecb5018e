// A JSON-RPC method: its name, the permission it needs, a TypeBox schema for its params
// (checked without coercion: an explicit null stays null) and its handler.
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { FastifyBaseLogger } from 'fastify';
import type { Gateway } from '../gateway.js';
import type { ApiKeyRecord, Permission } from '../store/store.js';
import { invalidParams } from './errors.js';

export interface CallContext {
  gateway: Gateway;
  key: ApiKeyRecord;
  log: FastifyBaseLogger;
}

export interface Method {
  name: string;
  permission: Permission;
  /** Validates and returns the params, or throws invalid params naming the first violation. */
  check(params: unknown): unknown;
  handler(params: unknown, ctx: CallContext): Promise<unknown>;
  /** Overrides the gateway's method timeout (ms), e.g. from the params' own `timeout`. */
  timeoutMs?(params: unknown): number | undefined;
}

export function method<S extends TSchema>(
  name: string,
  permission: Permission,
  schema: S,
  handler: (params: Static<S>, ctx: CallContext) => Promise<unknown>,
  timeoutMs?: (params: Static<S>) => number | undefined,
): Method {
  const compiled: TypeCheck<S> = TypeCompiler.Compile(schema);
  return {
    name,
    permission,
    check(params) {
      if (compiled.Check(params)) return params;
      const first = compiled.Errors(params).First();
      const where = first?.path ? first.path.slice(1).replaceAll('/', '.') : 'params';
      throw invalidParams(`Invalid params: ${where}: ${first?.message ?? 'invalid'}`, { path: first?.path ?? '' });
    },
    handler: handler as Method['handler'],
    timeoutMs: timeoutMs as Method['timeoutMs'],
  };
}
