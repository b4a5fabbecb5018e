// Policy engine: the TS API beside the raw Rust crate and OPA, on one Newton policy
// (bench/fixtures/policy). Env: BENCH_TIME_MS = time budget per tinybench row (default 2000).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { Policy, parseIntent } from '../bindings/dist/index.js';
import { findOpa, runCrate, runOpa } from './lib/peers.mjs';
import { printMachine, ratio, us, warnIfAddonStale } from './lib/report.mjs';

const FIXTURE_DIR = fileURLToPath(new URL('fixtures/policy/', import.meta.url));
const ENTRYPOINT = 'bench_policy.allow';
const CONCURRENCY = 256;
const CRATE_ITERATIONS = 20_000;
const OPA_COUNT = 5;

const read = (name) => readFileSync(join(FIXTURE_DIR, name), 'utf8').trim();
const modules = [{ path: 'policy.rego', source: read('policy.rego') }];
// Byte-for-byte the request bench_policy.rs builds: the raw fixture files spliced together.
const requestJson = `{"intent":${read('intent.json')},"params":${read('params.json')},"wasm":${read('wasm.json')}}`;
const request = JSON.parse(requestJson);

printMachine();
warnIfAddonStale();
const policy = Policy.compileSync(modules, ENTRYPOINT);
const decision = policy.evaluateSync(requestJson);
if (!decision.allow) throw new Error(`the fixture must allow; got ${JSON.stringify(decision)}`);
console.log(`decision: allow=${decision.allow} (every row evaluates the full policy)\n`);

const bench = new Bench({ name: 'policy', time: Number(process.env.BENCH_TIME_MS ?? 2000), throws: true });
bench
  .add('TS Policy.compileSync', () => Policy.compileSync(modules, ENTRYPOINT))
  .add('TS evaluateSync(json string)', () => policy.evaluateSync(requestJson))
  .add('TS evaluateSync(object)', () => policy.evaluateSync(request))
  .add(`TS evaluate() ×${CONCURRENCY} concurrent`, () =>
    Promise.all(Array.from({ length: CONCURRENCY }, () => policy.evaluate(requestJson))),
  );
await bench.run();
console.table(bench.table());

console.log('raw crate: cargo run --release --example bench_policy …');
const crate = runCrate(FIXTURE_DIR, CRATE_ITERATIONS, CRATE_ITERATIONS / 10);
if (!crate.skipped && crate.request_bytes !== Buffer.byteLength(requestJson)) {
  throw new Error(`raw crate request is ${crate.request_bytes} bytes, TS sends ${Buffer.byteLength(requestJson)}`);
}
console.log('OPA: opa eval + opa bench …\n');
const opa = runOpa(findOpa(), {
  source: modules[0].source,
  query: `data.${ENTRYPOINT}`,
  input: parseIntent(request.intent),
  data: { params: request.params, wasm: request.wasm },
  count: OPA_COUNT,
});
if (!opa.skipped && opa.allow !== decision.allow) {
  throw new Error(`OPA decided ${opa.allow}, we decided ${decision.allow}`);
}

// Side by side, ns per operation (tinybench reports ms per task run).
const ts = (name, per = 1) => {
  const { latency } = bench.getTask(name).result;
  return { mean: (latency.mean * 1e6) / per, p50: (latency.p50 * 1e6) / per, p99: (latency.p99 * 1e6) / per };
};
const rows = {
  compileTs: { row: 'TS Policy.compileSync', ...ts('TS Policy.compileSync') },
  compileCrate: { row: 'raw crate Policy::compile', mean: crate.compile_ns, note: crate.skipped },
  evalString: { row: 'TS evaluateSync(json string)', ...ts('TS evaluateSync(json string)') },
  evalObject: { row: 'TS evaluateSync(object) (+ JSON.stringify)', ...ts('TS evaluateSync(object)') },
  evalAsync: {
    row: `TS evaluate(), per eval of ${CONCURRENCY} concurrent`,
    ...ts(`TS evaluate() ×${CONCURRENCY} concurrent`, CONCURRENCY),
    note: 'throughput on the libuv pool, not latency',
  },
  evalCrate: {
    row: 'raw crate Policy::evaluate_json',
    mean: crate.evaluate_ns,
    p50: crate.evaluate_p50_ns,
    p99: crate.evaluate_p99_ns,
    note: crate.skipped ?? `p50/p99 of ${CRATE_ITERATIONS / 50} batches of 50`,
  },
  evalOpa: {
    row: 'OPA prepared Eval (opa bench)',
    mean: opa.evaluate_ns,
    note: opa.skipped ?? `OPA ${opa.version}, mean of ${OPA_COUNT} Go benchmark runs`,
  },
};
console.log('side by side (µs per operation):');
console.table(
  Object.values(rows).map(({ row, mean, p50, p99, note }) => ({
    row,
    'mean µs': us(mean),
    'p50 µs': us(p50),
    'p99 µs': us(p99),
    note: note ?? '',
  })),
);

console.log('ratios:');
console.table([
  ratio('TS evaluateSync(json) / raw crate', rows.evalString.mean, rows.evalCrate.mean, '≤ 1.50×', (r) => r <= 1.5),
  ratio('TS evaluateSync(json) / OPA eval', rows.evalString.mean, rows.evalOpa.mean, '< 1.00× (faster)', (r) => r < 1),
  ratio('raw crate evaluate / OPA eval', rows.evalCrate.mean, rows.evalOpa.mean),
  ratio('TS compileSync / raw crate compile', rows.compileTs.mean, rows.compileCrate.mean),
]);
console.log(`notes:
- Every row runs bench/fixtures/policy with allow=true, so the whole policy is evaluated.
- TS and raw-crate rows take the same request JSON: they parse it, ABI-decode the intent, load
  params/wasm as data and serialize the Decision. OPA does strictly less: its input is the
  already-parsed intent (from parseIntent), its data {params, wasm} sits in its store, and
  opa bench runs PrepareForEval once and times only Eval (no result rendering; --metrics=false).
- The async row divides one batch of ${CONCURRENCY} evaluations by ${CONCURRENCY}: it is throughput on
  ${process.env.UV_THREADPOOL_SIZE ?? 4} libuv threads over the machine's cores, not single-call latency.`);
