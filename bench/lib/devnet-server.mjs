// A devnet gateway for bench/devnet.bench.mjs and scripts/soak.mjs, run as a child process
// (`node devnet-server.mjs processes|inprocess <N>`) so the load generator's CPU is not on the
// gateway's event loop. It listens on 127.0.0.1 (an ephemeral port) and sends
// `{ url, apiKey, gatewayPid, operators: [{ url, pid }] }` to the parent over IPC; it stops its
// operators and exits when the parent disconnects.
//   processes: `startDevnet` itself (what `newton devnet --no-tour` runs): keystores in a temp
//              data directory, the gateway in this process admitting exactly those operator ids,
//              N operator processes registered with it over HTTP, its rate limit (100,000
//              requests per key per minute).
//   inprocess: a gateway with N in-process operators (createGateway `operators: N`), the rate
//              limit out of the way, an API key owned by $BENCH_OWNER.
// `{ capture: true }` answers with the next prepare and commit request the gateway sends to an
// operator (`{ url, headers, body }` each, signed): the parent replays them to time one operator
// call. Only then is `fetch` wrapped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEVNET_CHAIN_ID, createApiKey, createGateway, startDevnet } from 'newton-server';

const [kind, countText] = process.argv.slice(2);
const count = Number(countText ?? 4);
if (!['processes', 'inprocess'].includes(kind) || !Number.isInteger(count) || count < 1) {
  throw new Error(`usage: node devnet-server.mjs processes|inprocess <N> (got ${kind} ${countText})`);
}

let close = async () => undefined;
try {
  if (kind === 'processes') {
    const devnet = await startDevnet({ operators: count, port: 0, logLevel: 'error' });
    close = () => devnet.close();
    const operators = devnet.operators.running.map((op) => ({ url: op.url, pid: op.child.pid }));
    process.send({ url: devnet.url, apiKey: devnet.apiKey, gatewayPid: process.pid, operators });
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), 'newton-bench-devnet-inprocess-'));
    const { gateway, app } = await createGateway({ dataDir, chainId: DEVNET_CHAIN_ID, operators: count, logger: false, rateLimitMax: Number.MAX_SAFE_INTEGER });
    close = async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    };
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const { key } = await createApiKey(gateway.store, { permissions: ['read', 'write'], owner: process.env.BENCH_OWNER });
    process.send({ url, apiKey: key, gatewayPid: process.pid, operators: [] });
  }
} catch (err) {
  await close().catch(() => undefined);
  throw err;
}

process.on('message', (message) => {
  if (message?.capture) captureNextRequests();
});

/** The next prepare and commit POST the gateway makes to an operator, headers and body as sent. */
function captureNextRequests() {
  const realFetch = globalThis.fetch;
  const captured = {};
  globalThis.fetch = function (url, init) {
    const method = typeof init?.body === 'string' && /"method":"(newt_\w+)"/.exec(init.body)?.[1];
    if (method && !captured[method]) {
      captured[method] = { url: String(url), headers: { ...init.headers }, body: init.body };
      if (Object.keys(captured).length === 2) {
        globalThis.fetch = realFetch;
        process.send({ captured });
      }
    }
    return realFetch(url, init);
  };
}

process.on('disconnect', async () => {
  await close().catch(() => undefined);
  process.exit(0);
});
