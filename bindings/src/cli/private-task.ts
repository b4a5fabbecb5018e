// `newton policy eval`'s private-task options: the operator's privacy keys and store, the task's
// policy client and wasm_args (whose `_newton.privacy` envelopes become data.privacy).
import type { Command } from 'commander';
import { PrivacyNode, PrivacyStore } from '../privacy.js';
import { usage } from './exit.js';
import { readKeyFile } from './privacy.js';
import { jsonArg } from './policy-data.js';

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

/** `--wasm-args` as JSON text (inline or `@FILE`, kept byte for byte); `{}` when absent. */
export function wasmArgsText(flags: PrivateTaskFlags): string {
  const text = jsonArg(flags.wasmArgs ?? '{}');
  try {
    JSON.parse(text);
  } catch (err) {
    throw usage(`--wasm-args is not valid JSON: ${(err as Error).message}`);
  }
  return text;
}

/** The operator's privacy node, when privacy keys are given; the store's chain is the intent's. */
export async function privacyNode(flags: PrivateTaskFlags, chainId: string): Promise<PrivacyNode | undefined> {
  const keys = flags.privacyKey ?? [];
  if (keys.length === 0) return undefined;
  if (!flags.policyClient) throw usage('--privacy-key needs --policy-client (whose task this is)');
  const store = flags.privacyStore === undefined ? undefined : await PrivacyStore.open(flags.privacyStore, chainId);
  return new PrivacyNode({ secretKeys: keys.map(readKeyFile), store });
}
