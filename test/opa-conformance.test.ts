// OPA's Rego conformance cases (test/vectors/opa, see its SOURCE.md) run through the public
// TypeScript API. Each case's query becomes the body of a generated rule whose value is the set
// of the query's bindings; cases the engine deliberately cannot run are in the skip file.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import YAML from 'yaml';
import { NewtonError, Policy, type ErrorInfo } from 'newton-engine';
import { opaVectorsDir } from './helpers/paths.js';

interface OpaCase {
  note: string;
  query: string;
  modules?: string[];
  data?: Record<string, unknown>;
  input?: unknown;
  /** A Rego term (not necessarily JSON) to use as `input`. */
  input_term?: string;
  /** Binding maps, one per query result; `[]` means undefined. */
  want_result?: Record<string, unknown>[];
  want_error?: string;
  want_error_code?: string;
  strict_error?: boolean;
  sort_bindings?: boolean;
}

/** What a case produced: an error (from compiling or evaluating) or the query's bindings. */
type Outcome = { error?: ErrorInfo; bindings?: Record<string, unknown>[] };

const casesDir = path.join(opaVectorsDir, 'v1');
const skipFile = path.join(import.meta.dirname, 'opa-conformance.skip.json');
/** `<file relative to v1>#<note>` → why the engine cannot run that case. */
const skips: Record<string, string> = JSON.parse(fs.readFileSync(skipFile, 'utf8'));

/** Every case file, as a `/`-separated path relative to `v1`. */
const caseFiles = fs
  .readdirSync(casesDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => f.split(path.sep).join('/'))
  .sort();

/** A case's id: `file#note`, plus ` [n]` when the note repeats within the file. */
function caseIds(file: string, cases: OpaCase[]): string[] {
  const seen = new Map<string, number>();
  return cases.map(({ note }) => {
    const n = (seen.get(note) ?? 0) + 1;
    seen.set(note, n);
    const repeated = cases.filter((c) => c.note === note).length > 1;
    return `${file}#${note}${repeated ? ` [${n}]` : ''}`;
  });
}

/** The generated module: `results` is the set of the query's bindings (as objects). */
function queryModule(c: OpaCase): string {
  const vars = [...new Set((c.want_result ?? []).flatMap((b) => Object.keys(b)))];
  const bindings = `{${vars.map((v) => `${JSON.stringify(v)}: ${v}`).join(', ')}}`;
  const exprs = c.query
    .split(/[;\n]/)
    .map((e) => e.trim())
    .filter(Boolean)
    .map((e) => (c.input_term === undefined ? e : `${e} with input as ${c.input_term}`));
  return `package __conformance\n\nresults contains ${bindings} if {\n\t${exprs.join('\n\t')}\n}\n`;
}

/** Compiles and evaluates a case; an error from either step is the outcome. */
function run(c: OpaCase): Outcome {
  const modules = [
    ...(c.modules ?? []).map((source, i) => ({ path: `test-${i}.rego`, source })),
    { path: '__conformance.rego', source: queryModule(c) },
  ];
  let policy: Policy;
  try {
    policy = Policy.compileSync(modules, '__conformance.results', {
      data: c.data,
      strictBuiltinErrors: c.strict_error ?? false, // OPA's default is non-strict; its cases say strict_error where they need it
    });
  } catch (err) {
    if (err instanceof NewtonError) return { error: err };
    throw err;
  }
  const decision = policy.evaluateSync({ input: c.input });
  if (decision.error) return { error: decision.error };
  return { bindings: (decision.result ?? []) as Record<string, unknown>[] };
}

/** JSON with sorted object keys: a total order for comparing results as multisets. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const byCanonical = (a: unknown, b: unknown) => {
  const [x, y] = [canonical(a), canonical(b)];
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Result sets compare order-insensitively; `sort_bindings` also ignores the order of array values. */
function normalize(bindings: Record<string, unknown>[], sortBindings = false) {
  const sorted = sortBindings
    ? bindings.map((b) =>
        Object.fromEntries(Object.entries(b).map(([k, v]) => [k, Array.isArray(v) ? [...v].sort(byCanonical) : v])),
      )
    : bindings;
  return [...sorted].sort(byCanonical);
}

function check(c: OpaCase) {
  const { error, bindings } = run(c);
  if (c.want_result) {
    expect(error, 'unexpected error').toBeUndefined();
    expect(normalize(bindings ?? [], c.sort_bindings)).toEqual(normalize(c.want_result, c.sort_bindings));
    return;
  }
  // OPA's eval_type_error / eval_builtin_error / eval_conflict_error are all evaluation errors.
  // Their wording is OPA's own (regorus words most of them differently), so it is not compared;
  // but a builtin the engine lacks is not the error OPA means.
  expect(error?.code, `expected ${c.want_error_code ?? c.want_error}, got ${JSON.stringify(bindings)}`).toBe(
    'NEWTON_ERR_POLICY_EVAL',
  );
  expect(error?.message).not.toContain('could not find function');
}

const ids = new Set<string>();
let [passed, skipped] = [0, 0];

for (const file of caseFiles) {
  const { cases } = YAML.parse(fs.readFileSync(path.join(casesDir, file), 'utf8')) as { cases: OpaCase[] };
  const fileIds = caseIds(file, cases);
  fileIds.forEach((id) => ids.add(id));
  describe(file, () => {
    cases.forEach((c, i) => {
      const id = fileIds[i]!;
      const reason = skips[id];
      const name = id.slice(file.length + 1);
      if (reason === undefined) {
        test(name, () => {
          check(c);
          passed++;
        });
      } else {
        test(`${name} (skipped: ${reason})`, () => {
          expect(() => check(c), 'skipped case passes: remove it from the skip file').toThrow();
          skipped++;
        });
      }
    });
  });
}

test('the skip file names only existing cases', () => {
  expect(Object.keys(skips).filter((id) => !ids.has(id))).toEqual([]);
});

afterAll(() => {
  console.log(`OPA conformance: ${ids.size} cases, ${passed} passed, ${skipped} skipped (each confirmed failing)`);
});
