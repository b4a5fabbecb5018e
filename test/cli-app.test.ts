// The `newton` app as a whole, run in-process: help for every command, --version, suggestions for
// typos, usage errors (exit 2) and the error report, pretty or one JSON object.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../bindings/dist/cli/app.js';
import { newton } from './helpers/cli.js';
import { repoRoot } from './helpers/paths.js';

const COMMANDS: Record<string, string[]> = {
  policy: ['eval', 'test', 'check', 'hash', 'publish', 'bench', 'fmt'],
  'policy-data': ['run', 'validate', 'build', 'publish'],
  keys: ['generate', 'show'],
  attestation: ['verify', 'spend'],
  privacy: ['keygen', 'public-key', 'seal', 'open'],
  identity: ['upload', 'link', 'unlink', 'links'],
  confidential: ['publish', 'grant', 'accept', 'revoke', 'set-owner', 'grants', 'versions'],
  'policy-client': ['register', 'set-policy', 'set-policy-params'],
  task: ['submit'],
  gateway: ['start'], // and `gateway keys create` (a group of its own: test/cli-gateway.test.ts)
};

describe('newton --help and --version', () => {
  it('lists every area, and every area its commands', async () => {
    const top = await newton(['--help']);
    expect([top.status, top.stderr]).toEqual([0, '']);
    expect(top.stdout).toMatch(/^Usage: newton <area> <command> \[options\]/);
    for (const [area, commands] of Object.entries(COMMANDS)) {
      expect(top.stdout).toMatch(new RegExp(`^  ${area} `, 'm'));
      for (const args of [[area, '--help'], ['help', area]]) {
        const r = await newton(args);
        expect(r.status, args.join(' ')).toBe(0);
        for (const command of commands) expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
      }
    }
  });

  it('has help for every command, and every command takes --format pretty|json', async () => {
    for (const [area, commands] of Object.entries(COMMANDS)) {
      for (const command of commands) {
        const r = await newton([area, command, '--help']);
        expect([r.status, r.stderr], `${area} ${command}`).toEqual([0, '']);
        expect(r.stdout).toMatch(new RegExp(`^Usage: newton ${area} ${command} `));
        expect(r.stdout).toMatch(/--format <format> [^-]*\(choices:\s+"pretty",\s+"json"/);
      }
    }
  });

  it('prints the package version', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'bindings/package.json'), 'utf8'));
    for (const flag of ['--version', '-V']) expect(await newton([flag])).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('usage errors', () => {
  it('suggest the command or option a typo meant, and exit 2', async () => {
    const cases: [string[], string][] = [
      [['polcy'], "unknown command 'polcy' (Did you mean policy?)"],
      [['policy', 'evl'], "unknown command 'evl' (Did you mean eval?)"],
      [['policy', 'eval', '--entrypont', 'p.allow'], "unknown option '--entrypont' (Did you mean --entrypoint?)"],
      [['keys', 'show', '--keystroe', 'k.json'], "unknown option '--keystroe' (Did you mean --keystore?)"],
    ];
    for (const [args, message] of cases) {
      expect(await newton(args)).toEqual({ status: 2, stdout: '', stderr: `newton: NEWTON_ERR_INVALID_ARGUMENT: ${message}\n` });
    }
  });

  it('exit 2 for a missing command, argument or option value and an invalid choice', async () => {
    const cases: [string[], RegExp][] = [
      [[], /newton needs a command: policy, policy-data, keys/],
      [['policy'], /newton policy needs a command: eval, test, check, hash, publish, bench, fmt$/m],
      [['policy', 'hash'], /missing required argument 'file'/],
      [['policy', 'check', 'a.rego', '--format'], /option '--format <format>' argument missing/],
      [['policy', 'check', 'a.rego', '--format', 'xml'], /argument 'xml' is invalid\. Allowed choices are pretty, json\./],
      [['attestation', 'verify'], /required option '--attestation <FILE>' not specified/],
    ];
    for (const [args, stderr] of cases) {
      const r = await newton(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(stderr);
    }
    expect((await newton(['policy'])).stderr).toMatch(/^Usage: newton policy /); // the area's help comes first
  });

  it('with --format json, are exactly one JSON object on stderr', async () => {
    for (const args of [['policy', 'hash', '--format', 'json'], ['policy', '--format=json'], ['policy', 'evl', '--format', 'json']]) {
      const r = await newton(args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.endsWith('\n')).toBe(true);
      const error = JSON.parse(r.stderr);
      expect(Object.keys(error)).toEqual(['code', 'message', 'details']);
      expect(error).toMatchObject({ code: 'NEWTON_ERR_INVALID_ARGUMENT', details: null });
    }
  });
});

describe('errors', () => {
  it('an operation that fails exits 1 with its code and the details', async () => {
    const missing = path.join(repoRoot, 'no-such-policy.rego');
    expect(await newton(['policy', 'hash', missing])).toEqual({ status: 1, stdout: '', stderr: `newton: NEWTON_ERR_IO: cannot read ${missing}: ENOENT\n` });
    const json = await newton(['policy', 'hash', missing, '--format', 'json']);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stderr)).toEqual({ code: 'NEWTON_ERR_IO', message: `cannot read ${missing}: ENOENT`, details: null });
  });

  it('an unexpected exception is NEWTON_ERR_INTERNAL with exit 70', async () => {
    const broken = { write: () => { throw new TypeError('stdout is gone'); } };
    let stderr = '';
    const io = (format: string[]) => run(['policy', 'hash', 'examples/kyc/policy.rego', ...format], { stdout: broken, stderr: { write: (s: string) => (stderr += s) } });
    expect(await io([])).toBe(70);
    expect(stderr).toMatch(/^newton: NEWTON_ERR_INTERNAL: stdout is gone\nTypeError: stdout is gone\n {4}at /);
    stderr = '';
    expect(await io(['--format', 'json'])).toBe(70);
    expect(JSON.parse(stderr)).toMatchObject({ code: 'NEWTON_ERR_INTERNAL', message: 'stdout is gone', details: { stack: expect.stringContaining('TypeError') } });
  });
});
