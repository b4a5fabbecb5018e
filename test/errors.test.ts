// The error table: errorCodes() is exactly the Rust table and the ErrorCode union of the TS API
// (generated from it), and every failure of the API is a NewtonError carrying one of those codes.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BlsSigner,
  NewtonError,
  Policy,
  blsVerifySync,
  checkPolicy,
  errorCodes,
  keystoreInfoSync,
  parseIntent,
  runPolicyTestsSync,
  type ErrorCode,
} from '../bindings/dist/index.js';
import { generated } from '../scripts/error-table.mjs';
import { repoRoot } from './helpers/paths.js';
import { thrown } from './helpers/newton.js';

/** The members of `export type ErrorCode = | '…' | …;` in the generated bindings/src/error-codes.ts. */
function unionFromTypeScript(): string[] {
  const source = fs.readFileSync(path.join(repoRoot, 'bindings/src/error-codes.ts'), 'utf8');
  const union = /export type ErrorCode =([^;]*);/.exec(source)?.[1];
  if (!union) throw new Error('ErrorCode union not found in bindings/src/error-codes.ts');
  return [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1] as string);
}

/** `Variant = "NAME", rpc, "doc";` rows of the `codes!` table in crates/newton-core/src/code.rs. */
function tableFromRust(): { code: string; rpcCode: number; description: string }[] {
  const source = fs.readFileSync(path.join(repoRoot, 'crates/newton-core/src/code.rs'), 'utf8');
  const table = /codes!\s*\{([\s\S]*?)\n\}/.exec(source)?.[1];
  if (!table) throw new Error('codes! table not found in crates/newton-core/src/code.rs');
  return [...table.matchAll(/^\s*\w+\s*=\s*"([A-Z_]+)",\s*(-?\d+),\s*"((?:[^"\\]|\\.)*)";/gm)].map((m) => ({
    code: m[1] as string,
    rpcCode: Number(m[2]),
    description: m[3] as string,
  }));
}

describe('errorCodes()', () => {
  const table = errorCodes();

  it('lists every code of the ErrorCode union and nothing else', () => {
    const union = unionFromTypeScript();
    expect(union.length).toBeGreaterThanOrEqual(19);
    expect(table.map((e) => e.code).sort()).toEqual([...union].sort());
  });

  it('matches the Rust source of truth row for row, in order', () => {
    const rust = tableFromRust();
    expect(rust.length).toBe(table.length);
    expect(table).toEqual(rust);
  });

  it('gives each code a unique name, a JSON-RPC integer rpcCode and a description', () => {
    expect(new Set(table.map((e) => e.code)).size).toBe(table.length);
    for (const e of table) {
      expect(e.code).toMatch(/^NEWTON_ERR_[A-Z_]+$/);
      expect(Number.isInteger(e.rpcCode)).toBe(true);
      // JSON-RPC reserves -32768..-32000 for pre-defined and server errors.
      expect(e.rpcCode).toBeGreaterThanOrEqual(-32768);
      expect(e.rpcCode).toBeLessThanOrEqual(-32000);
      expect(e.description.length).toBeGreaterThan(10);
    }
  });

  it('maps caller errors to invalid params and evaluation failures to the Newton policy error', () => {
    const rpc = Object.fromEntries(table.map((e) => [e.code, e.rpcCode])) as Record<ErrorCode, number>;
    expect(rpc.NEWTON_ERR_INVALID_ARGUMENT).toBe(-32602);
    expect(rpc.NEWTON_ERR_POLICY_PARSE).toBe(-32602);
    expect(rpc.NEWTON_ERR_PARAMS_SCHEMA_VIOLATION).toBe(-32602);
    expect(rpc.NEWTON_ERR_POLICY_EVAL).toBe(-32615);
    expect(rpc.NEWTON_ERR_LIMIT_TIME).toBe(-32615);
    expect(rpc.NEWTON_ERR_INTERNAL).toBe(-32603);
  });

  it('returns a fresh copy each call', () => {
    const a = errorCodes();
    a.pop();
    expect(errorCodes()).toHaveLength(table.length);
  });
});

