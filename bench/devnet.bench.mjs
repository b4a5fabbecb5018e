// newt_createTask on a devnet whose operators are their own processes (issue 13): one task in
// flight (latency p50/p99) and several connections (tasks/s) with 4 operator processes, beside,
// in the same run, the CPU bound of the engine work alone (evaluate + BLS sign per operator,
// aggregate + verify, timed here through bindings/dist), a gateway with 4 in-process operators,
// 16 operator processes, and the `newton devnet` CLI. Every gateway runs in a child process
// (lib/devnet-server.mjs: startDevnet, or createGateway for in-process operators) so
// autocannon's CPU is not on its event loop; on 2 cores they still share the machine, hence
// the CPU columns. Then where the time goes: per-round times
// from the tasks' WebSocket updates (operator_responses[].elapsed_ms), one operator call replayed
// (unsigned, signed prepare, signed commit) and the EIP-712 request signing and verification.
// Env: BENCH_DURATION_S (10) seconds per row, BENCH_CONNECTIONS (10), BENCH_WARMUP_TASKS (100)
// tasks per devnet before its rows (every operator process serves 2 calls per task: JIT warm-up),
// BENCH_SAMPLES (100) WebSocket-traced tasks per devnet, BENCH_TIME_MS (1000) per operation row.
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import WebSocket from 'ws';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import {
  Aggregator, BlsSigner, OperatorRegistry, Policy, blsAggregateSignaturesSync, blsFastAggregateVerifySync,
} from '../bindings/dist/index.js';
import { signRequest, verifyRequest, authHeaders } from '../server/dist/operator/request-auth.js';
import {
  cannon, createTaskRequest, descendants, machineBusyMs, percentile, processCpuMs, setupSpendLimitClient,
  spendLimit, startCliDevnet, startDevnetChild, summarize,
} from './lib/devnet-load.mjs';
import { printMachine, printRatios, ratio, times, warnIfAddonStale } from './lib/report.mjs';
import { packageVersion, writeResults } from './lib/results.mjs';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const WARMUP_TASKS = Number(process.env.BENCH_WARMUP_TASKS ?? 100);
const SETTLE_S = 1;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 100);
const OP_MS = Number(process.env.BENCH_TIME_MS ?? 1000);
const REPLAYS = 200;
const TARGETS = { p50: 10, p99: 30, ofBound: 0.5 };
const CORES = availableParallelism();
const QUORUM = 67;
const owner = privateKeyToAccount(generatePrivateKey());

printMachine();
warnIfAddonStale();
const version = packageVersion('autocannon');
console.log(`autocannon ${version}: ${CONNECTIONS} connections or 1, ${DURATION_S} s per row (after ${WARMUP_TASKS} warm-up tasks per devnet and ${SETTLE_S} s per row); gateways in child processes\n`);
const ms = (x) => (Number.isFinite(x) ? x.toFixed(2) : '—');
const median = (xs) => percentile([...xs].sort((a, b) => a - b), 0.5);

// ---- 1. The engine work alone, in this process, before any devnet runs ----
/** CPU µs (every thread) and wall µs per call of `fn` over `OP_MS` after a warm-up, and the other cores busy meanwhile. */
async function perOp(fn) {
  for (let i = 0; i < 20; i++) await fn();
  let n = 0;
  const [cpu0, machine0, t0] = [process.cpuUsage(), machineBusyMs(), performance.now()];
  while (performance.now() - t0 < OP_MS) (await fn(), n++);
  const [cpu, machine, wall] = [process.cpuUsage(cpu0), machineBusyMs() - machine0, performance.now() - t0];
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { cpuUs: (cpuMs * 1000) / n, wallUs: (wall * 1000) / n, otherCores: Math.max(0, machine - cpuMs) / wall };
}

