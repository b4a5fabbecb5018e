// The decision log's cost (issue 17: appending must cost ≤ 5 % of task throughput). One gateway
// with 4 in-process operators per store (SQLite, PostgreSQL), newt_createTask at 10 concurrent
// requests through fastify's inject, in alternating rounds with the log on and off (off: the
// gateway's log.append replaced by a no-op for the round), so both arms share the process, its
// JIT and the machine's neighbours. Beside it the log alone: appends/s through GatewayLog at the
// same concurrency, and proofs and signed heads at 10,000 and 100,000 entries.
// Env: BENCH_ROUND_S = seconds per round (default 2), BENCH_ROUNDS = rounds per arm (8).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecisionLog, buildLogEntry, signOwnerAuthorization, signTreeHead } from 'newton-engine';
import { createApiKey, createGateway } from 'newton-server';
import { startPostgresServer } from '../server/dist/store/postgres-server.js';
import { keccak256, toHex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { printMachine, printRatios, ratio, warnIfAddonStale } from './lib/report.mjs';
import { writeResults } from './lib/results.mjs';

const ROUND_S = Number(process.env.BENCH_ROUND_S ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const CONCURRENCY = 10;
const CHAIN_ID = 11_155_111;
const POLICY = 'package bench\nimport rego.v1\ndefault allow := false\nallow if to_number(input.decoded_function_arguments[1]) <= data.params.max_amount\n';
const owner = privateKeyToAccount(generatePrivateKey());
const intent = {
  from: owner.address, to: '0x1c7d4b196cb0c7b01d743fbc6116a902379c7238', value: '0x0', chain_id: toHex(CHAIN_ID),
  data: `0xa9059cbb${'0d'.repeat(20).padStart(64, '0')}${(5).toString(16).padStart(64, '0')}`, function_signature: toHex('transfer(address,uint256)'),
};

printMachine();
warnIfAddonStale();
console.log(`newt_createTask × ${CONCURRENCY} concurrent (fastify inject), ${ROUNDS} rounds of ${ROUND_S} s per arm, log on/off alternating\n`);

async function openGateway(database) {
  const dataDir = mkdtempSync(join(tmpdir(), 'newton-bench-log-'));
  const { gateway, app } = await createGateway({ dataDir, database, operators: 4, logger: false, rateLimitMax: Number.MAX_SAFE_INTEGER });
  const { key } = await createApiKey(gateway.store, { permissions: ['read', 'write'], owner: owner.address });
  const rpc = async (method, params) => {
    const res = await app.inject({ method: 'POST', url: '/rpc', payload: { jsonrpc: '2.0', id: 1, method, params }, headers: { authorization: `Bearer ${key}` } });
    const body = res.json();
    if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
    return body.result;
  };
  const { policy_address: policy } = await rpc('newton_publishPolicy', { owner: owner.address, policy: POLICY, entrypoint: 'bench.allow' });
  const policyClient = privateKeyToAccount(generatePrivateKey()).address;
  const paramsText = JSON.stringify({ max_amount: 1000 });
  const { gateway_nonce: nonce } = await rpc('newton_getNonce', { signer: owner.address });
  const authorization = await signOwnerAuthorization(owner, 'RegisterPolicyClient', { policyClient, owner: owner.address, policy, policyParamsHash: keccak256(toHex(paramsText)), expireAfter: 100 }, { chainId: CHAIN_ID, nonce });
  await rpc('newton_registerPolicyClient', { policy_client: policyClient, owner: owner.address, policy, policy_params: paramsText, expire_after: 100, authorization });
  const task = () => rpc('newt_createTask', { policy_client: policyClient, intent });
  if ((await task()).status !== 'success') throw new Error('createTask must succeed');
  return { gateway, close: async () => (await app.close(), rmSync(dataDir, { recursive: true, force: true })), task };
}

/** Tasks for ROUND_S seconds at CONCURRENCY: tasks/s and CPU ms per task (this process: gateway and operators). */
async function round(task) {
  const end = performance.now() + ROUND_S * 1000;
  let done = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < end) {
      const r = await task();
      if (r.status !== 'success') throw new Error(`task failed: ${JSON.stringify(r.error)}`);
      done += 1;
    }
  }));
  const cpu = process.cpuUsage(cpu0);
  return { tasks: done, seconds: (performance.now() - t0) / 1000, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function arms(store, database) {
  const g = await openGateway(database);
  const sum = { on: { tasks: 0, seconds: 0, cpuMs: 0 }, off: { tasks: 0, seconds: 0, cpuMs: 0 } };
  const logged0 = g.gateway.log.size;
  try {
    await round(g.task); // warm-up
    for (let i = 0; i < ROUNDS; i++) {
      for (const arm of i % 2 ? ['off', 'on'] : ['on', 'off']) {
        if (arm === 'off') g.gateway.log.entryOf = () => undefined; // tasks finish without an entry
        const r = await round(g.task);
        delete g.gateway.log.entryOf;
        for (const k of Object.keys(r)) sum[arm][k] += r[k];
      }
    }
    const logged = g.gateway.log.size - logged0;
    const row = (arm) => ({ row: `${store}: createTask, log ${arm}`, 'tasks/s': Math.round(sum[arm].tasks / sum[arm].seconds), tasks: sum[arm].tasks, 'CPU ms/task': Number((sum[arm].cpuMs / sum[arm].tasks).toFixed(2)) });
    if (logged < sum.on.tasks) throw new Error(`only ${logged} of ${sum.on.tasks} logged tasks are in the log`);
    return [row('on'), row('off')];
  } finally {
    await g.close();
  }
}

/** The log alone: GatewayLog.append at CONCURRENCY on a fresh gateway (no tasks), appends/s. */
async function appendRate(store, database, n = 5_000) {
  const g = await openGateway(database);
  try {
    const outcome = (i) => ({ task_id: `0xee${i.toString(16).padStart(62, '0')}`, policy_client: owner.address, policy_id: `0x${'ab'.repeat(32)}`, policy_address: owner.address, policy_code_hash: `0x${'cd'.repeat(32)}`, intent, params: '{}', decision: 'failed', error_code: 'NEWTON_ERR_OPERATOR_TIMEOUT', timestamp: i });
    let next = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) await g.gateway.log.append(outcome(next++));
    }));
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { row: `${store}: GatewayLog.append ×${CONCURRENCY}`, 'appends/s': Math.round(n / seconds), 'CPU ms/append': Number(((cpu.user + cpu.system) / 1000 / n).toFixed(3)) };
  } finally {
    await g.close();
  }
}

