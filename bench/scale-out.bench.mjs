// Past one machine (issue 15), newt_createTask (examples/spend-limit, allowed) in three parts:
// 1. 4 operator processes on a NATS bus beside 4 over HTTP, one gateway each, in the same run;
// 2. two gateways on one PostgreSQL + one NATS + one keys file with 4 operator processes on the
//    bus, the load split across both (half the connections each), beside one gateway of the same
//    setup;
// 3. 64 operators on the bus (4 child processes running 16 runOperator each: 64 Node processes
//    would not fit 2 cores), one gateway, one task at a time: every certificate has the stake
//    quorum (⌈67 % of 64⌉ = 43 signers) and verifies against the registry the gateway lists.
// Gateways are `newton gateway start` processes (lib/scale-out-services.mjs). p50/p99 come from
// tasks sent one at a time with fetch (round-robin over the gateways); tasks/s from autocannon
// (lib/devnet-load.mjs `cannon`), one instance per gateway. CPU per task from /proc: gateways,
// operator processes, nats-server, PostgreSQL (postmaster and backends), this process.
// Env: BENCH_DURATION_S (10) per tasks/s row, BENCH_CONNECTIONS (10), BENCH_TASKS (100) per
// latency row, BENCH_TASKS_64 (30), BENCH_WARMUP_TASKS (100) per setup.
import { OperatorRegistry, verifyCertificate } from '../bindings/dist/index.js';
import { startNatsServer } from '../server/dist/bus/nats-server.js';
import { startPostgresServer } from '../server/dist/store/postgres-server.js';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import {
  cannon, createTaskRequest, descendants, machineBusyMs, percentile, processCpuMs, rssKiB, setupSpendLimitClient, summarize,
} from './lib/devnet-load.mjs';
import { printMachine, printRatios, ratio, warnIfAddonStale } from './lib/report.mjs';
import { packageVersion, writeResults } from './lib/results.mjs';
import { scaleOutServices } from './lib/scale-out-services.mjs';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const TASKS = Number(process.env.BENCH_TASKS ?? 100);
const TASKS_64 = Number(process.env.BENCH_TASKS_64 ?? 30);
const WARMUP = Number(process.env.BENCH_WARMUP_TASKS ?? 100);
const QUORUM_64 = Math.ceil((67 * 64) / 100);
const owner = privateKeyToAccount(generatePrivateKey());
const f = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '—');

printMachine();
warnIfAddonStale();
console.log(`p50/p99: ${TASKS} tasks one at a time; tasks/s: autocannon, ${CONNECTIONS} connections for ${DURATION_S} s (after ${WARMUP} warm-up tasks per setup)\n`);

/** CPU ms so far of each group of processes (each pid with its descendants), this process and the machine. */
function cpu(groups) {
  const sum = (pids) => pids.flatMap((pid) => [pid, ...descendants(pid)]).reduce((s, pid) => s + (processCpuMs(pid) || 0), 0);
  const self = process.cpuUsage();
  return { ...Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, sum(pids)])), bench: (self.user + self.system) / 1000, machine: machineBusyMs() };
}
/** CPU ms per task of each group between two `cpu()` samples, and the rest of the machine. */
function cpuPerTask(before, after, tasks) {
  const used = Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - before[k]]));
  const known = Object.entries(used).filter(([k]) => k !== 'machine').reduce((s, [, v]) => s + v, 0);
  return { ...Object.fromEntries(Object.entries(used).filter(([k]) => k !== 'machine').map(([k, v]) => [k, v / tasks])), other: Math.max(0, used.machine - known) / tasks };
}

