// The operator network under faults, through real TaskEvaluators, BLS keys and aggregation; the
// faults are transport wrappers (delay, throw, tamper) or an oracle whose answers differ between
// operators. Slow, failing, lying and mis-signing operators end up in operator_errors; the
// certificate holds while the rest meet the quorum, and a failed task is an outcome.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NewtonError, consensusDigest, verifyCertificate, type NewtonTaskResponse } from '../bindings/dist/index.js';
import { operatorId, type FailedOutcome, type RespondedOutcome, type TaskOutcome, type Transport } from '../server/dist/network/index.js';
import {
  announce,
  delayed,
  faulty,
  network,
  quickstartAnnouncement,
  quickstartTask,
  recorder,
  signedBy,
  signer,
} from './fixtures/gateway-network/network.js';
import { startFixtureServer, type FixtureServer } from './helpers/fixture-server.js';
import * as wat from './helpers/policy-data-wat.js';

const ids = (ops: Transport[], ...which: number[]) => which.map((i) => ops[i]!.identity.operatorId);
const sorted = (xs: string[]) => [...xs].sort();

function responded(outcome: TaskOutcome): RespondedOutcome {
  expect(outcome.status, JSON.stringify(outcome)).toBe('responded');
  return outcome as RespondedOutcome;
}

function failed(outcome: TaskOutcome): FailedOutcome {
  expect(outcome.status).toBe('failed');
  expect(outcome).not.toHaveProperty('certificate');
  return outcome as FailedOutcome;
}

/** Four operators with `faults` on some of them, the quickstart example deployed. */
async function quickstart(faults: Record<number, Parameters<typeof faulty>[1]>, settings = {}) {
  const built = await network({ wrap: (op, i) => (faults[i] ? faulty(op, faults[i]!) : op), settings });
  expect(await built.network.deploy(await quickstartAnnouncement(built.content))).toEqual([]);
  return built;
}

const boom = () => Promise.reject(new Error('connection reset'));

describe('timeouts', () => {
  it('leaves an operator slower than the prepare timeout out of the commit round and still certifies', async () => {
    const { network: net, operators, registry } = await quickstart({ 2: { prepare: delayed(10_000) } }, { prepareTimeoutMs: 300 });
    const started = Date.now();
    const outcome = responded(await net.run(quickstartTask(1)));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(outcome.certificate.signers).not.toContain(ids(operators, 2)[0]);
    expect(sorted(outcome.certificate.signers)).toEqual(sorted(ids(operators, 0, 1, 3)));
    await verifyCertificate(registry, outcome.certificate);
    expect(outcome.operator_errors).toEqual([
      expect.objectContaining({
        operator_id: operators[2]!.identity.operatorId,
        operator_address: operators[2]!.identity.operatorAddress,
        error_code: 'NEWTON_ERR_OPERATOR_TIMEOUT',
        message: 'prepare: no answer within 300 ms',
        retryable: true,
        timestamp: expect.any(Number),
      }),
    ]);
  });

  it('fails with a timeout when the commit round ends short of the quorum', async () => {
    const faults = { 0: { commit: delayed(10_000) }, 1: { commit: boom } };
    const { network: net, operators } = await quickstart(faults, { commitTimeoutMs: 300 });
    const { names, onEvent } = recorder();
    const outcome = failed(await net.run(quickstartTask(2), { onEvent }));
    expect(outcome.error.code).toBe('NEWTON_ERR_OPERATOR_TIMEOUT');
    expect(outcome.error.message).toBe('commit: operators holding 50% of the stake signed the same response; the quorum needs 67%');
    expect(outcome.operator_errors.map((e) => [e.operator_id, e.error_code, e.retryable])).toEqual([
      [operators[1]!.identity.operatorId, 'NEWTON_ERR_OPERATOR_UNAVAILABLE', true],
      [operators[0]!.identity.operatorId, 'NEWTON_ERR_OPERATOR_TIMEOUT', true],
    ]);
    expect(names().at(-1)).toBe('failed');
    expect(names().filter((n) => n === 'operator_response:commit')).toHaveLength(3);
  });
});

