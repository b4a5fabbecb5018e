// `newton policy-data run|validate|build` and `newton policy eval --policy-data`, run in-process as
// a user runs them: files on disk, exit codes and `newton: CODE: message` on stderr.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newton } from './helpers/cli.js';
import { startFixtureServer, type FixtureServer } from './helpers/fixture-server.js';
import { makeTempDir, rpcTransferIntent, writeFiles } from './helpers/newton.js';
import * as wat from './helpers/policy-data-wat.js';

let dir: string;
let f: Record<string, string>;
let server: FixtureServer;
let env: Record<string, string>;

const FIXTURE_URL = 'https://api.example.com/price?chain=1';

beforeAll(async () => {
  dir = makeTempDir('cli-policy-data');
  server = await startFixtureServer({ 'GET /price': { body: { price: 7 } } });
  env = { NEWTON_CACHE_DIR: path.join(dir, 'cache') };
  const modules: Record<string, Promise<Uint8Array>> = {
    'price.wasm': wat.returning('{"price":42,"src":"a"}'),
    'echo.wasm': wat.echo(),
    'fails.wasm': wat.returning('upstream down', 1),
    'random.wasm': wat.importing('wasi:random/random@0.2.0'),
    'loop.wasm': wat.infiniteLoop(),
    'secrets.wasm': wat.readingSecrets(),
    'fetch-fixture.wasm': wat.fetching(FIXTURE_URL),
    'fetch-local.wasm': wat.fetching(`${server.origin}/price`),
  };
  for (const [name, bytes] of Object.entries(modules)) fs.writeFileSync(path.join(dir, name), await bytes);
  f = writeFiles(dir, {
    'args.json': '{"from":"file"}',
    'secrets.json': '{"API_KEY":"k-1"}',
    'fixtures.json': JSON.stringify({
      version: 1,
      entries: [{ request: { method: 'GET', url: FIXTURE_URL, body_base64: null }, response: { status: 200, headers: [], body: '{"price":9}' } }],
    }),
    'schema.json': JSON.stringify({ type: 'object', required: ['price'], properties: { price: { type: 'integer' } } }),
    'strict-schema.json': JSON.stringify({ type: 'object', required: ['price', 'currency'] }),
    'intent.json': JSON.stringify(rpcTransferIntent()),
    'wasm.json': '{}',
    'gate.rego': 'package gate\n\nallow if {\n  data.wasm.price == 42\n  data.wasm.src == "b"\n}\n',
  });
  for (const name of Object.keys(modules)) f[name] = path.join(dir, name);
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const run = (...args: string[]) => newton(['policy-data', 'run', ...args], { env });

describe('newton policy-data run', () => {
  it('prints the output, pretty by default and as the JSON text with --format json', async () => {
    const pretty = await run('--wasm', f['price.wasm']!);
    expect(pretty.status).toBe(0);
    expect(pretty.stdout).toBe('{\n  "price": 42,\n  "src": "a"\n}\n');
    const json = await run('--wasm', f['price.wasm']!, '--format', 'json');
    expect(json.stdout).toBe('{"price":42,"src":"a"}\n');
  });

  it('passes --args as JSON or @FILE', async () => {
    expect((await run('--wasm', f['echo.wasm']!, '--args', '{"x":1}', '--format', 'json')).stdout).toBe('{"x":1}\n');
    expect((await run('--wasm', f['echo.wasm']!, '--args', `@${f['args.json']}`, '--format', 'json')).stdout).toBe('{"from":"file"}\n');
    expect((await run('--wasm', f['echo.wasm']!, '--format', 'json')).stdout).toBe('{}\n');
  });

  it('exits 1 with the error code for a guest Err, a forbidden import and a spent fuel budget', async () => {
    const failed = await run('--wasm', f['fails.wasm']!);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toBe('newton: NEWTON_ERR_POLICY_DATA_GUEST_ERROR: WASM execution failed: upstream down\n');
    const random = await run('--wasm', f['random.wasm']!);
    expect(random.status).toBe(1);
    expect(random.stderr).toMatch(/^newton: NEWTON_ERR_POLICY_DATA_FORBIDDEN_IMPORT: .*wasi:random\/random@0\.2\.0/);
    const loop = await run('--wasm', f['loop.wasm']!, '--fuel', '1000000');
    expect(loop.status).toBe(1);
    expect(loop.stderr).toMatch(/^newton: NEWTON_ERR_POLICY_DATA_LIMIT_FUEL: /);
    expect((await run('--wasm', path.join(dir, 'missing.wasm'))).stderr).toMatch(/NEWTON_ERR_IO/);
    expect((await run('--wasm', f['echo.wasm']!, '--fuel', 'lots')).stderr).toBe(
      "newton: NEWTON_ERR_INVALID_ARGUMENT: option '--fuel <N>' argument 'lots' is invalid. Expected a positive integer.\n",
    );
  });

  it('hands --secrets to secrets.get', async () => {
    expect((await run('--wasm', f['secrets.wasm']!, '--secrets', f['secrets.json']!, '--format', 'json')).stdout).toBe('{"API_KEY":"k-1"}\n');
  });

  it('replays --http-fixtures offline and names a missing fixture', async () => {
    expect((await run('--wasm', f['fetch-fixture.wasm']!, '--http-fixtures', f['fixtures.json']!, '--format', 'json')).stdout).toBe('{"price":9}\n');
    const missing = await run('--wasm', f['fetch-local.wasm']!, '--http-fixtures', f['fixtures.json']!);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`NEWTON_ERR_POLICY_DATA_HTTP_FIXTURE_MISSING: no recorded http fixture for GET ${server.origin}/price`);
  });

  it('refuses a private address unless --allow-host admits it, and --record writes what it fetched', async () => {
    const refused = await run('--wasm', f['fetch-local.wasm']!);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/NEWTON_ERR_POLICY_DATA_HTTP_FORBIDDEN/);
    const recorded = path.join(dir, 'recorded.json');
    const live = await run('--wasm', f['fetch-local.wasm']!, '--allow-host', server.hostPort, '--http-fixtures', recorded, '--record', '--format', 'json');
    expect([live.status, live.stdout]).toEqual([0, '{"price":7}\n']);
    const saved = JSON.parse(fs.readFileSync(recorded, 'utf8')) as { entries: { request: { url: string } }[] };
    expect(saved.entries.map((e) => e.request.url)).toEqual([`${server.origin}/price`]);
    const replayed = await run('--wasm', f['fetch-local.wasm']!, '--http-fixtures', recorded, '--format', 'json');
    expect(replayed.stdout).toBe('{"price":7}\n');
  });
});

