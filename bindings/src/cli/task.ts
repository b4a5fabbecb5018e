// `newton task submit`: newt_createTask on a gateway — its operators evaluate the intent for a
// policy client and sign the decision; prints the decision and its attestation.
import type { Command } from 'commander';
import { toHex } from 'viem';
import type { GatewayTaskSuccess } from '../client.js';
import { NewtonError, type ErrorCode } from '../errors.js';
import { attestationHash } from '../identifiers.js';
import { EXIT, matching, positiveInt } from './exit.js';
import { readJson } from './files.js';
import { address, GatewayConnection, withGateway, type GatewayFlags } from './gateway-client.js';
import type { Cli } from './output.js';
import { wasmArgsText } from './private-task.js';

const ABOUT = `json prints the gateway's whole result; pretty prints ALLOW or DENY, the task id, the policy id and
the attestation (its hash and the block it expires at). Spend it with \`newton attestation spend\`.

Exit codes: 0 allow, 1 error (the task failed, the gateway refused the request or is unreachable),
2 usage error, ${EXIT.negative} deny.`;

interface SubmitFlags extends GatewayFlags {
  client: string;
  intent: string;
  wasmArgs?: string;
  intentSignature?: string;
  timeout?: number;
}

export function addTask(program: Command, cli: Cli): void {
  const area = program.command('task').description("submit tasks to a gateway's operators: submit");
  withGateway(
    area
      .command('submit')
      .description('have the operators evaluate an intent for a policy client; exit 3 for a deny')
      .addHelpText('after', `\n${ABOUT}`)
      .requiredOption('--client <ADDR>', 'the policy client', address)
      .requiredOption('--intent <FILE>', 'the wire TaskIntent (JSON)')
      .option('--wasm-args <JSON|@FILE>', "the task's wasm_args, input of the policy's PolicyData")
      .option('--intent-signature <HEX>', "the sender's EIP-712 signature of the intent", matching(/^0x(?:[0-9a-fA-F]{2})*$/, '0x hex'))
      .option('--timeout <SECONDS>', 'how long the operators have (default 30)', positiveInt),
  ).action(async (opts: SubmitFlags) => {
    const intent = readJson<Record<string, unknown>>(opts.intent);
    const wasmArgs = opts.wasmArgs === undefined ? null : toHex(wasmArgsText(opts));
    const timeout = opts.timeout ?? 30;
    const gateway = new GatewayConnection(opts, { timeoutMs: (timeout + 15) * 1000 });
    const result = await gateway.call((c) =>
      c.createTask({ policy_client: opts.client, intent: intent as never, intent_signature: opts.intentSignature ?? null, wasm_args: wasmArgs, timeout }),
    );
    if (result.status !== 'success') {
      const { code, message, details } = result.error;
      throw new NewtonError({
        code: code as ErrorCode,
        message: `task ${result.task_id} failed: ${message}`,
        details: { task_id: result.task_id, ...details, operator_errors: result.operator_errors },
      });
    }
    const allow = result.task_response.evaluation_result.at(-1) === 1;
    if (opts.format === 'json') cli.data('json', result);
    else cli.out(prettyTask(result, allow));
    if (!allow) cli.exitCode = EXIT.negative;
  });
}

/** keccak256(abi.encode(attestation)) of the task's attestation, as `attestation spend` reports it. */
export function taskAttestationHash(result: GatewayTaskSuccess) {
  const r = result.task_response;
  return attestationHash({
    taskId: r.task_id,
    policyId: r.policy_id,
    policyClient: r.policy_client,
    expiration: result.expiration,
    intent: r.intent,
    intentSignature: r.intent_signature,
  });
}

function prettyTask(result: GatewayTaskSuccess, allow: boolean): string {
  const r = result.task_response;
  const rows: [string, unknown][] = [
    ['policy_client', r.policy_client],
    ['policy_id', r.policy_id],
    ['policy_address', r.policy_address],
    ['attestation_hash', taskAttestationHash(result)],
    ['reference_block', result.reference_block],
    ['expiration', `block ${result.expiration}`],
  ];
  if (result.operator_errors.length > 0) rows.push(['operator_errors', result.operator_errors.map((e) => `${e.operator_id.slice(0, 10)}… ${e.error_code}`).join(', ')]);
  return [`${allow ? 'ALLOW' : 'DENY '}  task ${result.task_id}`, ...rows.map(([key, value]) => `  ${key.padEnd(16)}  ${String(value)}`)].join('\n');
}
