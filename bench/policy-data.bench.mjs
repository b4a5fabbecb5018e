// PolicyData: our wasmtime host (TS API) beside the same components run through `jco transpile`
// in Node, on a trivial WAT component (returns `{}`) and a 4-line JS oracle (componentize-js).
// Every "fresh" row instantiates a new instance per run, as operators must for isolation; the
// jco "reused instance" row is the lower bound. Env: BENCH_TIME_MS = time per row (default 2000),
// BENCH_COLD_RUNS = cold compiles per component (default 3).
import { parse, transpile } from '@bytecodealliance/jco';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { PolicyDataHost, buildPolicyData } from '../bindings/dist/index.js';
import { printMachine, ratio, us, warnIfAddonStale } from './lib/report.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const TIME = Number(process.env.BENCH_TIME_MS ?? 2000);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 3);
const INPUT = '{"a":1}';
const version = (pkg) => JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;

printMachine();
warnIfAddonStale();

// The two components: built once (the JS oracle through the tests' build cache).
const trivialWasm = await parse(readFileSync(join(root, 'test/fixtures/policy-data/trivial.wat'), 'utf8'));
const built = await buildPolicyData({
  source: join(root, 'test/fixtures/policy-data/echo.js'),
  cacheDir: join(root, 'node_modules/.cache/newton-policy-data'),
});
const components = {
  trivial: { wasm: trivialWasm, expected: '{}' },
  'JS oracle': { wasm: built.wasm, expected: `{"echo":${INPUT}}` },
};
console.log(
  `components: trivial WAT ${trivialWasm.byteLength} B; JS oracle (test/fixtures/policy-data/echo.js, componentize-js ${built.componentizeVersion}) ${(built.wasm.byteLength / 2 ** 20).toFixed(1)} MiB`,
);
console.log(`jco ${version('@bytecodealliance/jco')} (transpile, instantiation: 'async'), tinybench rows of ${TIME} ms\n`);

const must = (what, got, want) => {
  if (got !== want) throw new Error(`${what}: got ${got}, want ${want}`);
};

