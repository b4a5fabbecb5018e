// Policy engine: the TS API beside the raw Rust crate and OPA, on the bench policy
// (bench/fixtures/policy, a 50-address blocklist over params) and a quickstart-size policy
// (bench/fixtures/policy-quickstart, per-call overhead dominates).
// Env: BENCH_TIME_MS = time budget per tinybench row (default 2000).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { Policy, parseIntent } from '../bindings/dist/index.js';
import { findOpa, runCrate, runOpa } from './lib/peers.mjs';
import { micros, printMachine, printRatios, ratio, us, warnIfAddonStale } from './lib/report.mjs';
import { packageVersion, writeResults } from './lib/results.mjs';

const FIXTURES = [
  { name: 'bench policy', dir: 'policy', entrypoint: 'bench_policy.allow' },
  { name: 'quickstart-size', dir: 'policy-quickstart', entrypoint: 'bench_quickstart.allow' },
];
const CONCURRENCY = 256;
const CRATE_ITERATIONS = 20_000;
const OPA_COUNT = 5;

/** The fixture's module and request; the request is byte-for-byte what bench_policy.rs builds. */
function load({ dir }) {
  const fixtureDir = fileURLToPath(new URL(`fixtures/${dir}/`, import.meta.url));
  const read = (name) => readFileSync(join(fixtureDir, name), 'utf8').trim();
  const requestJson = `{"intent":${read('intent.json')},"params":${read('params.json')},"wasm":${read('wasm.json')}}`;
  return { fixtureDir, modules: [{ path: 'policy.rego', source: read('policy.rego') }], requestJson };
}

printMachine();
warnIfAddonStale();
const bench = new Bench({ name: 'policy', time: Number(process.env.BENCH_TIME_MS ?? 2000), throws: true });
const runs = FIXTURES.map((fixture) => {
  const { fixtureDir, modules, requestJson } = load(fixture);
  const request = JSON.parse(requestJson);
  const policy = Policy.compileSync(modules, fixture.entrypoint);
  const decision = policy.evaluateSync(requestJson);
  if (!decision.allow) throw new Error(`${fixture.name}: the fixture must allow; got ${JSON.stringify(decision)}`);
  const n = (row) => `${fixture.name}: ${row}`;
  bench
    .add(n('TS Policy.compileSync'), () => Policy.compileSync(modules, fixture.entrypoint))
    .add(n('TS evaluateSync(json string)'), () => policy.evaluateSync(requestJson))
    .add(n('TS evaluateSync(object)'), () => policy.evaluateSync(request))
    .add(n(`TS evaluate() ×${CONCURRENCY} concurrent`), () =>
      Promise.all(Array.from({ length: CONCURRENCY }, () => policy.evaluate(requestJson))),
    );
  return { fixture, fixtureDir, modules, requestJson, request, decision, n };
});
console.log(`decisions: allow=true for ${FIXTURES.map((f) => f.name).join(', ')} (every row evaluates the full policy)\n`);
await bench.run();
console.table(bench.table());