describe('bad answers', () => {
  it('rejects a signature by the wrong key and certifies with the others', async () => {
    const forger = signer(0x42);
    const { network: net, operators, registry } = await quickstart({
      0: { commit: async (next, ...args) => { const s = await next(...args); return signedBy(forger, s.task_response as unknown as NewtonTaskResponse, s); } },
      // The honest ones answer later, so the bad signature is among those checked at the quorum.
      1: { commit: delayed(100) }, 2: { commit: delayed(100) }, 3: { commit: delayed(100) },
    });
    const { events, onEvent } = recorder();
    const outcome = responded(await net.run(quickstartTask(3), { onEvent }));
    expect(sorted(outcome.certificate.signers)).toEqual(sorted(ids(operators, 1, 2, 3)));
    await verifyCertificate(registry, outcome.certificate);
    expect(outcome.operator_errors).toHaveLength(1);
    expect(outcome.operator_errors[0]).toMatchObject({ operator_id: ids(operators, 0)[0], error_code: 'NEWTON_ERR_SIGNATURE_INVALID', retryable: false });
    expect(outcome.operator_errors[0]!.message).toMatch(/^commit: signature of operator .* does not verify/);
    const vote = events.at(-1)!.data.operator_responses.find((r) => r.round === 'commit' && r.operator_id === ids(operators, 0)[0]);
    expect(vote).toMatchObject({ status: 'error', error_code: 'NEWTON_ERR_SIGNATURE_INVALID' });
  });

  it('excludes an operator that signs a different evaluation or claims a digest it did not sign', async () => {
    const { network: net, operators, registry } = await quickstart({
      0: { commit: async (next, ...args) => ({ ...(await next(...args)), digest: `0x${'ab'.repeat(32)}` }) },
      1: {
        commit: async (next, ...args) => {
          const s = await next(...args);
          const flipped = { ...(s.task_response as unknown as NewtonTaskResponse), evaluationResult: `0x${'0'.repeat(64)}` as const };
          return signedBy(signer(2), flipped, s); // its own key, over a deny it did not compute
        },
      },
      2: { commit: delayed(100) }, 3: { commit: delayed(100) },
    }, { quorumThreshold: 50 });
    const outcome = responded(await net.run(quickstartTask(4, 0)));
    expect(outcome.decision.allow).toBe(true);
    expect(sorted(outcome.certificate.signers)).toEqual(sorted(ids(operators, 2, 3)));
    await verifyCertificate(registry, outcome.certificate);
    expect(sorted(outcome.operator_errors.map((e) => e.operator_id))).toEqual(sorted(ids(operators, 0, 1)));
    for (const e of outcome.operator_errors) {
      expect(e).toMatchObject({ error_code: 'NEWTON_ERR_CONSENSUS_FAILED', retryable: false });
      expect(e.message).toContain(`the quorum signed ${outcome.digest}`);
    }
  });

  it('certifies the response that hashes to the signed digest, not a body an operator swapped in', async () => {
    const id = (i: number) => operatorId(signer(i + 1).publicKey);
    const [liar] = [0, 1, 2, 3].sort((a, b) => (id(a) < id(b) ? -1 : 1)); // first in the certificate's order
    const { network: net, operators } = await quickstart({
      [liar!]: { commit: async (next, ...args) => {
        const s = await next(...args);
        return { ...s, task_response: { ...s.task_response, evaluationResult: `0x${'0'.repeat(64)}` } }; // digest and signature untouched
      } },
    });
    const outcome = responded(await net.run(quickstartTask(14, 100)));
    expect(outcome.certificate.signers).toHaveLength(4);
    expect(consensusDigest(outcome.task_response)).toBe(outcome.digest);
    expect(outcome.decision.allow).toBe(true);
    expect(outcome.operator_errors).toEqual([expect.objectContaining({ operator_id: ids(operators, liar!)[0], error_code: 'NEWTON_ERR_CONSENSUS_FAILED' })]);
    expect(outcome.operator_errors[0]!.message).toMatch(/but sent a response that hashes to/);
  });

  it('reports an operator whose prepared data does not match its digest, and goes on without it', async () => {
    const { network: net, operators } = await quickstart({
      3: { prepare: async (next, ...args) => {
        const data = await next(...args);
        return { ...data, policy_data: data.policy_data.map((o) => ({ ...o, data: { ...o.data, risk_score: 0 } })) };
      } },
    });
    const outcome = responded(await net.run(quickstartTask(5)));
    expect(outcome.certificate.signers).not.toContain(ids(operators, 3)[0]);
    expect(outcome.operator_errors).toEqual([expect.objectContaining({ operator_id: ids(operators, 3)[0], error_code: 'NEWTON_ERR_INVALID_ARGUMENT' })]);
    expect(outcome.operator_errors[0]!.message).toMatch(/^prepare: .*digest/);
  });

  it('reports answers that are not the right shape as NEWTON_ERR_INVALID_JSON', async () => {
    const { network: net, operators } = await quickstart({
      0: { prepare: async () => null as never },
      1: { commit: async () => ({ signature: '0x00' }) as never },
    }, { quorumThreshold: 50 });
    const outcome = responded(await net.run(quickstartTask(13, 0)));
    expect(sorted(outcome.certificate.signers)).toEqual(sorted(ids(operators, 2, 3)));
    expect(outcome.operator_errors.map((e) => [e.operator_id, e.error_code, e.message.slice(0, 26)])).toEqual([
      [ids(operators, 0)[0], 'NEWTON_ERR_INVALID_JSON', 'prepare: malformed answer:'],
      [ids(operators, 1)[0], 'NEWTON_ERR_INVALID_JSON', 'commit: malformed answer: '],
    ]);
  });
});

