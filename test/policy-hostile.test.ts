// Hostile policies through the TS API (sync on the main thread, async on the libuv pool) and the
// CLI: every case of test/fixtures/hostile-policies.json ends in its documented code within a
// bound, and the same process then evaluates a normal policy correctly.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NewtonError, Policy, type Decision, type PolicyModule } from '../bindings/dist/index.js';
import { newton } from './helpers/cli.js';
import { ABI_TRUE, makeTempDir } from './helpers/newton.js';
import { repoRoot } from './helpers/paths.js';

interface Case {
  name: string;
  modules: PolicyModule[];
  entrypoint: string;
  expect: { compile?: string; deny?: string; allow?: boolean };
  limits?: { evalTimeoutMs?: number };
}

const fixture = path.join(repoRoot, 'test/fixtures/hostile-policies.json');
const cases: Case[] = JSON.parse(fs.readFileSync(fixture, 'utf8')).cases;
/** A generous timeout, so every case hits its own budget on a loaded machine (the time-limit case sets a short one). */
const limitsOf = (c: Case) => ({ evalTimeoutMs: 5000, ...c.limits });
/** Longest any case may take, compile or evaluation. */
const BOUND_MS = 6000;

const NORMAL = 'package ok\n\nimport rego.v1\n\nallow if input.amount <= 10\n';

async function expectNormalPolicyWorks() {
  const policy = await Policy.compile([{ path: 'ok.rego', source: NORMAL }], 'ok.allow');
  expect(policy.evaluateSync({ input: { amount: 5 } })).toEqual({ allow: true, result: true, evaluation_result: ABI_TRUE });
  expect((await policy.evaluate({ input: { amount: 50 } })).allow).toBe(false);
}

function expectOutcome(c: Case, decision: Decision) {
  if (c.expect.allow !== undefined) return expect(decision.allow, c.name).toBe(c.expect.allow);
  expect(decision.allow, c.name).toBe(false);
  expect(decision.error?.code, `${c.name}: ${decision.reason?.slice(0, 200)}`).toBe(c.expect.deny);
  expect(decision.reason).toBe(decision.error?.message);
}

async function timed<T>(fn: () => Promise<T> | T): Promise<T> {
  const started = performance.now();
  const value = await fn();
  expect(performance.now() - started).toBeLessThan(BOUND_MS);
  return value;
}

describe('hostile policies through the TS API', () => {
  it('has at least 30 cases', () => expect(cases.length).toBeGreaterThanOrEqual(30));

  for (const c of cases) {
    it(`${c.name}: ${JSON.stringify(c.expect)}`, async () => {
      if (c.expect.compile) {
        const sync = await timed(() => {
          try {
            Policy.compileSync(c.modules, c.entrypoint, { limits: limitsOf(c) });
          } catch (e) {
            return e;
          }
        });
        expect(sync).toBeInstanceOf(NewtonError);
        expect((sync as NewtonError).code).toBe(c.expect.compile);
        await expect(Policy.compile(c.modules, c.entrypoint, { limits: limitsOf(c) })).rejects.toMatchObject({ code: c.expect.compile });
      } else {
        const policy = await Policy.compile(c.modules, c.entrypoint, { limits: limitsOf(c) });
        expectOutcome(c, await timed(() => policy.evaluateSync({ input: {} })));
        expectOutcome(c, await timed(() => policy.evaluate({ input: {} })));
      }
      await expectNormalPolicyWorks();
    });
  }

  it('survives every evaluating case at once on the libuv pool', async () => {
    const evaluating = cases.filter((c) => !c.expect.compile);
    const policies = await Promise.all(evaluating.map((c) => Policy.compile(c.modules, c.entrypoint, { limits: limitsOf(c) })));
    const decisions = await Promise.all(policies.map((p) => p.evaluate({ input: {} })));
    decisions.forEach((d, i) => expectOutcome(evaluating[i]!, d));
    await expectNormalPolicyWorks();
  });

  it('refuses JSON documents nested deeper than 128 levels with NEWTON_ERR_LIMIT_DEPTH', async () => {
    const policy = await Policy.compile([{ path: 'ok.rego', source: NORMAL }], 'ok.allow');
    let deep: unknown = 1;
    for (let i = 0; i < 200; i++) deep = [deep];
    for (const request of [{ input: deep }, { input: {}, params: { a: deep } }, { input: {}, wasm: { a: deep } }]) {
      expect(() => policy.evaluateSync(request as never)).toThrow(expect.objectContaining({ code: 'NEWTON_ERR_LIMIT_DEPTH' }));
      await expect(policy.evaluate(request as never)).rejects.toMatchObject({ code: 'NEWTON_ERR_LIMIT_DEPTH' });
    }
    await expectNormalPolicyWorks();
  });
});

describe('the issue\'s three cases through the CLI', () => {
  const dir = makeTempDir('hostile-cli');
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const intent = write('intent.json', JSON.stringify({
    from: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', to: '0xb1aD5f82407bC0f19f42b2614fb9083035a36b69',
    value: '0x0', data: '0x', chain_id: '0xaa36a7', function_signature: '0x',
  }));

  it('refuses recursion at check and eval with the cycle named', async () => {
    const recursive = write('rec.rego', 'package p\n\nimport rego.v1\n\nf(x) := y if {\n\ty := f(x + 1)\n}\n\nallow if f(1) > 0\n');
    const check = await newton(['policy', 'check', recursive]);
    expect(check.status).toBe(1);
    expect(check.stderr).toContain('NEWTON_ERR_POLICY_RECURSION');
    expect(check.stderr).toContain('data.p.f (');
    const run = await newton(['policy', 'eval', '--policy', recursive, '--entrypoint', 'p.allow', '--intent', intent]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('NEWTON_ERR_POLICY_RECURSION');
  });

  it('refuses 20,000-deep nesting quickly and denies a billion-element range with its code', async () => {
    const nested = write('deep.rego', `package p\n\nx := ${'['.repeat(20000)}1${']'.repeat(20000)}\n\nallow if count(x) > 0\n`);
    const deep = await timed(() => newton(['policy', 'check', nested]));
    expect(deep.status).toBe(1);
    expect(deep.stderr).toContain('NEWTON_ERR_LIMIT_DEPTH');
    const range = write('range.rego', 'package p\n\nimport rego.v1\n\nallow if count(numbers.range(1, 1000000000)) > 0\n');
    const r = await timed(() => newton(['policy', 'eval', '--policy', range, '--entrypoint', 'p.allow', '--intent', intent, '--format', 'json']));
    expect(r.status).toBe(0);
    const decision = JSON.parse(r.stdout);
    expect(decision).toMatchObject({ allow: false, error: { code: 'NEWTON_ERR_POLICY_LIMIT_ELEMENTS' } });
  });
});