const policy = Policy.compileSync([{ path: 'policy.rego', source: spendLimit.source }], spendLimit.entrypoint, { paramsSchema: spendLimit.paramsSchema });
const request = JSON.stringify({ intent: spendLimit.intent, params: JSON.parse(spendLimit.paramsText) });
if (!policy.evaluateSync(request).allow) throw new Error('examples/spend-limit must allow its intent');
const digest = randomBytes(32);
const signers = Array.from({ length: 16 }, (_, i) => BlsSigner.fromSecretKey(new Uint8Array(32).fill(i + 1)));
const signatures = signers.map((s) => s.signSync(digest));
const quorumSize = (n) => Math.ceil((QUORUM * n) / 100);
const ids = signers.map((s) => `0x${createHash('sha256').update(s.publicKey).digest('hex')}`);
const registryOf = (n) => OperatorRegistry.fromJsonSync(signers.slice(0, n).map((s, i) => ({
  operator_id: ids[i], public_key: s.publicKey, proof_of_possession: s.proofOfPossession(), stake: { 0: 1000 },
})));
const ops = {
  evaluate: await perOp(() => policy.evaluateSync(request)),
  sign: await perOp(() => signers[0].signSync(digest)),
};
const engine = {};
for (const n of [4, 16]) {
  const k = quorumSize(n);
  const registry = registryOf(n);
  const aggregated = blsAggregateSignaturesSync(signatures.slice(0, k));
  const untilQuorum = () => {
    const aggregator = Aggregator.forMessage(registry, digest, [0], QUORUM);
    let certificate = null;
    for (let i = 0; certificate === null; i++) certificate = aggregator.add(ids[i], signatures[i]);
    if (certificate.signers.length !== k) throw new Error(`quorum of ${n} is ${certificate.signers.length}, expected ${k}`);
  };
  const row = {
    n, k,
    aggregate: await perOp(() => blsAggregateSignaturesSync(signatures.slice(0, k))),
    verify: await perOp(() => blsFastAggregateVerifySync(signers.slice(0, k).map((s) => s.publicKey), digest, aggregated)),
    aggregator: await perOp(untilQuorum),
  };
  // What the engine must do per task: every operator evaluates and signs; the gateway aggregates
  // the quorum's signatures and verifies the aggregate (Aggregator.add until quorum, as it does).
  row.taskCpuUs = n * (ops.evaluate.cpuUs + ops.sign.cpuUs) + row.aggregator.cpuUs;
  row.boundTasksPerS = (CORES * 1e6) / row.taskCpuUs;
  engine[n] = row;
}
const opRow = (operation, r) => ({ operation, 'CPU µs': ms(r.cpuUs), 'wall µs': ms(r.wallUs), 'other cores': ms(r.otherCores) });
console.log(`engine work per task, CPU µs (this process, ${OP_MS} ms per row; ${CORES} cores for the bound):`);
console.table([
  opRow('evaluate examples/spend-limit (Policy.evaluateSync)', ops.evaluate),
  opRow('BLS sign a 32-byte digest (signSync)', ops.sign),
  ...[4, 16].flatMap((n) => [
    opRow(`aggregate ${engine[n].k} signatures (blsAggregateSignaturesSync)`, engine[n].aggregate),
    opRow(`fast-aggregate-verify ${engine[n].k} keys`, engine[n].verify),
    opRow(`Aggregator.add until quorum (${engine[n].k} of ${n}): aggregate + verify as the gateway does`, engine[n].aggregator),
    { operation: `per task, ${n} operators: ${n} × (evaluate + sign) + aggregator`, 'CPU µs': ms(engine[n].taskCpuUs), 'wall µs': '', 'other cores': '' },
  ]),
]);
console.log(`CPU bound: ${CORES} cores / task CPU = ${Math.round(engine[4].boundTasksPerS)} tasks/s with 4 operators, ${Math.round(engine[16].boundTasksPerS)} with 16\n`);

// ---- 2. The devnets under load ----
/** One autocannon row with the CPU of the gateway, its operators and the rest, per task. */
async function loadRow(row, devnet, body, options) {
  const request = { ...createTaskRequest(devnet, body), ...options };
  const operatorPids = devnet.operators.map((op) => op.pid);
  const cpu = () => {
    const children = descendants(devnet.gatewayPid).filter((pid) => !operatorPids.includes(pid));
    return {
      gateway: processCpuMs(devnet.gatewayPid),
      operators: operatorPids.reduce((sum, pid) => sum + processCpuMs(pid), 0),
      children: children.reduce((sum, pid) => sum + (processCpuMs(pid) || 0), 0),
      self: (({ user, system }) => (user + system) / 1000)(process.cpuUsage()),
      machine: machineBusyMs(),
    };
  };
  await cannon({ ...request, duration: SETTLE_S });
  const before = cpu();
  const run = summarize(await cannon({ ...request, duration: DURATION_S }));
  const after = cpu();
  if (run.failures > 0) throw new Error(`${row}: ${run.failureText} of ${run.requests}`);
  const used = Object.fromEntries(Object.keys(after).map((key) => [key, after[key] - before[key]]));
  const wallMs = run.durationS * 1000;
  return {
    row, connections: request.connections, ...run,
    gatewayMsPerTask: used.gateway / run.requests,
    operatorsMsPerTask: operatorPids.length > 0 ? used.operators / run.requests : NaN, // in-process: none
    childrenMsPerTask: used.children / run.requests,
    benchCores: used.self / wallMs,
    otherCores: Math.max(0, used.machine - used.gateway - used.operators - used.children - used.self) / wallMs,
  };
}

