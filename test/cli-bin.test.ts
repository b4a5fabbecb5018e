// The `newton` bin as a process: the shim sets the exit code run() returns and leaves stdout and
// stderr to the app, also through the installed bin link (what `npx newton` resolves to).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, newtonProcess } from './helpers/cli.js';
import { makeTempDir, writeFiles } from './helpers/newton.js';

let dir: string;
let f: Record<string, string>;

beforeAll(() => {
  dir = makeTempDir('cli-bin');
  f = writeFiles(dir, {
    'policy.rego': 'package p\n\nallow := true\n',
    'p_test.rego': 'package p\n\ntest_allow if allow\n\ntest_fails if not allow\n',
  });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the newton bin', () => {
  it('runs through the installed bin link', () => {
    const r = newtonProcess(['policy', 'hash', f['policy.rego']!, '--format', 'json'], { bin: cliBin });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(Object.keys(JSON.parse(r.stdout))).toEqual(['policyCodeHash', 'policyCid']);
  });

  it('exits with the code run() returns: 1 failed, 2 usage, 3 negative verdict', () => {
    const failed = newtonProcess(['policy', 'hash', path.join(dir, 'missing.rego'), '--format', 'json']);
    expect([failed.status, failed.stdout]).toEqual([1, '']);
    expect(JSON.parse(failed.stderr)).toMatchObject({ code: 'NEWTON_ERR_IO' });
    const misuse = newtonProcess(['policy', 'hahs']);
    expect([misuse.status, misuse.stderr]).toEqual([2, "newton: NEWTON_ERR_INVALID_ARGUMENT: unknown command 'hahs' (Did you mean hash?)\n"]);
    const tests = newtonProcess(['policy', 'test', dir]);
    expect(tests.status).toBe(3);
    expect(tests.stdout).toContain('FAIL: 1/2');
  });
});
