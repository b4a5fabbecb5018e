// Limits and concurrency: a breach is a NEWTON_ERR_LIMIT_* (a deny for time, an error for sizes),
// never a hang; one compiled Policy serves many concurrent evaluations off the event loop.
import { describe, expect, it } from 'vitest';
import { NewtonError, Policy, type Decision, type EvaluationRequest } from '../bindings/dist/index.js';
import { ABI_FALSE, ABI_TRUE, compileOne, rpcTransferIntent, thrown } from './helpers/newton.js';

/**
 * `allow` is cheap when `input.fast`, otherwise a 10^8-step loop that binds nothing (so it holds no
 * memory) and takes tens of seconds unbounded: every budget used here is hit long before it ends.
 */
const SLOW_POLICY = [
  'package p',
  '',
  'allow if input.fast',
  '',
  'candidates := numbers.range(1, 10000)',
  '',
  'allow if {',
  '  not input.fast',
  '  some x in candidates',
  '  some y in candidates',
  '  x * y == -1',
  '}',
  '',
].join('\n');

const SLOW = { input: { fast: false } };
const FAST = { input: { fast: true } };

/** Runs `fn` and returns its result with the wall time it took. */
async function timed<T>(fn: () => T | Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

function expectTimeLimitDeny(d: Decision) {
  expect(d.allow).toBe(false);
  expect(d.evaluation_result).toBe(ABI_FALSE);
  expect(d.result).toBeUndefined();
  expect(d.error?.code).toBe('NEWTON_ERR_LIMIT_TIME');
  expect(d.reason).toBe(d.error?.message);
  expect(d.reason).toContain('time limit');
}

describe('evaluation time limit', () => {
  it('denies with NEWTON_ERR_LIMIT_TIME within bounded time and keeps serving afterwards', async () => {
    const policy = compileOne(SLOW_POLICY, { limits: { evalTimeoutMs: 50 } });

    const sync = await timed(() => policy.evaluateSync(SLOW));
    expectTimeLimitDeny(sync.value);
    expect(sync.ms).toBeLessThan(5000);

    const async_ = await timed(() => policy.evaluate(SLOW));
    expectTimeLimitDeny(async_.value);
    expect(async_.ms).toBeLessThan(5000);

    // The same compiled policy still answers, and times out again when asked the slow question.
    expect(policy.evaluateSync(FAST)).toEqual({ allow: true, result: true, evaluation_result: ABI_TRUE });
    expect(await policy.evaluate(FAST)).toEqual({ allow: true, result: true, evaluation_result: ABI_TRUE });
    expectTimeLimitDeny(await policy.evaluate(SLOW));
  });

  it('applies the budget to each of many concurrent evaluations', async () => {
    const policy = compileOne(SLOW_POLICY, { limits: { evalTimeoutMs: 50 } });
    const { value, ms } = await timed(() =>
      Promise.all(Array.from({ length: 8 }, (_, i) => policy.evaluate(i % 2 ? FAST : SLOW))),
    );
    value.forEach((d, i) => (i % 2 ? expect(d.allow).toBe(true) : expectTimeLimitDeny(d)));
    expect(ms).toBeLessThan(5000);
  });

  it('defaults to a 1 s budget', async () => {
    const policy = compileOne(SLOW_POLICY);
    const { value, ms } = await timed(() => policy.evaluate(SLOW));
    expectTimeLimitDeny(value);
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(5000);
  });
});

describe('size limits', () => {
  const sizeError = (fn: () => unknown) => {
    const err = thrown(fn);
    expect(err).toBeInstanceOf(NewtonError);
    expect((err as NewtonError).code).toBe('NEWTON_ERR_LIMIT_SIZE');
    return err as NewtonError;
  };

  it('bounds the request JSON at exactly maxRequestBytes', async () => {
    const policy = compileOne('package p\n\nallow := true\n', { limits: { maxRequestBytes: 1000 } });
    const request = (bytes: number) => {
      const shell = JSON.stringify({ input: { pad: '' } });
      return JSON.stringify({ input: { pad: 'x'.repeat(bytes - shell.length) } });
    };
    expect(request(1000)).toHaveLength(1000);
    expect(policy.evaluateSync(request(1000)).allow).toBe(true);
    expect(sizeError(() => policy.evaluateSync(request(1001))).message).toContain('1001');
    await expect(policy.evaluate(request(1001))).rejects.toMatchObject({ code: 'NEWTON_ERR_LIMIT_SIZE' });
  });

  it('defaults maxRequestBytes to 8 MiB', () => {
    const policy = compileOne('package p\n\nallow := true\n');
    const big = JSON.stringify({ input: { pad: 'x'.repeat(8 << 20) } });
    sizeError(() => policy.evaluateSync(big));
    expect(policy.evaluateSync({ input: { pad: 'x'.repeat(1 << 20) } }).allow).toBe(true);
  });

  it('defaults maxModuleBytes to 1 MiB', () => {
    const head = 'package p\n\nallow := true\n';
    const module = (bytes: number) => `${head}#${'x'.repeat(bytes - head.length - 2)}\n`;
    expect(module(1 << 20)).toHaveLength(1 << 20);
    expect(compileOne(module(1 << 20)).evaluateSync({}).allow).toBe(true);
    expect(sizeError(() => compileOne(module((1 << 20) + 1))).message).toContain('policy.rego');
  });

  it('defaults maxModules to 256', () => {
    const modules = (n: number) => [
      { path: 'policy.rego', source: 'package p\n\nallow := true\n' },
      ...Array.from({ length: n - 1 }, (_, i) => ({ path: `lib${i}.rego`, source: `package lib${i}\n\nx := ${i}\n` })),
    ];
    expect(Policy.compileSync(modules(256), 'p.allow').evaluateSync({}).allow).toBe(true);
    expect(sizeError(() => Policy.compileSync(modules(257), 'p.allow')).message).toContain('257');
  });
});

describe('concurrency', () => {
  const policySource = [
    'package p',
    '',
    'allow if {',
    '  input.decoded_function_arguments[1] == "1"',
    '  to_number(input.decoded_function_arguments[1]) <= data.params.max',
    '  not newton.confidential.blacklist.contains(input.decoded_function_arguments[0])',
    '  newton.identity.kyc.age_gte(18)',
    '}',
    '',
  ].join('\n');
  const recipient = '0xe42e3458283032c669c98e0d8f883a92fc64fe22';
  const request = (blacklisted: boolean, birthdate: string): EvaluationRequest => ({
    intent: rpcTransferIntent(),
    params: { max: 10 },
    identity: { kyc: { birthdate } },
    confidential: { blacklist: { addresses: blacklisted ? [recipient] : ['0x0000000000000000000000000000000000000001'] } },
    reference_date: '2024-01-01',
  });

  it('gives 1,000 concurrent evaluations of one Policy the identical decision', async () => {
    const policy = compileOne(policySource);
    const req = request(false, '1990-01-01');
    const expected = policy.evaluateSync(req);
    expect(expected.allow).toBe(true);
    const json = JSON.stringify(req);
    const decisions = await Promise.all(Array.from({ length: 1000 }, () => policy.evaluate(json)));
    expect(decisions).toHaveLength(1000);
    for (const d of decisions) expect(d).toEqual(expected);
  });

  it('keeps each concurrent evaluation’s identity and confidential data to itself', async () => {
    const policy = compileOne(policySource);
    // Four request shapes, only one of which allows; interleaved so that threads alternate.
    const shapes = [
      request(false, '1990-01-01'), // allow
      request(true, '1990-01-01'), // blacklisted
      request(false, '2010-01-01'), // under 18
      request(true, '2010-01-01'), // both
    ];
    const expected = shapes.map((r) => policy.evaluateSync(r));
    expect(expected.map((d) => d.allow)).toEqual([true, false, false, false]);
    const decisions = await Promise.all(Array.from({ length: 1000 }, (_, i) => policy.evaluate(shapes[i % 4]!)));
    decisions.forEach((d, i) => expect(d).toEqual(expected[i % 4]));
  });

  it('keeps the event loop responsive during a burst of async evaluations', async () => {
    const policy = compileOne(SLOW_POLICY, { limits: { evalTimeoutMs: 150 } });
    let ticks = 0;
    const interval = setInterval(() => ticks++, 5);
    try {
      const decisions = await Promise.all(Array.from({ length: 8 }, () => policy.evaluate(SLOW)));
      for (const d of decisions) expectTimeLimitDeny(d);
    } finally {
      clearInterval(interval);
    }
    // 8 × 150 ms of evaluation on the libuv pool: the timer must have kept firing meanwhile.
    expect(ticks).toBeGreaterThanOrEqual(5);
  });
});

describe('AbortSignal', () => {
  it('evaluates normally with a signal that is never aborted', async () => {
    const controller = new AbortController();
    const policy = await Policy.compile([{ path: 'policy.rego', source: SLOW_POLICY }], 'p.allow', {
      signal: controller.signal,
    });
    expect(await policy.evaluate(FAST, { signal: controller.signal })).toMatchObject({ allow: true });
  });

  it('rejects a queued evaluation with an AbortError (not a NewtonError) when its signal aborts', async () => {
    const policy = compileOne(SLOW_POLICY, { limits: { evalTimeoutMs: 300 } });
    // Occupy every libuv worker so that the next evaluation is still queued when it is aborted.
    const poolSize = Number(process.env.UV_THREADPOOL_SIZE) || 4;
    const busy = Array.from({ length: poolSize * 2 }, () => policy.evaluate(SLOW));
    const controller = new AbortController();
    const queued = policy.evaluate(FAST, { signal: controller.signal });
    controller.abort();
    const err = await queued.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(NewtonError);
    expect((err as Error).name).toBe('AbortError');
    for (const d of await Promise.all(busy)) expectTimeLimitDeny(d);
    // The policy keeps serving.
    expect((await policy.evaluate(FAST)).allow).toBe(true);
  });
});