/** Native tree operations at `size` entries, µs each (median of runs). */
async function treeRows(size) {
  const log = new DecisionLog();
  const { entry } = buildLogEntry({ task_id: `0x${'11'.repeat(32)}`, policy_client: owner.address, policy_id: `0x${'ab'.repeat(32)}`, policy_address: owner.address, policy_code_hash: `0x${'cd'.repeat(32)}`, intent, params: '{}', decision: 'failed', error_code: 'X', timestamp: 1 });
  const t0 = performance.now();
  for (let i = 0; i < size; i += 1000) log.append(Array(Math.min(1000, size - i)).fill(entry));
  const appendUs = ((performance.now() - t0) * 1000) / size;
  const median = async (fn, runs = 200) => {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      await fn(i);
      times.push((performance.now() - s) * 1000);
    }
    return Number(times.sort((a, b) => a - b)[runs >> 1].toFixed(1));
  };
  const key = generatePrivateKey();
  return {
    row: `tree of ${size.toLocaleString('en')} entries`,
    'append µs/entry': Number(appendUs.toFixed(2)),
    'inclusion proof µs': await median((i) => log.inclusionProof((i * 7919) % size)),
    'consistency proof µs': await median((i) => log.consistencyProof(1 + ((i * 7919) % (size - 1)))),
    'inclusion at size/2 µs': await median((i) => log.inclusionProof(i % (size / 2), size / 2), 10),
    'sign head µs': await median(async () => signTreeHead(key, { tree_size: size, root_hash: await log.root(), timestamp: Date.now() })),
  };
}

const rows = [];
rows.push(...(await arms('sqlite')));
rows.push(await appendRate('sqlite'));
let pg;
try {
  pg = await startPostgresServer();
} catch (err) {
  console.warn(`PostgreSQL rows skipped: ${err.message}`);
}
if (pg) {
  try {
    rows.push(...(await arms('postgres', await pg.createDatabase())));
    rows.push(await appendRate('postgres', await pg.createDatabase()));
  } finally {
    await pg.stop();
  }
}
const tree = [await treeRows(10_000), await treeRows(100_000)];
console.table(rows);
console.table(tree);

const rate = (name) => rows.find((r) => r.row === name)?.['tasks/s'];
const verdicts = ['sqlite', 'postgres'].filter((s) => rate(`${s}: createTask, log on`)).flatMap((s) => [
  ratio(`${s}: tasks/s with the log ÷ without`, rate(`${s}: createTask, log on`), rate(`${s}: createTask, log off`), '≥ 0.95×', (x) => x >= 0.95),
  ratio(`${s}: CPU per task with the log ÷ without`, rows.find((r) => r.row === `${s}: createTask, log on`)['CPU ms/task'], rows.find((r) => r.row === `${s}: createTask, log off`)['CPU ms/task']),
]);
console.log('ratios:');
printRatios(verdicts);
writeResults('log', {
  rows: [...rows, ...tree],
  ratios: verdicts,
  notes: [
    `newt_createTask through fastify inject at ${CONCURRENCY} concurrent, one gateway with 4 in-process operators per store; ${ROUNDS} rounds of ${ROUND_S} s per arm, on/off alternating after a warm-up round; CPU is this whole process (gateway, operators, inject).`,
    'log off: the gateway\'s log.entryOf replaced for the round, so tasks finish without an entry; log on: every outcome built into an entry, written in the transaction that records the task\'s result and appended to the in-memory tree before the result is answered.',
    'tree rows: the native DecisionLog alone; a proof at an earlier size (size/2) rebuilds that prefix, so it grows with the log; proofs at the latest size are O(log n).',
  ],
});
