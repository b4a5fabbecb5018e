// buildPolicyData and `newton policy-data build`: JS oracles → newton:provider components through
// componentize-js, the WIT choices, the build cache and clear errors for broken sources.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { PolicyDataHost, buildPolicyData } from '../bindings/dist/index.js';
import { newton } from './helpers/cli.js';
import { makeTempDir, rejection, writeFiles } from './helpers/newton.js';
import { repoRoot } from './helpers/paths.js';
import { BUILD_TIMEOUT_MS, buildCacheDir, fixturesDir } from './helpers/oracle-build.js';

const echo = path.join(fixturesDir, 'echo.js');
const tmp = makeTempDir('pd-build');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A world with only the `run` export: no newton:provider imports. */
const ONLY_RUN_WIT = 'package test:only-run;\n\nworld newton-provider {\n  export run: func(input: string) -> result<string, string>;\n}\n';

/** A component binary: `\0asm`, then the component-model layer (version 0x0d, layer 1). */
const isComponent = (wasm: Uint8Array) =>
  Buffer.from(wasm.subarray(0, 8)).equals(Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]));

describe('the package\'s WIT worlds', () => {
  test('bindings/wit is an exact copy of crates/newton-policy-data/wit (rerun bindings/scripts/copy-wit.mjs)', () => {
    const files = (dir: string) =>
      fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.wit')).sort()
        .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]);
    const source = files(path.join(repoRoot, 'crates/newton-policy-data/wit'));
    expect(source.map(([f]) => f)).toEqual(['0.1.0/newton-provider.wit', '0.2.0/newton-provider.wit']);
    expect(files(path.join(repoRoot, 'bindings/wit'))).toEqual(source);
  });
});