/** Tasks sent one at a time, each traced on the WebSocket to its final update: per-round times. */
async function traceRounds(devnet, setup, samples) {
  const ws = new WebSocket(`${devnet.url.replace('http', 'ws')}/ws?api_key=${devnet.apiKey}`);
  await once(ws, 'open');
  const finals = new Map();
  ws.on('message', (raw) => {
    const m = JSON.parse(raw);
    if (m.type === 'update' && (m.result.event === 'aggregated' || m.result.event === 'failed')) finals.get(m.subscription)?.(m.result);
  });
  const traces = [];
  let fromStore = 0;
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    const sent = await setup.client.sendTask(setup.body.params);
    const t1 = performance.now();
    const final = new Promise((resolve) => finals.set(`t${i}`, resolve));
    ws.send(JSON.stringify({ type: 'subscribe', id: `t${i}`, method: sent.subscription_topic, params: null }));
    const update = await final;
    const t2 = performance.now();
    if (update.event !== 'aggregated') throw new Error(`traced task failed: ${JSON.stringify(update.data.result?.error)}`);
    const answers = update.data.operator_responses;
    if (answers.length === 0) {
      fromStore++; // ended before the subscription: its final update comes from the store, without answers
      continue;
    }
    const elapsed = (round) => answers.filter((a) => a.round === round && a.status === 'ok').map((a) => a.elapsed_ms).sort((a, b) => a - b);
    const [prepare, commit] = [elapsed('prepare'), elapsed('commit')];
    const k = update.data.result.certificate.signers.length;
    const [prepareLast, commitQuorum] = [prepare.at(-1), commit[k - 1]];
    traces.push({ send: t1 - t0, total: t2 - t0, prepareFirst: prepare[0], prepareLast, commitFirst: commit[0], commitQuorum, outside: t2 - t0 - prepareLast - commitQuorum });
  }
  ws.close();
  const row = Object.fromEntries(Object.keys(traces[0]).map((key) => [key, median(traces.map((t) => t[key]))]));
  return { ...row, samples: traces.length, fromStore };
}

/** Replays captured gateway→operator requests to that operator, one in flight: p50 ms each way. */
async function replayCalls(devnet, setup) {
  const captured = await devnet.capture(() => setup.client.createTask(setup.body.params));
  const prepare = captured.newt_fetchPolicyData;
  const commit = captured.newt_evaluateAndSign;
  const time = async ({ url, headers, body }, expectOk) => {
    const walls = [];
    for (let i = 0; i < REPLAYS + 20; i++) {
      const t0 = performance.now();
      const reply = await (await fetch(url, { method: 'POST', headers, body })).json();
      if (i >= 20) walls.push(performance.now() - t0);
      if (expectOk !== (reply.result !== undefined)) throw new Error(`replay: unexpected ${JSON.stringify(reply).slice(0, 300)}`);
    }
    return median(walls);
  };
  const unsigned = { ...prepare, headers: { 'content-type': 'application/json' } };
  return {
    unsigned: await time(unsigned, false),
    prepare: await time(prepare, true),
    commit: await time(commit, true),
    bodies: { prepare: prepare.body, commit: commit.body },
  };
}

