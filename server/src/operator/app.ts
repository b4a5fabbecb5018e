// The operator service as a fastify app (no listen): an OperatorCore (core.ts) behind JSON-RPC at
// POST /rpc, answering only requests the trusted gateway signed for it and that are still fresh.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Hex } from 'newton-engine';
import type { OperatorIdentity } from '../network/transport.js';
import { RPC, RpcError, toRpcError } from '../rpc/errors.js';
import { errorReply, type RpcId } from '../rpc/dispatch.js';
import { OperatorCore, type OperatorCoreOptions } from './core.js';
import { OPERATOR_METHODS, type OperatorMethod } from './messages.js';

export interface OperatorAppOptions extends OperatorCoreOptions {
  /** Largest request body (default 8 MiB: a task and its announcement, ids only). */
  bodyLimit?: number;
  logger?: FastifyServerOptions['logger'];
}

export interface OperatorApp {
  app: FastifyInstance;
  /** Who the app answers as: its registry entry, and the id requests must be addressed to. */
  identity: OperatorIdentity;
  /** The public half of its secrets key, registered with the gateway. */
  secretsPublicKey: Hex;
}

const METHODS = new Set<string>(Object.values(OPERATOR_METHODS));

const invalidRequest = (message: string) => new RpcError('NEWTON_ERR_INVALID_JSON', message, { rpcCode: RPC.INVALID_REQUEST, httpStatus: 400 });

export async function buildOperatorApp(options: OperatorAppOptions): Promise<OperatorApp> {
  const operator = new OperatorCore(options);
  const app = Fastify({ bodyLimit: options.bodyLimit ?? 8 * 1024 * 1024, logger: options.logger ?? false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  app.setErrorHandler((err, _req, reply) => {
    const rpc = err instanceof RpcError ? err
      : (err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? new RpcError('NEWTON_ERR_LIMIT_SIZE', 'Request body too large', { rpcCode: RPC.INVALID_REQUEST, httpStatus: 413 })
        : invalidRequest('Parse error: the body is not valid JSON');
    void reply.code(rpc.httpStatus).send(errorReply(null, rpc));
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(errorReply(null, new RpcError('NEWTON_ERR_NOT_FOUND', `Not found: ${req.method} ${req.url.split('?')[0]} (the API is POST /rpc)`, { rpcCode: RPC.INVALID_REQUEST, httpStatus: 404 })));
  });

  app.post('/rpc', async (req, reply) => {
    const body = req.body;
    let id: RpcId = null;
    try {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidRequest('Invalid request: one JSON-RPC request object expected');
      const request = body as Record<string, unknown>;
      if (typeof request.id === 'string' || typeof request.id === 'number') id = request.id;
      if (request.jsonrpc !== '2.0' || typeof request.method !== 'string') throw invalidRequest('Invalid request: jsonrpc "2.0" and a method required');
      const method = request.method;
      if (!METHODS.has(method)) throw new RpcError('NEWTON_ERR_METHOD_NOT_FOUND', `Unknown operator method: ${method}`);
      try {
        await operator.authenticate(req.headers, method, request.params);
      } catch (err) {
        return reply.code(401).send(errorReply(id, toRpcError(err))); // forged, misaddressed or stale
      }
      const controller = new AbortController();
      const onClose = () => controller.abort(new Error('the gateway closed the request'));
      req.raw.socket.once('close', onClose);
      try {
        const result = await operator.run(method as OperatorMethod, request.params, controller.signal);
        return reply.send({ jsonrpc: '2.0', id, result });
      } finally {
        req.raw.socket.off('close', onClose);
      }
    } catch (err) {
      const rpc = toRpcError(err);
      if (rpc.code === 'NEWTON_ERR_INTERNAL') req.log.error({ err }, 'internal error in an operator method');
      return reply.code(rpc.httpStatus).send(errorReply(id, rpc));
    }
  });
  return { app, identity: operator.identity, secretsPublicKey: operator.secretsPublicKey };
}
