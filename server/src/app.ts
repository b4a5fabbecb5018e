// The gateway as a fastify app (no listen): JSON-RPC 2.0 at POST /rpc, task progress at
// GET /ws, the operators' routes (content by id, registration), the network page at /ui, bearer API keys (or the page's read-only session
// cookie), a per-key rate limit, a body limit, and JSON-RPC bodies at every status — fastify's own parse, size, not-found and error paths included.
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { findApiKey, hashApiKey } from './api-keys.js';
import type { Gateway } from './gateway.js';
import { methods } from './methods/index.js';
import { operatorRoutes } from './operators-route.js';
import { sharedRateLimitStore } from './rate-limit-store.js';
import { dispatch, errorReply } from './rpc/dispatch.js';
import { RPC, RpcError, toRpcError } from './rpc/errors.js';
import type { ApiKeyRecord } from './store/store.js';
import { uiRoute, type UiOptions } from './ui-route.js';
import { sessionKey } from './ui-session.js';
import { websocketRoute } from './ws.js';

export interface AppOptions {
  /**
   * Largest request body, bytes (default 32 MiB: PolicyData uploads carry wasm, and a
   * componentize-js oracle is ≈12 MB, ≈16 MB as `wasm_base64`, ≈24 MB as hex).
   */
  bodyLimit?: number;
  /** Requests per key (or per IP without one) per `rateLimitWindowMs` (default 600 per minute). */
  rateLimitMax?: number;
  rateLimitWindowMs?: number;
  /** Longest a method may run, ms (default 30,000; task methods use their `timeout`). */
  methodTimeoutMs?: number;
  /** The HTTP server's whole-request timeout, ms (default 120,000). */
  requestTimeoutMs?: number;
  /** pino options, or false for no logs (default: info). Secrets and keys are always redacted. */
  logger?: FastifyServerOptions['logger'];
  /** How long after its last renewal or answer an operator still counts as live (default 30,000 ms). */
  livenessWindowMs?: number;
  /** The network page at /ui (default: behind a read API key). */
  ui?: UiOptions;
}

/** The presented key: `Authorization: Bearer …`, or `?api_key=` (the WebSocket's way). */
export function presentedKey(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  const bearer = header && /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (bearer) return bearer;
  const query = req.query as Record<string, unknown> | undefined;
  return typeof query?.api_key === 'string' && query.api_key !== '' ? query.api_key : undefined;
}

/** The request's key record (read-only when it comes from the page's session cookie), or the 401 to answer with. */
export async function authenticate(gateway: Gateway, req: FastifyRequest): Promise<ApiKeyRecord | RpcError> {
  const presented = presentedKey(req);
  const session = presented === undefined ? sessionKey(req) : undefined;
  if (!presented && !session) return new RpcError('NEWTON_ERR_UNAUTHORIZED', 'Missing API key (Authorization: Bearer <key>)', { httpStatus: 401 });
  const record = await findApiKey(gateway.store, (presented ?? session)!);
  if (!record) return new RpcError('NEWTON_ERR_UNAUTHORIZED', 'Invalid API key', { httpStatus: 401 });
  return session ? { ...record, permissions: record.permissions.filter((p) => p === 'read') } : record;
}

const LOG_REDACT = ['req.headers.authorization', 'req.query', '*.api_key', '*.secret', '*.secrets', '*.envelope', '*.key'];

export async function buildApp(gateway: Gateway, options: AppOptions = {}): Promise<FastifyInstance> {
  const logger = options.logger ?? { level: 'info' };
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? 32 * 1024 * 1024,
    requestTimeout: options.requestTimeoutMs ?? 120_000,
    return503OnClosing: false, // answered below, as JSON-RPC
    // Malformed HTTP (before any request exists): still a JSON-RPC body.
    clientErrorHandler: (err, socket) => {
      if (!socket.writable) return;
      const status = (err as { code?: string }).code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      const body = JSON.stringify(errorReply(null, new RpcError('NEWTON_ERR_INVALID_JSON', 'Invalid request: malformed HTTP', { rpcCode: RPC.INVALID_REQUEST, httpStatus: status })));
      socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    },
    logger: logger && {
      ...(typeof logger === 'object' ? logger : {}),
      redact: { paths: LOG_REDACT, censor: '[redacted]' },
      serializers: {
        // Never the query string (it can carry api_key) nor headers.
        req: (req: FastifyRequest) => ({ method: req.method, url: req.url.split('?')[0], remoteAddress: req.ip }),
      },
    },
  });

  // Any content type is read as JSON by fastify's own parser (prototype-poisoning safe).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  app.setErrorHandler((err, req, reply) => {
    const rpc = httpError(err);
    if (rpc.httpStatus >= 500) req.log.error({ err }, 'request failed');
    void reply.code(rpc.httpStatus).send(errorReply(null, rpc));
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(errorReply(null, new RpcError('NEWTON_ERR_NOT_FOUND', `Not found: ${req.method} ${req.url.split('?')[0]} (the API is POST /rpc and GET /ws, the network page GET /ui)`, { rpcCode: RPC.INVALID_REQUEST, httpStatus: 404 })));
  });

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_req, reply) => {
    if (!closing) return;
    const err = new RpcError('NEWTON_ERR_UNAVAILABLE', 'The gateway is shutting down', { httpStatus: 503 });
    return reply.code(503).header('connection', 'close').send(errorReply(null, err));
  });

  const { countRequest } = gateway.store;
  await app.register(rateLimit, {
    // Gateways sharing a database share the counters; otherwise each counts in memory.
    ...(countRequest && { store: sharedRateLimitStore({ countRequest: countRequest.bind(gateway.store) }) }),
    max: options.rateLimitMax ?? 600,
    timeWindow: options.rateLimitWindowMs ?? 60_000,
    keyGenerator: (req) => {
      const key = presentedKey(req) ?? sessionKey(req);
      return key ? hashApiKey(key) : req.ip;
    },
    errorResponseBuilder: (_req, ctx) => new RpcError('NEWTON_ERR_RATE_LIMITED', `Rate limit exceeded, retry in ${ctx.after}`, { httpStatus: ctx.statusCode }),
  });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(cookie);

  const table = methods();
  const methodTimeoutMs = options.methodTimeoutMs ?? 30_000;
  app.post('/rpc', async (req, reply) => {
    const key = await authenticate(gateway, req);
    const { status, payload } = await dispatch(req.body, { gateway, methods: table, key, log: req.log, methodTimeoutMs });
    return reply.code(status).send(payload);
  });
  websocketRoute(app, gateway);
  operatorRoutes(app, gateway, options.livenessWindowMs);
  uiRoute(app, gateway, options.ui);
  app.addHook('onClose', () => gateway.close());
  return app;
}

/** fastify's own failures (parse, size, media type …) and anything thrown, as an RpcError. */
function httpError(err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  const { code, statusCode } = (err ?? {}) as { code?: string; statusCode?: number };
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || statusCode === 413) {
    return new RpcError('NEWTON_ERR_LIMIT_SIZE', 'Request body too large', { rpcCode: RPC.INVALID_REQUEST, httpStatus: 413 });
  }
  if (code?.startsWith('FST_ERR_CTP_') || err instanceof SyntaxError) {
    return new RpcError('NEWTON_ERR_INVALID_JSON', 'Parse error: the body is not valid JSON', { rpcCode: RPC.PARSE, httpStatus: 400 });
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return new RpcError('NEWTON_ERR_INVALID_JSON', `Invalid request: ${(err as Error).message}`, { rpcCode: RPC.INVALID_REQUEST, httpStatus: statusCode });
  }
  return toRpcError(err);
}
