// The PolicyData TS API with hand-written components: load checks, runs, every limit through the
// host options, secrets, http (live through the allow list, replay, record), merge, concurrency.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NewtonError,
  PolicyDataHost,
  mergePolicyDataOutputs,
  validatePolicyDataOutput,
  type ErrorCode,
} from '../bindings/dist/index.js';
import { startFixtureServer, type FixtureServer } from './helpers/fixture-server.js';
import * as wat from './helpers/policy-data-wat.js';

let server: FixtureServer;
const host = new PolicyDataHost();

beforeAll(async () => {
  server = await startFixtureServer({ 'GET /price': { body: { price: 42 } } });
});

afterAll(() => server?.close());

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<ErrorCode> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(NewtonError);
    return (err as NewtonError).code;
  }
  throw new Error('expected a NewtonError');
}

describe('load', () => {
  it('reports the content hash, world and imports', async () => {
    const bytes = await wat.returning('{"price":42}');
    const m = await host.load(bytes);
    expect(m.contentHash).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(m.witVersion).toBe('0.2.0');
    expect(m.imports).toEqual([]);
    const legacy = host.loadSync(await wat.fetching('http://10.0.0.1/', 1, '0.1.0'));
    expect([legacy.witVersion, legacy.imports]).toEqual(['0.1.0', ['newton:provider/http@0.1.0']]);
  });

  it('refuses core modules, oversize modules and foreign imports by name', async () => {
    const core = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    expect(await codeOf(host.load(core))).toBe('NEWTON_ERR_POLICY_DATA_INVALID');
    const small = new PolicyDataHost({ maxModuleBytes: 64 });
    expect(await codeOf(small.load(await wat.echo()))).toBe('NEWTON_ERR_POLICY_DATA_TOO_LARGE');
    for (const name of ['wasi:random/random@0.2.0', 'wasi:http/types@0.2.10', 'wasi:clocks/wall-clock@0.2.0', 'wasi:filesystem/types@0.2.0']) {
      const err = await host.load(await wat.importing(name)).catch((e: NewtonError) => e);
      expect(err).toBeInstanceOf(NewtonError);
      expect((err as NewtonError).code).toBe('NEWTON_ERR_POLICY_DATA_FORBIDDEN_IMPORT');
      expect((err as NewtonError).message).toContain(name);
    }
  });

  it('rejects unknown or out-of-range host options', () => {
    expect(() => new PolicyDataHost({ fuel: 0 })).toThrow(NewtonError);
    expect(() => new PolicyDataHost({ fule: 5 } as object)).toThrow(/unknown option `fule`/);
    expect(() => new PolicyDataHost({ allowHosts: ['http://x/'] })).toThrow(NewtonError);
  });
});