describe('NewtonError', () => {
  it('is an Error with name, code, message and details', () => {
    const err = new NewtonError(
      { code: 'NEWTON_ERR_POLICY_PARSE', message: 'p.rego:1:2: nope', details: { file: 'p.rego', line: 1, column: 2 } },
      { cause: 'why' },
    );
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('NewtonError');
    expect(err.code).toBe('NEWTON_ERR_POLICY_PARSE');
    expect(err.message).toBe('p.rego:1:2: nope');
    expect(err.details).toEqual({ file: 'p.rego', line: 1, column: 2 });
    expect(err.cause).toBe('why');
    expect(err.stack).toContain('NewtonError');
    expect(new NewtonError({ code: 'NEWTON_ERR_IO', message: 'x' }).details).toBeUndefined();
  });

  // Failures from each entry point of the API, each a NewtonError with a code from the table.
  const failures: [string, () => unknown, ErrorCode][] = [
    ['compileSync (parse)', () => Policy.compileSync([{ path: 'p.rego', source: 'package p\nallow if {' }], 'p.allow'), 'NEWTON_ERR_POLICY_PARSE'],
    ['compileSync (entrypoint)', () => Policy.compileSync([{ path: 'p.rego', source: 'package p\nallow := 1' }], 'nope'), 'NEWTON_ERR_POLICY_ENTRYPOINT'],
    ['checkPolicy', () => checkPolicy([{ path: 'p.rego', source: 'package p\nx := time.now_ns()' }]), 'NEWTON_ERR_POLICY_NONDETERMINISTIC'],
    ['parseIntent', () => parseIntent('nope'), 'NEWTON_ERR_INVALID_JSON'],
    ['runPolicyTestsSync', () => runPolicyTestsSync([{ path: 't.rego', source: 'package t\ntest_x if {' }]), 'NEWTON_ERR_POLICY_PARSE'],
    [
      'evaluateSync',
      () => Policy.compileSync([{ path: 'p.rego', source: 'package p\nallow := true' }], 'p.allow').evaluateSync('['),
      'NEWTON_ERR_INVALID_JSON',
    ],
    ['blsVerifySync', () => blsVerifySync(new Uint8Array(47), new Uint8Array(), new Uint8Array(96)), 'NEWTON_ERR_BLS_BAD_ENCODING'],
    ['BlsSigner.fromSecretKey', () => BlsSigner.fromSecretKey(new Uint8Array(32)), 'NEWTON_ERR_BLS_KEY_INVALID'],
    ['keystoreInfoSync', () => keystoreInfoSync('{}', 'password'), 'NEWTON_ERR_KEYSTORE_INVALID'],
  ];
  it.each(failures)('%s throws a NewtonError with a tabled code', (_, fn, code) => {
    const err = thrown(fn);
    expect(err).toBeInstanceOf(NewtonError);
    const e = err as NewtonError;
    expect(e.code).toBe(code);
    expect(errorCodes().map((c) => c.code)).toContain(e.code);
    expect(e.message).not.toBe('');
    // The message is readable text, not the raw JSON that crossed the native boundary.
    expect(e.message.startsWith('{')).toBe(false);
  });

  it('puts parse locations in details', () => {
    const e = thrown(() => Policy.compileSync([{ path: 'p.rego', source: 'package p\n\nallow if input.x == )\n' }], 'p.allow'));
    expect((e as NewtonError).details).toMatchObject({ file: 'p.rego', line: 3, column: 21 });
  });

  it('maps JS argument-conversion failures to NEWTON_ERR_INVALID_ARGUMENT', () => {
    const err = thrown(() => Policy.compileSync('not modules' as never, 'p.allow'));
    expect(err).toBeInstanceOf(NewtonError);
    expect((err as NewtonError).code).toBe('NEWTON_ERR_INVALID_ARGUMENT');
  });
});

describe('files generated from the table (regenerate: npm run gen:errors)', () => {
  it.each(Object.keys(generated))('%s is up to date', (file) => {
    expect(fs.readFileSync(path.join(repoRoot, file), 'utf8')).toBe(generated[file as keyof typeof generated]());
  });

  it('gives the TS API its ErrorCode union (no hand-written copy)', () => {
    const errors = fs.readFileSync(path.join(repoRoot, 'bindings/src/errors.ts'), 'utf8');
    expect(errors).toContain("from './error-codes.js'");
    expect(errors).not.toMatch(/'NEWTON_ERR_[A-Z_]+'\s*\|/);
  });
});
