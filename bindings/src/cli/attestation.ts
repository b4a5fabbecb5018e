// `newton attestation verify|spend`: check an attestation bundle off-chain as a policy client would,
// or have a gateway validate and spend a task's attestation (newton_spendAttestation).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { AttestationValidator, OperatorRegistry, type ValidationReport } from '../attestation.js';
import type { Hex } from '../bls.js';
import { NewtonError } from '../errors.js';
import { EXIT, matching, NegativeVerdict } from './exit.js';
import { readText } from './files.js';
import { bytes32, deadlineOption, GatewayConnection, withGateway, type DeadlineFlags, type GatewayFlags } from './gateway-client.js';
import { formatOption, type Cli, type Format } from './output.js';
import { signer } from './registry-args.js';

const ABOUT = `Runs every check of an attestation bundle (JSON) against an operator set file and what the
verifier expects: the client's policy id, the chain id (decimal or 0x hex), the caller and the
current block. These are required: taken from the bundle, the checks would prove nothing.

Without --spent-db the single-use check runs on a throwaway store (a temp SQLite file, deleted
on exit), so verify never marks an attestation spent. With --spent-db FILE a valid attestation
is spent in FILE, and verifying it again fails with NEWTON_ERR_ATTESTATION_ALREADY_SPENT.

pretty prints one line per check (✓ passed, ✗ failed with its code, – skipped); json prints
the report {checks: [{check, status, code?, message?, details?}], valid}.

Exit codes: 0 valid, 1 error (unreadable or malformed files), 2 usage error, ${EXIT.negative} invalid attestation.`;

const SPEND_ABOUT = `The caller (the intent's sender, msg.sender of Newton's validateAttestation) signs a
SpendAttestation authorization; the gateway runs every check of the task's attestation against the
policy client's current policy id and its block, and marks a valid one spent: it is valid once.

A refusal prints the failed check's code (e.g. NEWTON_ERR_ATTESTATION_ALREADY_SPENT,
NEWTON_ERR_POLICY_ID_MISMATCH, NEWTON_ERR_ATTESTATION_EXPIRED) with the checks as its details.

Exit codes: 0 spent, 1 error (unknown task, bad API key, unreachable gateway), 2 usage error,
${EXIT.negative} refused.`;

interface VerifyFlags {
  attestation: string;
  operators: string;
  policyId: Hex;
  chainId: string;
  caller: Hex;
  block: string;
  minThreshold?: string;
  spentDb?: string;
  format: Format;
}

export function addAttestation(program: Command, cli: Cli): void {
  const area = program.command('attestation').description('check and spend attestations: verify | spend');
  area
    .command('verify')
    .description('run every check of an attestation bundle; exit 3 when it is invalid')
    .addHelpText('after', `\n${ABOUT}`)
    .requiredOption('--attestation <FILE>', 'the attestation bundle (JSON)')
    .requiredOption('--operators <FILE>', 'the operator set (JSON)')
    .requiredOption('--policy-id <HEX>', "the client's policy id", matching(/^0x[0-9a-fA-F]{64}$/, '32 bytes of 0x hex'))
    .requiredOption('--chain-id <N>', 'the chain id, decimal or 0x hex', matching(/^(?:\d+|0x[0-9a-fA-F]+)$/, 'a decimal or 0x hex number'))
    .requiredOption('--caller <ADDR>', 'the address submitting the attestation', matching(/^0x[0-9a-fA-F]{40}$/, 'a 0x address'))
    .requiredOption('--block <N>', 'the current block', matching(/^\d+$/, 'a block number'))
    .option('--min-threshold <PERCENT>', 'raise a lower task quorum threshold (default 40)', matching(/^\d+$/, 'a percentage'))
    .option('--spent-db <FILE>', 'spend a valid attestation in this SQLite file')
    .addOption(formatOption('pretty'))
    .action(async (opts: VerifyFlags) => {
      const ctx = {
        policyId: opts.policyId,
        chainId: opts.chainId,
        caller: opts.caller,
        currentBlock: BigInt(opts.block),
        minThreshold: opts.minThreshold === undefined ? undefined : Number(opts.minThreshold),
      };
      const registry = await fromFile(opts.operators, (text) => OperatorRegistry.fromJson(text));
      const tempDir = opts.spentDb === undefined ? mkdtempSync(join(tmpdir(), 'newton-verify-')) : undefined;
      try {
        const validator = new AttestationValidator(registry, opts.spentDb ?? join(tempDir as string, 'spent.db'));
        const report = await fromFile(opts.attestation, (text) => validator.validate(text, ctx));
        cli.out(opts.format === 'json' ? JSON.stringify(report, null, 2) : prettyReport(report));
        if (!report.valid) cli.exitCode = EXIT.negative;
      } finally {
        if (tempDir) rmSync(tempDir, { recursive: true, force: true });
      }
    });
  addAttestationSpend(area, cli);
}

interface SpendFlags extends GatewayFlags, DeadlineFlags {
  task: Hex;
  callerKey: string;
}

function addAttestationSpend(area: Command, cli: Cli): void {
  withGateway(
    area
      .command('spend')
      .description("have a gateway validate a task's attestation for its caller and spend it; exit 3 when refused")
      .addHelpText('after', `\n${SPEND_ABOUT}`)
      .requiredOption('--task <ID>', 'the task id', bytes32)
      .requiredOption('--caller-key <FILE>', "the caller's secp256k1 private key, 0x hex on the first line")
      .addOption(deadlineOption()),
  ).action(async (opts: SpendFlags) => {
    const caller = signer(opts.callerKey);
    const gateway = new GatewayConnection(opts);
    const taskId = opts.task.toLowerCase() as Hex;
    const callerAddress = caller.address.toLowerCase();
    const authorization = await gateway.authorize(caller, 'SpendAttestation', { taskId, caller: callerAddress }, opts);
    let spent;
    try {
      spent = await gateway.call((c) => c.spendAttestation(taskId, callerAddress, authorization));
    } catch (err) {
      // A failed check of the attestation (its report in details.checks) is a verdict, not a failure.
      if (err instanceof NewtonError && Array.isArray(err.details?.checks)) throw new NegativeVerdict(err);
      throw err;
    }
    if (opts.format === 'json') cli.data('json', spent);
    else cli.out([`SPENT  task ${spent.task_id}`, `  attestation_hash  ${spent.attestation_hash}`, `  policy_id         ${String(spent.attestation.policyId)}`].join('\n'));
  });
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
