// The repository's hostile policies (test/fixtures/hostile-policies.json) simulated through the
// sandbox pool: each ends in its documented compile error, deny code or allow — an answer, never
// a hang or a lost worker — and the pool then simulates a normal policy correctly.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PolicyModule } from '../bindings/dist/index.js';
import { SandboxPool, type SimulationResult } from '../server/dist/sandbox/index.js';
import { rpcTransferIntent } from './helpers/newton.js';
import { repoRoot } from './helpers/paths.js';

interface Case {
  name: string;
  modules: PolicyModule[];
  entrypoint: string;
  expect: { compile?: string; deny?: string; allow?: boolean };
  limits?: { evalTimeoutMs?: number };
}

const all: Case[] = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test/fixtures/hostile-policies.json'), 'utf8')).cases;
/** A simulation carries one `policy.rego`, so the one two-module case stays with the in-process suite. */
const cases = all.filter((c) => c.modules.length === 1);
/** As the in-process suite: a generous evaluation timeout so each case hits its own budget on a loaded machine. */
const limitsOf = (c: Case) => ({ evalTimeoutMs: 5000, ...c.limits });
/** Longest any case may take, queueing included. */
const BOUND_MS = 15_000;

const intent = rpcTransferIntent();
const pools = new Map<string, Promise<SandboxPool>>();

/** One pool per distinct limits (limits are per pool). */
function poolFor(c: Case): Promise<SandboxPool> {
  const limits = limitsOf(c);
  const key = JSON.stringify(limits);
  if (!pools.has(key)) pools.set(key, SandboxPool.start({ workers: 2, limits, jobTimeoutMs: BOUND_MS }));
  return pools.get(key)!;
}

afterAll(async () => {
  await Promise.all([...pools.values()].map(async (p) => (await p).close()));
});

type Outcome = { result: SimulationResult } | { error: { code?: string; message: string } };

async function simulate(c: Case): Promise<Outcome> {
  const pool = await poolFor(c);
  const source = c.modules[0]!.source;
  return pool.simulatePolicy({ policy: source, entrypoint: c.entrypoint, intent }).then(
    (result) => ({ result }),
    (error: { code?: string; message: string }) => ({ error }),
  );
}

describe('hostile policies through the sandbox', () => {
  it('covers the fixture', () => expect(cases.length).toBeGreaterThanOrEqual(all.length - 1));

  it('answers every case with its code, all at once, within the bound, losing no worker', async () => {
    const started = performance.now();
    const outcomes = await Promise.all(cases.map(simulate));
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
    outcomes.forEach((outcome, i) => {
      const c = cases[i]!;
      if (c.expect.compile) {
        expect('error' in outcome && outcome.error.code, c.name).toBe(c.expect.compile);
        return;
      }
      if (!('result' in outcome)) return expect.unreachable(`${c.name}: ${outcome.error.code} ${outcome.error.message.slice(0, 200)}`);
      const { decision } = outcome.result;
      if (c.expect.allow !== undefined) return expect(decision.allow, c.name).toBe(c.expect.allow);
      expect(decision.allow, c.name).toBe(false);
      expect(decision.error?.code, `${c.name}: ${decision.reason?.slice(0, 200)}`).toBe(c.expect.deny);
    });
    for (const pool of await Promise.all(pools.values())) {
      expect(pool.stats().restarts).toBe(0);
      const normal = await pool.simulatePolicy({ policy: 'package policy\n\nimport rego.v1\n\nallow if input.value == "0"\n', intent });
      expect(normal.decision.allow).toBe(true);
    }
  });
});