describe('buildPolicyData', () => {
  test(
    'builds a 0.2.0 component that imports only newton:provider interfaces, then serves it from the cache',
    async () => {
      const first = await buildPolicyData({ source: echo, cacheDir: buildCacheDir });
      expect(isComponent(first.wasm)).toBe(true);
      expect(first.imports).toEqual(['newton:provider/http@0.2.0', 'newton:provider/secrets@0.2.0', 'newton:provider/tlsn@0.2.0']);
      expect(first.wit).toMatch(/bindings\/wit\/0\.2\.0\/newton-provider\.wit$/);
      expect(first.componentizeVersion).toMatch(/^\d+\.\d+\.\d+/);

      const again = await buildPolicyData({ source: echo, cacheDir: buildCacheDir, out: path.join(tmp, 'echo.wasm') });
      expect(again.cached).toBe(true);
      expect(again.sha256).toBe(first.sha256);
      expect(fs.readFileSync(path.join(tmp, 'echo.wasm')).equals(Buffer.from(first.wasm))).toBe(true);
    },
    BUILD_TIMEOUT_MS,
  );

  test(
    'wit 0.1.0 builds against the legacy world (http only)',
    async () => {
      const built = await buildPolicyData({ source: echo, wit: '0.1.0', cacheDir: buildCacheDir });
      expect(isComponent(built.wasm)).toBe(true);
      expect(built.imports).toEqual(['newton:provider/http@0.1.0']);
    },
    BUILD_TIMEOUT_MS,
  );

  test(
    'a WIT file given by path is used as is',
    async () => {
      const { 'only-run.wit': wit } = writeFiles(tmp, {
        'only-run.wit': ONLY_RUN_WIT,
      });
      const built = await buildPolicyData({ source: echo, wit, cacheDir: buildCacheDir });
      expect(built.wit).toBe(wit);
      expect(built.imports).toEqual([]);
    },
    BUILD_TIMEOUT_MS,
  );

  test(
    'the cache key covers the sources a module imports by relative path',
    async () => {
      const files = writeFiles(path.join(tmp, 'relative'), {
        'oracle.js': "import { answer } from './answer.js';\nexport function run() { return JSON.stringify({ answer }); }\n",
        'answer.js': 'export const answer = 1;\n',
      });
      const cacheDir = path.join(tmp, 'cache');
      const first = await buildPolicyData({ source: files['oracle.js'] as string, cacheDir });
      expect((await buildPolicyData({ source: files['oracle.js'] as string, cacheDir })).cached).toBe(true);
      fs.writeFileSync(files['answer.js'] as string, 'export const answer = 2;\n');
      const rebuilt = await buildPolicyData({ source: files['oracle.js'] as string, cacheDir });
      expect(rebuilt.cached).toBe(false);
      expect(rebuilt.sha256).not.toBe(first.sha256);
    },
    2 * BUILD_TIMEOUT_MS,
  );

  test(
    "componentize-js's export glue is warmed up at build time, and the wrapper entry is removed",
    async () => {
      const host = new PolicyDataHost({ cacheDir: path.join(tmp, 'warmup-host') });
      const freshRunFuel = async (wit?: string) => {
        const built = await buildPolicyData({ source: echo, wit, cacheDir: buildCacheDir });
        const run = (await host.load(built.wasm)).runSync('{"a":1}');
        expect(run.output).toBe('{"echo":{"a":1}}');
        return run.fuel_consumed;
      };
      const { 'only-run.wit': onlyRun } = writeFiles(tmp, {
        'only-run.wit': ONLY_RUN_WIT,
      });
      // The glue's first call costs ≈1.06 M instructions in a fresh instance unless the snapshot
      // already made it (≈230 k); a world without newton:provider/http is built without it.
      expect(await freshRunFuel()).toBeLessThan(400_000);
      expect(await freshRunFuel('0.1.0')).toBeLessThan(400_000);
      expect(await freshRunFuel(onlyRun)).toBeGreaterThan(800_000);
      expect(fs.readdirSync(fixturesDir).filter((f) => f.startsWith('.newton-build-'))).toEqual([]);
    },
    3 * BUILD_TIMEOUT_MS,
  );

  test('a missing source is NEWTON_ERR_IO naming the file', async () => {
    const err = await rejection(buildPolicyData({ source: path.join(tmp, 'nope.js') }));
    expect(err.code).toBe('NEWTON_ERR_IO');
    expect(err.message).toContain('nope.js');
  });

  test('a missing WIT file is NEWTON_ERR_IO; a WIT directory is NEWTON_ERR_INVALID_ARGUMENT', async () => {
    expect((await rejection(buildPolicyData({ source: echo, wit: path.join(tmp, 'none.wit') }))).code).toBe('NEWTON_ERR_IO');
    const err = await rejection(buildPolicyData({ source: echo, wit: tmp }));
    expect(err.code).toBe('NEWTON_ERR_INVALID_ARGUMENT');
    expect(err.message).toContain('is not a file');
  });

  test(
    'a syntax error names the file and line',
    async () => {
      const { 'broken.js': source } = writeFiles(tmp, { 'broken.js': 'export function run(input) {\n  return JSON.stringify({ a: 1 ;\n}\n' });
      const err = await rejection(buildPolicyData({ source: source as string }));
      expect(err.code).toBe('NEWTON_ERR_INVALID_ARGUMENT');
      expect(err.message).toContain(`${source}:2`);
      expect(err.message).toContain('SyntaxError');
      expect(err.details).toMatchObject({ stage: 'parse' });
    },
    BUILD_TIMEOUT_MS,
  );

  test(
    'a module without a run export says so',
    async () => {
      const { 'no-run.js': source } = writeFiles(tmp, { 'no-run.js': 'export function main(input) { return "{}"; }\n' });
      const err = await rejection(buildPolicyData({ source: source as string }));
      expect(err.code).toBe('NEWTON_ERR_INVALID_ARGUMENT');
      expect(err.message).toContain('"no-run.js" does not export a "run" function');
    },
    BUILD_TIMEOUT_MS,
  );

  test(
    'an invalid WIT file fails with the WIT parser message',
    async () => {
      const { 'bad.wit': wit } = writeFiles(tmp, { 'bad.wit': 'package test:bad;\nworld newton-provider {\n' });
      const err = await rejection(buildPolicyData({ source: echo, wit }));
      expect(err.code).toBe('NEWTON_ERR_INVALID_ARGUMENT');
      expect(err.message).toMatch(/expected .*found eof/);
    },
    BUILD_TIMEOUT_MS,
  );
});
describe('newton policy-data build', () => {
  test(
    'writes the component and prints out, bytes, sha256 and imports as JSON',
    async () => {
      const out = path.join(tmp, 'cli', 'echo.wasm');
      fs.mkdirSync(path.dirname(out), { recursive: true });
      const r = await newton(['policy-data', 'build', echo, '--out', out, '--wit', '0.1.0', '--cache-dir', buildCacheDir]);
      expect(r.stderr).toContain('newton: built echo.wasm');
      expect(r.status).toBe(0);
      const printed = JSON.parse(r.stdout);
      const wasm = fs.readFileSync(out);
      expect(printed).toMatchObject({ out, bytes: wasm.byteLength, imports: ['newton:provider/http@0.1.0'], language: 'javascript' });
      expect(printed.toolchain).toMatch(/^componentize-js \d+\.\d+\.\d+/);
      expect(printed.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(isComponent(wasm)).toBe(true);
    },
    BUILD_TIMEOUT_MS,
  );

  test('a usage error exits 2 and a missing source 1, with the code', async () => {
    const noOut = await newton(['policy-data', 'build', echo]);
    expect(noOut.status).toBe(2);
    expect(noOut.stderr).toContain("NEWTON_ERR_INVALID_ARGUMENT: required option '--out <FILE.wasm>' not specified");
    const missing = await newton(['policy-data', 'build', 'nope.js', '--out', path.join(tmp, 'x.wasm')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/NEWTON_ERR_IO: cannot read .*nope\.js: ENOENT/);
    expect(fs.existsSync(path.join(tmp, 'x.wasm'))).toBe(false);
  });

  test('--help describes the command', async () => {
    const r = await newton(['policy-data', 'build', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('newton policy-data build SRC.js|SRC.py|CRATE_DIR --out FILE.wasm');
  });
});
