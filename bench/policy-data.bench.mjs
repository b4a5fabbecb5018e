// PolicyData: our wasmtime host (TS API) beside the same components run through `jco transpile`
// in Node, on a trivial WAT component (returns `{}`) and a 4-line JS oracle (componentize-js);
// then oracles in JavaScript, Python and Rust side by side (fresh-instance runs, build times).
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
import { micros, printMachine, printRatios, ratio, times, us, warnIfAddonStale } from './lib/report.mjs';
import { packageVersion, writeResults } from './lib/results.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const TIME = Number(process.env.BENCH_TIME_MS ?? 2000);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 3);
const INPUT = '{"a":1}';
const version = (pkg) => JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;

printMachine();
warnIfAddonStale();

// The two components: built once (the JS oracle through the tests' build cache).
const buildCacheDir = join(root, 'node_modules/.cache/newton-policy-data');
const cargoTargetDir = join(buildCacheDir, 'cargo-target');
const trivialWasm = await parse(readFileSync(join(root, 'test/fixtures/policy-data/trivial.wat'), 'utf8'));
const built = await buildPolicyData({
  source: join(root, 'test/fixtures/policy-data/echo.js'),
  cacheDir: buildCacheDir,
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
      (task) => ({ row: task, 'mean µs': micros(ns(task)), 'p50 µs': micros(p50(task)) }),
    ),
  );
  console.table(rows);
  const loadRows = Object.entries(cold).flatMap(([name, c]) => [
    { row: `load, new host, empty cacheDir (compile): ${name}`, 'mean µs': micros(c.cold) },
    { row: `load, new host, filled cacheDir (artifact): ${name}`, 'mean µs': micros(c.cached) },
    { row: `jco transpile (once): ${name}`, 'mean µs': micros(jco[name].transpileNs) },
  ]);

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
    ratio('ours fresh / jco reused: JS oracle', f('JS oracle'), ns('jco, reused instance: JS oracle'), '≤ 3.00×', (x) => x <= 3),
    ratio('ours fresh / jco reused: trivial', f('trivial'), ns('jco, reused instance: trivial')),
    ratio('ours async run() / runSync: JS oracle', ns('ours run() (async), fresh instance: JS oracle'), f('JS oracle')),
  ];
  console.log('ratios:');
  printRatios(verdicts);
  for (const v of verdicts.filter((v) => v.verdict !== 'info')) console.log(`${v.verdict === 'PASS' ? 'PASS' : 'FAIL'}: ${v.ratio} = ${times(v.value)} (target ${v.target})`);
  const faults = (r1.minorPageFault - r0.minorPageFault) / N;
  writeResults('policy-data', {
    rows: [...rows, ...loadRows],
    ratios: verdicts,
    chart: { title: 'fresh-instance run (µs, mean)', value: 'mean µs', unit: 'µs' },
    versions: { 'componentize-js': built.componentizeVersion, jco: packageVersion('@bytecodealliance/jco') },
    notes: [
      `ours, JS oracle fresh run: ${us(((r1.userCPUTime - r0.userCPUTime) * 1000) / N)} µs user + ${us(((r1.systemCPUTime - r0.systemCPUTime) * 1000) / N)} µs system CPU, ${faults.toFixed(0)} minor page faults, ${fuel} fuel per run`,
      `jco, one fresh instance: call 1 ${us(median(calls[0]))} µs, call 2 ${us(median(calls[1]))} µs, call 3 ${us(median(calls[2]))} µs (median of 50)`,
    ],
  });
} finally {
  rmSync(jcoDir, { recursive: true, force: true });
}

// Languages: the same oracles in JavaScript, Python and Rust, fresh instance per run (runSync).
// "minimal" is test/fixtures/policy-data/adversary* in mode ok (parse the input, answer it as
// JSON); "kyc-screen" is examples/oracles/kyc-screen* replaying its two recorded HTTP exchanges.
const kyc = (file) => readFileSync(join(root, 'examples/oracles/kyc-screen', file), 'utf8');
const replay = { httpMode: 'replay', httpFixtures: kyc('http-fixtures.json'), secrets: kyc('secrets.json') };
const SOURCES = {
  JavaScript: { minimal: 'test/fixtures/policy-data/adversary.js', kyc: 'examples/oracles/kyc-screen/oracle.js' },
  Python: { minimal: 'test/fixtures/policy-data/adversary.py', kyc: 'examples/oracles/kyc-screen-py/oracle.py' },
  Rust: { minimal: 'test/fixtures/policy-data/adversary-rs', kyc: 'examples/oracles/kyc-screen-rs' },
};
const MINIMAL = '{"mode":"ok"}';
const langHost = new PolicyDataHost({ cacheDir: buildCacheDir });
const langs = {};
for (const [language, sources] of Object.entries(SOURCES)) {
  const load = async (source) => {
    const b = await buildPolicyData({ source: join(root, source), cacheDir: buildCacheDir, cargoTargetDir });
    return { built: b, module: await langHost.load(b.wasm) };
  };
  langs[language] = { minimal: await load(sources.minimal), kyc: await load(sources.kyc) };
  must(`${language} minimal output`, langs[language].minimal.module.runSync(MINIMAL).output, '{"ok":true,"args":{"mode":"ok"}}');
}
const kycOutputs = new Set(Object.values(langs).map((l) => l.kyc.module.runSync(kyc('wasm_args.json'), replay).output));
must('kyc-screen outputs across languages', kycOutputs.size, 1);
const trivialModule = await langHost.load(trivialWasm);

