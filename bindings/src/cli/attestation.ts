// `newton attestation verify`: checks an attestation bundle off-chain as a policy client would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttestationValidator, OperatorRegistry, type ValidationReport } from '../attestation.js';
import type { Hex } from '../bls.js';
import { NewtonError } from '../errors.js';
import { format, parseArgs, required, str, usage, type Parsed } from './args.js';
import { readText } from './files.js';

type Out = (line: string) => void;

/** Exit code of a well-formed attestation that fails a check. */
export const EXIT_INVALID = 3;

export const ATTESTATION_HELP = `Usage: newton attestation verify --attestation FILE --operators FILE
         --policy-id HEX --chain-id N --caller ADDR --block N
         [--min-threshold PERCENT] [--spent-db FILE] [--format pretty|json]

  Runs every check of an attestation bundle (JSON) against an operator set file and what the
  verifier expects: the client's policy id, the chain id (decimal or 0x hex), the caller and the
  current block. These are required: taken from the bundle, the checks would prove nothing.
  --min-threshold raises a lower task quorum threshold (default 40).

  Without --spent-db the single-use check runs on a throwaway store (a temp SQLite file, deleted
  on exit), so verify never marks an attestation spent. With --spent-db FILE a valid attestation
  is spent in FILE, and verifying it again fails with NEWTON_ERR_ATTESTATION_ALREADY_SPENT.

  pretty prints one line per check (✓ passed, ✗ failed with its code, – skipped); json prints
  the report {checks: [{check, status, code?, message?, details?}], valid}.

Exit codes: 0 valid, 1 error (bad arguments or files), ${EXIT_INVALID} invalid attestation.`;

export async function attestationCommand(argv: string[], out: Out): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'verify':
      return verifyCommand(rest, out);
    case undefined:
    case 'help':
    case '--help':
      out(ATTESTATION_HELP);
      return 0;
    default:
      throw usage(`unknown command "attestation ${command}"\n\n${ATTESTATION_HELP}`);
  }
}

function matching(args: Parsed, name: string, pattern: RegExp, what: string): string {
  const value = required(args, name);
  if (!pattern.test(value)) throw usage(`--${name} must be ${what}, got "${value}"`);
  return value;
}

/** Runs `fn`, naming `path` in a NewtonError it throws. */
async function fromFile<T>(path: string, fn: (text: string) => T | Promise<T>): Promise<T> {
  try {
    return await fn(readText(path));
  } catch (err) {
    if (!(err instanceof NewtonError) || err.message.includes(path)) throw err;
    throw new NewtonError({ code: err.code, message: `${path}: ${err.message}`, details: err.details });
  }
}

async function verifyCommand(argv: string[], out: Out): Promise<number> {
  const args = parseArgs(argv, {
    attestation: {},
    operators: {},
    'policy-id': {},
    'chain-id': {},
    caller: {},
    block: {},
    'min-threshold': {},
    'spent-db': {},
    format: {},
  });
  const fmt = format(args, ['json', 'pretty'], 'pretty');
  const ctx = {
    policyId: matching(args, 'policy-id', /^0x[0-9a-fA-F]{64}$/, '32 bytes of 0x hex') as Hex,
    chainId: matching(args, 'chain-id', /^(?:\d+|0x[0-9a-fA-F]+)$/, 'a decimal or 0x hex number'),
    caller: matching(args, 'caller', /^0x[0-9a-fA-F]{40}$/, 'a 0x address') as Hex,
    currentBlock: BigInt(matching(args, 'block', /^\d+$/, 'a block number')),
    minThreshold: str(args, 'min-threshold') === undefined ? undefined : Number(matching(args, 'min-threshold', /^\d+$/, 'a percentage')),
  };
  const bundlePath = required(args, 'attestation');
  const registry = await fromFile(required(args, 'operators'), (text) => OperatorRegistry.fromJson(text));
  const spentDb = str(args, 'spent-db');
  const tempDir = spentDb === undefined ? mkdtempSync(join(tmpdir(), 'newton-verify-')) : undefined;
  try {
    const validator = new AttestationValidator(registry, spentDb ?? join(tempDir as string, 'spent.db'));
    const report = await fromFile(bundlePath, (text) => validator.validate(text, ctx));
    out(fmt === 'json' ? JSON.stringify(report, null, 2) : prettyReport(report));
    return report.valid ? 0 : EXIT_INVALID;
  } finally {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}

const MARK = { passed: '✓', failed: '✗', skipped: '–' } as const;

function prettyReport(report: ValidationReport): string {
  const width = Math.max(...report.checks.map((c) => c.check.length));
  const lines = report.checks.map((c) => {
    const why = c.status === 'failed' ? `${c.code}: ${c.message}` : c.status === 'skipped' ? 'skipped' : '';
    return `${MARK[c.status]} ${c.check.padEnd(width)}  ${why}`.trimEnd();
  });
  const failed = report.checks.find((c) => c.status === 'failed');
  lines.push(report.valid ? 'VALID' : `INVALID (${failed?.code})`);
  return lines.join('\n');
}
