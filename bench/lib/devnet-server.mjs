// A devnet gateway for bench/devnet.bench.mjs and scripts/soak.mjs, run as a child process
// (`node devnet-server.mjs processes|inprocess <N>`) so the load generator's CPU is not on the
// gateway's event loop. It listens on 127.0.0.1 (an ephemeral port) and sends
// `{ url, apiKey, gatewayPid, operators: [{ url, pid }] }` to the parent over IPC; it stops its
// operators and exits when the parent disconnects.
//   processes: what `newton devnet` (server/src/devnet/devnet.ts startDevnet) builds — keystores
//              in a temp data directory, a gateway admitting exactly those operator ids, N operator
//              processes (OperatorProcesses) registered with it over HTTP — with one difference:
//              the rate limit is out of the way. startDevnet and `newton devnet` take no rate-limit
//              option, so the gateway's default (600 requests per key per minute) would refuse
//              any load after the first 600 tasks. No fixture chain RPC: the bench's policy reads
//              no PolicyData.
//   inprocess: the same gateway with N in-process operators (createGateway `operators: N`).
// The API key is owned by $BENCH_OWNER. `{ capture: true }` answers with the next prepare and
// commit request the gateway sends to an operator (`{ url, headers, body }` each, signed): the
// parent replays them to time one operator call. Only then is `fetch` wrapped.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keccak256 } from 'viem';
import { DEVNET_CHAIN_ID, createApiKey, createGateway } from 'newton-server';
import { OperatorProcesses, operatorKeystores } from '../../server/dist/devnet/operator-processes.js';

const [kind, countText] = process.argv.slice(2);
const count = Number(countText ?? 4);
if (!['processes', 'inprocess'].includes(kind) || !Number.isInteger(count) || count < 1) {
  throw new Error(`usage: node devnet-server.mjs processes|inprocess <N> (got ${kind} ${countText})`);
}

const dataDir = mkdtempSync(join(tmpdir(), `newton-bench-devnet-${kind}-`));
const common = { dataDir, chainId: DEVNET_CHAIN_ID, logger: false, rateLimitMax: Number.MAX_SAFE_INTEGER };
let operators;
let app;
try {
  if (kind === 'processes') {
    const keystores = await operatorKeystores(dataDir, count);
    const admitted = keystores.files.map((file) => keccak256(`0x${JSON.parse(readFileSync(file, 'utf8')).pubkey}`));
    const created = await createGateway({ ...common, admitOperators: admitted });
    app = created.app;
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    operators = await OperatorProcesses.start({ count, dataDir, gatewayUrl: url, gatewayAddress: created.gateway.account.address, logLevel: 'error' });
    await ready(created.gateway, url);
  } else {
    const created = await createGateway({ ...common, operators: count });
    app = created.app;
    await ready(created.gateway, await app.listen({ host: '127.0.0.1', port: 0 }));
  }
} catch (err) {
  await stop();
  throw err;
}

async function ready(gateway, url) {
  const { key } = await createApiKey(gateway.store, { permissions: ['read', 'write'], owner: process.env.BENCH_OWNER });
  const running = operators?.running.map((op) => ({ url: op.url, pid: op.child.pid })) ?? [];
  process.send({ url, apiKey: key, gatewayPid: process.pid, operators: running });
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

async function stop() {
  await operators?.stop().catch(() => undefined);
  await app?.close().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
}

process.on('disconnect', async () => {
  await stop();
  process.exit(0);
});