const devnets = [
  { name: '4 operator processes', kind: 'processes', n: 4 },
  { name: '4 in-process operators', kind: 'inprocess', n: 4 },
  { name: '16 operator processes', kind: 'processes', n: 16 },
];
const rows = [];
const rounds = {};
let calls;
let cliMany;
let cliOne;
for (const spec of devnets) {
  const t0 = Date.now();
  const devnet = await startDevnetChild(spec.kind, spec.n, owner);
  try {
    const setup = await setupSpendLimitClient(devnet, owner);
    const k = setup.first.certificate.signers.length;
    if (k !== quorumSize(spec.n)) console.warn(`WARNING: ${spec.name}: the certificate has ${k} signers, the bound assumes ${quorumSize(spec.n)}`);
    const pids = `gateway pid ${devnet.gatewayPid}${devnet.operators.length ? `, operator pids ${devnet.operators.map((op) => op.pid).join(' ')}` : ''}`;
    console.log(`${spec.name}: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (${pids}); spend-limit client ${setup.policyClient}, quorum ${k} of ${spec.n}`);
    await cannon({ ...createTaskRequest(devnet, setup.body), connections: CONNECTIONS, amount: WARMUP_TASKS });
    spec.many = await loadRow(spec.name, devnet, setup.body, { connections: CONNECTIONS });
    spec.one = await loadRow(spec.name, devnet, setup.body, { connections: 1 });
    rows.push(spec.many, spec.one);
    rounds[spec.name] = await traceRounds(devnet, setup, SAMPLES);
    if (spec.kind === 'processes' && spec.n === 4) calls = await replayCalls(devnet, setup);
  } finally {
    await devnet.stop();
  }
}

// `newton devnet --no-tour` as shipped, the CLI in its own process: the same rows.
const cli = await startCliDevnet(4);
try {
  const setup = await setupSpendLimitClient(cli, owner);
  await cannon({ ...createTaskRequest(cli, setup.body), connections: CONNECTIONS, amount: WARMUP_TASKS });
  const name = '`newton devnet` CLI, 4 operator processes';
  cliMany = await loadRow(name, cli, setup.body, { connections: CONNECTIONS });
  cliOne = await loadRow(name, cli, setup.body, { connections: 1 });
  rows.push(cliMany, cliOne);
} finally {
  await cli.stop();
}

console.log('\nnewt_createTask (examples/spend-limit, allowed):');
console.table(rows.map((r) => ({
  row: r.row, conns: r.connections, 'tasks/s': Math.round(r.tasksPerS), 'mean ms': ms(r.mean), 'p50 ms': ms(r.p50), 'p99 ms': ms(r.p99), tasks: r.requests,
  'gateway CPU ms/task': ms(r.gatewayMsPerTask), 'operators CPU ms/task': ms(r.operatorsMsPerTask), 'bench cores': ms(r.benchCores), 'other cores': ms(r.otherCores),
})));

console.log(`per-round times: medians over tasks sent one at a time (newt_sendTask) and traced on /ws; operator_responses[].elapsed_ms from each round's start:`);
console.table(Object.entries(rounds).map(([name, r]) => ({
  devnet: name, traced: r.samples, 'sendTask RPC ms': ms(r.send), 'prepare: 1st answer': ms(r.prepareFirst), 'prepare: last (round end)': ms(r.prepareLast),
  'commit: 1st answer': ms(r.commitFirst), 'commit: quorum answer': ms(r.commitQuorum), 'sendTask → final update ms': ms(r.total),
  'outside the rounds ms': ms(r.outside),
})));

// ---- 3. One operator call, taken apart ----
const paramsOf = (body) => body.slice(body.indexOf('"params":') + 9, -1);
const account = privateKeyToAccount(generatePrivateKey());
const eip712 = {};
for (const [round, body] of Object.entries(calls.bodies)) {
  const paramsText = paramsOf(body);
  const claims = { method: JSON.parse(body).method, taskId: JSON.parse(paramsText).task.taskId, operatorId: `0x${'ab'.repeat(32)}`, paramsText };
  const auth = await signRequest(account, claims, 60_000);
  const verifyOptions = { gateway: account.address, maxAgeMs: 3_600_000, clockSkewMs: 5_000 };
  eip712[round] = {
    bytes: paramsText.length,
    sign: await perOp(() => signRequest(account, claims, 60_000)),
    verify: await perOp(() => verifyRequest(authHeaders(auth), claims, { ...verifyOptions, now: Date.now() })),
  };
}
console.log(`one operator call (4 operator processes), replayed ${REPLAYS} times from this process to one operator, p50:`);
console.table([
  { call: 'unsigned prepare (refused at the header check: HTTP + JSON only)', 'ms': ms(calls.unsigned) },
  { call: 'signed prepare (+ EIP-712 verify; the policy reads no PolicyData)', 'ms': ms(calls.prepare) },
  { call: 'signed commit (+ verify, evaluate, BLS sign, response digest)', 'ms': ms(calls.commit) },
  ...Object.entries(eip712).flatMap(([round, e]) => [
    { call: `gateway: signRequest, ${round} (${e.bytes} B params; keccak + EIP-712 + secp256k1)`, ms: ms(e.sign.cpuUs / 1000) },
    { call: `operator: verifyRequest, ${round} (keccak + EIP-712 + recover)`, ms: ms(e.verify.cpuUs / 1000) },
  ]),
]);

