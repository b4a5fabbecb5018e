// `newton policy bench`: `opa bench` for a Newton policy. It takes `policy eval`'s options (policy.ts),
// decides once as eval does, then times Policy.evaluateSync on that request and counts the V8 heap
// bytes each evaluation allocates.
import { isDeepStrictEqual } from 'node:util';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { InvalidArgumentError, type Command } from 'commander';
import { NewtonError } from '../errors.js';
import type { Decision, Policy } from '../policy.js';
import { positiveInt, usage } from './exit.js';
import type { Cli } from './output.js';
import { addEvalOptions, prepareEvaluation, type EvalFlags } from './policy.js';

const ABOUT = `Decides once as \`policy eval\` does (PolicyData run, the decision printed; a decision with an
evaluation error fails with its code, exit 1), then times Policy.evaluateSync on the same request:
the synchronous path, on this thread, as one JSON text the engine parses each time (the napi call,
request parsing, evaluation and the Decision's JSON; PolicyData is not run again). After a warm-up
(up to 100 evaluations or 100 ms) it runs --count N evaluations, or as many as fit in --time
seconds (default 1), and reports iterations, ns_per_op (elapsed / iterations) and p50/p90/p99 of
the per-evaluation times.

heap_bytes_per_op: V8 heap bytes allocated per evaluation (the Decision's JSON string and the
object parsed from it, the call's own garbage). Counted over a separate untimed pass of up to
1000 evaluations as the growth of the used heap plus what each garbage collection during the pass
freed (v8.GCProfiler), less the same for an empty pass. The engine's own allocations are made in
Rust, outside the V8 heap, and are not counted: native_bytes_per_op is null ("not measured").

The private-task options (--privacy-key) are refused: bench times plaintext data, given as
--privacy, --identity and --confidential.`;

const WARMUP = { evaluations: 100, ms: 100 };
const HEAP_PASS_EVALUATIONS = 1000;

interface BenchFlags extends EvalFlags {
  count?: number;
  time?: number;
}

/** What `policy bench --format json` prints. */
export interface BenchReport {
  entrypoint: string;
  decision: Decision;
  /** What the loop timed. */
  timed: 'Policy.evaluateSync';
  iterations: number;
  elapsed_ns: number;
  ns_per_op: number;
  p50_ns: number;
  p90_ns: number;
  p99_ns: number;
  /** V8 heap bytes allocated per evaluation, over `heap_sample_ops` evaluations. */
  heap_bytes_per_op: number;
  heap_sample_ops: number;
  /** Not measured: the engine allocates in Rust, outside the V8 heap. */
  native_bytes_per_op: null;
}

export function addPolicyBench(area: Command, cli: Cli): void {
  addEvalOptions(
    area.command('bench').description('time evaluations of a policy (opa bench style): ns/op, p50/p90/p99 and V8 heap bytes/op'),
  )
    .option('--count <N>', 'evaluations to time (default: as many as fit in --time)', positiveInt)
    .option('--time <SECONDS>', 'how long to time evaluations without --count (default 1)', positiveSeconds)
    .addHelpText('after', `\n${ABOUT}`)
    .action((files: string[], opts: BenchFlags) => bench(cli, [...(opts.policy ?? []), ...files], opts));
}

async function bench(cli: Cli, policies: string[], opts: BenchFlags): Promise<void> {
  if (opts.count !== undefined && opts.time !== undefined) throw usage('give either --count or --time, not both');
  if ((opts.privacyKey ?? []).length > 0) {
    throw usage('policy bench times plaintext data: give it as --privacy, --identity and --confidential instead of --privacy-key');
  }
  const { policy, evaluator, simulation } = await prepareEvaluation(cli, policies, opts);
  const simulated = await evaluator.simulate(policy, simulation);
  const { decision } = simulated;
  if (decision.error) {
    throw new NewtonError({ ...decision.error, message: `${policy.entrypoint} errors, nothing to time: ${decision.error.message}` });
  }
  // What the engine saw, data.wasm included (PolicyData already run): the request every timed call parses.
  const request = JSON.stringify({
    input: simulated.input,
    params: simulated.params,
    wasm: simulated.wasm,
    privacy: simulation.privacy,
    identity: simulation.identity,
    confidential: simulation.confidential,
    reference_date: simulation.reference_date,
  });
  const again = policy.evaluateSync(request);
  if (!isDeepStrictEqual(again, decision)) {
    throw new NewtonError({
      code: 'NEWTON_ERR_INTERNAL',
      message: 'Policy.evaluateSync decided differently from the simulation on the same data',
      details: { simulated: decision, evaluated: again },
    });
  }
  const timed = time(policy, request, opts.count, (opts.time ?? 1) * 1000);
  const heapOps = Math.min(timed.iterations, HEAP_PASS_EVALUATIONS);
  const report: BenchReport = {
    entrypoint: policy.entrypoint,
    decision,
    timed: 'Policy.evaluateSync',
    iterations: timed.iterations,
    elapsed_ns: Math.round(timed.elapsedNs),
    ns_per_op: Math.round(timed.elapsedNs / timed.iterations),
    p50_ns: percentile(timed.sorted, 0.5),
    p90_ns: percentile(timed.sorted, 0.9),
    p99_ns: percentile(timed.sorted, 0.99),
    heap_bytes_per_op: Math.max(0, Math.round(heapBytesPerOp(policy, request, heapOps))),
    heap_sample_ops: heapOps,
    native_bytes_per_op: null,
  };
  if (opts.format === 'json') cli.out(JSON.stringify(report, null, 2));
  else cli.data('pretty', prettyReport(report));
}

