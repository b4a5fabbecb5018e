// The gateway over HTTP under autocannon, beside a fastify hello-world on the same machine:
// newt_simulatePolicy (a small policy, evaluated in the sandbox's worker processes) and
// newt_createTask (4 in-process operators evaluate, BLS-sign and aggregate a published policy for
// a registered client), req/s and latency. Each server runs in its own child process
// (bench/lib/http-server.mjs) so autocannon's CPU is not on the server's event loop; on a 2-core
// machine they still share the cores, hence the CPU columns.
// "other cores" is what the rest of the machine used meanwhile: a busy neighbour skews a row.
// Env: BENCH_DURATION_S = seconds per row (default 5, after a 1 s warm-up), BENCH_CONNECTIONS (10).
import { fork, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import autocannon from 'autocannon';
import { NewtonClient, signOwnerAuthorization } from 'newton-engine';
import { keccak256, toHex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { printMachine, printRatios, ratio, warnIfAddonStale } from './lib/report.mjs';
import { packageVersion, writeResults } from './lib/results.mjs';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const WARMUP_S = 1;
const CHAIN_ID = 11_155_111;
const P50_TARGET_MS = 5;
const ENGINE_RUNS = 200;

const POLICY = `package bench
import rego.v1
default allow := false
allow if {
  input.function.name == "transfer"
  to_number(input.decoded_function_arguments[1]) <= data.params.max_amount
}
`;
const PARAMS = { max_amount: 1000 };
const owner = privateKeyToAccount(generatePrivateKey());
const intent = {
  from: owner.address, to: '0x1c7d4b196cb0c7b01d743fbc6116a902379c7238', value: '0x0', chain_id: toHex(CHAIN_ID),
  data: `0xa9059cbb${'0d'.repeat(20).padStart(64, '0')}${(5).toString(16).padStart(64, '0')}`,
  function_signature: toHex('transfer(address,uint256)'),
};

printMachine();
warnIfAddonStale();
const version = packageVersion('autocannon');
console.log(`autocannon ${version}: ${CONNECTIONS} connections, ${DURATION_S} s per row after a ${WARMUP_S} s warm-up; servers in child processes\n`);

// ---- CPU of a process and its descendants (the gateway's sandbox workers), from /proc ----
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
function treeCpuMs(root) {
  const procs = new Map();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      // Fields after the parenthesised command: state ppid … utime(14) stime(15).
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      procs.set(Number(pid), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // exited meanwhile
    }
  }
  const inTree = (pid) => pid === root || (procs.has(pid) && pid > 1 && inTree(procs.get(pid).ppid));
  let ticks = 0;
  for (const [pid, p] of procs) if (inTree(pid)) ticks += p.ticks;
  return (ticks * 1000) / TICKS;
}

/** CPU ms the whole machine spent busy (every core), from /proc/stat: what else ran beside us. */
function machineBusyMs() {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  return ((user + nice + system + irq + softirq + steal) * 1000) / TICKS;
}

async function startServer(kind) {
  const child = fork(new URL('./lib/http-server.mjs', import.meta.url), [kind], { env: { ...process.env, BENCH_OWNER: owner.address }, stdio: 'inherit' });
  const [info] = await Promise.race([once(child, 'message'), once(child, 'exit').then(([code]) => Promise.reject(new Error(`${kind} server exited ${code}`)))]);
  return { child, ...info, stop: () => (child.disconnect(), once(child, 'exit')) };
}

/**
 * autocannon's run with every response's latency: its histogram keeps whole milliseconds, too
 * coarse for a 5 ms target, so p50/p99 come from the float times its 'response' events carry.
 */
function cannon(options) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    const instance = autocannon(options, (err, result) => (err ? reject(err) : resolve({ result, latencies })));
    instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  });
}
const percentile = (sorted, p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];

/** One autocannon row: warm-up, then the measured run; every response must be a JSON-RPC result. */
async function measure(row, server, { url = server.url, body, connections = CONNECTIONS }) {
  const options = {
    url, method: 'POST', body: JSON.stringify(body), connections,
    headers: { 'content-type': 'application/json', ...(server.apiKey && { authorization: `Bearer ${server.apiKey}` }) },
  };
  await cannon({ ...options, duration: WARMUP_S });
  const server0 = treeCpuMs(server.child.pid);
  const machine0 = machineBusyMs();
  const self0 = process.cpuUsage();
  const { result: r, latencies } = await cannon({ ...options, duration: DURATION_S, verifyBody: (text) => !text.includes('"error":{') });
  const serverMs = treeCpuMs(server.child.pid) - server0;
  const self = process.cpuUsage(self0);
  const machineMs = machineBusyMs() - machine0;
  const bad = r.errors + r.timeouts + r.non2xx + r.mismatches;
  if (bad > 0) throw new Error(`${row}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx, ${r.mismatches} JSON-RPC errors of ${r.requests.total}`);
  return {
    row, connections, rps: r.requests.average, requests: r.requests.total,
    p50: percentile(latencies.sort((a, b) => a - b), 0.5), p99: percentile(latencies, 0.99), mean: latencies.reduce((a, b) => a + b, 0) / latencies.length,
    serverCpuMsPerReq: serverMs / r.requests.total,
    serverCores: serverMs / (r.duration * 1000),
    autocannonCores: (self.user + self.system) / 1000 / (r.duration * 1000),
    otherCores: Math.max(0, machineMs - serverMs - (self.user + self.system) / 1000) / (r.duration * 1000),
  };
}

const results = [];
let engine;
const simulateBody = (policyClient) => ({
  jsonrpc: '2.0', id: 1, method: 'newt_simulatePolicy',
  params: { policy_client: policyClient, policy: POLICY, entrypoint: 'bench.allow', intent, policy_params: PARAMS },
});

