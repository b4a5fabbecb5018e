// The decision log (newton-log): canonical entries, the RFC 9162 Merkle tree the gateway keeps,
// EIP-712 signed tree heads, and the verifiers `newton log verify` runs. Entries and heads are
// snake_case, as the gateway's newton_getLogEntry / newton_getSignedTreeHead answer them.
import { call, callAsync } from './errors.js';
import { native } from './native.js';
import type { Hex } from './bls.js';
import type * as Binding from '../binding.cjs';

export type LogDecision = 'allowed' | 'denied' | 'failed';

/** One leaf: what was decided about a task, with hashes (SHA-256 of RFC 8785 JSON) in place of its data. */
export interface LogEntry {
  version: 1;
  task_id: Hex;
  policy_client: Hex;
  policy_id: Hex;
  policy_address: Hex;
  policy_code_hash: Hex;
  intent_hash: Hex;
  /** SHA-256 of the params text as configured. */
  params_hash: Hex;
  policy_data_hash: Hex | null;
  decision: LogDecision;
  error_code: string | null;
  /** keccak256 of the certified TaskResponse. */
  response_digest: Hex | null;
  certificate_hash: Hex | null;
  /** Unix milliseconds. */
  timestamp: number;
}

/** A finished task, the input of `buildLogEntry`; only hashes of intent, params, policy_data and certificate are kept. */
export interface LogOutcome {
  task_id: Hex;
  policy_client: Hex;
  policy_id: Hex;
  policy_address: Hex;
  policy_code_hash: Hex;
  intent: unknown;
  params: string;
  policy_data?: unknown;
  decision: LogDecision;
  error_code?: string | null;
  certificate?: unknown;
  response_digest?: Hex | null;
  timestamp: number;
}

export interface TreeHead {
  tree_size: number;
  root_hash: Hex;
  /** Unix milliseconds. */
  timestamp: number;
}

export interface SignedTreeHead extends TreeHead {
  /** 65-byte EIP-712 signature of TREE_HEAD_TYPED_DATA. */
  signature: Hex;
  /** The gateway's address. */
  signer: Hex;
}

/** The typed data a tree head signature covers: `recoverTypedDataAddress({...TREE_HEAD_TYPED_DATA, message: treeHeadMessage(head), signature})` in viem. */
export const TREE_HEAD_TYPED_DATA = {
  domain: { name: 'Newton Decision Log', version: '1' },
  types: { SignedTreeHead: [{ name: 'treeSize', type: 'uint64' }, { name: 'rootHash', type: 'bytes32' }, { name: 'timestamp', type: 'uint64' }] },
  primaryType: 'SignedTreeHead',
} as const;

export const treeHeadMessage = (head: TreeHead) => ({ treeSize: BigInt(head.tree_size), rootHash: head.root_hash, timestamp: BigInt(head.timestamp) });

const claims = (head: TreeHead): Binding.TreeHeadClaims => ({ treeSize: head.tree_size, rootHash: head.root_hash, timestamp: head.timestamp });

/** The canonical entry (its JSON text, the leaf's bytes) and leaf hash of a finished task. */
export function buildLogEntry(outcome: LogOutcome): { entry: string; leafHash: Hex } {
  return call(() => native.buildLogEntry(JSON.stringify(outcome))) as { entry: string; leafHash: Hex };
}

/** SHA-256(0x00 ‖ entry), the RFC 9162 leaf hash. */
export function logLeafHash(entry: string): Hex {
  return native.logLeafHash(entry) as Hex;
}

/** The gateway's signature (0x-hex) of `head` with its secp256k1 key, on the libuv pool. */
export function signTreeHead(secretKey: Hex, head: TreeHead): Promise<Hex> {
  return callAsync(() => native.signTreeHead(secretKey, claims(head))) as Promise<Hex>;
}

/** The address that signed `head` (checksummed); NEWTON_ERR_LOG_VERIFICATION for a malformed signature. */
export function recoverTreeHeadSigner(head: TreeHead, signature: Hex): Promise<Hex> {
  return callAsync(() => native.recoverTreeHeadSigner(claims(head), signature)) as Promise<Hex>;
}

/** Throws NEWTON_ERR_LOG_VERIFICATION (with the reason) unless `entry` is leaf `index` of `head`'s tree. */
export function verifyLogInclusion(entry: string, index: number, head: TreeHead, proof: Hex[]): void {
  call(() => native.verifyLogInclusion(entry, index, head.tree_size, head.root_hash, proof));
}

/** Throws NEWTON_ERR_LOG_VERIFICATION (with the reason) unless `first`'s tree is a prefix of `second`'s. */
export function verifyLogConsistency(first: TreeHead, second: TreeHead, proof: Hex[]): void {
  call(() => native.verifyLogConsistency(first.tree_size, first.root_hash, second.tree_size, second.root_hash, proof));
}

/** The append-only tree itself; entries are appended as canonical JSON text, in index order. */
export class DecisionLog {
  readonly #native: Binding.DecisionLog = new native.DecisionLog();

  get size(): number {
    return this.#native.size;
  }

  /** Appends canonical entries; their leaf hashes. Nothing is appended if one is not canonical. */
  append(entries: string[]): Hex[] {
    return call(() => this.#native.append(entries)) as Hex[];
  }

  /** The entry at `index` (JSON text), or null past the end. */
  entry(index: number): string | null {
    return call(() => this.#native.entry(index));
  }

  root(size = this.size): Promise<Hex> {
    return callAsync(() => this.#native.root(size)) as Promise<Hex>;
  }

  /** The audit path of `index` at `size` (the current size by default); NEWTON_ERR_NOT_FOUND outside the tree. */
  inclusionProof(index: number, size = this.size): Promise<Hex[]> {
    return callAsync(() => this.#native.inclusionProof(index, size)) as Promise<Hex[]>;
  }

  consistencyProof(first: number, second = this.size): Promise<Hex[]> {
    return callAsync(() => this.#native.consistencyProof(first, second)) as Promise<Hex[]>;
  }
}