const rpc = async (g, body) => (await fetch(g.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${g.apiKey}` }, body })).json();

/** One task in flight, `n` times, round-robin over `gateways`: sorted times (ms) and the replies. */
async function oneAtATime(gateways, body, n) {
  const times = [];
  const replies = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const reply = await rpc(gateways[i % gateways.length], body);
    times.push(performance.now() - t0);
    if (reply.result?.status !== 'success') throw new Error(`task failed: ${JSON.stringify(reply).slice(0, 300)}`);
    replies.push(reply.result);
  }
  return { times: times.sort((a, b) => a - b), replies };
}

/** autocannon with CONNECTIONS split evenly over `gateways` for `duration` s (or `amount` tasks): the summed run. */
async function cannons(gateways, body, extra) {
  const runs = await Promise.all(gateways.map((g) => cannon({ ...createTaskRequest(g, body), connections: CONNECTIONS / gateways.length, ...extra })));
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const result = runs.map((r) => r.result).reduce((a, b) => ({
    duration: Math.max(a.duration, b.duration), errors: a.errors + b.errors, timeouts: a.timeouts + b.timeouts, non2xx: a.non2xx + b.non2xx,
    mismatches: a.mismatches + b.mismatches, requests: { total: a.requests.total + b.requests.total },
  }));
  return summarize({ result, latencies });
}

/** A row (`body` the createTask request object): p50/p99 one at a time, tasks/s under load, and CPU ms per task (under load) of `groups`. */
async function measure(row, gateways, body, groups) {
  await cannons(gateways, body, { amount: WARMUP });
  const { times } = await oneAtATime(gateways, JSON.stringify(body), TASKS);
  const before = cpu(groups);
  const run = await cannons(gateways, body, { duration: DURATION_S });
  const after = cpu(groups);
  if (run.failures > 0) throw new Error(`${row}: ${run.failureText} of ${run.requests}`);
  return { row, p50: percentile(times, 0.5), p99: percentile(times, 0.99), tasksPerS: run.tasksPerS, loadedP50: run.p50, cpu: cpuPerTask(before, after, run.requests) };
}

const CPU_GROUPS = ['gateways', 'operators', 'nats', 'postgres', 'bench', 'other'];
const round = (x, digits = 2) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);
/** A row as data: its numbers rounded, `null` where the row has no such measurement (every row has every column). */
const dataRow = (r) => ({
  row: r.row, 'p50 ms': round(r.p50), 'p99 ms': round(r.p99), 'tasks/s': round(r.tasksPerS, 1), 'loaded p50 ms': round(r.loadedP50),
  ...Object.fromEntries(CPU_GROUPS.map((k) => [`${k} CPU ms/task`, round(r.cpu[k])])),
});
const table = (rows) => console.table(rows.map(dataRow));
/** CPU ms per task of the bench's own processes (everything but `other`: the rest of the machine). */
const cpuOurs = (r) => Object.entries(r.cpu).filter(([k]) => k !== 'other').reduce((a, [, v]) => a + v, 0);
const parts = (r) => CPU_GROUPS.filter((k) => k !== 'other' && r.cpu[k] !== undefined).map((k) => `${k} ${f(r.cpu[k])}`).join(' + ');
const where = (r) => `${r.row}: ${parts(r)} = ${f(cpuOurs(r))} ms of CPU per task (other processes on the machine: ${f(r.cpu.other)}); 2 cores / ours = ${f(2000 / cpuOurs(r), 0)} tasks/s if alone, measured ${f(r.tasksPerS, 1)}`;

const services = scaleOutServices(owner);
try {
  const nats = await startNatsServer();
  services.onStop(() => nats.stop());

  // ---- 1. 4 operator processes over NATS beside 4 over HTTP (one gateway each) ----
  const part1 = [];
  for (const transport of ['http', 'nats']) {
    const onBus = transport === 'nats';
    const g = await services.gateway(`one-${transport}`, onBus ? ['--nats', nats.url] : []);
    const ops = await services.operators(g.url, onBus ? nats.url : undefined, 4);
    const { body } = await setupSpendLimitClient(g, owner);
    const groups = { gateways: [g.pid], operators: ops.map((p) => p.pid), ...(onBus ? { nats: [nats.pid] } : {}) };
    part1.push(await measure(`4 operator processes over ${transport.toUpperCase()}`, [g], body, groups));
  }
  console.log('1. newt_createTask, one gateway, 4 operator processes (one operator each):');
  table(part1);
  const ratios1 = [
    ratio('tasks/s, NATS / HTTP', part1[1].tasksPerS, part1[0].tasksPerS),
    ratio('p50, NATS / HTTP', part1[1].p50, part1[0].p50),
    ratio('p99, NATS / HTTP', part1[1].p99, part1[0].p99),
  ];
  printRatios(ratios1);

  // ---- 2. two gateways on one PostgreSQL + NATS + keys file, beside one ----
  const pg = await startPostgresServer();
  services.onStop(() => pg.stop());
  const database = await pg.createDatabase('scale');
  const shared = ['--database', database, '--keys-file', `${services.dir}/gateway-keys.json`, '--nats', nats.url];
  const a = await services.gateway('pg-a', shared);
  const b = await services.gateway('pg-b', shared);
  const ops2 = await services.operators(a.url, nats.url, 4);
  const { body } = await setupSpendLimitClient(a, owner);
  const groups2 = { gateways: [a.pid, b.pid], operators: ops2.map((p) => p.pid), nats: [nats.pid], postgres: [pg.pid] };
  const part2 = [
    await measure('1 gateway (PostgreSQL + NATS), 4 operator processes', [a], body, groups2),
    await measure(`2 gateways (one PostgreSQL + NATS), ${CONNECTIONS / 2} connections each`, [a, b], body, groups2),
  ];
  console.log('\n2. two gateways on one PostgreSQL + one NATS + one keys file beside one (the second gateway idles in the 1-gateway row):');
  table(part2);
  const ratios2 = [
    ratio('tasks/s, 2 gateways / 1', part2[1].tasksPerS, part2[0].tasksPerS),
    ratio('p50, 2 gateways / 1', part2[1].p50, part2[0].p50),
    ratio('p99, 2 gateways / 1', part2[1].p99, part2[0].p99),
  ];
  printRatios(ratios2);

  // ---- 3. 64 operators on the bus (4 processes of 16), one gateway, one task at a time ----
  const g = await services.gateway('sixty-four', ['--nats', nats.url]);
  const t0 = performance.now();
  const ops64 = await services.operators(g.url, nats.url, 64, 4);
  const admittedS = (performance.now() - t0) / 1000;
  const many = await setupSpendLimitClient(g, owner);
  const listed = (await (await fetch(`${g.url}/operators`)).json()).operators;
  const registry = await OperatorRegistry.fromJson(listed.map(({ operator_id, public_key, proof_of_possession, stake }) => ({ operator_id, public_key, proof_of_possession, stake })));
  const text = JSON.stringify(many.body);
  await oneAtATime([g], text, 5); // warm-up
  const groups3 = { gateways: [g.pid], operators: ops64.map((p) => p.pid), nats: [nats.pid] };
  const before = cpu(groups3);
  const { times, replies } = await oneAtATime([g], text, TASKS_64);
  const perTask = cpuPerTask(before, cpu(groups3), TASKS_64);
  const signers = replies.map((r) => r.certificate.signers.length);
  for (const r of replies) await verifyCertificate(registry, r.certificate); // throws unless it verifies
  if (Math.min(...signers) < QUORUM_64) throw new Error(`a 64-operator certificate below the stake quorum: ${Math.min(...signers)} signers`);
  const rssMiB = ops64.map((p) => rssKiB(p.pid) / 1024);
  const row64 = { row: '64 operators over NATS (4 processes × 16), 1 in flight', p50: percentile(times, 0.5), p99: percentile(times, 0.99), cpu: perTask };
  const admitted = `${listed.length} listed, admitted in ${f(admittedS, 1)} s; operator processes' RSS ${rssMiB.map((x) => f(x, 0)).join(', ')} MiB`;
  const verified = `signers ${Math.min(...signers)}–${Math.max(...signers)} per certificate (quorum ⌈67% of 64⌉ = ${QUORUM_64}), ${replies.length}/${replies.length} certificates verified against the registry the gateway lists`;
  console.log(`\n3. 64 operators on the bus: ${admitted}`);
  console.table([{
    row: row64.row, tasks: TASKS_64, 'p50 ms': f(row64.p50), 'p99 ms': f(row64.p99), 'signers min–max': `${Math.min(...signers)}–${Math.max(...signers)}`,
    quorum: `⌈67% of 64⌉ = ${QUORUM_64}`, 'certificates verified': `${replies.length}/${replies.length}`,
    ...Object.fromEntries(Object.entries(perTask).map(([k, v]) => [`${k} CPU ms/task`, f(v)])),
  }]);

  const whereLines = [...[...part1, ...part2].map(where),
    `${row64.row}: ${parts(row64)} = ${f(cpuOurs(row64))} ms of CPU per task (other processes: ${f(perTask.other)}), at least ${f(cpuOurs(row64) / 2)} ms on 2 cores against a p50 of ${f(row64.p50)} ms; each operator ${f(perTask.operators / 64)} ms, the gateway ${f(perTask.gateways / 64)} ms per operator`];
  console.log(`\nwhere the time goes (CPU ms per task under load; for 64 operators, one at a time):\n- ${whereLines.join('\n- ')}`);

  const notes = [
    `p50/p99: ${TASKS} tasks one at a time (${TASKS_64} for 64 operators); tasks/s and loaded p50: autocannon, ${CONNECTIONS} connections split over the gateways for ${DURATION_S} s, after ${WARMUP} warm-up tasks per setup.`,
    'CPU ms/task from /proc under load (64 operators: one task at a time): gateways, operator processes, nats-server, PostgreSQL (postmaster and backends), this bench process; other is the rest of the machine.',
    'In the 1-gateway PostgreSQL row the second gateway is up but idle.',
    `64 operators: ${admitted}; ${verified}.`,
    ...whereLines.map((line) => `Where the time goes, ${line}.`),
  ];
  writeResults('scale-out', {
    rows: [...part1, ...part2, row64].map(dataRow),
    ratios: [...ratios1, ...ratios2],
    chart: { title: 'Scale-out: newt_createTask tasks per second', value: 'tasks/s', unit: 'tasks/s' },
    versions: { autocannon: packageVersion('autocannon'), '@nats-io/transport-node': packageVersion('@nats-io/transport-node') },
    notes,
  });
} finally {
  await services.stop();
}
