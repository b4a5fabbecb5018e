// `newton policy bench` run in-process as a user runs it (eval's inputs, --count/--time, the report
// as one JSON object or aligned lines, errors with their codes), and the spinner for long work:
// nothing at all when stderr is not a terminal, a final timing line when it is.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../bindings/dist/cli/app.js';
import { newton } from './helpers/cli.js';
import { ABI_FALSE, ABI_TRUE, makeTempDir, rpcTransferIntent, writeFiles } from './helpers/newton.js';
import * as wat from './helpers/policy-data-wat.js';

let dir: string;
let f: Record<string, string>;
let env: Record<string, string>;

beforeAll(async () => {
  dir = makeTempDir('cli-policy-bench');
  env = { NEWTON_CACHE_DIR: path.join(dir, 'cache') };
  fs.writeFileSync(path.join(dir, 'risk.wasm'), await wat.returning('{"risk_score":2}'));
  f = writeFiles(dir, {
    'demo.rego':
      'package demo\n\nallow if {\n  input.function.name == "transfer"\n  to_number(input.decoded_function_arguments[1]) <= data.params.max\n}\n',
    'deny.rego': 'package deny\n\nallow if input.value == "42"\n',
    'tlsn.rego': 'package tlsn\n\nallow if newton.crypto.tlsn_verify("presentation", "key")\n',
    'broken.rego': 'package broken\n\nallow if input.x == )\n',
    'risk.rego': 'package risk\n\nallow if data.wasm.risk_score < 5\n',
    'ctx.rego':
      'package ctx\n\nallow if {\n  data.wasm.risk_score < 5\n  data.privacy.note == "private"\n  newton.identity.kyc.age_gte(18)\n}\n',
    'intent.json': JSON.stringify(rpcTransferIntent()),
    'params.json': JSON.stringify({ max: 5 }),
    'wasm.json': JSON.stringify({ risk_score: 2 }),
    'privacy.json': JSON.stringify({ note: 'private' }),
    'identity.json': JSON.stringify({ kyc: { birthdate: '2000-01-01' } }),
  });
  f['risk.wasm'] = path.join(dir, 'risk.wasm');
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const benchArgs = (policy: string, ...extra: string[]) => [
  'policy',
  'bench',
  '--policy',
  policy,
  '--entrypoint',
  `${path.basename(policy, '.rego')}.allow`,
  '--intent',
  f['intent.json']!,
  ...extra,
];

const report = (stdout: string) => JSON.parse(stdout) as Record<string, unknown> & { decision: Record<string, unknown> };

describe('newton policy bench', () => {
  it('times --count evaluations and prints one JSON object: iterations, ns/op, p50/p90/p99, heap bytes/op, the decision', async () => {
    const r = await newton(benchArgs(f['demo.rego']!, '--params', f['params.json']!, '--count', '200', '--format', 'json'));
    expect([r.status, r.stderr]).toEqual([0, '']);
    const out = report(r.stdout);
    expect(Object.keys(out)).toEqual([
      'entrypoint',
      'decision',
      'timed',
      'iterations',
      'elapsed_ns',
      'ns_per_op',
      'p50_ns',
      'p90_ns',
      'p99_ns',
      'heap_bytes_per_op',
      'heap_sample_ops',
      'native_bytes_per_op',
    ]);
    expect(out).toMatchObject({ entrypoint: 'data.demo.allow', timed: 'Policy.evaluateSync', iterations: 200 });
    expect(out).toMatchObject({ heap_sample_ops: 200, native_bytes_per_op: null });
    expect(out.decision).toEqual({ allow: true, result: true, evaluation_result: ABI_TRUE });
    const [nsPerOp, p50, p90, p99, heap] = [out.ns_per_op, out.p50_ns, out.p90_ns, out.p99_ns, out.heap_bytes_per_op] as number[];
    expect(nsPerOp).toBeGreaterThan(0);
    expect(p50).toBeGreaterThan(0);
    expect(p50).toBeLessThanOrEqual(p90!);
    expect(p90).toBeLessThanOrEqual(p99!);
    // The samples add up to the elapsed time, so the mean is that over the count.
    expect(Math.abs(nsPerOp! * 200 - (out.elapsed_ns as number))).toBeLessThanOrEqual(200);
    // At least the Decision's JSON string (≈120 bytes) and the object parsed from it.
    expect(heap).toBeGreaterThan(100);
    expect(heap).toBeLessThan(1_000_000);
  });

  it('runs for --time seconds without --count, and benchmarks a deny like any decision', async () => {
    const r = await newton(benchArgs(f['deny.rego']!, '--time', '0.2', '--format', 'json'));
    expect([r.status, r.stderr]).toEqual([0, '']);
    const out = report(r.stdout);
    expect(out.iterations).toBeGreaterThan(0);
    expect(out.elapsed_ns).toBeGreaterThanOrEqual(0.2e9);
    expect(out.heap_sample_ops).toBe(Math.min(out.iterations as number, 1000));
    expect(out.decision).toEqual({ allow: false, evaluation_result: ABI_FALSE, reason: 'data.deny.allow is undefined' });
  });

  it('times the data eval would see: params, wasm data, privacy, identity, the reference date; PolicyData output', async () => {
    const context = ['--wasm-data', f['wasm.json']!, '--privacy', f['privacy.json']!, '--identity', f['identity.json']!];
    const ctx = await newton(benchArgs(f['ctx.rego']!, ...context, '--reference-date', '2024-01-01', '--count', '20', '--format', 'json'));
    expect([ctx.status, ctx.stderr]).toEqual([0, '']);
    expect(report(ctx.stdout).decision).toMatchObject({ allow: true });
    // data.wasm from a component, run once; the timed evaluations decide the same on its output.
    const risk = await newton(benchArgs(f['risk.rego']!, '--policy-data', f['risk.wasm']!, '--count', '20', '--format', 'json'), { env });
    expect([risk.status, risk.stderr]).toEqual([0, '']);
    expect(report(risk.stdout).decision).toMatchObject({ allow: true });
  });

  it('prints aligned fields by default, saying what it timed and that native allocations are not measured', async () => {
    const r = await newton(benchArgs(f['demo.rego']!, '--params', f['params.json']!, '--count', '50'));
    expect([r.status, r.stderr]).toEqual([0, '']);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split(/\s{2,}/)[0])).toEqual([
      'entrypoint',
      'decision',
      'timed',
      'iterations',
      'ns_per_op',
      'p50_ns',
      'p90_ns',
      'p99_ns',
      'heap_bytes_per_op',
      'native_bytes_per_op',
    ]);
    const column = lines[0]!.indexOf('data.demo.allow');
    for (const line of lines) expect(line.length > column && line[column - 1] === ' ' && line[column] !== ' ', line).toBe(true);
    expect(r.stdout).toMatch(/^decision {13}ALLOW$/m);
    expect(r.stdout).toMatch(/^timed {16}Policy\.evaluateSync, 50 evaluations in \d+\.\d\d s$/m);
    expect(r.stdout).toMatch(/^iterations {11}50$/m);
    expect(r.stdout).toMatch(/^heap_bytes_per_op {4}\d+ {2}\(V8 heap, over 50 evaluations\)$/m);
    expect(r.stdout).toMatch(/^native_bytes_per_op {2}not measured \(the engine allocates in Rust, outside the V8 heap\)$/m);
  });

  it('fails with the code of a decision that errors (exit 1), or of a policy that does not compile', async () => {
    const tlsn = await newton(benchArgs(f['tlsn.rego']!, '--count', '5'));
    expect([tlsn.status, tlsn.stdout]).toEqual([1, '']);
    expect(tlsn.stderr).toMatch(/^newton: NEWTON_ERR_BUILTIN_UNSUPPORTED: data\.tlsn\.allow errors, nothing to time: /);
    const json = await newton(benchArgs(f['tlsn.rego']!, '--count', '5', '--format', 'json'));
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stderr)).toMatchObject({ code: 'NEWTON_ERR_BUILTIN_UNSUPPORTED' });
    const broken = await newton(benchArgs(f['broken.rego']!, '--count', '5'));
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/^newton: NEWTON_ERR_POLICY_PARSE: /);
  });

  it('exits 2 on a bad --count or --time, both at once, a private task or a missing option', async () => {
    const cases: [string[], RegExp][] = [
      [benchArgs(f['demo.rego']!, '--count', '0'), /option '--count <N>' argument '0' is invalid\. Expected a positive integer\./],
      [benchArgs(f['demo.rego']!, '--time', '-1'), /option '--time <SECONDS>' argument '-1' is invalid\. Expected a positive number of seconds\./],
      [benchArgs(f['demo.rego']!, '--count', '5', '--time', '1'), /give either --count or --time, not both/],
      [benchArgs(f['demo.rego']!, '--privacy-key', 'k.json', '--policy-client', '0x01'), /policy bench times plaintext data/],
      [['policy', 'bench', '--policy', f['demo.rego']!, '--intent', f['intent.json']!], /required option '--entrypoint <PKG\.RULE>' not specified/],
    ];
    for (const [args, message] of cases) {
      const r = await newton(args);
      expect([r.status, r.stdout], args.join(' ')).toEqual([2, '']);
      expect(r.stderr).toMatch(/^newton: NEWTON_ERR_INVALID_ARGUMENT: /);
      expect(r.stderr).toMatch(message);
    }
  });

  it("has eval's options, --count and --time, and says what it times and counts", async () => {
    const r = await newton(['policy', 'bench', '--help']);
    expect([r.status, r.stderr]).toEqual([0, '']);
    const flags = ['--policy <FILE...>', '--entrypoint <PKG.RULE>', '--intent <FILE>', '--params-schema <FILE>', '--wasm-data <FILE>'];
    flags.push('--policy-data <FILE.wasm...>', '--count <N>', '--time <SECONDS>', '--format <format>');
    for (const flag of flags) expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('Policy.evaluateSync');
    expect(r.stdout).toContain('v8.GCProfiler');
    expect(r.stdout).toContain('native_bytes_per_op is null');
  });
});

