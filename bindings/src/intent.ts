// Intents: the wire TaskIntent a dApp sends, and the parsed intent a policy sees as `input`.
import { call } from './errors.js';
import { toJson } from './json.js';
import { native } from './native.js';

/** The gateway's wire intent (`newt_createTask` params.intent). camelCase keys are accepted too. */
export interface TaskIntent {
  from: string;
  to: string;
  /** Hex quantity (`0x…`), decimal string or number. */
  value: string | number;
  /** 0x-hex calldata. */
  data: string;
  chain_id?: string | number;
  chainId?: string | number;
  /** 0x-hex of the UTF-8 human-readable function signature, `0x` for plain transfers. */
  function_signature?: string;
  functionSignature?: string;
}

export interface AbiParam {
  name: string;
  type: string;
  components?: AbiParam[];
}

/** Rego `input`, exactly as Newton operators build it. */
export interface ParsedIntent {
  from: string;
  to: string;
  value: string;
  data: string;
  chain_id: string;
  function_signature: string;
  function: {
    name: string;
    type: 'function';
    inputs: AbiParam[];
    outputs: AbiParam[];
    stateMutability: string;
  } | null;
  decoded_function_signature: string | null;
  decoded_function_arguments: unknown[];
}

/** Normalizes a wire intent and ABI-decodes its calldata (Newton's ParsedIntent). */
export function parseIntent(intent: TaskIntent | string): ParsedIntent {
  const json = toJson(intent);
  return JSON.parse(call(() => native.parseIntent(json))) as ParsedIntent;
}
