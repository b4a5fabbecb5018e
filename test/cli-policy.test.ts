// The `newton policy eval|test|check|hash` CLI, run in-process as a user runs it from the repository root.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIntent, policyCid, policyCodeHash, type TestReport } from '../bindings/dist/index.js';
import { newton } from './helpers/cli.js';
import { ABI_FALSE, ABI_TRUE, makeTempDir, rpcTransferIntent, writeFiles } from './helpers/newton.js';

let dir: string;
let f: Record<string, string>;

const POLICY = `package demo

default allow := false

allow if {
  input.decoded_function_arguments[1] == "1"
  input.function.name == "transfer"
}
`;

const CONTEXT_POLICY = `package ctx

allow if {
  to_number(input.decoded_function_arguments[1]) <= data.params.max
  data.wasm.risk_score < 5
  data.data.risk_score == data.wasm.risk_score
  data.privacy.note == "private"
  newton.identity.kyc.age_gte(18)
  not newton.confidential.blacklist.contains(input.to)
}
`;

const PASSING_TESTS = `package demo_test

import data.demo

test_allows_transfer_of_one if {
  demo.allow with input as {"decoded_function_arguments": ["0x01", "1"], "function": {"name": "transfer"}}
}

test_denies_other_amounts if {
  not demo.allow with input as {"decoded_function_arguments": ["0x01", "2"], "function": {"name": "transfer"}}
}

todo_more_cases if false
`;

const FAILING_TESTS = `package demo_test

import data.demo

test_allows_transfer_of_one if {
  demo.allow with input as {"decoded_function_arguments": ["0x01", "1"], "function": {"name": "transfer"}}
}

test_wrongly_expects_allow if {
  demo.allow with input as {"decoded_function_arguments": ["0x01", "2"], "function": {"name": "transfer"}}
}

test_is_seven := 7
`;

const NONDETERMINISTIC = `package nd

allow if {
  resp := http.send({"method": "GET", "url": "https://example.com"})
  resp.status_code == 200
}
`;