// Side by side, ns per operation (tinybench reports ms per task run).
const ts = (name, per = 1) => {
  const { latency } = bench.getTask(name).result;
  return { mean: (latency.mean * 1e6) / per, p50: (latency.p50 * 1e6) / per, p99: (latency.p99 * 1e6) / per };
};
const opaBin = findOpa();
const rows = [];
const ratios = [];
let opaVersion = null;
for (const { fixture, fixtureDir, modules, requestJson, request, decision, n } of runs) {
  console.log(`${fixture.name}: raw crate (cargo run --release --example bench_policy) and OPA (opa bench) …`);
  const crate = runCrate(fixtureDir, CRATE_ITERATIONS, CRATE_ITERATIONS / 10);
  if (!crate.skipped && crate.request_bytes !== Buffer.byteLength(requestJson)) {
    throw new Error(`raw crate request is ${crate.request_bytes} bytes, TS sends ${Buffer.byteLength(requestJson)}`);
  }
  const opa = runOpa(opaBin, {
    source: modules[0].source,
    query: `data.${fixture.entrypoint}`,
    input: parseIntent(request.intent),
    data: { params: request.params, wasm: request.wasm },
    count: OPA_COUNT,
  });
  if (!opa.skipped && opa.allow !== decision.allow) {
    throw new Error(`${fixture.name}: OPA decided ${opa.allow}, we decided ${decision.allow}`);
  }
  opaVersion ??= opa.version ?? null;
  const r = {
    compileTs: { row: n('TS Policy.compileSync'), ...ts(n('TS Policy.compileSync')) },
    compileCrate: { row: n('raw crate Policy::compile'), mean: crate.compile_ns, note: crate.skipped },
    evalString: { row: n('TS evaluateSync(json string)'), ...ts(n('TS evaluateSync(json string)')) },
    evalObject: { row: n('TS evaluateSync(object) (+ JSON.stringify)'), ...ts(n('TS evaluateSync(object)')) },
    evalAsync: {
      row: n(`TS evaluate(), per eval of ${CONCURRENCY} concurrent`),
      ...ts(n(`TS evaluate() ×${CONCURRENCY} concurrent`), CONCURRENCY),
      note: 'throughput on the libuv pool, not latency',
    },
    evalCrate: {
      row: n('raw crate Policy::evaluate_json'),
      mean: crate.evaluate_ns,
      p50: crate.evaluate_p50_ns,
      p99: crate.evaluate_p99_ns,
      note: crate.skipped ?? `p50/p99 of ${CRATE_ITERATIONS / 50} batches of 50`,
    },
    evalUncached: {
      row: n('raw crate, params cache off'),
      mean: crate.evaluate_uncached_ns,
      note: crate.skipped ?? 'Limits::params_cache_entries = 0',
    },
    evalOpa: {
      row: n('OPA prepared Eval (opa bench)'),
      mean: opa.evaluate_ns,
      note: opa.skipped ?? `OPA ${opa.version}, mean of ${OPA_COUNT} Go benchmark runs`,
    },
  };
  rows.push(...Object.values(r));
  const name = fixture.name;
  const main = fixture.dir === 'policy';
  ratios.push(
    // The quickstart row shows the per-call cost: napi's fixed ≈2 µs is a fifth of its evaluation.
    main
      ? ratio(`${name}: TS evaluateSync(json) / raw crate`, r.evalString.mean, r.evalCrate.mean, '≤ 1.10×', (x) => x <= 1.1)
      : ratio(`${name}: TS evaluateSync(json) / raw crate`, r.evalString.mean, r.evalCrate.mean),
    main
      ? ratio(`${name}: OPA eval / TS evaluateSync(json)`, r.evalOpa.mean, r.evalString.mean, '≥ 3.00×', (x) => x >= 3)
      : ratio(`${name}: OPA eval / TS evaluateSync(json)`, r.evalOpa.mean, r.evalString.mean),
    ratio(`${name}: OPA eval / raw crate evaluate`, r.evalOpa.mean, r.evalCrate.mean),
    ratio(`${name}: raw crate, cache off / on`, r.evalUncached.mean, r.evalCrate.mean),
    ratio(`${name}: TS compileSync / raw crate compile`, r.compileTs.mean, r.compileCrate.mean),
  );
}

console.log('side by side (µs per operation):');
console.table(
  rows.map(({ row, mean, p50, p99, note }) => ({
    row,
    'mean µs': us(mean),
    'p50 µs': us(p50),
    'p99 µs': us(p99),
    note: note ?? '',
  })),
);
console.log('ratios:');
printRatios(ratios);
const notes = [
  'Every row runs a fixture (bench/fixtures/policy, bench/fixtures/policy-quickstart) with allow=true, so the whole policy is evaluated.',
  'TS and raw-crate rows take the same request JSON: they parse it, ABI-decode the intent, load params/wasm as data and serialize the Decision. OPA does strictly less: its input is the already-parsed intent (from parseIntent), its data {params, wasm} sits in its store, and opa bench runs PrepareForEval once and times only Eval (no result rendering; --metrics=false).',
  'Every request carries the same params, so after the first call the params cache (converted data.params, params-only rule values) hits; "params cache off" is the same policy compiled with paramsCacheEntries 0.',
  `The async row divides one batch of ${CONCURRENCY} evaluations by ${CONCURRENCY}: throughput on ${process.env.UV_THREADPOOL_SIZE ?? 4} libuv threads over the machine's cores, not single-call latency.`,
];
console.log(`notes:\n${notes.map((x) => `- ${x}`).join('\n')}`);

writeResults('policy', {
  // Compile times get their own column, so the chart (mean µs) compares evaluations only.
  rows: rows.map(({ row, mean, p50, p99, note }) => ({
    row,
    'mean µs': row.includes('ompile') ? null : micros(mean),
    'compile µs': row.includes('ompile') ? micros(mean) : null,
    'p50 µs': micros(p50),
    'p99 µs': micros(p99),
    note: note ?? '',
  })),
  ratios,
  chart: { title: 'Rego evaluation, µs per decision', value: 'mean µs', unit: 'µs' },
  versions: { opa: opaVersion, tinybench: packageVersion('tinybench') },
  notes,
});
