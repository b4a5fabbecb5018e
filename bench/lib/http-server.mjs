// A server for bench/gateway.bench.mjs, run as a child process (`node http-server.mjs hello|gateway`)
// so autocannon's own CPU is not on the server's event loop. It listens on 127.0.0.1 (an ephemeral
// port) and sends `{ url, ... }` to the parent over IPC; it exits when the parent disconnects.
//   hello:   fastify, POST / answering a small JSON-RPC-shaped JSON (the baseline).
//   gateway: createGateway with 4 in-process operators, sqlite in a temp dir, no logs, the rate
//            limit out of the way; also sends an API key (read+write) owned by $BENCH_OWNER, and
//            answers `{ engine: task, runs }` with the operator network's cost of that task.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { createApiKey, createGateway } from 'newton-server';

const kind = process.argv[2];
let app;
let cleanup = () => undefined;
if (kind === 'hello') {
  app = Fastify({ logger: false });
  app.post('/', async () => ({ jsonrpc: '2.0', id: 1, result: { hello: 'world' } }));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  process.send({ url });
} else if (kind === 'gateway') {
  const dataDir = mkdtempSync(join(tmpdir(), 'newton-bench-gateway-'));
  cleanup = () => rmSync(dataDir, { recursive: true, force: true });
  const created = await createGateway({ dataDir, operators: 4, logger: false, rateLimitMax: Number.MAX_SAFE_INTEGER });
  app = created.app;
  const { key } = await createApiKey(created.gateway.store, { permissions: ['read', 'write'], owner: process.env.BENCH_OWNER });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  process.send({ url: `${url}/rpc`, apiKey: key });
  // `{ engine: task, runs }`: the operator network alone on a task createTask made (both rounds
  // on the 4 operators, aggregation to quorum), no HTTP, no store; CPU of every thread per run.
  process.on('message', async ({ engine: task, runs }) => {
    const network = created.gateway.network;
    const once = async () => {
      const outcome = await network.run(task);
      if (outcome.status !== 'responded') throw new Error(`engine run failed: ${JSON.stringify(outcome)}`);
    };
    for (let i = 0; i < runs / 10; i++) await once();
    const walls = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await once();
      walls.push(performance.now() - t0);
    }
    const cpu = process.cpuUsage(cpu0);
    walls.sort((a, b) => a - b);
    process.send({ cpuMsPerRun: (cpu.user + cpu.system) / 1000 / runs, wallP50Ms: walls[runs >> 1] });
  });
} else {
  throw new Error(`usage: node http-server.mjs hello|gateway (got ${kind})`);
}

process.on('disconnect', async () => {
  await app.close();
  cleanup();
  process.exit(0);
});
