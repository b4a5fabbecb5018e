// `newton policy eval`'s private-task options: the operator's privacy keys and store, the task's
// policy client and wasm_args (whose `_newton.privacy` envelopes become data.privacy).
import { PrivacyNode, PrivacyStore, type PrivateTask } from '../privacy.js';
import { list, str, usage, type FlagSpec, type Parsed } from './args.js';
import { readJson } from './files.js';
import { readKeyFile } from './privacy.js';

export const PRIVATE_TASK_FLAGS: Record<string, FlagSpec> = {
  'wasm-args': {},
  'policy-client': {},
  'privacy-key': { multiple: true },
  'privacy-store': {},
};

export const PRIVATE_TASK_HELP = `         [--wasm-args JSON|@FILE] [--policy-client ADDR --privacy-key FILE... [--privacy-store FILE]]`;

/** `--wasm-args`: inline JSON or `@FILE`; `{}` when absent. */
export function wasmArgs(args: Parsed): unknown {
  const text = str(args, 'wasm-args');
  if (text === undefined) return {};
  if (text.startsWith('@')) return readJson(text.slice(1));
  try {
    return JSON.parse(text);
  } catch (err) {
    throw usage(`--wasm-args is not valid JSON: ${(err as Error).message}`);
  }
}

/** The private task, when privacy keys are given; the store's chain is the intent's. */
export async function privateTask(args: Parsed, chainId: string): Promise<PrivateTask | undefined> {
  const keys = list(args, 'privacy-key');
  if (keys.length === 0) return undefined;
  const policyClient = str(args, 'policy-client');
  if (!policyClient) throw usage('--privacy-key needs --policy-client (whose task this is)');
  const storePath = str(args, 'privacy-store');
  const store = storePath === undefined ? undefined : await PrivacyStore.open(storePath, chainId);
  const node = new PrivacyNode({ secretKeys: keys.map(readKeyFile), store });
  return { node, policyClient, wasmArgs: wasmArgs(args) as object };
}
