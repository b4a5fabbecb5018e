// PolicyData modules that misbehave, through the TS API: each breach ends the run with its own
// error code within bounded time, 1,000 of them in a row leave the host serving with flat memory,
// and a module's output is byte-identical across runs and hosts.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NewtonError, PolicyDataHost, type PolicyDataModule } from '../bindings/dist/index.js';
import { startFixtureServer, type FixtureServer } from './helpers/fixture-server.js';
import { makeTempDir } from './helpers/newton.js';
import { BUILD_TIMEOUT_MS, RUST_BUILD_TIMEOUT_MS, oracle, oracleWithWasi, wat } from './helpers/oracle-build.js';

const ADVERSARY = 'test/fixtures/policy-data/adversary.js';

let server: FixtureServer;
/** Compiled artifacts shared by the hosts below, so the ≈12 MB oracle compiles once. */
let cacheDir: string;
/** Admits the fixture server (and nothing else private). */
let open: PolicyDataHost;
/** No allow list: every private address is refused. */
let strict: PolicyDataHost;
/**
 * Fuel and memory to spare, so the memory, recursion and output limits bind before fuel: with the
 * default 100,000,000 units a SpiderMonkey oracle's bomb runs out of fuel first (≈10 ms of work).
 */
let roomy: PolicyDataHost;
let adversary: PolicyDataModule;
let strictAdversary: PolicyDataModule;
let roomyAdversary: PolicyDataModule;

