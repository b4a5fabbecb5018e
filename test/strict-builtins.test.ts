// Fail closed on builtin errors: a builtin that fails its type check is an evaluation error, so
// the decision denies (Newton's engine does the same); `strictBuiltinErrors: false` / `--non-strict`
// restore OPA's semantics, where the expression is undefined and a deny can turn into an allow.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Policy, type TaskIntent } from '../bindings/dist/index.js';
import { newton } from './helpers/cli.js';
import { makeTempDir } from './helpers/newton.js';
import { repoRoot } from './helpers/paths.js';

const ISSUE_POLICY = 'package q\nimport rego.v1\ndefault allow := false\nallow if not count(data.wasm.t) > 3\n';
const modules = [{ path: 'q.rego', source: ISSUE_POLICY }];

describe('strict builtin errors by default', () => {
  it('denies count(null) with the builtin\'s message and location; non-strict allows', async () => {
    const strict = await Policy.compile(modules, 'q.allow');
    const d = await strict.evaluate({ wasm: { t: null } });
    expect(d).toMatchObject({ allow: false, error: { code: 'NEWTON_ERR_POLICY_EVAL', details: { file: 'q.rego', line: 4 } } });
    expect(d.reason).toMatch(/^q\.rego:4:\d+: .*count/);
    expect(strict.evaluateSync({ wasm: { t: [1, 2] } }).allow).toBe(true);

    const lax = await Policy.compile(modules, 'q.allow', { strictBuiltinErrors: false });
    expect((await lax.evaluate({ wasm: { t: null } })).allow).toBe(true);
  });

  it('denies by default and allows with --non-strict through the CLI (eval and test)', async () => {
    const dir = makeTempDir('strict-cli');
    const file = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const policy = file('q.rego', ISSUE_POLICY);
    const wasm = file('wasm.json', '{"t": null}');
    const intent = file('intent.json', fs.readFileSync(path.join(repoRoot, 'examples/spend-limit/intent.json'), 'utf8'));
    const evalArgs = ['policy', 'eval', '--policy', policy, '--entrypoint', 'q.allow', '--intent', intent, '--wasm-data', wasm, '--format', 'json'];
    const strict = await newton(evalArgs);
    expect(strict.status).toBe(0);
    expect(JSON.parse(strict.stdout)).toMatchObject({ allow: false, error: { code: 'NEWTON_ERR_POLICY_EVAL' } });
    const lax = await newton([...evalArgs, '--non-strict']);
    expect(JSON.parse(lax.stdout)).toMatchObject({ allow: true });

    const test = file('q_test.rego', 'package q\nimport rego.v1\ntest_null_allows if allow with data.wasm.t as null\n');
    expect((await newton(['policy', 'test', policy, test])).status).toBe(3);
    expect((await newton(['policy', 'test', policy, test, '--non-strict'])).status).toBe(0);
  });
});

/** An example's policy and its sample request, with `wasm` replaced by a denying variant. */
function example(name: string) {
  const dir = path.join(repoRoot, 'examples', name);
  const read = (f: string) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  const manifest = read('example.json');
  const policy = Policy.compileSync([{ path: `${name}/policy.rego`, source: fs.readFileSync(path.join(dir, 'policy.rego'), 'utf8') }], manifest.entrypoint);
  return { policy, intent: read(manifest.intents.intent) as TaskIntent, params: read(manifest.params), wasm: read(manifest.wasm) };
}

/** Every path to a value inside `doc`, objects and arrays included. */
function paths(doc: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (doc === null || typeof doc !== 'object') return [prefix];
  const entries = Array.isArray(doc) ? doc.map((v, i) => [i, v] as const) : Object.entries(doc);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

function replaced(doc: unknown, at: (string | number)[], value: unknown): unknown {
  if (at.length === 0) return value;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let node = copy;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[at[at.length - 1]!] = value;
  return copy;
}

/** Values of every JSON type; a mutation uses one whose type differs from the value it replaces. */
const anyValue = fc.constantFrom<unknown>(null, '', 'x', '12', 0, -1, 1e308, true, false, [], [null], {}, { a: null });
const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function valueAt(doc: unknown, at: (string | number)[]): unknown {
  return at.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], doc);
}

/** A path into `doc` and a value of another type to put there. */
const wrongTypeAt = (doc: unknown, at: (string | number)[][]) =>
  fc.tuple(fc.constantFrom(...at), anyValue).filter(([p, v]) => typeOf(valueAt(doc, p)) !== typeOf(v));

describe('no wrong-typed oracle value turns a deny into an allow (strict mode)', () => {
  const denying = [
    { name: 'quickstart-style', wasm: (w: Record<string, unknown>) => ({ ...w, sanctioned: true }) },
    { name: 'quickstart-style', wasm: (w: Record<string, unknown>) => ({ ...w, risk_score: 9 }) },
    { name: 'quickstart-style', wasm: (w: Record<string, unknown>) => ({ ...w, kyc_status: 'pending' }) },
    { name: 'gas-oracle', wasm: () => ({ gas_price_gwei: { '11155111': 999, '8453': 999 } }) },
  ].map(({ name, wasm }) => {
    const e = example(name);
    return { ...e, wasm: wasm(e.wasm) };
  });

  it('holds for the examples\' policies', () => {
    for (const d of denying) expect(d.policy.evaluateSync({ intent: d.intent, params: d.params, wasm: d.wasm }).allow).toBe(false);
    const mutation = fc.integer({ min: 0, max: denying.length - 1 }).chain((i) =>
      fc.tuple(fc.constant(i), wrongTypeAt(denying[i]!.wasm, paths(denying[i]!.wasm))));
    fc.assert(
      fc.property(mutation, ([i, [at, value]]) => {
        const d = denying[i]!;
        const wasm = replaced(d.wasm, at, value) as Record<string, unknown>;
        const decision = d.policy.evaluateSync({ intent: d.intent, params: d.params, wasm: typeof wasm === 'object' && wasm && !Array.isArray(wasm) ? wasm : {} });
        return decision.allow === false;
      }),
      { numRuns: 500 },
    );
  });

  it('holds for a deny-list policy that non-strict mode lets through', () => {
    const source = 'package d\nimport rego.v1\ndefault allow := false\nallow if count(deny) == 0\ndeny contains "too many" if count(data.wasm.list) > 3\ndeny contains x if { some x in data.wasm.blocked; x == "me" }\n';
    const strict = Policy.compileSync([{ path: 'd.rego', source }], 'd.allow');
    const lax = Policy.compileSync([{ path: 'd.rego', source }], 'd.allow', { strictBuiltinErrors: false });
    const base = { list: [1, 2, 3, 4, 5], blocked: ['me'] };
    expect(lax.evaluateSync({ wasm: { ...base, list: null } }).allow).toBe(false);
    expect(lax.evaluateSync({ wasm: { list: null, blocked: [] } }).allow).toBe(true); // what strict mode prevents
    fc.assert(
      // Below the root: a wasm without the fields at all is undefined data, not a builtin error.
      fc.property(wrongTypeAt(base, paths(base).slice(1)), ([at, value]) => {
        const wasm = replaced(base, at, value) as Record<string, unknown>;
        return strict.evaluateSync({ wasm: wasm && typeof wasm === 'object' && !Array.isArray(wasm) ? wasm : {} }).allow === false;
      }),
      { numRuns: 300 },
    );
  });
});
