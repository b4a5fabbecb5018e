// Shared by bench/devnet.bench.mjs and scripts/soak.mjs: a devnet in a child process
// (lib/devnet-server.mjs, or the `newton devnet` CLI), the examples/spend-limit policy
// published and a client registered through the JSON-RPC API, autocannon runs with every
// response's latency, and per-process CPU and RSS from /proc.
import { fork, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { NewtonClient, signOwnerAuthorization } from 'newton-engine';
import { keccak256, toHex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const CHAIN_ID = 11_155_111;

/** examples/spend-limit: the policy, its params and schema, and its allowed transfer intent. */
export const spendLimit = (() => {
  const read = (file) => readFileSync(`${root}/examples/spend-limit/${file}`, 'utf8');
  const manifest = JSON.parse(read('example.json'));
  return {
    source: read('policy.rego'),
    entrypoint: manifest.entrypoint,
    paramsText: JSON.stringify(JSON.parse(read(manifest.params))),
    paramsSchema: JSON.parse(read(manifest.params_schema)),
    intent: JSON.parse(read(manifest.intents.intent)),
  };
})();

/**
 * A devnet from lib/devnet-server.mjs in a child process: `kind` 'processes' (N operator
 * processes, forked by that child) or 'inprocess'. Resolves to `{ url, rpcUrl, apiKey, gatewayPid,
 * operators: [{url, pid}], capture(), stop() }`.
 */
export async function startDevnetChild(kind, operators, owner) {
  const child = fork(new URL('./devnet-server.mjs', import.meta.url), [kind, String(operators)], {
    env: { ...process.env, BENCH_OWNER: owner.address },
    stdio: 'inherit',
  });
  const exited = once(child, 'exit').then(([code, signal]) => Promise.reject(new Error(`devnet ${kind} exited (${signal ?? code})`)));
  exited.catch(() => undefined);
  const [info] = await Promise.race([once(child, 'message'), exited]);
  return {
    ...info,
    rpcUrl: `${info.url}/rpc`,
    /** The next prepare and commit requests the gateway sends an operator (see devnet-server.mjs). */
    capture: async (trigger) => {
      child.send({ capture: true });
      const reply = new Promise((resolve) => child.on('message', function onMessage(m) {
        if (m.captured) resolve(m.captured), child.off('message', onMessage);
      }));
      await trigger();
      return reply;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const done = once(child, 'exit');
      child.disconnect();
      await done;
    },
  };
}

/**
 * `newton devnet --no-tour` as shipped (the CLI, its gateway in that process, N operator
 * processes), with its default rate limit (100,000 requests per API key per minute).
 */
export async function startCliDevnet(operators) {
  const args = [`${root}/bindings/bin/newton.js`, 'devnet', '--no-tour', '--port', '0', '--operators', String(operators), '--format', 'json', '--log-level', 'error'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout });
  const exited = once(child, 'exit').then(([code]) => Promise.reject(new Error(`newton devnet exited ${code}: ${stderr.trim().split('\n').at(-1)}`)));
  exited.catch(() => undefined);
  const [line] = await Promise.race([once(lines, 'line'), exited]);
  const ready = JSON.parse(line);
  return {
    url: ready.url,
    rpcUrl: `${ready.url}/rpc`,
    apiKey: ready.api_key,
    gatewayPid: child.pid,
    operators: ready.operators.map((op) => ({ url: op.url, pid: op.pid })),
    stop: async () => {
      if (child.exitCode !== null) return;
      const done = once(child, 'exit');
      child.kill('SIGTERM');
      await done;
    },
  };
}

/**
 * Publishes examples/spend-limit as `owner` and registers a fresh client on it (owner-signed),
 * then checks one newt_createTask allows. Returns `{ client, policyClient, body, first }`:
 * `body` is the createTask JSON-RPC request every measured request sends.
 */
export async function setupSpendLimitClient(devnet, owner) {
  const client = new NewtonClient({ url: devnet.rpcUrl, apiKey: devnet.apiKey });
  const { policy_address: policy } = await client.publishPolicy({
    owner: owner.address, policy: spendLimit.source, entrypoint: spendLimit.entrypoint, params_schema: spendLimit.paramsSchema,
  });
  const policyClient = privateKeyToAccount(generatePrivateKey()).address;
  const { gateway_nonce: nonce } = await client.getNonce(owner.address);
  const message = { policyClient, owner: owner.address, policy, policyParamsHash: keccak256(toHex(spendLimit.paramsText)), expireAfter: 100 };
  const authorization = await signOwnerAuthorization(owner, 'RegisterPolicyClient', message, { chainId: CHAIN_ID, nonce });
  await client.registerPolicyClient({ policy_client: policyClient, owner: owner.address, policy, policy_params: spendLimit.paramsText, expire_after: 100, authorization });
  const params = { policy_client: policyClient, intent: spendLimit.intent };
  const first = await client.createTask(params);
  if (first.status !== 'success' || first.task_response.evaluation_result.at(-1) !== 1) {
    throw new Error(`createTask must allow: ${JSON.stringify(first).slice(0, 500)}`);
  }
  return { client, policyClient, first, body: { jsonrpc: '2.0', id: 1, method: 'newt_createTask', params } };
}

export const percentile = (sorted, p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];

/**
 * autocannon with every response's latency: its histogram keeps whole milliseconds, so p50/p99
 * come from the float times of its 'response' events. Every response must be a JSON-RPC result.
 */
export function cannon(options) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    const instance = autocannon(
      { method: 'POST', ...options, verifyBody: (text) => !text.includes('"error":{') },
      (err, result) => (err ? reject(err) : resolve({ result, latencies: latencies.sort((a, b) => a - b) })),
    );
    instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  });
}

/** The request options of a createTask run against `devnet`. */
export const createTaskRequest = (devnet, body) => ({
  url: devnet.rpcUrl,
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', authorization: `Bearer ${devnet.apiKey}` },
});

/** A run's numbers: tasks/s, p50/p99/mean, and failures of every kind. */
export function summarize({ result: r, latencies }) {
  return {
    tasksPerS: r.requests.total / (r.duration || 1),
    requests: r.requests.total,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    mean: latencies.length > 0 ? latencies.reduce((a, b) => a + b, 0) / latencies.length : NaN,
    failures: r.errors + r.timeouts + r.non2xx + r.mismatches,
    failureText: `${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx, ${r.mismatches} JSON-RPC errors`,
    durationS: r.duration,
  };
}

// ---- /proc ----
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** CPU ms a process used so far, all its threads (utime + stime); NaN once it is gone. */
export function processCpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
  } catch {
    return Number.NaN;
  }
}

/** The pids of a process's children (recursively), from /proc/<pid>/task/<tid>/children. */
export function descendants(pid) {
  let children = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      children.push(...readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
    }
  } catch {
    // gone
  }
  children = [...new Set(children)];
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/** CPU ms the whole machine spent busy (every core), from /proc/stat. */
export function machineBusyMs() {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  return ((user + nice + system + irq + softirq + steal) * 1000) / TICKS;
}

/** Resident set size in KiB (VmRSS), NaN once the process is gone. */
export function rssKiB(pid) {
  try {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  } catch {
    return Number.NaN;
  }
}
