// `newton policy eval`'s private-task options: the operator's privacy keys and store, the task's
// policy client and wasm_args (whose `_newton.privacy` envelopes become data.privacy).
import type { Command } from 'commander';
import { PrivacyNode, PrivacyStore, type PrivateTask } from '../privacy.js';
import { usage } from './exit.js';
import { readJson } from './files.js';
import { readKeyFile } from './privacy.js';

export interface PrivateTaskFlags {
  wasmArgs?: string;
  policyClient?: string;
  privacyKey?: string[];
  privacyStore?: string;
}

export function addPrivateTaskOptions(command: Command): Command {
  return command
    .option('--wasm-args <JSON|@FILE>', "the task's wasm_args (default {})")
    .option('--policy-client <ADDR>', 'the policy client whose task this is')
    .option('--privacy-key <FILE...>', "the operator's privacy key files: evaluate as a private task")
    .option('--privacy-store <FILE>', 'the privacy store holding identity and confidential data');
}

/** `--wasm-args`: inline JSON or `@FILE`; `{}` when absent. */
function wasmArgs(text: string | undefined): unknown {
  if (text === undefined) return {};
  if (text.startsWith('@')) return readJson(text.slice(1));
  try {
    return JSON.parse(text);
  } catch (err) {
    throw usage(`--wasm-args is not valid JSON: ${(err as Error).message}`);
  }
}

/** The private task, when privacy keys are given; the store's chain is the intent's. */
export async function privateTask(flags: PrivateTaskFlags, chainId: string): Promise<PrivateTask | undefined> {
  const keys = flags.privacyKey ?? [];
  if (keys.length === 0) return undefined;
  if (!flags.policyClient) throw usage('--privacy-key needs --policy-client (whose task this is)');
  const store = flags.privacyStore === undefined ? undefined : await PrivacyStore.open(flags.privacyStore, chainId);
  const node = new PrivacyNode({ secretKeys: keys.map(readKeyFile), store });
  return { node, policyClient: flags.policyClient, wasmArgs: wasmArgs(flags.wasmArgs) as object };
}
