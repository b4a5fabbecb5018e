// The network page at /ui (and / redirecting to it): the prebuilt static files of server/ui
// (built into dist/ui at install), behind a `read` API key kept as a session cookie (ui-session.ts)
// or, on an open gateway (the devnet), for anyone: the gateway makes one read-only key for the
// page's visitors. GET /ui/api/tasks/:id/intent gives a task's parsed intent (parseIntent).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseIntent, type TaskIntent } from 'newton-engine';
import { createApiKey, findApiKey } from './api-keys.js';
import type { Gateway } from './gateway.js';
import { errorReply } from './rpc/dispatch.js';
import { RpcError, toRpcError } from './rpc/errors.js';
import { sessionKey, setSession } from './ui-session.js';

export interface UiOptions {
  /** No key needed: visitors get a read-only key the gateway makes (default false). */
  open?: boolean;
}

const ROOT = fileURLToPath(new URL('./ui/', import.meta.url));
const TASK_ID = /^0x[0-9a-fA-F]{64}$/;

const LOGIN = `<!doctype html><meta charset="utf-8"><title>Newton network</title>
<style>body{font:15px system-ui;margin:4rem auto;max-width:28rem}input{width:100%;padding:.4rem;margin:.5rem 0}</style>
<h1>Newton network</h1><p>This gateway's page needs an API key with <code>read</code> permission.</p>
<form method="get" action="/ui"><input name="api_key" type="password" autocomplete="off" placeholder="nwt_…" required><button>Open</button></form>`;

export function uiRoute(app: FastifyInstance, gateway: Gateway, options: UiOptions = {}): void {
  let openKey: Promise<string> | undefined;
  const readKey = async (key: string | undefined) => {
    const record = key === undefined ? null : await findApiKey(gateway.store, key);
    return record?.permissions.includes('read') ? key : undefined;
  };

  app.get('/', async (_req, reply) => reply.redirect('/ui/'));

  // `?api_key=` once: checked, kept as the session, and dropped from the address.
  app.get('/ui', async (req, reply) => {
    const presented = (req.query as Record<string, unknown>).api_key;
    if (typeof presented === 'string' && presented !== '') {
      if (!(await readKey(presented))) return reply.code(401).type('text/html').send(`${LOGIN}<p role="alert">That key is not valid or lacks read permission.</p>`);
      setSession(reply, presented);
    }
    return reply.redirect('/ui/', 303);
  });

  void app.register(async (scope) => {
    scope.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      if (await readKey(sessionKey(req))) return;
      if (options.open) {
        openKey ??= createApiKey(gateway.store, { permissions: ['read'] }).then((k) => k.key);
        openKey.catch(() => (openKey = undefined)); // a store failure is not remembered
        return setSession(reply, await openKey);
      }
      return reply.code(401).type('text/html').send(LOGIN);
    });

    scope.get('/ui/api/tasks/:id/intent', async (req, reply) => {
      const { id } = req.params as { id: string };
      try {
        if (!TASK_ID.test(id)) throw new RpcError('NEWTON_ERR_INVALID_ARGUMENT', 'a task id is 0x and 64 hex digits', { httpStatus: 400 });
        const record = await gateway.store.task(id.toLowerCase() as `0x${string}`);
        if (!record) throw new RpcError('NEWTON_ERR_NOT_FOUND', `no task ${id}`, { httpStatus: 404 });
        return parseIntent(record.task.intent as TaskIntent);
      } catch (err) {
        const rpc = toRpcError(err);
        return reply.code(rpc.httpStatus).send(errorReply(null, rpc));
      }
    });

    if (existsSync(`${ROOT}index.html`)) {
      await scope.register(fastifyStatic, { root: ROOT, prefix: '/ui/', index: 'index.html' });
    } else {
      scope.get('/ui/*', async (_req, reply) => {
        const err = new RpcError('NEWTON_ERR_UNAVAILABLE', 'the network page is not built: npm run build:ui --workspace server', { httpStatus: 503 });
        return reply.code(503).send(errorReply(null, err));
      });
    }
  });
}