describe('no quorum', () => {
  it('fails with two of four operators down at 67 %, before the commit round, as an outcome', async () => {
    const coded = () => Promise.reject(new NewtonError({ code: 'NEWTON_ERR_POLICY_DATA_TRAP', message: 'unreachable' }));
    const { network: net, operators } = await quickstart({ 0: { prepare: boom }, 3: { prepare: coded } });
    const { names, onEvent } = recorder();
    const outcome = failed(await net.run(quickstartTask(6), { onEvent }));
    expect(outcome.error).toEqual({
      code: 'NEWTON_ERR_INSUFFICIENT_QUORUM_STAKE',
      message: 'prepare: operators holding 50% of the stake answered; the quorum needs 67%',
      details: { round: 'prepare', stake_percent: 50, quorum_threshold: 67 },
    });
    expect(sorted(outcome.operator_errors.map((e) => `${e.operator_id} ${e.error_code} ${e.retryable}`))).toEqual(sorted([
      `${ids(operators, 0)[0]} NEWTON_ERR_OPERATOR_UNAVAILABLE true`,
      `${ids(operators, 3)[0]} NEWTON_ERR_POLICY_DATA_TRAP false`,
    ]));
    expect(names()).toEqual(['created', ...Array(4).fill('operator_response:prepare'), 'failed']);
  });

  it('fails when two of four fail in the commit round', async () => {
    const { network: net } = await quickstart({ 1: { commit: boom }, 2: { commit: boom } });
    const outcome = failed(await net.run(quickstartTask(7)));
    expect(outcome.error.code).toBe('NEWTON_ERR_INSUFFICIENT_QUORUM_STAKE');
    expect(outcome.operator_errors.map((e) => e.message)).toEqual(['commit: connection reset', 'commit: connection reset']);
  });
});

describe('PolicyData consensus across operators', () => {
  let server: FixtureServer;
  let prices: unknown[] = [];
  beforeAll(async () => {
    server = await startFixtureServer({ 'GET /price': () => ({ body: { price: prices.shift() } }) });
  });
  afterAll(() => server.close());

  /** Four operators whose oracle reads `/price`, answered in turn from `sequence`. */
  async function priced(sequence: unknown[]) {
    prices = [...sequence];
    const built = await network({ host: { allowHosts: [server.hostPort] } });
    const policy = { source: 'package p\nimport rego.v1\ndefault allow := false\nallow if data.wasm.price < data.params.max\n', entrypoint: 'p.allow', params: '{"max":1000}' };
    expect(await built.network.deploy(announce(built.content, policy, [await wat.fetching(`${server.origin}/price`)]))).toEqual([]);
    return built;
  }

  it('agrees on the median when the numbers are within the tolerance', async () => {
    const { network: net, registry } = await priced([100, 103, 97, 101]);
    const outcome = responded(await net.run(quickstartTask(8)));
    const [data] = outcome.task_response.policyTaskData.policyData;
    expect(Buffer.from(data!.data.slice(2), 'hex').toString()).toBe('{"price":100}');
    expect(outcome.certificate.signers).toHaveLength(outcome.signatures.length);
    await verifyCertificate(registry, outcome.certificate);
  });

  it('fails with ToleranceExceeded naming the JSON path beyond it', async () => {
    const { network: net } = await priced([100, 100, 150, 100]);
    const { names, onEvent } = recorder();
    const outcome = failed(await net.run(quickstartTask(9), { onEvent }));
    expect(outcome.error.code).toBe('NEWTON_ERR_CONSENSUS_TOLERANCE_EXCEEDED');
    expect(outcome.error.message).toMatch(/^prepare: .*price/);
    expect(JSON.stringify(outcome.error.details)).toContain('price');
    expect(outcome.operator_errors).toEqual([expect.objectContaining({
      error_code: 'NEWTON_ERR_CONSENSUS_TOLERANCE_EXCEEDED',
      message: 'prepare: $.price is 150, more than 10% from the median 100',
      retryable: true, // live data moves
    })]);
    expect(names()).toEqual(['created', ...Array(4).fill('operator_response:prepare'), 'failed']);
    prices = [100, 100, 150, 100];
    expect(responded(await net.run(quickstartTask(10), { tolerance: 0.5 })).decision.allow).toBe(true);
  });

  it('fails a non-numeric disagreement, naming the operator unlike the others', async () => {
    const outcome = failed(await (await priced(['low', 'low', 'high', 'low'])).network.run(quickstartTask(19)));
    expect(outcome.error).toMatchObject({ code: 'NEWTON_ERR_CONSENSUS_FAILED', details: { path: '$.price' } });
    expect(outcome.operator_errors).toEqual([expect.objectContaining({
      error_code: 'NEWTON_ERR_CONSENSUS_FAILED',
      message: 'prepare: $.price is "high", most operators reported "low"',
    })]);
    expect((await (await priced(['a', 'b', 'a', 'b'])).network.run(quickstartTask(20))).operator_errors).toEqual([]); // no majority
  });
});