const langBench = new Bench({ name: 'policy-data languages', time: TIME, warmupTime: Math.min(TIME, 500), throws: true });
langBench.add('trivial (WAT)', () => trivialModule.runSync(INPUT));
for (const language of Object.keys(SOURCES)) langBench.add(`${language}: minimal`, () => langs[language].minimal.module.runSync(MINIMAL));
for (const language of Object.keys(SOURCES)) langBench.add(`${language}: kyc-screen`, () => langs[language].kyc.module.runSync(kyc('wasm_args.json'), replay));
await langBench.run();
const mean = (task) => langBench.getTask(task).result.latency.mean * 1e6;
const p50 = (task) => langBench.getTask(task).result.latency.p50 * 1e6;

// Build time: kyc-screen from its sources with no component cache. Rust rebuilds a copy of the
// crate (a new path, a package name of its own: same-named crates share one output file in a
// target directory) against a target directory whose dependencies are already built; the first
// build ever also compiles wit-bindgen and serde_json for wasm (minutes).
const buildMs = {};
const scratch = mkdtempSync(join(tmpdir(), 'newton-bench-build-'));
try {
  for (const [language, sources] of Object.entries(SOURCES)) {
    let source = join(root, sources.kyc);
    if (language === 'Rust') {
      source = join(scratch, 'kyc-screen-rs');
      for (const file of ['Cargo.toml', 'Cargo.lock', 'src/lib.rs', 'wit/newton-provider.wit']) {
        mkdirSync(dirname(join(source, file)), { recursive: true });
        const text = readFileSync(join(root, sources.kyc, file), 'utf8');
        writeFileSync(join(source, file), text.replace('name = "kyc-screen-oracle"', 'name = "kyc-screen-oracle-bench"'));
      }
    }
    const t = process.hrtime.bigint();
    const b = await buildPolicyData({ source, cargoTargetDir });
    buildMs[language] = { ms: Number(process.hrtime.bigint() - t) / 1e6, bytes: b.wasm.byteLength, toolchain: b.toolchain };
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const langRows = [
  { row: 'trivial (WAT)', 'fresh run µs (mean)': micros(mean('trivial (WAT)')), 'fresh run µs (p50)': micros(p50('trivial (WAT)')), fuel: trivialModule.runSync(INPUT).fuel_consumed },
  ...['minimal', 'kyc-screen'].flatMap((which) =>
    Object.keys(SOURCES).map((language) => {
      const task = `${language}: ${which}`;
      const m = langs[language][which === 'minimal' ? 'minimal' : 'kyc'];
      const fuel = which === 'minimal' ? m.module.runSync(MINIMAL).fuel_consumed : m.module.runSync(kyc('wasm_args.json'), replay).fuel_consumed;
      return { row: task, 'fresh run µs (mean)': micros(mean(task)), 'fresh run µs (p50)': micros(p50(task)), fuel, 'component MiB': Number((m.built.wasm.byteLength / 2 ** 20).toFixed(2)) };
    }),
  ),
  ...Object.entries(buildMs).map(([language, b]) => ({ row: `${language}: build kyc-screen (no cache)`, 'build s': Number((b.ms / 1000).toFixed(1)), 'component MiB': Number((b.bytes / 2 ** 20).toFixed(2)), toolchain: b.toolchain })),
];
console.log('\noracles by language (ours, runSync, fresh instance per run; builds without the component cache):');
console.table(langRows);
const langRatios = [
  ratio('Rust minimal / trivial (fresh run)', mean('Rust: minimal'), mean('trivial (WAT)'), '≤ 3.00×', (x) => x <= 3),
  ratio('JavaScript minimal / Rust minimal', mean('JavaScript: minimal'), mean('Rust: minimal')),
  ratio('Python minimal / JavaScript minimal', mean('Python: minimal'), mean('JavaScript: minimal')),
  ratio('Python kyc-screen / JavaScript kyc-screen', mean('Python: kyc-screen'), mean('JavaScript: kyc-screen')),
  ratio('Rust kyc-screen / JavaScript kyc-screen', mean('Rust: kyc-screen'), mean('JavaScript: kyc-screen')),
];
printRatios(langRatios);
for (const v of langRatios.filter((v) => v.verdict !== 'info')) console.log(`${v.verdict === 'PASS' ? 'PASS' : 'FAIL'}: ${v.ratio} = ${times(v.value)} (target ${v.target})`);
writeResults('policy-data-languages', {
  rows: langRows,
  ratios: langRatios,
  chart: { title: 'fresh-instance run by language (µs, mean)', value: 'fresh run µs (mean)', unit: 'µs' },
  versions: {
    'componentize-js': langs.JavaScript.kyc.built.componentizeVersion,
    'componentize-py': langs.Python.kyc.built.componentizeVersion,
    jco: packageVersion('@bytecodealliance/jco'),
  },
  notes: ['Rust build: a copy of the crate recompiled against an already built dependency tree; the first build also compiles the dependencies.'],
});
