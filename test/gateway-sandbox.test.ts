// The gateway's sandbox pool with real worker processes: simulations match an in-process
// evaluation (params, given data.wasm, PolicyData by bytes and by content id), engine errors keep
// their codes across the process boundary, results are capped, 200 concurrent jobs are all
// answered, close() leaves no process behind.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NewtonError, Policy, parseIntent, policyCid, type TaskIntent } from '../bindings/dist/index.js';
import { SandboxError, SandboxPool, type Simulation } from '../server/dist/sandbox/index.js';
import { Lru } from '../server/dist/sandbox/lru.js';
import { startFixtureServer, type FixtureServer } from './helpers/fixture-server.js';
import { makeTempDir, rpcTransferIntent } from './helpers/newton.js';
import * as wat from './helpers/policy-data-wat.js';

const POLICY = `package policy

import rego.v1

default allow := false

allow if {
	input.decoded_function_signature == "transfer(address,uint256)"
	to_number(input.decoded_function_arguments[1]) <= data.params.max_amount
	data.wasm.price < data.params.max_price
}

reasons contains "price" if data.wasm.price >= data.params.max_price
`;

const intent: TaskIntent = rpcTransferIntent();
const params = { max_amount: 10, max_price: 50 };

/** The same inputs evaluated in this process. */
async function inProcess(s: Simulation, wasm: Record<string, unknown>) {
  const policy = await Policy.compile([{ path: 'policy.rego', source: s.policy }], s.entrypoint ?? 'policy.allow');
  return policy.evaluate({ intent: s.intent, params: s.policy_params ?? {}, wasm });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => expect.unreachable('expected a rejection'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NewtonError);
  return (err as NewtonError).code;
}

let pool: SandboxPool;
let server: FixtureServer;
let price42: Uint8Array;
let price99Cid: string;
const policyDataDir = makeTempDir('sandbox-policy-data');

beforeAll(async () => {
  price42 = await wat.returning('{"price":42}');
  const price99 = await wat.returning('{"price":99,"source":"stored"}');
  price99Cid = policyCid(price99);
  fs.writeFileSync(path.join(policyDataDir, `${price99Cid}.wasm`), price99);
  fs.writeFileSync(path.join(policyDataDir, `${policyCid('tampered')}.wasm`), price99);
  server = await startFixtureServer({ 'GET /price': { body: { price: 5 } } });
  pool = await SandboxPool.start({ workers: 2, policyDataDir, maxResultBytes: 64 * 1024, policyData: { allowHosts: [server.hostPort], fuel: 1_000_000 } });
});

afterAll(async () => {
  await pool?.close();
  await server?.close();
});

