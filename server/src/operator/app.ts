// The operator service as a fastify app (no listen): one TaskEvaluator (an InProcessTransport:
// policies and modules fetched by content id and checked by hash) behind JSON-RPC at POST /rpc,
// answering only requests the trusted gateway signed and that are still fresh, and opening the
// clients' secrets sealed to its own key.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { PolicyDataHost, PrivacyNode, generatePrivacyKey, privacyPublicKey, type BlsSigner, type Hex } from 'newton-engine';
import { InProcessTransport, type InProcessTransportOptions } from '../network/in-process-transport.js';
import type { StakeInput } from '../network/identity.js';
import { openSecrets } from '../network/sealed-secrets.js';
import type { ContentSource, OperatorIdentity } from '../network/transport.js';
import { RPC, RpcError, toRpcError } from '../rpc/errors.js';
import { errorReply, type RpcId } from '../rpc/dispatch.js';
import { OPERATOR_METHODS, checkParams, requestTaskId, type CommitParams, type OperatorMethod } from './messages.js';
import { verifyRequest } from './request-auth.js';

export interface OperatorAppOptions {
  /** The operator's BLS key. */
  signer: BlsSigner;
  /** The address whose EIP-712 signature every request must carry (the gateway's account). */
  gatewayAddress: Hex;
  /** Where policies, schemas and modules are fetched by id (`gatewayContent(gatewayUrl)`). */
  content: ContentSource;
  /** Runs the PolicyData modules (default: a fresh host). */
  host?: PolicyDataHost;
  /** Opens private data; tasks carrying it fail without one. */
  privacy?: PrivacyNode;
  /** The X25519 secret clients' secrets are sealed to for this operator (default: a fresh one per start). */
  secretsKey?: Hex;
  /** The operator's stake (default `{ "0": 1000 }`) and account, for its identity. */
  stake?: StakeInput;
  operatorAddress?: Hex;
  compileOptions?: InProcessTransportOptions['compileOptions'];
  /** Oldest request accepted, by its `issuedAt` (default 60,000 ms). */
  maxRequestAgeMs?: number;
  /** Tolerated clock difference with the gateway (default 5,000 ms). */
  clockSkewMs?: number;
  /** The clock requests are judged by (default `Date.now`). */
  now?: () => number;
  /** Largest request body (default 8 MiB: a task and its announcement, ids only). */
  bodyLimit?: number;
  logger?: FastifyServerOptions['logger'];
}

export interface OperatorApp {
  app: FastifyInstance;
  /** Who the app answers as: its registry entry, and the id requests must be addressed to. */
  identity: OperatorIdentity;
  /** The public half of `secretsKey`, registered with the gateway. */
  secretsPublicKey: Hex;
}

const METHODS = new Set<string>(Object.values(OPERATOR_METHODS));

const invalidRequest = (message: string) => new RpcError('NEWTON_ERR_INVALID_JSON', message, { rpcCode: RPC.INVALID_REQUEST, httpStatus: 400 });

export async function buildOperatorApp(options: OperatorAppOptions): Promise<OperatorApp> {
  const { signer, gatewayAddress, content, privacy, stake = { 0: 1000 }, operatorAddress, compileOptions } = options;
  const maxAgeMs = options.maxRequestAgeMs ?? 60_000;
  const clockSkewMs = options.clockSkewMs ?? 5_000;
  const now = options.now ?? Date.now;
  const host = options.host ?? new PolicyDataHost();
  const operator = new InProcessTransport({ signer, host, content, privacy, stake, operatorAddress, compileOptions });
  const secretsKey = options.secretsKey ?? generatePrivacyKey().secretKey;
  const secrets = new PrivacyNode({ secretKeys: [secretsKey] });
  /** The deployment JSON each client's policy was last set with. */
  const deployed = new Map<string, string>();

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

  /** Serves the announced policy (loading what is new), then runs the round. */
  const run = async (method: OperatorMethod, params: CommitParams, signal: AbortSignal) => {
    const { task, announcement } = params;
    const key = announcement.policyClient.toLowerCase();
    const wanted = JSON.stringify(announcement);
    if (deployed.get(key) !== wanted) {
      await operator.deploy(await openSecrets(announcement, secrets), signal);
      deployed.set(key, wanted);
    }
    return method === OPERATOR_METHODS.prepare ? operator.prepare(task, signal) : operator.commit(task, params.agreed, signal);
  };

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
      // The digest is over JSON.stringify of the parsed params: the gateway sends exactly that
      // text, and JSON.stringify(JSON.parse(text)) === text for any text JSON.stringify produced.
      const taskId = requestTaskId(request.params) ?? ('0x' + '0'.repeat(64)) as Hex;
      await verifyRequest(req.headers, { method, taskId, operatorId: operator.identity.operatorId, paramsText: JSON.stringify(request.params ?? null) }, {
        gateway: gatewayAddress,
        maxAgeMs,
        clockSkewMs,
        now: now(),
      });
      const params = checkParams(method as OperatorMethod, request.params);
      const controller = new AbortController();
      const onClose = () => controller.abort(new Error('the gateway closed the request'));
      req.raw.socket.once('close', onClose);
      try {
        const result = await run(method as OperatorMethod, params as CommitParams, controller.signal);
        return reply.send({ jsonrpc: '2.0', id, result });
      } finally {
        req.raw.socket.off('close', onClose);
      }
    } catch (err) {
      const rpc = toRpcError(err);
      if (rpc.code === 'NEWTON_ERR_INTERNAL') req.log.error({ err }, 'internal error in an operator method');
      const status = rpc.code === 'NEWTON_ERR_UNAUTHORIZED' ? 401 : rpc.httpStatus;
      return reply.code(status).send(errorReply(id, rpc));
    }
  });
  return { app, identity: operator.identity, secretsPublicKey: privacyPublicKey(secretsKey) };
}