// Cold compile: a new host with an empty artifact cache, then load (validate, check imports,
// compile with Cranelift, write the artifact). Then warm load: a new host on that filled cache.
const cold = {};
for (const [name, { wasm }] of Object.entries(components)) {
  const times = { cold: [], cached: [] };
  for (let i = 0; i < COLD_RUNS; i++) {
    const cacheDir = mkdtempSync(join(tmpdir(), 'newton-bench-pd-'));
    try {
      let t = process.hrtime.bigint();
      await new PolicyDataHost({ cacheDir }).load(wasm);
      times.cold.push(Number(process.hrtime.bigint() - t));
      t = process.hrtime.bigint();
      await new PolicyDataHost({ cacheDir }).load(wasm);
      times.cached.push(Number(process.hrtime.bigint() - t));
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  cold[name] = { cold: mean(times.cold), cached: mean(times.cached) };
}

// Our host: one loaded module per component; every run gets a fresh instance from its InstancePre.
const host = new PolicyDataHost();
const ours = {};
for (const [name, { wasm, expected }] of Object.entries(components)) {
  ours[name] = await host.load(wasm);
  must(`our ${name} output`, ours[name].runSync(INPUT).output, expected);
}

// jco: transpile once into a temp dir, compile its core modules once, then either instantiate per
// run or reuse one instance.
const jcoImports = {
  'newton:provider/http': { fetch: () => ({ status: 500, headers: [], body: new Uint8Array() }) },
  'newton:provider/secrets': { get: () => ({ value: new TextEncoder().encode('{}') }) },
  'newton:provider/tlsn': {
    verifyFromCid: () => {
      throw 'unsupported';
    },
    verify: () => {
      throw 'unsupported';
    },
  },
};
const jcoDir = mkdtempSync(join(tmpdir(), 'newton-bench-jco-'));
const jco = {};
try {
  for (const [name, { wasm, expected }] of Object.entries(components)) {
    const id = name === 'trivial' ? 'trivial' : 'oracle';
    const t = process.hrtime.bigint();
    const { files } = await transpile(wasm, { name: id, instantiation: 'async', noTypescript: true, quiet: true });
    const transpileNs = Number(process.hrtime.bigint() - t);
    const dir = join(jcoDir, id);
    for (const [file, bytes] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), bytes);
    }
    const mod = await import(pathToFileURL(join(dir, `${id}.js`)).href);
    const cores = new Map();
    for (const file of Object.keys(files).filter((f) => f.endsWith('.wasm'))) {
      cores.set(file, await WebAssembly.compile(readFileSync(join(dir, file))));
    }
    const getCoreModule = (file) => cores.get(file);
    const instantiate = () => mod.instantiate(getCoreModule, jcoImports);
    const fresh = async () => (await instantiate()).run(INPUT);
    const reused = await instantiate();
    must(`jco ${name} output (fresh)`, await fresh(), expected);
    must(`jco ${name} output (reused)`, reused.run(INPUT), expected);
    jco[name] = { instantiate, fresh, reused, transpileNs };
  }

  const bench = new Bench({ name: 'policy-data', time: TIME, warmupTime: Math.min(TIME, 500), throws: true });
  for (const name of Object.keys(components)) {
    bench
      .add(`ours runSync, fresh instance: ${name}`, () => ours[name].runSync(INPUT))
      .add(`ours run() (async), fresh instance: ${name}`, () => ours[name].run(INPUT))
      .add(`jco, fresh instance: ${name}`, () => jco[name].fresh())
      .add(`jco, reused instance: ${name}`, () => jco[name].reused.run(INPUT));
  }
  await bench.run();

  const ns = (task) => bench.getTask(task).result.latency.mean * 1e6;
  const p50 = (task) => bench.getTask(task).result.latency.p50 * 1e6;
  console.log('cold compile and cached load (µs per load, mean):');
  console.table(
    Object.entries(cold).map(([name, c]) => ({
      component: name,
      'ours: new host, empty cacheDir (compile)': us(c.cold),
      'ours: new host, filled cacheDir (artifact)': us(c.cached),
      'jco transpile (once)': us(jco[name].transpileNs),
    })),
  );
  console.log('warm instantiate + run (µs per run):');
  const rows = Object.keys(components).flatMap((name) =>
    [`ours runSync, fresh instance: ${name}`, `ours run() (async), fresh instance: ${name}`, `jco, fresh instance: ${name}`, `jco, reused instance: ${name}`].map(
      (task) => ({ row: task, mean: us(ns(task)), p50: us(p50(task)) }),
    ),
  );
  console.table(rows);

  // Where a fresh JS-oracle run goes: CPU split and page faults per run (ours), and the guest's own
  // first-call cost on a fresh jco instance against its later calls.
  const N = 1000;
  const r0 = process.resourceUsage();
  for (let i = 0; i < N; i++) ours['JS oracle'].runSync(INPUT);
  const r1 = process.resourceUsage();
  const calls = [[], [], []];
  for (let i = 0; i < 50; i++) {
    const inst = await jco['JS oracle'].instantiate();
    for (const times of calls) {
      const t = process.hrtime.bigint();
      inst.run(INPUT);
      times.push(Number(process.hrtime.bigint() - t));
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const fuel = ours['JS oracle'].runSync(INPUT).fuel_consumed;
  console.log(`ours, JS oracle fresh run: user ${us(((r1.userCPUTime - r0.userCPUTime) * 1000) / N)} µs + system ${us(((r1.systemCPUTime - r0.systemCPUTime) * 1000) / N)} µs CPU, ${((r1.minorPageFault - r0.minorPageFault) / N).toFixed(0)} minor page faults, ${fuel} fuel per run`);
  console.log(`jco, one fresh instance: call 1 ${us(median(calls[0]))} µs, call 2 ${us(median(calls[1]))} µs, call 3 ${us(median(calls[2]))} µs (median of 50)\n`);

  const f = (name) => ns(`ours runSync, fresh instance: ${name}`);
  const verdicts = [
    ratio('ours trivial fresh run / 20 µs', f('trivial'), 20_000, '≤ 1.00×', (x) => x <= 1),
    ratio('ours JS oracle fresh run / 100 µs', f('JS oracle'), 100_000, '≤ 1.00×', (x) => x <= 1),
    ratio('jco fresh / ours fresh: JS oracle', ns('jco, fresh instance: JS oracle'), f('JS oracle'), '≥ 20×', (x) => x >= 20),
    ratio('jco fresh / ours fresh: trivial', ns('jco, fresh instance: trivial'), f('trivial')),
    ratio('ours fresh / jco reused: JS oracle', f('JS oracle'), ns('jco, reused instance: JS oracle')),
    ratio('ours fresh / jco reused: trivial', f('trivial'), ns('jco, reused instance: trivial')),
    ratio('ours async run() / runSync: JS oracle', ns('ours run() (async), fresh instance: JS oracle'), f('JS oracle')),
  ];
  console.log('ratios:');
  console.table(verdicts);
  for (const v of verdicts.filter((v) => v.verdict !== 'info')) console.log(`${v.verdict === 'PASS' ? 'PASS' : 'FAIL'}: ${v.ratio} = ${v.value} (target ${v.target})`);
} finally {
  rmSync(jcoDir, { recursive: true, force: true });
}