beforeAll(async () => {
  server = await startFixtureServer({
    'GET /count': { body: { ok: true } },
    'GET /big': { body: new Uint8Array(2 * 1024 * 1024).fill(0x61) },
  });
  cacheDir = makeTempDir('pd-adversarial');
  open = new PolicyDataHost({ allowHosts: [server.hostPort], cacheDir });
  strict = new PolicyDataHost({ cacheDir });
  roomy = new PolicyDataHost({ fuel: 1e11, timeoutMs: 30_000, cacheDir });
  const wasm = await oracle(ADVERSARY);
  adversary = await open.load(wasm);
  strictAdversary = await strict.load(wasm);
  roomyAdversary = await roomy.load(wasm);
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await server?.close();
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

/** Runs `run()` and returns the NewtonError it rejects with, checking it came within `withinMs`. */
async function failure(run: () => Promise<unknown>, withinMs: number): Promise<NewtonError> {
  const start = performance.now();
  const err = await run().then(
    (r) => {
      throw new Error(`expected a failure, got ${JSON.stringify(r)}`);
    },
    (e: unknown) => e,
  );
  const elapsed = performance.now() - start;
  expect(err).toBeInstanceOf(NewtonError);
  expect(elapsed, `took ${elapsed.toFixed(0)} ms`).toBeLessThan(withinMs);
  return err as NewtonError;
}

const mode = (m: string, extra: object = {}) => ({ mode: m, ...extra });

describe('each breach yields its documented error in bounded time', () => {
  test('infinite loop → LIMIT_FUEL (default fuel 100,000,000)', async () => {
    const err = await failure(() => adversary.run(mode('loop')), 15_000);
    expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_LIMIT_FUEL');
  });

  test('infinite loop with fuel to spare → LIMIT_TIME (the wall-clock backstop)', async () => {
    const host = new PolicyDataHost({ fuel: 1e15, timeoutMs: 300, cacheDir });
    const m = await host.load(await oracle(ADVERSARY));
    const err = await failure(() => m.run(mode('loop')), 5_000);
    expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_LIMIT_TIME');
  });

  test('memory-growth bomb → LIMIT_MEMORY (default cap 64 MiB)', async () => {
    const err = await failure(() => roomyAdversary.run(mode('memory')), 15_000);
    expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_LIMIT_MEMORY');
    expect(err.message).toContain('67108864');
  });

  test('memory-growth bomb under the default fuel → LIMIT_FUEL (fuel binds first)', async () => {
    const err = await failure(() => adversary.run(mode('memory')), 15_000);
    expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_LIMIT_FUEL');
  });

  test('unbounded recursion in core wasm → LIMIT_STACK', async () => {
    const m = await open.load(await wat('stack-overflow'));
    const err = await failure(() => m.run('{}'), 5_000);
    expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_LIMIT_STACK');
  });

  test('unbounded recursion in JS → TRAP (SpiderMonkey\'s own recursion limit throws; componentize-js traps on it)', async () => {
    const err = await failure(() => roomyAdversary.run(mode('recursion')), 15_000);
    expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_TRAP');
  });

  test('huge output (2 MiB) → OUTPUT_TOO_LARGE (default 1 MiB)', async () => {
    const host = new PolicyDataHost({ fuel: 1e11, timeoutMs: 30_000, memoryBytes: 256 * 2 ** 20, cacheDir });
    const m = await host.load(await oracle(ADVERSARY));
    const err = await failure(() => m.run(mode('huge-output')), 15_000);
    expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_OUTPUT_TOO_LARGE');
    expect(err.message).toContain('2097163 bytes');
  });

  test('building a 2 MiB output in 64 MiB → LIMIT_MEMORY; under the default fuel, 500 KB → LIMIT_FUEL', async () => {
    expect((await failure(() => roomyAdversary.run(mode('huge-output')), 15_000)).code).toBe('NEWTON_ERR_POLICY_DATA_LIMIT_MEMORY');
    const err = await failure(() => adversary.run(mode('huge-output', { n: 500_000 })), 15_000);
    expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_LIMIT_FUEL');
  });

  test('51 http calls → HTTP_CALL_LIMIT after exactly 50 reached the server', async () => {
    const before = server.requests.length;
    const err = await failure(() => adversary.run(mode('http-many', { n: 51, url: `${server.origin}/count` })), 15_000);
    expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_HTTP_CALL_LIMIT');
    expect(server.requests.length - before).toBe(50);
  });

  test('50 http calls are allowed', async () => {
    const result = await adversary.run(mode('http-many', { n: 50, url: `${server.origin}/count` }));
    expect(result.http_calls).toBe(50);
    expect(JSON.parse(result.output)).toEqual({ calls: 50 });
  });

  test('a 2 MiB response → HTTP_RESPONSE_TOO_LARGE (default 1 MiB)', async () => {
    const err = await failure(() => adversary.run(mode('fetch', { url: `${server.origin}/big` })), 10_000);
    expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_HTTP_RESPONSE_TOO_LARGE');
  });

  test.each([
    ['loopback', 'http://127.0.0.1:9/'],
    ['the metadata service (link-local)', 'http://169.254.169.254/latest/meta-data/'],
    ['a private network', 'http://10.0.0.1/'],
    ['localhost by name', 'http://localhost:9/'],
    ['IPv6 loopback', 'http://[::1]:9/'],
  ])('a fetch to %s without the allow list → HTTP_FORBIDDEN', async (_, url) => {
    const err = await failure(() => strictAdversary.run(mode('fetch', { url })), 5_000);
    expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_HTTP_FORBIDDEN');
  });

  test('the fixture server itself is refused by a host whose allow list does not admit it', async () => {
    const before = server.requests.length;
    const err = await failure(() => strictAdversary.run(mode('fetch', { url: `${server.origin}/count` })), 5_000);
    expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_HTTP_FORBIDDEN');
    expect(server.requests.length).toBe(before);
  });

  test('a trap (core unreachable) → TRAP', async () => {
    const m = await open.load(await wat('trap'));
    const err = await failure(() => m.run('{}'), 5_000);
    expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_TRAP');
  });

  test('a JS oracle throwing an Error (componentize-js traps on it) → TRAP', async () => {
    const err = await failure(() => adversary.run(mode('throw-error')), 5_000);
    expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_TRAP');
  });

  test('a JS oracle throwing a string returns it as Err → GUEST_ERROR', async () => {
    const err = await failure(() => adversary.run(mode('throw-string')), 5_000);
    expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_GUEST_ERROR');
    expect(err.message).toContain('refused by the oracle');
  });

  test('invalid JSON output → OUTPUT_INVALID', async () => {
    const err = await failure(() => adversary.run(mode('invalid-json')), 5_000);
    expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_OUTPUT_INVALID');
  });

  test('a JSON array output → OUTPUT_NOT_OBJECT', async () => {
    const err = await failure(() => adversary.run(mode('not-object')), 5_000);
    expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_OUTPUT_NOT_OBJECT');
  });

  test('a component importing wasi:random is refused at load, naming the import', async () => {
    const err = await failure(async () => open.load(await wat('forbidden-random')), 5_000);
    expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_FORBIDDEN_IMPORT');
    expect(err.message).toContain('wasi:random/random@0.2.0');
  });

  test(
    'a componentize-js build with WASI left on (no --disable flags) is refused at load, naming a wasi import',
    async () => {
      const wasm = await oracleWithWasi('test/fixtures/policy-data/echo.js');
      // Imports are read before compiling: refusing a 12 MB component takes milliseconds, not a compile.
      const err = await failure(() => open.load(wasm), 1_000);
      expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_FORBIDDEN_IMPORT');
      expect(err.message).toMatch(/wasi:[a-z-]+\/[a-z-]+@/);
    },
    BUILD_TIMEOUT_MS,
  );
});

/**
 * adversary.js again in Python (componentize-py) and Rust (wit-bindgen): the same breaches end
 * with the same codes. Where a language's runtime decides first, the test says so.
 */
describe.each([
  { language: 'Python', source: 'test/fixtures/policy-data/adversary.py', recursion: 'NEWTON_ERR_POLICY_DATA_TRAP' },
  { language: 'Rust', source: 'test/fixtures/policy-data/adversary-rs', recursion: 'NEWTON_ERR_POLICY_DATA_LIMIT_STACK' },
])('a $language guest breaches the same limits', ({ source, recursion }) => {
  let m: PolicyDataModule;
  let strictM: PolicyDataModule;
  let roomyM: PolicyDataModule;
  beforeAll(async () => {
    const wasm = await oracle(source);
    [m, strictM, roomyM] = await Promise.all([open.load(wasm), strict.load(wasm), roomy.load(wasm)]);
  }, RUST_BUILD_TIMEOUT_MS);

  test('an ordinary run answers', async () => {
    expect(JSON.parse((await m.run(mode('ok', { n: 1 }))).output)).toEqual({ ok: true, args: { mode: 'ok', n: 1 } });
  });

  test('infinite loop → LIMIT_FUEL', async () => {
    expect((await failure(() => m.run(mode('loop')), 15_000)).code).toBe('NEWTON_ERR_POLICY_DATA_LIMIT_FUEL');
  });

  test('memory-growth bomb with fuel to spare → LIMIT_MEMORY naming the 64 MiB cap', async () => {
    const err = await failure(() => roomyM.run(mode('memory')), 15_000);
    expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_LIMIT_MEMORY');
    expect(err.message).toContain('67108864');
  });

  test(`unbounded recursion → ${recursion.replace('NEWTON_ERR_POLICY_DATA_', '')} (CPython's recursion limit raises, which traps; Rust overflows the wasm stack)`, async () => {
    expect((await failure(() => roomyM.run(mode('recursion')), 15_000)).code).toBe(recursion);
  });

  test('huge output (2 MiB) → OUTPUT_TOO_LARGE, the same byte count as JS', async () => {
    const err = await failure(() => roomyM.run(mode('huge-output')), 15_000);
    expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_OUTPUT_TOO_LARGE');
    expect(err.message).toContain('2097163 bytes');
  });

  test('51 http calls → HTTP_CALL_LIMIT after exactly 50 reached the server; 50 are allowed', async () => {
    const before = server.requests.length;
    const err = await failure(() => m.run(mode('http-many', { n: 51, url: `${server.origin}/count` })), 15_000);
    expect(err.code).toBe('NEWTON_ERR_POLICY_DATA_HTTP_CALL_LIMIT');
    expect(server.requests.length - before).toBe(50);
    expect((await m.run(mode('http-many', { n: 50, url: `${server.origin}/count` }))).http_calls).toBe(50);
  });

  test('a 2 MiB response → HTTP_RESPONSE_TOO_LARGE', async () => {
    expect((await failure(() => m.run(mode('fetch', { url: `${server.origin}/big` })), 10_000)).code).toBe('NEWTON_ERR_POLICY_DATA_HTTP_RESPONSE_TOO_LARGE');
  });

  test.each(['http://127.0.0.1:9/', 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/', 'http://localhost:9/', 'http://[::1]:9/'])(
    'a fetch to %s without the allow list → HTTP_FORBIDDEN',
    async (url) => {
      expect((await failure(() => strictM.run(mode('fetch', { url })), 5_000)).code).toBe('NEWTON_ERR_POLICY_DATA_HTTP_FORBIDDEN');
    },
  );

  test.each([
    ['throw-error', 'NEWTON_ERR_POLICY_DATA_TRAP'],
    ['throw-string', 'NEWTON_ERR_POLICY_DATA_GUEST_ERROR'],
    ['invalid-json', 'NEWTON_ERR_POLICY_DATA_OUTPUT_INVALID'],
    ['not-object', 'NEWTON_ERR_POLICY_DATA_OUTPUT_NOT_OBJECT'],
  ])('%s → %s', async (which, code) => {
    const err = await failure(() => m.run(mode(which)), 5_000);
    expect(err.code).toBe(code);
    if (which === 'throw-string') expect(err.message).toContain('refused by the oracle');
  });
});

describe('the host keeps serving', () => {
  test(
    '1,000 adversarial runs in a row leave the host serving with memory flat',
    async () => {
      // A small budget so a loop ends in milliseconds; the cheap breaches of the suite in rotation.
      const host = new PolicyDataHost({ fuel: 20_000_000, cacheDir });
      const js = await host.load(await oracle(ADVERSARY));
      const trap = await host.load(await wat('trap'));
      const stack = await host.load(await wat('stack-overflow'));
      const cases: [() => Promise<unknown>, string][] = [
        [() => js.run(mode('loop')), 'NEWTON_ERR_POLICY_DATA_LIMIT_FUEL'],
        [() => js.run(mode('invalid-json')), 'NEWTON_ERR_POLICY_DATA_OUTPUT_INVALID'],
        [() => js.run(mode('not-object')), 'NEWTON_ERR_POLICY_DATA_OUTPUT_NOT_OBJECT'],
        [() => js.run(mode('throw-error')), 'NEWTON_ERR_POLICY_DATA_TRAP'],
        [() => js.run(mode('throw-string')), 'NEWTON_ERR_POLICY_DATA_GUEST_ERROR'],
        [() => js.run(mode('fetch', { url: 'http://169.254.169.254/' })), 'NEWTON_ERR_POLICY_DATA_HTTP_FORBIDDEN'],
        [() => trap.run('{}'), 'NEWTON_ERR_POLICY_DATA_TRAP'],
        [() => stack.run('{}'), 'NEWTON_ERR_POLICY_DATA_LIMIT_STACK'],
      ];
      let runs = 0;
      const round = async (n: number) => {
        for (let i = 0; i < n; i++, runs++) {
          const [run, code] = cases[runs % cases.length] as [() => Promise<unknown>, string];
          const err = await run().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect((err as NewtonError | undefined)?.code, `run ${runs}`).toBe(code);
        }
      };
      await round(200); // warm-up: pools, caches and the JIT settle
      // RSS after each block of 100. The process may hand back freed compile memory at any point
      // (a one-time drop of hundreds of MiB), so check both that RSS never climbs far above the
      // post-warm-up level and that it does not climb far from its lowest point by the end.
      const mib = 2 ** 20;
      const baseline = process.memoryUsage().rss;
      const readings: number[] = [];
      const start = performance.now();
      for (let block = 0; block < 10; block++) {
        await round(100);
        readings.push(process.memoryUsage().rss);
      }
      const elapsed = performance.now() - start;
      const [peak, low, last] = [Math.max(...readings), Math.min(baseline, ...readings), readings.at(-1) as number];
      const trace = readings.map((r) => ((r - baseline) / mib).toFixed(1)).join(', ');
      expect(peak - baseline, `RSS vs baseline per block (MiB): ${trace}`).toBeLessThan(64 * mib);
      expect(last - low, `RSS vs baseline per block (MiB): ${trace}`).toBeLessThan(64 * mib);
      expect(elapsed, `1,000 runs took ${elapsed.toFixed(0)} ms`).toBeLessThan(120_000);

      const ok = await js.run(mode('ok', { after: 1000 }));
      expect(JSON.parse(ok.output)).toEqual({ ok: true, args: { mode: 'ok', after: 1000 } });
    },
    10 * 60_000,
  );
});

describe('determinism', () => {
  test('the same module and input give byte-identical output on repeated runs and across two hosts', async () => {
    const wasm = await oracle(ADVERSARY);
    // No shared artifact cache: the second host compiles the module itself.
    const other = await new PolicyDataHost().load(wasm);
    expect(other.contentHash).toBe(adversary.contentHash);
    const outputs = new Set<string>();
    for (const m of [adversary, other, adversary, other]) {
      outputs.add((await m.run(mode('compute'))).output);
      outputs.add(m.runSync(mode('compute')).output);
    }
    expect(outputs.size).toBe(1);
    const [output] = outputs;
    expect(JSON.parse(output as string).rows).toHaveLength(200);
  }, 120_000);

  test('fuel consumed is the same on every run of the same input', async () => {
    const fuel = new Set<number>();
    for (let i = 0; i < 3; i++) fuel.add((await adversary.run(mode('compute'))).fuel_consumed);
    expect(fuel.size).toBe(1);
    expect([...fuel][0]).toBeGreaterThan(0);
  });
});
