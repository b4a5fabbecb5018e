// The gateway's operator-facing routes: GET /content/:cid (policies, schemas and PolicyData
// modules by content id — the operators check the bytes against the id), POST /operators (an
// operator service registers or renews, see network/registration.ts) and GET /operators (the
// gateway's signing address, which operators trust, its chain, and the registered set, each
// with its liveness: `live`, `last_seen`, `unreachable_since` — see liveness.ts).
import type { FastifyInstance } from 'fastify';
import type { Gateway } from './gateway.js';
import { OperatorLiveness } from './liveness.js';
import { storeContent } from './local-network.js';
import { RegisteredOperators } from './network/registered-operators.js';
import { contentRoute } from './operator/content-source.js';
import { errorReply } from './rpc/dispatch.js';
import { RPC, RpcError, toRpcError } from './rpc/errors.js';

/** A refused registration's HTTP status: 401 bad signature or stale, 403 not admitted, 400 anything else wrong with it. */
const status = (rpc: RpcError) =>
  rpc.code === 'NEWTON_ERR_UNAUTHORIZED' ? 401 : rpc.code === 'NEWTON_ERR_FORBIDDEN' ? 403 : rpc.httpStatus >= 500 ? rpc.httpStatus : 400;

export function operatorRoutes(app: FastifyInstance, gateway: Gateway, livenessWindowMs?: number): void {
  contentRoute(app, storeContent(gateway.store));
  const registered = gateway.network instanceof RegisteredOperators ? gateway.network : undefined;
  const liveness = new OperatorLiveness(gateway.events, livenessWindowMs);
  app.addHook('onClose', async () => liveness.close());

  app.get('/operators', async () => ({
    gateway: gateway.account.address,
    chain_id: gateway.clock.chainId,
    accepts_registrations: registered !== undefined,
    operators: (registered?.list() ?? []).map((operator) => ({ ...operator, ...liveness.of(operator) })),
  }));

  app.post('/operators', async (req, reply) => {
    if (registered === undefined) {
      const err = new RpcError('NEWTON_ERR_FORBIDDEN', 'this gateway runs its own operators and takes no registrations (start it with admitted operators)', { rpcCode: RPC.INVALID_REQUEST, httpStatus: 403 });
      return reply.code(403).send(errorReply(null, err));
    }
    try {
      const operator = await registered.register(req.body);
      req.log.info({ operatorId: operator.operator_id, url: operator.url }, 'operator registered');
      return { ...operator, gateway: gateway.account.address, operators: registered.operatorCount };
    } catch (err) {
      const rpc = toRpcError(err);
      if (rpc.httpStatus >= 500) req.log.error({ err }, 'operator registration failed');
      return reply.code(status(rpc)).send(errorReply(null, rpc));
    }
  });
}