describe('run', () => {
  it('passes wasm_args (object or JSON text, {} by default) and returns the output text', async () => {
    const m = await host.load(await wat.echo());
    expect((await m.run({ a: [1, 2] })).output).toBe('{"a":[1,2]}');
    expect((await m.run('{"b": true}')).output).toBe('{"b": true}');
    const r = m.runSync();
    expect(r.output).toBe('{}');
    expect(r.fuel_consumed).toBeGreaterThan(0);
    expect(r.http_calls).toBe(0);
    expect(await codeOf(m.run('{nope'))).toBe('NEWTON_ERR_INVALID_JSON');
  });

  it('turns a guest Err into WASM execution failed', async () => {
    const m = await host.load(await wat.returning('upstream down', 1));
    const err = await m.run().catch((e: NewtonError) => e);
    expect((err as NewtonError).code).toBe('NEWTON_ERR_POLICY_DATA_GUEST_ERROR');
    expect((err as NewtonError).message).toBe('WASM execution failed: upstream down');
  });

  it('requires a bounded JSON object', async () => {
    expect(await codeOf((await host.load(await wat.returning('not json'))).run())).toBe('NEWTON_ERR_POLICY_DATA_OUTPUT_INVALID');
    expect(await codeOf((await host.load(await wat.returning('[1]'))).run())).toBe('NEWTON_ERR_POLICY_DATA_OUTPUT_NOT_OBJECT');
    expect(await codeOf((await host.load(await wat.hugeOutput())).run())).toBe('NEWTON_ERR_POLICY_DATA_OUTPUT_TOO_LARGE');
    const tight = new PolicyDataHost({ maxOutputBytes: 4 });
    expect(await codeOf((await tight.load(await wat.returning('{"a":1}'))).run())).toBe('NEWTON_ERR_POLICY_DATA_OUTPUT_TOO_LARGE');
  });

  it('enforces each limit from the host options with its own code', async () => {
    const cases: Array<[PolicyDataHost, Promise<Uint8Array>, ErrorCode]> = [
      [new PolicyDataHost({ fuel: 1_000_000 }), wat.infiniteLoop(), 'NEWTON_ERR_POLICY_DATA_LIMIT_FUEL'],
      [new PolicyDataHost({ fuel: 1e15, timeoutMs: 200 }), wat.infiniteLoop(), 'NEWTON_ERR_POLICY_DATA_LIMIT_TIME'],
      [new PolicyDataHost({ memoryBytes: 8 * 1024 * 1024 }), wat.memoryBomb(), 'NEWTON_ERR_POLICY_DATA_LIMIT_MEMORY'],
      [host, wat.doing('(drop (call $down))', '(func $down (result i32) (i32.add (call $down) (i32.const 1)))'), 'NEWTON_ERR_POLICY_DATA_LIMIT_STACK'],
      [host, wat.trap(), 'NEWTON_ERR_POLICY_DATA_TRAP'],
    ];
    for (const [h, bytes, code] of cases) {
      const started = performance.now();
      expect(await codeOf((await h.load(await bytes)).run())).toBe(code);
      expect(performance.now() - started).toBeLessThan(5_000);
    }
  });

  it('hands secrets to secrets.get only when given', async () => {
    const m = await host.load(await wat.readingSecrets());
    expect((await m.run({}, { secrets: { API_KEY: 'k' } })).output).toBe('{"API_KEY":"k"}');
    expect(m.runSync({}, { secrets: '{"B":2}' }).output).toBe('{"B":2}');
    const err = await m.run().catch((e: NewtonError) => e);
    expect((err as NewtonError).message).toBe('WASM execution failed: no secrets configured for this policy data');
    expect(await codeOf(m.run({}, { secrets: '[1]' }))).toBe('NEWTON_ERR_INVALID_JSON');
  });

  it('honours an aborted signal', async () => {
    const m = await host.load(await wat.echo());
    await expect(m.run({}, { signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
  });
});

describe('http', () => {
  it('fetches through the allow list and refuses private addresses without it', async () => {
    const bytes = await wat.fetching(`${server.origin}/price`);
    const open = new PolicyDataHost({ allowHosts: [server.hostPort] });
    const r = await (await open.load(bytes)).run();
    expect([r.output, r.http_calls]).toEqual(['{"price":42}', 1]);
    expect(await codeOf((await host.load(bytes)).run())).toBe('NEWTON_ERR_POLICY_DATA_HTTP_FORBIDDEN');
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/']) {
      expect(await codeOf((await host.load(await wat.fetching(url))).run())).toBe('NEWTON_ERR_POLICY_DATA_HTTP_FORBIDDEN');
    }
  });

  it('records live exchanges and replays them offline', async () => {
    const url = `${server.origin}/price`;
    const bytes = await wat.fetching(url, 2);
    const open = new PolicyDataHost({ allowHosts: ['127.0.0.1'] });
    const recorded = await (await open.load(bytes)).run({}, { httpMode: 'record' });
    const fixtures = JSON.parse(recorded.http_recorded!) as { version: number; entries: { request: { url: string } }[] };
    expect(fixtures.version).toBe(1);
    expect(fixtures.entries.map((e) => e.request.url)).toEqual([url, url]);
    const replayed = await (await host.load(bytes)).run({}, { httpFixtures: fixtures });
    expect(replayed.output).toBe(recorded.output);
    const missing = await (await host.load(await wat.fetching('https://api.example.com/x?y=1'))).run({}, { httpFixtures: fixtures }).catch((e: NewtonError) => e);
    expect((missing as NewtonError).code).toBe('NEWTON_ERR_POLICY_DATA_HTTP_FIXTURE_MISSING');
    expect((missing as NewtonError).message).toContain('GET https://api.example.com/x?y=1');
  });

  it('serves the documented fixture format', async () => {
    const fixtures = {
      version: 1,
      entries: [
        {
          request: { method: 'GET', url: 'https://api.example.com/x?y=1', body_base64: null },
          response: { status: 200, headers: [['content-type', 'application/json']], body: '{"ok":true}' },
        },
      ],
    };
    const m = await host.load(await wat.fetching('https://api.example.com/x?y=1'));
    expect((await m.run({}, { httpMode: 'replay', httpFixtures: JSON.stringify(fixtures) })).output).toBe('{"ok":true}');
    expect(await codeOf(m.run({}, { httpMode: 'replay' }))).toBe('NEWTON_ERR_INVALID_ARGUMENT');
  });
});

describe('outputs', () => {
  it('merges shallowly, in order, last wins', () => {
    expect(mergePolicyDataOutputs([{ a: { x: 1 }, b: 1 }, '{"a":{"y":2}}'])).toEqual({ a: { y: 2 }, b: 1 });
    expect(() => mergePolicyDataOutputs(['[1]'])).toThrow(NewtonError);
  });

  it('validates against a JSON Schema', async () => {
    const schema = { type: 'object', required: ['price'], properties: { price: { type: 'number' } } };
    validatePolicyDataOutput(schema, '{"price":1}');
    expect(await codeOf(() => validatePolicyDataOutput(schema, { price: 'x' }))).toBe('NEWTON_ERR_POLICY_DATA_OUTPUT_SCHEMA_VIOLATION');
    expect(await codeOf(() => validatePolicyDataOutput('{', {}))).toBe('NEWTON_ERR_POLICY_DATA_SCHEMA_INVALID');
  });
});

describe('concurrency and determinism', () => {
  it('runs many fresh instances at once, each isolated', async () => {
    const narrow = new PolicyDataHost({ maxInstances: 2 });
    const m = await narrow.load(await wat.echo());
    const outputs = await Promise.all(Array.from({ length: 64 }, (_, i) => m.run({ i })));
    expect(outputs.map((r) => r.output)).toEqual(Array.from({ length: 64 }, (_, i) => `{"i":${i}}`));
  });

  it('gives byte-identical output and fuel across runs and hosts', async () => {
    const bytes = await wat.returning('{"a":1.5,"b":[true,null]}');
    const [a, b] = [await host.load(bytes), await new PolicyDataHost().load(bytes)];
    const first = await a.run({ k: 1 });
    for (const m of [a, b, a, b]) {
      const r = await m.run({ k: 1 });
      expect([r.output, r.fuel_consumed]).toEqual([first.output, first.fuel_consumed]);
    }
  });
});