/** A stderr that says it is a terminal, recording what is written to it. */
class FakeTerminal {
  isTTY = true;
  columns = 100;
  text = '';
  write(chunk: string | Uint8Array): boolean {
    this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }
  cursorTo(): boolean {
    return true;
  }
  moveCursor(): boolean {
    return true;
  }
  clearLine(): boolean {
    return true;
  }
}

describe('progress on long work', () => {
  it('shows nothing when stderr is not a terminal (the output is as without it)', async () => {
    const r = await newton(['policy-data', 'run', '--wasm', f['risk.wasm']!, '--format', 'json'], { env });
    expect(r).toEqual({ status: 0, stdout: '{"risk_score":2}\n', stderr: '' });
    const evalArgs = ['policy', 'eval', '--policy', f['risk.rego']!, '--entrypoint', 'risk.allow', '--intent', f['intent.json']!];
    const evaluated = await newton([...evalArgs, '--policy-data', f['risk.wasm']!], { env });
    expect([evaluated.status, evaluated.stderr]).toEqual([0, '']);
    expect(evaluated.stdout).toMatch(/^ALLOW\s+data\.risk\.allow$/m);
  });

  it('on a terminal, spins on stderr while a component loads and ends with how long it took', async () => {
    const saved = { CI: process.env.CI, TERM: process.env.TERM, NEWTON_CACHE_DIR: process.env.NEWTON_CACHE_DIR };
    delete process.env.CI;
    process.env.TERM = 'xterm';
    process.env.NEWTON_CACHE_DIR = env.NEWTON_CACHE_DIR;
    try {
      const stdout = new FakeTerminal();
      const stderr = new FakeTerminal();
      const status = await run(['policy-data', 'run', '--wasm', f['risk.wasm']!, '--format', 'json'], { stdout, stderr });
      expect(status).toBe(0);
      expect(stdout.text).toBe('{"risk_score":2}\n');
      expect(stderr.text).toContain('loading risk.wasm');
      expect(stderr.text).toMatch(/newton: loaded risk\.wasm \(\d+\.\d kB\) \(\d+\.\d\d s\)\n$/);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
