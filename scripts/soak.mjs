// `npm run soak`: a devnet with 4 operator processes (bench/lib/devnet-server.mjs: startDevnet in a
// child process; examples/spend-limit), a short ramp of closed-loop connections to find the most
// tasks/s it sustains (no failure, p99 ≤ SOAK_P99_MS), then SOAK_MINUTES at 80 % of that, paced
// evenly. Every SOAK_REPORT_S it prints tasks/s, p50/p99, failures and the RSS (VmRSS) of the
// gateway and of each operator process. At the end it asserts no failure at all and RSS growth
// < 10 % per process: the highest RSS sample (every 5 s) in the minute after the warm-up minute
// against the highest in the last minute. A V8 process's RSS drops by up to 20 % when its
// collector gives memory back and then regrows to the same peak, so single samples or medians
// judge the collector; a leak raises the peaks. Exits 1 with the reasons otherwise. Not part of `npm test`. Env: SOAK_MINUTES (10, warm-up included),
// SOAK_WARMUP_MINUTES (1), SOAK_REPORT_S (30), SOAK_OPERATORS (4), SOAK_RAMP_S (10 per step),
// SOAK_P99_MS (1000), SOAK_RATE (tasks/s: skip the ramp).
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { percentile, rssKiB, setupSpendLimitClient, startDevnetChild } from '../bench/lib/devnet-load.mjs';

const env = process.env;
const MINUTES = Number(env.SOAK_MINUTES ?? 10);
const WARMUP_MINUTES = Number(env.SOAK_WARMUP_MINUTES ?? 1);
const REPORT_S = Number(env.SOAK_REPORT_S ?? 30);
const OPERATORS = Number(env.SOAK_OPERATORS ?? 4);
const RAMP_S = Number(env.SOAK_RAMP_S ?? 10);
const P99_LIMIT_MS = Number(env.SOAK_P99_MS ?? 1000);
const LOAD = 0.8;
const RSS_GROWTH_LIMIT = 0.1;
const RSS_EVERY_MS = 5_000;
const RSS_WINDOW_MS = Math.min(60_000, ((MINUTES - WARMUP_MINUTES) * 60_000) / 2);
if (RSS_WINDOW_MS < 2 * RSS_EVERY_MS) throw new RangeError('SOAK_MINUTES must leave time after the warm-up to compare RSS');