describe('newton policy-data validate', () => {
  it('prints {"valid":true} for a conforming output', async () => {
    const r = await newton(['policy-data', 'validate', '--wasm', f['price.wasm']!, '--schema', f['schema.json']!], { env });
    expect([r.status, r.stdout]).toEqual([0, '{"valid":true}\n']);
    const pretty = await newton(['policy-data', 'validate', '--wasm', f['price.wasm']!, '--schema', f['schema.json']!, '--format', 'pretty'], { env });
    expect([pretty.status, pretty.stdout]).toEqual([0, 'valid\n']);
  });

  it('with --format json: the violations on stdout and one JSON error object on stderr; pretty: one line each', async () => {
    const args = ['policy-data', 'validate', '--wasm', f['price.wasm']!, '--schema', f['strict-schema.json']!];
    const json = await newton([...args, '--format', 'json'], { env });
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: false });
    expect(JSON.parse(json.stderr)).toMatchObject({ code: 'NEWTON_ERR_POLICY_DATA_OUTPUT_SCHEMA_VIOLATION', details: { violations: [{}] } });
    const pretty = await newton([...args, '--format', 'pretty'], { env });
    expect(pretty.stdout).toMatch(/^invalid\n {2}\S*: .*currency/);
  });

  it('prints the violations and exits 1 otherwise', async () => {
    const r = await newton(['policy-data', 'validate', '--wasm', f['price.wasm']!, '--schema', f['strict-schema.json']!], { env });
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as { valid: boolean; violations: { path: string; message: string }[] };
    expect(report.valid).toBe(false);
    expect(report.violations[0]!.message).toContain('currency');
    expect(r.stderr).toMatch(/^newton: NEWTON_ERR_POLICY_DATA_OUTPUT_SCHEMA_VIOLATION: /);
  });
});

describe('newton policy eval --policy-data', () => {
  const evalArgs = (...extra: string[]) => ['policy', 'eval', '--policy', f['gate.rego']!, '--entrypoint', 'gate.allow', '--intent', f['intent.json']!, ...extra];

  it('runs the modules on --wasm-args and merges their outputs into data.wasm in order', async () => {
    const r = await newton(evalArgs('--policy-data', f['price.wasm']!, f['echo.wasm']!, '--wasm-args', '{"src":"b"}', '--format', 'json'), { env });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).allow).toBe(true);
    const reversed = await newton(evalArgs('--policy-data', f['echo.wasm']!, f['price.wasm']!, '--wasm-args', '{"src":"b"}', '--format', 'json'), { env });
    expect(JSON.parse(reversed.stdout).allow).toBe(false);
  });

  it('fails the evaluation when a module fails, and refuses --wasm-data alongside', async () => {
    const failed = await newton(evalArgs('--policy-data', f['fails.wasm']!), { env });
    expect(failed.status).toBe(1);
    // The module's code and the guest's text; the message names the failing module by its wasm_cid.
    expect(failed.stderr).toMatch(/NEWTON_ERR_POLICY_DATA_GUEST_ERROR: PolicyData \S+: WASM execution failed: upstream down/);
    const both = await newton(evalArgs('--policy-data', f['price.wasm']!, '--wasm-data', f['wasm.json']!), { env });
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/NEWTON_ERR_INVALID_ARGUMENT: give either --wasm-data or --policy-data/);
  });
});

describe('newton policy-data help', () => {
  it('lists run, validate and build, and each its options', async () => {
    const r = await newton(['policy-data', '--help']);
    expect(r.status).toBe(0);
    for (const command of ['run', 'validate', 'build']) expect(r.stdout).toMatch(new RegExp(`^  ${command} \\[options\\]`, 'm'));
    for (const command of ['run', 'validate']) {
      const help = (await newton(['policy-data', command, '--help'])).stdout;
      for (const flag of ['--wasm <FILE>', '--http-fixtures <FILE>', '--allow-host <HOST...>', '--record', '(env: NEWTON_CACHE_DIR)', '--format <format>']) {
        expect(help).toContain(flag);
      }
    }
    expect((await newton(['policy-data', 'build', '--help'])).stdout).toContain('componentize-js');
    expect((await newton(['--help'])).stdout).toMatch(/^  policy-data /m);
  });
});