describe('simulatePolicy', () => {
  it('matches an in-process evaluation: params, parsed intent, given data.wasm', async () => {
    const s: Simulation = { policy: POLICY, intent, policy_params: params, policy_data: [{ data: { price: 7 } }] };
    const out = await pool.simulatePolicy(s);
    expect(out.decision).toEqual(await inProcess(s, { price: 7 }));
    expect(out.decision.allow).toBe(true);
    expect(out.parsed_intent).toEqual(parseIntent(intent));
    expect(out.policy_params_and_data).toEqual({ params, wasm: { price: 7 } });
    expect(out.entrypoint).toBe('policy.allow');
    expect(out.result).toBe(true);
  });

  it('runs PolicyData given as bytes and by content id, merging outputs in order', async () => {
    const s: Simulation = {
      policy: POLICY,
      intent,
      policy_params: params,
      policy_data: [
        { policy_data_address: '0x01', wasm: price42, wasm_args: { symbol: 'ETH' } },
        { policy_data_address: '0x02', wasm_cid: price99Cid, wasm_args: '{"_newton":{"proof_cid":"x"}}' },
      ],
    };
    const out = await pool.simulatePolicy(s);
    const wasm = { price: 99, source: 'stored' };
    expect(out.policy_params_and_data.wasm).toEqual(wasm);
    expect(out.decision).toEqual(await inProcess(s, wasm));
    expect(out.decision.allow).toBe(false);
    const bytesOnly = await pool.simulatePolicy({ ...s, policy_data: [{ wasm: price42 }] });
    expect(bytesOnly.decision.allow).toBe(true);
  });

  it('runs PolicyData with its wasm_args (without _newton), secrets, HTTP through allowHosts and the pool\'s limits', async () => {
    const echo = { wasm: await wat.echo(), wasm_args: '{"n": 7, "_newton": {"privacy": []}}' };
    const secrets = { wasm: await wat.readingSecrets(), secrets: { api_key: 's3cret' } };
    const http = { wasm: await wat.fetching(`${server.origin}/price`) };
    const out = await pool.simulatePolicy({ policy: POLICY, intent, policy_params: params, policy_data: [echo, secrets, http] });
    expect(out.policy_params_and_data.wasm).toEqual({ n: 7, api_key: 's3cret', price: 5 });
    expect(out.decision.allow).toBe(true);
    const looping = pool.simulatePolicy({ policy: POLICY, intent, policy_data: [{ wasm: await wat.infiniteLoop() }] });
    expect(await codeOf(looping)).toBe('NEWTON_ERR_POLICY_DATA_LIMIT_FUEL');
  });

  it('evaluates another entrypoint and reports its raw value', async () => {
    const s: Simulation = { policy: POLICY, intent, entrypoint: 'policy.reasons', policy_params: params, policy_data: [{ data: { price: 60 } }] };
    const out = await pool.simulatePolicy(s);
    expect(out.result).toEqual(['price']);
    expect(out.decision).toEqual(await inProcess(s, { price: 60 }));
    expect(out.entrypoint).toBe('policy.reasons');
  });

  it('returns an evaluation error as a deny, as the engine does', async () => {
    const s: Simulation = { policy: 'package policy\n\nimport rego.v1\n\nallow if count(null) > 0\n', intent };
    const out = await pool.simulatePolicy(s);
    expect(out.decision).toEqual(await inProcess(s, {}));
    expect(out.decision).toMatchObject({ allow: false, error: { code: 'NEWTON_ERR_POLICY_EVAL' } });
    expect(out.result).toBeNull();
  });

  it('keeps engine error codes across the process boundary', async () => {
    expect(await codeOf(pool.simulatePolicy({ policy: 'package policy\nallow if {', intent }))).toBe('NEWTON_ERR_POLICY_PARSE');
    expect(await codeOf(pool.simulatePolicy({ policy: POLICY, intent, entrypoint: 'policy.nope' }))).toBe('NEWTON_ERR_POLICY_ENTRYPOINT');
    expect(await codeOf(pool.simulatePolicy({ policy: POLICY, intent: { ...intent, data: '0xzz' } }))).toBe('NEWTON_ERR_INTENT_INVALID');
    let deep: unknown = 1;
    for (let i = 0; i < 200; i++) deep = [deep];
    expect(await codeOf(pool.simulatePolicy({ policy: POLICY, intent, policy_params: { deep } }))).toBe('NEWTON_ERR_LIMIT_DEPTH');
  });

  it('refuses a result larger than maxResultBytes with NEWTON_ERR_LIMIT_SIZE', async () => {
    const big = pool.simulatePolicy({ policy: 'package policy\n\nimport rego.v1\n\nallow := numbers.range(1, 20000)\n', intent });
    await expect(big).rejects.toMatchObject({ code: 'NEWTON_ERR_LIMIT_SIZE', details: { maxResultBytes: 64 * 1024 } });
    expect((await pool.simulatePolicy({ policy: POLICY, intent, policy_params: params, policy_data: [{ data: { price: 1 } }] })).decision.allow).toBe(true);
  });

  it('keeps PolicyData error codes, naming the PolicyData', async () => {
    const failing = await wat.returning('upstream down', 1);
    const run = pool.simulatePolicy({ policy: POLICY, intent, policy_data: [{ policy_data_address: '0xabc', wasm: failing }] });
    await expect(run).rejects.toMatchObject({ code: 'NEWTON_ERR_POLICY_DATA_GUEST_ERROR', message: expect.stringContaining('PolicyData 0xabc: ') });
    const missing = pool.simulatePolicy({ policy: POLICY, intent, policy_data: [{ wasm_cid: policyCid('absent') }] });
    expect(await codeOf(missing)).toBe('NEWTON_ERR_INVALID_ARGUMENT');
    const traversal = pool.simulatePolicy({ policy: POLICY, intent, policy_data: [{ wasm_cid: '../etc/passwd' }] });
    expect(await codeOf(traversal)).toBe('NEWTON_ERR_INVALID_ARGUMENT');
    const tampered = pool.simulatePolicy({ policy: POLICY, intent, policy_data: [{ wasm_cid: policyCid('tampered') }] });
    expect(await codeOf(tampered)).toBe('NEWTON_ERR_POLICY_DATA_INVALID');
    expect(await codeOf(pool.simulatePolicy({ policy: POLICY, intent, policy_data: [{}] }))).toBe('NEWTON_ERR_INVALID_ARGUMENT');
    expect(await codeOf(pool.simulatePolicy({ policy: POLICY, intent, policy_data: [{ wasm: price42, wasm_args: '{' }] }))).toBe('NEWTON_ERR_INVALID_JSON');
  });

  it('answers 200 concurrent simulations, each with its own result', async () => {
    const runs = Array.from({ length: 200 }, (_, i) =>
      pool.simulatePolicy({ policy: POLICY, intent, policy_params: { max_amount: 10, max_price: i }, policy_data: [{ data: { price: 100 } }] }),
    );
    const outs = await Promise.all(runs);
    outs.forEach((out, i) => {
      expect(out.policy_params_and_data.params.max_price).toBe(i);
      expect(out.decision.allow).toBe(i > 100);
    });
    const allowed = await Promise.all(Array.from({ length: 200 }, () => pool.simulatePolicy({ policy: POLICY, intent, policy_params: params, policy_data: [{ data: { price: 1 } }] })));
    expect(allowed.every((o) => o.decision.allow)).toBe(true);
    expect(pool.stats().restarts).toBe(0);
  });
});

describe('the per-worker cache', () => {
  it('evicts the least recently used entry past its capacity', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1);
    lru.set('c', 3);
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual([1, undefined, 3]);
    const none = new Lru<string, number>(0);
    none.set('a', 1);
    expect(none.get('a')).toBeUndefined();
  });
});

describe('close', () => {
  it('leaves no worker process behind and refuses later jobs', async () => {
    const own = await SandboxPool.start({ workers: 2 });
    const pids = own.stats().workers.map((w) => w.pid!);
    expect(pids).toHaveLength(2);
    const inFlight = own.simulatePolicy({ policy: POLICY, intent, policy_params: params, policy_data: [{ data: { price: 1 } }] });
    await own.close();
    expect((await inFlight).decision.allow).toBe(true);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(own.stats().workers).toEqual([]);
    const late = own.simulatePolicy({ policy: POLICY, intent });
    await expect(late).rejects.toBeInstanceOf(SandboxError);
    await expect(late).rejects.toMatchObject({ code: 'NEWTON_ERR_SANDBOX_CLOSED', rpcCode: -32603 });
  });
});
