// Past one machine (issue 15): newt_createTask with 4 operators over NATS beside 4 over HTTP, two
// gateways on one PostgreSQL + one NATS + one keys file beside one, and 64 operators on the bus
// (quorum reached, certificate verified, per-task latency). Gateways are `newton gateway start`
// processes; operators run in child processes (lib/operators-child.mjs, 16 per process for the
// 64); the load comes from this process with fetch: one task in flight for p50/p99, CONNECTIONS
// concurrent for tasks/s. Env: BENCH_DURATION_S (5), BENCH_CONNECTIONS (10), BENCH_TASKS (100
// sequential tasks per latency row; 30 for the 64 operators).
import { execFileSync, fork, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeystore, verifyCertificate, OperatorRegistry } from '../bindings/dist/index.js';
import { startNatsServer } from '../server/dist/bus/nats-server.js';
import { startPostgresServer } from '../server/dist/store/postgres-server.js';
import { percentile, setupSpendLimitClient } from './lib/devnet-load.mjs';
import { printMachine, ratio } from './lib/report.mjs';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const TASKS = Number(process.env.BENCH_TASKS ?? 100);
const PASSWORD = 'scale-out bench';
const CLI = new URL('../bindings/bin/newton.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'newton-bench-scale-'));
const owner = privateKeyToAccount(generatePrivateKey());
const cleanup = [];
printMachine();

/** `node CLI ...args` until its first stdout line (a service's ready line). */
function startService(args) {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanup.push(() => child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.once('exit', (code) => reject(new Error(`newton ${args.slice(0, 2).join(' ')} exited ${code}`)));
  });
}