// ---- 4. Verdicts ----
const [proc4, inproc4, proc16] = devnets;
const verdicts = [
  ratio('createTask p50, 4 processes, 1 in flight / 10 ms', proc4.one.p50, TARGETS.p50, '≤ 1.00×', (x) => x <= 1),
  ratio('createTask p99, 4 processes, 1 in flight / 30 ms', proc4.one.p99, TARGETS.p99, '≤ 1.00×', (x) => x <= 1),
  ratio(`tasks/s, 4 processes (${CONNECTIONS} conns) / CPU bound`, proc4.many.tasksPerS, engine[4].boundTasksPerS, '≥ 0.50×', (x) => x >= TARGETS.ofBound),
  ratio('tasks/s, 4 processes / 4 in-process', proc4.many.tasksPerS, inproc4.many.tasksPerS),
  ratio('p50 (1 in flight), 4 processes / 4 in-process', proc4.one.p50, inproc4.one.p50),
  ratio('tasks/s, 4 in-process / CPU bound', inproc4.many.tasksPerS, engine[4].boundTasksPerS),
  ratio('tasks/s, 16 processes / CPU bound (16)', proc16.many.tasksPerS, engine[16].boundTasksPerS),
  ratio('tasks/s, 16 processes / 4 processes', proc16.many.tasksPerS, proc4.many.tasksPerS),
  ratio('p50 (1 in flight), 16 processes / 4 processes', proc16.one.p50, proc4.one.p50),
  ratio('tasks/s, `newton devnet` CLI / the child\'s startDevnet (4 processes)', cliMany.tasksPerS, proc4.many.tasksPerS),
  ratio('p50 (1 in flight), `newton devnet` CLI / the child\'s startDevnet', cliOne.p50, proc4.one.p50),
];
console.log('ratios:');
printRatios(verdicts);
for (const v of verdicts.filter((v) => v.verdict !== 'info')) console.log(`${v.verdict}: ${v.ratio} = ${times(v.value)} (target ${v.target})`);

// ---- 5. Where the time goes (from the numbers above) ----
const r4 = rounds[proc4.name];
const cpu1 = proc4.one.gatewayMsPerTask + proc4.one.operatorsMsPerTask;
const e = eip712;
const gatewaySigning = 4 * (e.prepare.sign.cpuUs + e.commit.sign.cpuUs) / 1000;
const operatorVerifying = 4 * (e.prepare.verify.cpuUs + e.commit.verify.cpuUs) / 1000;
const inRounds = rounds[inproc4.name];
const loadedCpu = proc4.many.gatewayMsPerTask + proc4.many.operatorsMsPerTask;
const whereLines = [
  `One task in flight (traced, median): ${ms(r4.total)} ms from newt_sendTask to the final update; the prepare round ends at ${ms(r4.prepareLast)} ms (all 4 must answer), the commit round reaches its quorum at ${ms(r4.commitQuorum)} ms (3rd answer); ${ms(r4.outside)} ms is the gateway outside the rounds (HTTP, buildTask, store writes, consensus, aggregate verification, result, the WebSocket). In-process: ${ms(inRounds.prepareLast)} + ${ms(inRounds.commitQuorum)} ms of rounds, ${ms(inRounds.outside)} ms outside.`,
  `One call to one operator: HTTP + JSON ${ms(calls.unsigned)} ms; signed prepare ${ms(calls.prepare)} ms, so the operator's EIP-712 check and an empty prepare add ${ms(calls.prepare - calls.unsigned)} ms (verifyRequest alone: ${ms(e.prepare.verify.cpuUs / 1000)} ms of CPU); signed commit ${ms(calls.commit)} ms.`,
  `Per task the gateway signs 8 requests (2 rounds × 4 operators; signRequest with a viem account here: ${ms(gatewaySigning)} ms of CPU) and the operators verify 8 (${ms(operatorVerifying)} ms of CPU), against ${ms(engine[4].taskCpuUs / 1000)} ms of engine work. Measured per task at ${CONNECTIONS} connections: gateway ${ms(proc4.many.gatewayMsPerTask)} ms, operators ${ms(proc4.many.operatorsMsPerTask)} ms of CPU (in-process gateway: ${ms(inproc4.many.gatewayMsPerTask)} ms for everything).`,
  `Even one task in flight is CPU-bound: it costs ${ms(cpu1)} ms of CPU (gateway ${ms(proc4.one.gatewayMsPerTask)}, operators ${ms(proc4.one.operatorsMsPerTask)}), so on ${CORES} cores it cannot take less than ≈${ms(cpu1 / CORES)} ms even if every step ran in parallel; the p50 is ${ms(proc4.one.p50)} ms. A p50 of ${TARGETS.p50} ms needs the CPU per task under ≈${TARGETS.p50 * CORES} ms; ${CORES} cores / ${ms(loadedCpu)} ms ≈ ${Math.round((CORES * 1000) / loadedCpu)} tasks/s is the throughput ceiling.`,
];
console.log(`\nwhere the time goes, 4 operator processes:\n- ${whereLines.join('\n- ')}`);