beforeAll(() => {
  dir = makeTempDir('cli');
  f = writeFiles(dir, {
    'policy.rego': POLICY,
    'demo.rego': POLICY,
    'ctx.rego': CONTEXT_POLICY,
    'deny.rego': 'package deny\n\nallow if input.value == "42"\n',
    'yes.rego': 'package yes\n\nallow := "yes"\n',
    'tlsn.rego': 'package tlsn\n\nallow if newton.crypto.tlsn_verify("presentation", "key")\n',
    'v0.rego': 'package v0\n\nallow { input.value == "0" }\n',
    'broken.rego': 'package broken\n\nallow if input.x == )\n',
    'nd.rego': NONDETERMINISTIC,
    'intent.json': JSON.stringify(rpcTransferIntent(), null, 2),
    'bad-intent.json': JSON.stringify({ ...rpcTransferIntent(), to: '0x1234' }),
    'not-json.json': '{"from": ',
    'params.json': JSON.stringify({ max: 5 }),
    'params-bad.json': JSON.stringify({ max: 'five' }),
    'params_schema.json': JSON.stringify({
      type: 'object',
      properties: { max: { type: 'integer' } },
      required: ['max'],
      additionalProperties: false,
    }),
    'wasm.json': JSON.stringify({ risk_score: 2 }),
    'privacy.json': JSON.stringify({ note: 'private' }),
    'identity.json': JSON.stringify({ kyc: { birthdate: '2000-01-01' } }),
    'confidential.json': JSON.stringify({ blacklist: { addresses: ['0x0000000000000000000000000000000000000001'] } }),
    'empty_secrets_schema.json': '{\n  "type": "object",\n  "properties": {},\n  "additionalProperties": false\n}\n',
    'crlf.rego': 'package crlf\r\n\r\nallow := true\r\n',
    // Test suites: one all-green, one with failures, one that errors, one that does not parse.
    'suite-pass/policy.rego': POLICY,
    'suite-pass/policy_test.rego': PASSING_TESTS,
    'suite-pass/notes.txt': 'not rego',
    'suite-pass/.hidden/ignored.rego': 'package ignored\n\ntest_ignored := false\n',
    'suite-pass/node_modules/dep/ignored.rego': 'package ignored_dep\n\ntest_ignored := false\n',
    'suite-fail/policy.rego': POLICY,
    'suite-fail/policy_test.rego': FAILING_TESTS,
    'suite-error/error_test.rego': 'package err_test\n\ntest_unsupported if newton.crypto.tlsn_verify("p", "k")\n',
    'suite-broken/broken_test.rego': 'package broken_test\n\ntest_x if {\n',
  });
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** `policy eval` of one file whose package is its base name, with intent.json unless `intent` is given. */
const evalArgs = (policy: string, ...extra: string[]) => evalWith(policy, { intent: f['intent.json']! }, ...extra);

function evalWith(policy: string, o: { intent: string; entrypoint?: string }, ...extra: string[]): string[] {
  const entrypoint = o.entrypoint ?? `${path.basename(policy, '.rego')}.allow`;
  return ['policy', 'eval', '--policy', policy, '--entrypoint', entrypoint, '--intent', o.intent, ...extra];
}

/** stdout must be exactly one JSON document. */
const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

describe('newton policy eval', () => {
  it('prints one JSON object with allow, result and the parsed input; exit 0 on allow', async () => {
    const r = await newton(evalArgs(f['demo.rego']!, '--format', 'json'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(json(r.stdout)).toEqual({
      entrypoint: 'data.demo.allow',
      allow: true,
      result: true,
      evaluation_result: ABI_TRUE,
      input: parseIntent(rpcTransferIntent()),
    });
  });

  it('exits 0 on deny too; `result` is absent when the entrypoint is undefined', async () => {
    const r = await newton([...evalArgs(f['deny.rego']!), '--format', 'json']);
    expect(r.status).toBe(0);
    const out = json(r.stdout);
    expect(out).toMatchObject({ entrypoint: 'data.deny.allow', allow: false, evaluation_result: ABI_FALSE });
    expect('result' in out).toBe(false);
    expect(out.reason).toBe('data.deny.allow is undefined');
    expect(out.input).toEqual(parseIntent(rpcTransferIntent()));
  });

  it('keeps a non-true result and reports an evaluation error as a deny', async () => {
    const yes = await newton([...evalArgs(f['yes.rego']!), '--format', 'json']);
    expect(yes.status).toBe(0);
    expect(json(yes.stdout)).toMatchObject({ allow: false, result: 'yes' });
    const tlsn = await newton([...evalArgs(f['tlsn.rego']!), '--format', 'json']);
    expect(tlsn.status).toBe(0);
    expect(json(tlsn.stdout)).toMatchObject({ allow: false, error: { code: 'NEWTON_ERR_BUILTIN_UNSUPPORTED' } });
  });

  it('passes params, params schema, wasm data, privacy, identity, confidential data and the reference date', async () => {
    const context = [
      '--params',
      f['params.json']!,
      '--params-schema',
      f['params_schema.json']!,
      '--wasm-data',
      f['wasm.json']!,
      '--privacy',
      f['privacy.json']!,
      '--identity',
      f['identity.json']!,
      '--confidential',
      f['confidential.json']!,
    ];
    const ok = await newton([...evalArgs(f['ctx.rego']!, ...context, '--reference-date', '2024-01-01'), '--format', 'json']);
    expect(ok.stderr).toBe('');
    expect(json(ok.stdout)).toMatchObject({ allow: true, result: true });
    // Under 18 on the given reference date.
    const young = await newton([...evalArgs(f['ctx.rego']!, ...context, '--reference-date', '2017-12-31'), '--format', 'json']);
    expect(json(young.stdout)).toMatchObject({ allow: false });
    // No reference date: deny with an error, never the wall clock.
    const noDate = await newton([...evalArgs(f['ctx.rego']!, ...context), '--format', 'json']);
    expect(noDate.status).toBe(0);
    expect(json(noDate.stdout)).toMatchObject({ allow: false, error: { code: 'NEWTON_ERR_POLICY_EVAL' } });
    // Params that violate the schema are a caller error.
    const bad = await newton(
      evalArgs(f['ctx.rego']!, '--params', f['params-bad.json']!, '--params-schema', f['params_schema.json']!),
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^newton: NEWTON_ERR_PARAMS_SCHEMA_VIOLATION: /);
  });

  it('prints a readable decision by default', async () => {
    const allow = await newton(evalArgs(f['demo.rego']!));
    expect(allow.status).toBe(0);
    expect(allow.stdout).toMatch(/^ALLOW\s+data\.demo\.allow$/m);
    expect(allow.stdout).toContain(`evaluation_result: ${ABI_TRUE}`);
    const deny = await newton(evalArgs(f['deny.rego']!));
    expect(deny.status).toBe(0);
    expect(deny.stdout).toMatch(/^DENY\s+data\.deny\.allow$/m);
    expect(deny.stdout).toContain('reason:            data.deny.allow is undefined');
  });

  it('accepts Rego v0 only with --rego-v0', async () => {
    const v1 = await newton(evalArgs(f['v0.rego']!));
    expect(v1.status).toBe(1);
    expect(v1.stderr).toContain('NEWTON_ERR_POLICY_PARSE');
    const v0 = await newton([...evalArgs(f['v0.rego']!), '--rego-v0', '--format', 'json']);
    expect(v0.status).toBe(0);
    expect(json(v0.stdout)).toMatchObject({ allow: true });
  });

  it('exits 1 with a readable message on a missing policy file', async () => {
    const missing = path.join(dir, 'missing.rego');
    const r = await newton(evalArgs(missing));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`newton: NEWTON_ERR_IO: cannot read ${missing}: ENOENT\n`);
  });

  it('exits 1 with a readable message on an intent file that is not JSON', async () => {
    const r = await newton(evalWith(f['deny.rego']!, { intent: f['not-json.json']! }));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^newton: NEWTON_ERR_INVALID_JSON: ${escape(f['not-json.json']!)} is not valid JSON`));
  });

  it('exits 1 on a malformed intent', async () => {
    const r = await newton(evalWith(f['deny.rego']!, { intent: f['bad-intent.json']! }));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^newton: NEWTON_ERR_INTENT_INVALID: intent\.to/);
  });

  it('exits 1 naming file:line:column on a parse error', async () => {
    const r = await newton(evalArgs(f['broken.rego']!));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^newton: NEWTON_ERR_POLICY_PARSE: ${escape(f['broken.rego']!)}:3:21: `));
  });

  it('exits 1 on a missing entrypoint rule and 2 on missing required flags', async () => {
    const noRule = await newton(evalWith(f['deny.rego']!, { intent: f['intent.json']!, entrypoint: 'deny.nope' }));
    expect(noRule.status).toBe(1);
    expect(noRule.stderr).toMatch(/^newton: NEWTON_ERR_POLICY_ENTRYPOINT: /);
    const noEntrypoint = await newton(['policy', 'eval', '--policy', f['deny.rego']!, '--intent', f['intent.json']!]);
    expect(noEntrypoint.status).toBe(2);
    expect(noEntrypoint.stderr).toBe("newton: NEWTON_ERR_INVALID_ARGUMENT: required option '--entrypoint <PKG.RULE>' not specified\n");
    const noPolicy = await newton(['policy', 'eval', '--entrypoint', 'deny.allow', '--intent', f['intent.json']!]);
    expect(noPolicy.status).toBe(2);
    expect(noPolicy.stderr).toContain('NEWTON_ERR_INVALID_ARGUMENT: --policy FILE is required');
  });

  it('evaluates several --policy files together', async () => {
    const lib = writeFiles(dir, {
      'multi/main.rego': 'package main\n\nallow if data.lib.ok\n',
      'multi/lib.rego': 'package lib\n\nok if input.value == "0"\n',
    });
    const r = await newton([
      'policy',
      'eval',
      '--policy',
      lib['multi/main.rego']!,
      lib['multi/lib.rego']!,
      '--entrypoint',
      'main.allow',
      '--intent',
      f['intent.json']!,
      '--format',
      'json',
    ]);
    expect(r.status).toBe(0);
    expect(json(r.stdout)).toMatchObject({ allow: true });
  });
});

describe('newton policy test', () => {
  it('exits 0 when every test passes, discovering only .rego files outside dot and node_modules folders', async () => {
    const r = await newton(['policy', 'test', path.join(dir, 'suite-pass')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('data.demo_test.test_allows_transfer_of_one: PASS');
    expect(r.stdout).toContain('data.demo_test.test_denies_other_amounts: PASS');
    expect(r.stdout).toContain('data.demo_test.todo_more_cases: SKIP');
    expect(r.stdout).toContain('PASS: 2/3');
    expect(r.stdout).toContain('SKIPPED: 1/3');
    expect(r.stdout).not.toContain('ignored');
  });

  it('exits 3 on a failing test and shows its name and what it evaluated to', async () => {
    const r = await newton(['policy', 'test', path.join(dir, 'suite-fail')]);
    expect(r.status).toBe(3);
    const testFile = path.join(dir, 'suite-fail', 'policy_test.rego');
    expect(r.stdout).toContain('data.demo_test.test_wrongly_expects_allow: FAIL');
    expect(r.stdout).toContain(`${testFile}:9: evaluated to undefined, want true`);
    expect(r.stdout).toContain('data.demo_test.test_is_seven: FAIL');
    expect(r.stdout).toContain(`${testFile}:13: evaluated to 7, want true`);
    expect(r.stdout).toContain('PASS: 1/3');
    expect(r.stdout).toContain('FAIL: 2/3');
  });

  it('exits 3 when a test errors, showing the error code', async () => {
    const r = await newton(['policy', 'test', path.join(dir, 'suite-error')]);
    expect(r.status).toBe(3);
    expect(r.stdout).toContain('data.err_test.test_unsupported: ERROR');
    expect(r.stdout).toContain('NEWTON_ERR_BUILTIN_UNSUPPORTED');
    expect(r.stdout).toContain('ERROR: 1/1');
  });

  it('exits 1 on a module that does not parse and on a missing path', async () => {
    const broken = await newton(['policy', 'test', path.join(dir, 'suite-broken')]);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toMatch(/^newton: NEWTON_ERR_POLICY_PARSE: .*broken_test\.rego:\d+:\d+: /);
    const missing = await newton(['policy', 'test', path.join(dir, 'no-such-dir')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('newton: NEWTON_ERR_IO: no such file or directory');
  });

  it('prints the report as JSON with --format json', async () => {
    const r = await newton(['policy', 'test', path.join(dir, 'suite-fail'), '--format', 'json']);
    expect(r.status).toBe(3);
    const report = JSON.parse(r.stdout) as TestReport;
    expect([report.passed, report.failed, report.errored, report.skipped]).toEqual([1, 2, 0, 0]);
    const failing = report.results.find((t) => t.name === 'data.demo_test.test_is_seven');
    expect(failing).toMatchObject({ outcome: 'fail', value: 7, line: 13, package: 'demo_test' });
  });

  it('runs only tests whose name matches --run', async () => {
    const r = await newton(['policy', 'test', path.join(dir, 'suite-fail'), '--run', 'allows_transfer', '--format', 'json']);
    expect(r.status).toBe(0); // the failing tests were filtered out
    const report = JSON.parse(r.stdout) as TestReport;
    expect(report.results.map((t) => t.name)).toEqual(['data.demo_test.test_allows_transfer_of_one']);
    const pretty = await newton(['policy', 'test', path.join(dir, 'suite-fail'), '--run', 'is_seven']);
    expect(pretty.status).toBe(3);
    expect(pretty.stdout).toContain('FAIL: 1/1');
    expect(pretty.stdout).not.toContain('test_allows_transfer_of_one');
  });

  it('reports coverage with --coverage', async () => {
    const r = await newton(['policy', 'test', path.join(dir, 'suite-pass'), '--coverage']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Coverage: \d+(\.\d)?%$/m);
    expect(r.stdout).toMatch(new RegExp(`^  ${escape(path.join(dir, 'suite-pass', 'policy.rego'))}: \\d+(\\.\\d)?%`, 'm'));
    const asJson = await newton(['policy', 'test', path.join(dir, 'suite-pass'), '--coverage', '--format', 'json']);
    const report = JSON.parse(asJson.stdout) as TestReport;
    expect(report.coverage?.percent).toBeGreaterThan(0);
    expect(report.coverage?.percent).toBeLessThanOrEqual(100);
    expect(report.coverage?.files.map((c) => path.basename(c.path)).sort()).toEqual(['policy.rego', 'policy_test.rego']);
    // The todo_ rule is never evaluated, so its line is not covered.
    const testFile = report.coverage?.files.find((c) => c.path.endsWith('policy_test.rego'));
    expect(testFile?.not_covered).toContain(13);
  });
});

describe('newton policy check', () => {
  it('prints ok with package and rule count for a valid policy', async () => {
    const r = await newton(['policy', 'check', f['policy.rego']!]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`ok  ${f['policy.rego']}  package demo  (2 rules)\n`);
  });

  it('rejects a non-deterministic builtin, naming http.send and file:line:col', async () => {
    const r = await newton(['policy', 'check', f['nd.rego']!]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      new RegExp(`^newton: NEWTON_ERR_POLICY_NONDETERMINISTIC: ${escape(f['nd.rego']!)}:4:\\d+: \`http\\.send\` is non-deterministic`),
    );
  });

  it('honours --rego-v0 and prints JSON with --format json', async () => {
    expect((await newton(['policy', 'check', f['v0.rego']!])).status).toBe(1);
    const r = await newton(['policy', 'check', f['v0.rego']!, '--rego-v0', '--format', 'json']);
    expect(r.status).toBe(0);
    const src = fs.readFileSync(f['v0.rego']!);
    expect(JSON.parse(r.stdout)).toEqual([
      { path: f['v0.rego'], package: 'v0', rules: ['allow'], policyCodeHash: policyCodeHash(src), policyCid: policyCid(src) },
    ]);
  });
});

describe('newton policy hash', () => {
  it('prints policyCodeHash and policyCid of the exact file bytes', async () => {
    const r = await newton(['policy', 'hash', f['policy.rego']!]);
    expect(r.status).toBe(0);
    const bytes = fs.readFileSync(f['policy.rego']!);
    expect(r.stdout).toBe(`policyCodeHash ${policyCodeHash(bytes)}\npolicyCid      ${policyCid(bytes)}\n`);
  });

  it('prints JSON with --format json, matching the empty secrets schema CID', async () => {
    const r = await newton(['policy', 'hash', f['empty_secrets_schema.json']!, '--format', 'json']);
    expect(r.status).toBe(0);
    const ids = JSON.parse(r.stdout) as { policyCodeHash: string; policyCid: string };
    expect(ids.policyCid).toBe('bafkreicpgvnkvplbxkvrimbytd3s2zns35dcj76xyoz3fdpnn3bt2j3ixy');
    expect(ids.policyCodeHash).toBe(policyCodeHash(fs.readFileSync(f['empty_secrets_schema.json']!)));
  });

  it('hashes bytes, not normalized text (CRLF differs from LF)', async () => {
    const r = await newton(['policy', 'hash', f['crlf.rego']!, '--format', 'json']);
    const ids = JSON.parse(r.stdout) as { policyCodeHash: string; policyCid: string };
    const crlf = fs.readFileSync(f['crlf.rego']!);
    expect(ids).toEqual({ policyCodeHash: policyCodeHash(crlf), policyCid: policyCid(crlf) });
    const lf = crlf.toString('utf8').replaceAll('\r\n', '\n');
    expect(ids.policyCodeHash).not.toBe(policyCodeHash(lf));
  });

  it('exits 2 without exactly one file', async () => {
    expect((await newton(['policy', 'hash'])).status).toBe(2);
    const two = await newton(['policy', 'hash', f['policy.rego']!, f['deny.rego']!]);
    expect(two.status).toBe(2);
    expect(two.stderr).toContain('NEWTON_ERR_INVALID_ARGUMENT: too many arguments');
  });
});

describe('newton policy help', () => {
  it('lists the commands, and each command its options', async () => {
    const area = await newton(['policy', '--help']);
    expect(area.status).toBe(0);
    expect(area.stdout).toMatch(/^Usage: newton policy /);
    for (const command of ['eval', 'test', 'check', 'hash']) expect(area.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    const evalHelp = await newton(['policy', 'eval', '--help']);
    expect(evalHelp.status).toBe(0);
    expect(evalHelp.stderr).toBe('');
    expect(evalHelp.stdout).toMatch(/^Usage: newton policy eval \[options\]/);
    for (const flag of ['--policy <FILE...>', '--entrypoint <PKG.RULE>', '--non-strict', '--policy-data <FILE.wasm...>', '--privacy-key <FILE...>', '--format <format>']) {
      expect(evalHelp.stdout).toContain(flag);
    }
    expect(evalHelp.stdout).toContain('--non-strict gives OPA\'s semantics');
    for (const command of ['test', 'check', 'hash']) {
      const r = await newton(['policy', command, '--help']);
      expect(r.stdout).toMatch(new RegExp(`^Usage: newton policy ${command} `));
      expect(r.stdout).toContain('--format <format>');
    }
  });
});

/** A string as a literal RegExp source. */
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