async function keystores(n) {
  return Promise.all(Array.from({ length: n }, async () => {
    const file = join(dir, `keystore-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, (await generateKeystore(PASSWORD, 'pbkdf2')).keystoreJson);
    return file;
  }));
}

/** A `newton gateway start` process admitting any operator; resolves to its URL and an API key owned by `owner`. */
async function gateway(name, extra) {
  const dataDir = join(dir, name);
  const { url } = JSON.parse(await startService(['gateway', 'start', '--data-dir', dataDir, '--admit-operators', 'any', '--rate-limit-max', '100000000', '--port', '0', '--log-level', 'error', '--format', 'json', ...extra]));
  const keyArgs = extra.includes('--database') ? ['--database', extra[extra.indexOf('--database') + 1]] : ['--data-dir', dataDir];
  const { key } = JSON.parse(execFileSync(process.execPath, [CLI, 'gateway', 'keys', 'create', ...keyArgs, '--permission', 'write', '--owner', owner.address, '--format', 'json'], { encoding: 'utf8' }));
  return { url, rpcUrl: `${url}/rpc`, apiKey: key };
}

/** `files.length` operators in `processes` child processes, registered with `gatewayUrl` (over `nats`, or HTTP). */
async function operators(gatewayUrl, nats, files, processes = 1) {
  const per = Math.ceil(files.length / processes);
  return Promise.all(Array.from({ length: processes }, (_, i) => new Promise((resolve, reject) => {
    const child = fork(new URL('./lib/operators-child.mjs', import.meta.url), [gatewayUrl, nats ?? '-', ...files.slice(i * per, (i + 1) * per)], { env: { ...process.env, BENCH_PASSWORD: PASSWORD }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    cleanup.push(() => child.kill('SIGKILL'));
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`operators child exited ${code}`)));
  })));
}

const rpc = async (g, body) => (await fetch(g.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${g.apiKey}` }, body })).json();

/** One task in flight, `n` times, round-robin over `gateways`: p50/p99 ms. */
async function latency(gateways, body, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const reply = await rpc(gateways[i % gateways.length], body);
    if (reply.result?.status !== 'success') throw new Error(`task failed: ${JSON.stringify(reply).slice(0, 300)}`);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
}

/** CONNECTIONS tasks in flight for DURATION_S, split over `gateways`: tasks/s. */
async function throughput(gateways, body) {
  let done = 0;
  const end = performance.now() + DURATION_S * 1000;
  await Promise.all(Array.from({ length: CONNECTIONS }, async (_, c) => {
    while (performance.now() < end) {
      const reply = await rpc(gateways[c % gateways.length], body);
      if (reply.result?.status !== 'success') throw new Error(`task failed: ${JSON.stringify(reply).slice(0, 300)}`);
      done++;
    }
  }));
  return done / DURATION_S;
}

const f = (x) => x.toFixed(2);
try {
  const nats = await startNatsServer();
  cleanup.push(() => nats.stop());
  const rows = [];

  // ---- 1. 4 operators over NATS beside 4 over HTTP (one gateway each) ----
  for (const transport of ['http', 'nats']) {
    const g = await gateway(`one-${transport}`, transport === 'nats' ? ['--nats', nats.url] : []);
    await operators(g.url, transport === 'nats' ? nats.url : undefined, await keystores(4));
    const { body } = await setupSpendLimitClient(g, owner);
    const text = JSON.stringify(body);
    await latency([g], text, 30); // warm-up
    rows.push({ row: `4 operators over ${transport.toUpperCase()}`, ...(await latency([g], text, TASKS)), tasksPerS: await throughput([g], text) });
  }

  // ---- 2. two gateways on one PostgreSQL + NATS + keys file, beside one ----
  const pg = await startPostgresServer();
  cleanup.push(() => pg.stop());
  const database = await pg.createDatabase('scale');
  const keysFile = join(dir, 'gateway-keys.json');
  const shared = ['--database', database, '--keys-file', keysFile, '--nats', nats.url];
  const a = await gateway('pg-a', shared);
  const b = await gateway('pg-b', shared);
  await operators(a.url, nats.url, await keystores(4));
  const { body } = await setupSpendLimitClient(a, owner);
  const text = JSON.stringify(body);
  await latency([a, b], text, 30);
  rows.push({ row: '1 gateway (PostgreSQL, NATS), 4 operators', ...(await latency([a], text, TASKS)), tasksPerS: await throughput([a], text) });
  rows.push({ row: '2 gateways (one PostgreSQL, NATS), 4 operators', ...(await latency([a, b], text, TASKS)), tasksPerS: await throughput([a, b], text) });

  console.log(`newt_createTask (examples/spend-limit): p50/p99 with one task in flight (${TASKS} tasks), tasks/s with ${CONNECTIONS} in flight for ${DURATION_S} s`);
  console.table(rows.map((r) => ({ row: r.row, 'p50 ms': f(r.p50), 'p99 ms': f(r.p99), 'tasks/s': f(r.tasksPerS) })));
  console.table([
    ratio('tasks/s, NATS / HTTP', rows[1].tasksPerS, rows[0].tasksPerS),
    ratio('p50, NATS / HTTP', rows[1].p50, rows[0].p50),
    ratio('tasks/s, 2 gateways / 1', rows[3].tasksPerS, rows[2].tasksPerS),
    ratio('p50, 2 gateways / 1', rows[3].p50, rows[2].p50),
  ]);

  // ---- 3. 64 operators on the bus (4 processes of 16) ----
  const g = await gateway('sixty-four', ['--nats', nats.url]);
  const t0 = performance.now();
  await operators(g.url, nats.url, await keystores(64), 4);
  console.log(`64 operators admitted in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const many = await setupSpendLimitClient(g, owner);
  const listed = (await (await fetch(`${g.url}/operators`)).json()).operators;
  const registry = await OperatorRegistry.fromJson(listed.map(({ operator_id, public_key, proof_of_possession, stake }) => ({ operator_id, public_key, proof_of_possession, stake })));
  const times = [];
  const signers = [];
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    const reply = await rpc(g, JSON.stringify(many.body));
    times.push(performance.now() - t);
    if (reply.result?.status !== 'success') throw new Error(`64-operator task failed: ${JSON.stringify(reply).slice(0, 300)}`);
    signers.push(reply.result.certificate.signers.length);
    if (i < 3) await verifyCertificate(registry, reply.result.certificate); // throws unless it verifies
  }
  times.sort((x, y) => x - y);
  console.table([{ row: '64 operators over NATS, 1 in flight', 'p50 ms': f(percentile(times, 0.5)), 'p99 ms': f(percentile(times, 0.99)), 'signers (min of 30)': Math.min(...signers), quorum: 'ceil(67% of 64) = 43' }]);
  if (Math.min(...signers) < 43) throw new Error('a 64-operator certificate below the stake quorum');
} finally {
  for (const stop of cleanup.reverse()) await Promise.resolve(stop()).catch(() => undefined);
}