/** Per-evaluation times (ns, sorted) and the loop's elapsed time, after a warm-up. */
function time(policy: Policy, request: string, count: number | undefined, budgetMs: number) {
  const warmupStart = performance.now();
  for (let i = 0; i < WARMUP.evaluations && performance.now() - warmupStart < WARMUP.ms; i++) policy.evaluateSync(request);
  // Each sample runs from the end of the previous one, so the samples add up to the elapsed time.
  let samples = new Float64Array(count ?? 4096);
  let n = 0;
  const start = performance.now();
  let now = start;
  while (count === undefined ? now - start < budgetMs : n < count) {
    const before = now;
    policy.evaluateSync(request);
    now = performance.now();
    if (n === samples.length) samples = grown(samples);
    samples[n++] = (now - before) * 1e6;
  }
  return { iterations: n, elapsedNs: (now - start) * 1e6, sorted: samples.subarray(0, n).sort() };
}

function grown(samples: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const bigger = new Float64Array(samples.length * 2);
  bigger.set(samples);
  return bigger;
}

/** The nearest-rank percentile of sorted samples, in whole ns. */
function percentile(sorted: Float64Array, q: number): number {
  return Math.round(sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0);
}

/** V8 heap bytes allocated per evaluation over `ops` evaluations, less the measuring's own. */
function heapBytesPerOp(policy: Policy, request: string, ops: number): number {
  const evaluate = (n: number) => {
    for (let i = 0; i < n; i++) policy.evaluateSync(request);
  };
  heapAllocated(evaluate, 1); // the measuring code's own first-call allocations (bytecode, feedback)
  const empty = heapAllocated(evaluate, 0);
  return (heapAllocated(evaluate, ops) - empty) / ops;
}

/** Bytes `work(n)` allocates on the V8 heap: the growth of the used heap plus what each GC during it freed. */
function heapAllocated(work: (n: number) => void, n: number): number {
  const profiler = new GCProfiler();
  const before = getHeapStatistics().used_heap_size;
  profiler.start();
  work(n);
  const after = getHeapStatistics().used_heap_size;
  const { statistics } = profiler.stop();
  const freed = statistics.reduce((sum, gc) => sum + gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize, 0);
  return after - before + freed;
}

function prettyReport(r: BenchReport): Record<string, string> {
  const d = r.decision;
  const verdict = d.allow ? 'ALLOW' : `DENY${d.reason ? ` (${d.reason})` : d.result !== undefined ? ` (result ${JSON.stringify(d.result)})` : ''}`;
  return {
    entrypoint: r.entrypoint,
    decision: verdict,
    timed: `${r.timed}, ${r.iterations} evaluations in ${(r.elapsed_ns / 1e9).toFixed(2)} s`,
    iterations: String(r.iterations),
    ns_per_op: String(r.ns_per_op),
    p50_ns: String(r.p50_ns),
    p90_ns: String(r.p90_ns),
    p99_ns: String(r.p99_ns),
    heap_bytes_per_op: `${r.heap_bytes_per_op}  (V8 heap, over ${r.heap_sample_ops} evaluations)`,
    native_bytes_per_op: 'not measured (the engine allocates in Rust, outside the V8 heap)',
  };
}

/** An option parser accepting a positive number of seconds. */
function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('Expected a positive number of seconds.');
  return n;
}