// ---- 6. Results as data: the createTask rows beside the CPU bound; the rest as notes ----
const round = (x, digits = 2) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);
const opsLine = (n) => `${n} operators: aggregate ${engine[n].k} ${ms(engine[n].aggregate.cpuUs)}, fast-aggregate-verify ${engine[n].k} ${ms(engine[n].verify.cpuUs)}, Aggregator.add until quorum ${ms(engine[n].aggregator.cpuUs)}; per task ${ms(engine[n].taskCpuUs)}`;
const roundsLine = (name, r) => `Per round, ${name} (medians of ${r.samples} traced tasks, ms): sendTask RPC ${ms(r.send)}; prepare 1st answer ${ms(r.prepareFirst)}, last ${ms(r.prepareLast)}; commit 1st answer ${ms(r.commitFirst)}, quorum ${ms(r.commitQuorum)}; outside the rounds ${ms(r.outside)}; sendTask → final update ${ms(r.total)}.`;
const notes = [
  `autocannon ${CONNECTIONS} connections or 1 for ${DURATION_S} s per row, after ${WARMUP_TASKS} warm-up tasks per devnet and ${SETTLE_S} s per row; gateways in child processes; CPU per task from /proc.`,
  `CPU bound rows: ${CORES} cores / (N × (evaluate + BLS sign) + Aggregator.add until quorum), timed in the bench process through bindings/dist (${OP_MS} ms per operation).`,
  `Engine work, CPU µs per call: evaluate examples/spend-limit ${ms(ops.evaluate.cpuUs)}, BLS sign ${ms(ops.sign.cpuUs)}; ${opsLine(4)}; ${opsLine(16)}.`,
  ...Object.entries(rounds).map(([name, r]) => roundsLine(name, r)),
  ...Object.entries(eip712).map(([call, x]) => `EIP-712 request auth, ${call} (${x.bytes} B of params): signRequest ${ms(x.sign.cpuUs / 1000)} ms, verifyRequest ${ms(x.verify.cpuUs / 1000)} ms of CPU.`),
  ...whereLines,
];
const label = (r) => `${r.row}, ${r.connections === 1 ? '1 connection' : `${r.connections} connections`}`;
writeResults('devnet', {
  rows: [
    ...[4, 16].map((n) => ({ row: `CPU bound: engine work alone, ${n} operators`, 'tasks/s': Math.round(engine[n].boundTasksPerS) })),
    ...rows.map((r) => ({
      row: label(r), conns: r.connections, 'tasks/s': round(r.tasksPerS, 1), 'mean ms': round(r.mean), 'p50 ms': round(r.p50), 'p99 ms': round(r.p99), tasks: r.requests,
      'gateway CPU ms/task': round(r.gatewayMsPerTask), 'operators CPU ms/task': round(r.operatorsMsPerTask), 'bench cores': round(r.benchCores), 'other cores': round(r.otherCores),
    })),
  ],
  ratios: verdicts,
  chart: { title: 'Devnet: newt_createTask tasks per second beside the CPU bound', value: 'tasks/s', unit: 'tasks/s' },
  versions: { autocannon: version },
  notes,
});