describe('large PolicyData (consensus and digests off the event loop)', () => {
  let server: FixtureServer;
  let prices: number[] = [];
  const rows = Array.from({ length: 400 }, (_, i) => ({ id: i, name: `row-${i}` })); // ≈10 KB: past the inline limit
  beforeAll(async () => {
    server = await startFixtureServer({ 'GET /big': () => ({ body: { price: prices.shift(), rows } }) });
  });
  afterAll(() => server.close());

  async function big(sequence: number[]) {
    prices = [...sequence];
    const built = await network({ host: { allowHosts: [server.hostPort] } });
    const policy = { source: 'package p\nimport rego.v1\ndefault allow := false\nallow if count(data.wasm.rows) == 400\n', entrypoint: 'p.allow', params: '{}' };
    expect(await built.network.deploy(announce(built.content, policy, [await wat.fetching(`${server.origin}/big`)]))).toEqual([]);
    return built.network;
  }

  it('agrees, certifies and keeps the digest of the certified response', async () => {
    const outcome = responded(await (await big([100, 104, 99, 101])).run(quickstartTask(15)));
    expect(outcome.decision.allow).toBe(true);
    expect(consensusDigest(outcome.task_response)).toBe(outcome.digest);
    expect(JSON.parse(Buffer.from(outcome.task_response.policyTaskData.policyData[0]!.data.slice(2), 'hex').toString()).price).toBe(100);
  });

  it('keeps the code and details of a consensus failure', async () => {
    const outcome = failed(await (await big([100, 300, 100, 100])).run(quickstartTask(16)));
    expect(outcome.error.code).toBe('NEWTON_ERR_CONSENSUS_TOLERANCE_EXCEEDED');
    expect(JSON.stringify(outcome.error.details)).toContain('price');
  });
});

describe('abort', () => {
  it('rejects with the reason of a cancellation and stops waiting for operators', async () => {
    const { network: net } = await quickstart({ 0: { prepare: delayed(10_000) } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 50);
    const started = Date.now();
    await expect(net.run(quickstartTask(11), { signal: controller.signal })).rejects.toThrow('shutting down');
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(net.run(quickstartTask(12), { signal: controller.signal })).rejects.toThrow('shutting down');
    await expect(net.run(quickstartTask(12), { tolerance: -1 })).rejects.toThrow(RangeError);
  });

  it('fails as a timeout when the task\'s deadline (AbortSignal.timeout) passes, naming the silent operators', async () => {
    const { network: net, operators } = await quickstart({ 0: { prepare: delayed(10_000) }, 1: { commit: delayed(10_000) } });
    const { names, onEvent } = recorder();
    const outcome = failed(await net.run(quickstartTask(17), { signal: AbortSignal.timeout(600), onEvent }));
    expect(outcome.error).toMatchObject({ code: 'NEWTON_ERR_OPERATOR_TIMEOUT', details: { round: 'prepare' } });
    expect(outcome.error.message).toMatch(/^prepare: the task's deadline passed/);
    expect(outcome.operator_errors).toEqual([expect.objectContaining({ operator_id: ids(operators, 0)[0], error_code: 'NEWTON_ERR_OPERATOR_TIMEOUT' })]);
    expect(names().at(-1)).toBe('failed');

    const late = failed(await net.run(quickstartTask(18), { signal: AbortSignal.timeout(600), prepareTimeoutMs: 150 }));
    expect(late.error).toMatchObject({ code: 'NEWTON_ERR_OPERATOR_TIMEOUT', details: { round: 'commit' } });
    expect(late.operator_errors.map((e) => [e.operator_id, e.message.split(' (')[0]])).toEqual([
      [ids(operators, 0)[0], 'prepare: no answer within 150 ms'],
      [ids(operators, 1)[0], "commit: no answer before the task's deadline"],
    ]);
  });
});