// ---- hello-world: the same request bytes as simulatePolicy, a small JSON back ----
const hello = await startServer('hello');
try {
  results.push(await measure('fastify hello-world (POST, small JSON)', hello, { body: simulateBody('0x' + 'c1'.repeat(20)) }));
} finally {
  await hello.stop();
}

// ---- the gateway: a published policy and a registered client, set up through NewtonClient ----
const gateway = await startServer('gateway');
try {
  const client = new NewtonClient({ url: gateway.url, apiKey: gateway.apiKey });
  const { policy_address: policy } = await client.publishPolicy({ owner: owner.address, policy: POLICY, entrypoint: 'bench.allow' });
  const policyClient = privateKeyToAccount(generatePrivateKey()).address;
  const paramsText = JSON.stringify(PARAMS);
  const { gateway_nonce: nonce } = await client.getNonce(owner.address);
  const authorization = await signOwnerAuthorization(owner, 'RegisterPolicyClient', { policyClient, owner: owner.address, policy, policyParamsHash: keccak256(toHex(paramsText)), expireAfter: 100 }, { chainId: CHAIN_ID, nonce });
  await client.registerPolicyClient({ policy_client: policyClient, owner: owner.address, policy, policy_params: paramsText, expire_after: 100, authorization });

  // The decisions every measured request makes.
  const simulated = await client.simulatePolicy(simulateBody(policyClient).params);
  if (simulated.evaluation_result?.allow !== true) throw new Error(`simulatePolicy must allow: ${JSON.stringify(simulated)}`);
  const task = await client.createTask({ policy_client: policyClient, intent });
  if (task.status !== 'success' || task.task_response.evaluation_result.at(-1) !== 1) throw new Error(`createTask must allow: ${JSON.stringify(task)}`);
  console.log(`gateway: 4 in-process operators, quorum ${task.certificate.threshold}%; policy ${policy}, client ${policyClient}; both calls allow\n`);

  const createBody = { jsonrpc: '2.0', id: 1, method: 'newt_createTask', params: { policy_client: policyClient, intent } };
  results.push(await measure('gateway newt_simulatePolicy', gateway, { body: simulateBody(policyClient) }));
  results.push(await measure('gateway newt_createTask', gateway, { body: createBody }));
  results.push(await measure('gateway newt_createTask, 1 connection', gateway, { body: createBody, connections: 1 }));
  gateway.child.send({ engine: task.task, runs: ENGINE_RUNS });
  [engine] = await once(gateway.child, 'message');
} finally {
  await gateway.stop();
}

const round = (x, digits = 2) => Number(x.toFixed(digits));
const rows = results.map((r) => ({
  row: r.row, conns: r.connections, 'req/s': Math.round(r.rps), 'mean ms': round(r.mean), 'p50 ms': round(r.p50), 'p99 ms': round(r.p99), requests: r.requests,
  'server CPU ms/req': round(r.serverCpuMsPerReq, 3), 'server cores': round(r.serverCores), 'autocannon cores': round(r.autocannonCores), 'other cores': round(r.otherCores),
}));
console.table(rows);

const [base, simulate, create, create1] = results;
const verdicts = [
  ratio('simulatePolicy req/s / hello-world req/s', simulate.rps, base.rps, '≥ 0.50×', (x) => x >= 0.5),
  ratio(`createTask p50 (${create.connections} conns) / ${P50_TARGET_MS} ms`, create.p50, P50_TARGET_MS, '≤ 1.00×', (x) => x <= 1),
  ratio(`createTask p50 (1 conn) / ${P50_TARGET_MS} ms`, create1.p50, P50_TARGET_MS, '≤ 1.00×', (x) => x <= 1),
  ratio('hello-world req/s / createTask req/s', base.rps, create.rps),
  ratio('createTask server CPU / request ÷ hello-world\'s', create.serverCpuMsPerReq, base.serverCpuMsPerReq),
  ratio('simulatePolicy server CPU / request ÷ hello-world\'s', simulate.serverCpuMsPerReq, base.serverCpuMsPerReq),
];
console.log('ratios:');
printRatios(verdicts);
const ms = (x) => x.toFixed(2);
const cores = availableParallelism();
const notes = [
  `autocannon, ${CONNECTIONS} connections (or 1 where conns says so), ${DURATION_S} s per row after a ${WARMUP_S} s warm-up; servers in child processes, autocannon in the bench process.`,
  'server CPU counts the server process and its descendants (the sandbox workers) from /proc; other cores is what the rest of the machine used during the row.',
  `CPU bound: one createTask costs the gateway ≈${ms(create.serverCpuMsPerReq)} ms of CPU (every thread); the operator network alone on that task (4 operators: PolicyData round, evaluation, BLS signing; aggregation to quorum; no HTTP, no store) ≈${ms(engine.cpuMsPerRun)} ms (wall p50 ${ms(engine.wallP50Ms)} ms, ${ENGINE_RUNS} runs in the server process); hello-world costs ≈${ms(base.serverCpuMsPerReq)} ms.`,
  `With ${create.connections} connections the gateway used ${create.serverCores.toFixed(2)} of ${cores} cores and autocannon ${create.autocannonCores.toFixed(2)}: ${cores} cores / ${ms(create.serverCpuMsPerReq)} ms ≈ ${Math.round((cores * 1000) / create.serverCpuMsPerReq)} createTask/s is the ceiling here.`,
];
console.log(`notes:\n${notes.map((n) => `- ${n}`).join('\n')}`);
writeResults('gateway', {
  rows,
  ratios: verdicts,
  chart: { title: 'Gateway over HTTP, requests per second', value: 'req/s', unit: 'req/s' },
  versions: { autocannon: version, fastify: packageVersion('fastify') },
  notes,
});
