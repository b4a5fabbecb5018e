// `newton attestation verify`, run in-process as a user runs it: pretty and json output, exit
// codes 0 (valid), 3 (invalid attestation), 1 (errors) and 2 (usage), and the spent store.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ValidationReport } from '../bindings/dist/index.js';
import { CALLER, CHAIN_ID, EXPIRATION, POLICY_ID, bundle, operators } from './helpers/attestation.js';
import { newton, type CliResult } from './helpers/cli.js';
import { makeTempDir, writeFiles } from './helpers/newton.js';

let dir: string;
let f: Record<string, string>;

beforeAll(() => {
  dir = makeTempDir('cli-attestation');
  const { registry, ops, entries } = operators([1000, 1000, 1000, 1000]);
  const badPop = entries.map((e, i) => (i === 2 ? { ...e, proof_of_possession: entries[0]!.proof_of_possession } : e));
  f = writeFiles(dir, {
    'operators.json': registry.toJson(),
    'bad-pop-operators.json': JSON.stringify(badPop, hexBytes),
    'bundle.json': JSON.stringify(bundle(registry, ops.slice(0, 3)), null, 2),
    'not-json.json': '{"task": ',
  });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function hexBytes(_: string, value: unknown) {
  return value instanceof Uint8Array ? `0x${Buffer.from(value).toString('hex')}` : value;
}

const expected = { 'policy-id': POLICY_ID, 'chain-id': String(CHAIN_ID), caller: CALLER, block: '100' };

/** `newton attestation verify` on the fixture files, with `overrides` of the expected values and extra flags. */
async function verify(overrides: Record<string, string | undefined> = {}, extra: string[] = []) {
  const flags = { attestation: f['bundle.json'], operators: f['operators.json'], ...expected, ...overrides };
  const args = Object.entries(flags).flatMap(([name, value]) => (value === undefined ? [] : [`--${name}`, value]));
  return await newton(['attestation', 'verify', ...args, ...extra]);
}

describe('newton attestation verify', () => {
  it('prints one ✓ line per check and exits 0 for a valid attestation, spending nothing', async () => {
    for (let run = 0; run < 2; run++) {
      const r = await verify();
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(10);
      expect(lines.slice(0, 9).every((line) => line.startsWith('✓ '))).toBe(true);
      expect(lines[0]).toBe('✓ policy_id');
      expect(lines[9]).toBe('VALID');
    }
  });

  it('prints the report as json', async () => {
    const r = await verify({}, ['--format', 'json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as ValidationReport;
    expect(report.valid).toBe(true);
    expect(report.checks.map((c) => c.status)).toEqual(Array(9).fill('passed'));
  });

  it('exits 3 with ✗ and the code on each failed check, – on the skipped spend', async () => {
    const r = await verify({ 'chain-id': '0x1', caller: `0x${'42'.repeat(20)}` });
    expect(r.status).toBe(3);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^✗ intent_sender +NEWTON_ERR_INTENT_SENDER_MISMATCH: intent sender .* is not the caller/);
    expect(lines[2]).toMatch(/^✗ chain_id +NEWTON_ERR_CHAIN_ID_MISMATCH: /);
    expect(lines[3]).toBe('✓ expiration');
    expect(lines[8]).toMatch(/^– single_use +skipped$/);
    expect(lines[9]).toBe('INVALID (NEWTON_ERR_INTENT_SENDER_MISMATCH)');

    const json = await verify({ 'policy-id': `0x${'00'.repeat(32)}` }, ['--format=json']);
    expect(json.status).toBe(3);
    const report = JSON.parse(json.stdout) as ValidationReport;
    expect(report.valid).toBe(false);
    expect(report.checks[0]).toMatchObject({ check: 'policy_id', status: 'failed', code: 'NEWTON_ERR_POLICY_ID_MISMATCH' });
  });

  it('treats --block as the current block: valid before the expiration block, expired at it', async () => {
    expect((await verify({ block: String(EXPIRATION - 1) })).status).toBe(0);
    const r = await verify({ block: String(EXPIRATION) });
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/^✗ expiration +NEWTON_ERR_ATTESTATION_EXPIRED: /m);
  });

  it('spends a valid attestation in --spent-db, so a second verify fails', async () => {
    const db = path.join(dir, 'spent.db');
    expect((await verify({ 'spent-db': db })).status).toBe(0);
    expect(fs.existsSync(db)).toBe(true);
    const again = await verify({ 'spent-db': db });
    expect(again.status).toBe(3);
    expect(again.stdout).toMatch(/^✗ single_use +NEWTON_ERR_ATTESTATION_ALREADY_SPENT: /m);
  });

  it('exits 1 on bad files and 2 on bad arguments, naming the problem', async () => {
    const cases: [CliResult, number, RegExp][] = [
      [await verify({ 'policy-id': undefined }), 2, /NEWTON_ERR_INVALID_ARGUMENT: required option '--policy-id <HEX>' not specified/],
      [await verify({ block: 'latest' }), 2, /NEWTON_ERR_INVALID_ARGUMENT: option '--block <N>' argument 'latest' is invalid\. Expected a block number\./],
      [await verify({ caller: '0x1234' }), 2, /NEWTON_ERR_INVALID_ARGUMENT: option '--caller <ADDR>' argument '0x1234' is invalid\. Expected a 0x address\./],
      [await newton(['attestation', 'sign']), 2, /NEWTON_ERR_INVALID_ARGUMENT: unknown command 'sign'/],
      [await verify({ attestation: path.join(dir, 'missing.json') }), 1, /NEWTON_ERR_IO: cannot read .*missing\.json/],
      [await verify({ attestation: f['not-json.json'] }), 1, /NEWTON_ERR_INVALID_JSON: .*not-json\.json: attestation bundle is not valid JSON/],
      [await verify({ operators: f['bundle.json'] }), 1, /NEWTON_ERR_INVALID_JSON: .*bundle\.json: operator set is not valid JSON/],
      [await verify({ operators: f['bad-pop-operators.json'] }), 1, /NEWTON_ERR_BLS_POP_INVALID: .*operator set entry 2/],
    ];
    for (const [r, status, stderr] of cases) {
      expect(r.status).toBe(status);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(stderr);
    }
  });

  it('reports an error as one JSON object on stderr with --format json', async () => {
    const r = await verify({ operators: f['bad-pop-operators.json'] }, ['--format', 'json']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const error = JSON.parse(r.stderr);
    expect(Object.keys(error)).toEqual(['code', 'message', 'details']);
    expect(error.code).toBe('NEWTON_ERR_BLS_POP_INVALID');
    expect(error.message).toContain('operator set entry 2');
  });

  it('documents the exit codes in its help and the area in the top-level help', async () => {
    const help = await newton(['attestation', 'verify', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Exit codes: 0 valid, 1 error (unreadable or malformed files), 2 usage error, 3 invalid attestation.');
    expect(help.stdout).toContain('--spent-db <FILE>');
    expect((await newton(['attestation', '--help'])).stdout).toMatch(/^ {2}verify \[options\] +run every check/m);
    expect((await newton(['--help'])).stdout).toMatch(/^ {2}attestation +check and spend attestations: verify \| spend$/m);
  });
});