const owner = privateKeyToAccount(generatePrivateKey());
const started = Date.now();
const clock = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s`;
const log = (line) => console.log(`${clock()}  ${line}`);

const devnet = await startDevnetChild('processes', OPERATORS, owner);
const stop = () => devnet.stop();
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void stop().then(() => process.exit(130)));
const setup = await setupSpendLimitClient(devnet, owner);
const body = JSON.stringify(setup.body);
const headers = { 'content-type': 'application/json', authorization: `Bearer ${devnet.apiKey}` };
const processes = [{ name: 'gateway', pid: devnet.gatewayPid }, ...devnet.operators.map((op, i) => ({ name: `operator ${i + 1}`, pid: op.pid }))];
log(`devnet: gateway ${devnet.url} (pid ${devnet.gatewayPid}), ${OPERATORS} operator processes (pids ${devnet.operators.map((op) => op.pid).join(', ')})`);

/** One createTask; resolves to its latency in ms, or throws with why it failed. */
async function task() {
  const t0 = performance.now();
  const response = await fetch(devnet.rpcUrl, { method: 'POST', headers, body });
  const reply = await response.json();
  const ms = performance.now() - t0;
  if (reply.error) throw new Error(`${reply.error.data?.code ?? reply.error.code}: ${reply.error.message}`);
  const result = reply.result;
  if (result?.status !== 'success') throw new Error(`task ${result?.status}: ${result?.error?.code} ${result?.error?.message}`);
  if (result.task_response.evaluation_result.at(-1) !== 1) throw new Error('task denied');
  return ms;
}

/** Counts of one stretch of load. */
class Window {
  latencies = [];
  failures = new Map();
  late = 0;
  t0 = performance.now();
  ok(ms) {
    this.latencies.push(ms);
  }
  fail(err) {
    const why = String(err?.message ?? err).slice(0, 160);
    this.failures.set(why, (this.failures.get(why) ?? 0) + 1);
  }
  get failed() {
    return [...this.failures.values()].reduce((a, b) => a + b, 0);
  }
  summary() {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const seconds = (performance.now() - this.t0) / 1000;
    return { tasksPerS: sorted.length / seconds, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), done: sorted.length, failed: this.failed, late: this.late };
  }
}

const send = (window) => task().then((ms) => window.ok(ms), (err) => window.fail(err));

/** `connections` requests always in flight for `seconds`. */
async function closedLoop(connections, seconds) {
  const window = new Window();
  const end = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < end) await send(window);
  }));
  return window;
}

// ---- ramp: closed-loop connections until tasks/s stops growing ----
let rate = Number(env.SOAK_RATE ?? 0);
let maxInFlight = 16;
if (!rate) {
  await closedLoop(4, 10); // warm-up: JIT in every process
  // The best step without failures and with p99 ≤ P99_LIMIT_MS; the ramp ends at a step beyond
  // those or after two steps in a row without 5 % more (one alone is too noisy to call the plateau).
  let best = { tasksPerS: 0, connections: 0 };
  let flat = 0;
  for (const connections of [1, 2, 4, 8, 16, 32]) {
    const step = (await closedLoop(connections, RAMP_S)).summary();
    log(`ramp: ${String(connections).padStart(2)} connections → ${step.tasksPerS.toFixed(1)} tasks/s, p50 ${step.p50?.toFixed(1)} ms, p99 ${step.p99?.toFixed(1)} ms, ${step.failed} failed`);
    if (step.failed > 0 || !(step.p99 <= P99_LIMIT_MS)) break;
    flat = step.tasksPerS < best.tasksPerS * 1.05 ? flat + 1 : 0;
    if (step.tasksPerS > best.tasksPerS) best = { ...step, connections };
    if (flat === 2) break;
  }
  if (best.tasksPerS === 0) {
    await stop();
    console.error('soak: FAILED — the ramp found no failure-free rate');
    process.exit(1);
  }
  rate = Math.max(1, Math.floor(best.tasksPerS * LOAD * 10) / 10);
  maxInFlight = Math.max(16, best.connections * 4); // headroom for latency spikes; beyond it a start is counted late
  log(`max sustainable ≈ ${best.tasksPerS.toFixed(1)} tasks/s (${best.connections} connections, no failure, p99 ${best.p99.toFixed(0)} ms); soaking at ${rate} tasks/s (${LOAD * 100} %), at most ${maxInFlight} in flight`);
}

// ---- soak: tasks started at even intervals; a start that finds maxInFlight busy is late ----
const rss = new Map(processes.map((p) => [p.pid, []])); // [t ms since soak start, KiB]
const soakStart = performance.now();
const rssTimer = setInterval(() => {
  for (const p of processes) rss.get(p.pid).push([performance.now() - soakStart, rssKiB(p.pid)]);
}, RSS_EVERY_MS);
const total = new Window();
let window = new Window();
let inFlight = 0;
const interval = 1000 / rate;
let next = performance.now();
const endAt = soakStart + MINUTES * 60_000;
let nextReport = soakStart + REPORT_S * 1000;
const reports = [];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function report() {
  const s = window.summary();
  const memory = processes.map((p) => `${p.name.replace('operator ', 'op')} ${(rssKiB(p.pid) / 1024).toFixed(0)}`).join(' · ');
  const why = window.failures.size ? `  [${[...window.failures].map(([m, n]) => `${n}× ${m}`).join('; ')}]` : '';
  log(`${s.tasksPerS.toFixed(1)} tasks/s, p50 ${s.p50?.toFixed(1)} ms, p99 ${s.p99?.toFixed(1)} ms, ${s.failed} failed, ${s.late} late | RSS MiB: ${memory}${why}`);
  reports.push(s);
  window = new Window();
  nextReport += REPORT_S * 1000;
}

while (performance.now() < endAt) {
  const now = performance.now();
  if (now >= nextReport) report();
  if (now < next) {
    await sleep(Math.min(next - now, nextReport - now));
    continue;
  }
  next += interval;
  if (inFlight >= maxInFlight) {
    window.late++, total.late++;
    continue;
  }
  inFlight++;
  const w = window;
  void task().then(
    (ms) => (w.ok(ms), total.ok(ms)),
    (err) => (w.fail(err), total.fail(err)),
  ).finally(() => inFlight--);
}
while (inFlight > 0) await sleep(50);
clearInterval(rssTimer);
if (window.latencies.length + window.failed > 0) report();
const gone = processes.filter((p) => !Number.isFinite(rssKiB(p.pid)));
await stop();

// ---- verdict ----
const peakRss = (samples, from, to) => {
  const kib = samples.filter(([t]) => t > from && t <= to).map(([, k]) => k).filter(Number.isFinite);
  return kib.length ? Math.max(...kib) : Number.NaN;
};
const warmEnd = WARMUP_MINUTES * 60_000;
const soakMs = MINUTES * 60_000;
const growth = processes.map((p) => {
  const base = peakRss(rss.get(p.pid), warmEnd, warmEnd + RSS_WINDOW_MS);
  const end = peakRss(rss.get(p.pid), soakMs - RSS_WINDOW_MS, soakMs + RSS_EVERY_MS);
  return { process: `${p.name} (pid ${p.pid})`, 'peak RSS after warm-up MiB': (base / 1024).toFixed(1), 'peak RSS at the end MiB': (end / 1024).toFixed(1), growth: `${(((end - base) / base) * 100).toFixed(1)} %`, ratio: (end - base) / base };
});
const all = total.summary();
console.log(`\nsoak: ${MINUTES} min at ${rate} tasks/s target with ${OPERATORS} operator processes: ${all.done} tasks, ${(all.done / (MINUTES * 60)).toFixed(1)} tasks/s, p50 ${all.p50?.toFixed(1)} ms, p99 ${all.p99?.toFixed(1)} ms, ${all.failed} failed, ${all.late} late starts`);
console.table(growth.map(({ ratio, ...row }) => row));
const reasons = [
  ...(all.failed > 0 ? [`${all.failed} failed tasks: ${[...total.failures].map(([m, n]) => `${n}× ${m}`).join('; ')}`] : []),
  ...gone.map((p) => `${p.name} (pid ${p.pid}) exited during the soak`),
  ...growth.filter((g) => !(g.ratio < RSS_GROWTH_LIMIT)).map((g) => `${g.process}: RSS grew ${g.growth} (limit ${RSS_GROWTH_LIMIT * 100} %)`),
];
console.log(JSON.stringify({ soak: { minutes: MINUTES, operators: OPERATORS, rate, tasks: all.done, p50: all.p50, p99: all.p99, failed: all.failed, late: all.late, rss: growth.map((g) => ({ process: g.process, growth: g.growth })), pass: reasons.length === 0 } }));
if (reasons.length > 0) {
  console.error(`soak: FAILED\n- ${reasons.join('\n- ')}`);
  process.exit(1);
}
console.log(`soak: PASS (no failure; no process's peak RSS grew 10 % from the ${RSS_WINDOW_MS / 1000} s after the warm-up to the last ${RSS_WINDOW_MS / 1000} s)`);
