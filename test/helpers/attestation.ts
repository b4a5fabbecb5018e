// Attestation fixtures built through the public API, as the crate tests build theirs: operators
// with deterministic BLS keys, a Newton task and response, and a fully valid bundle.
import { createHash } from 'node:crypto';
import {
  Aggregator,
  BlsSigner,
  OperatorRegistry,
  attestationBundle,
  bytesToHex,
  consensusDigest,
  hexToBytes,
  type AttestationBundle,
  type Hex,
  type NewtonTask,
  type NewtonTaskResponse,
  type OperatorEntry,
  type ValidationContext,
} from '../../bindings/dist/index.js';
import { ABI_FALSE, ABI_TRUE, utf8Hex } from './newton.js';

export const CHAIN_ID = 11_155_111;
export const CURRENT_BLOCK = 100;
export const EXPIRATION = 150;
export const CALLER: Hex = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266';
export const POLICY_ID: Hex = `0x${'5a'.repeat(32)}`;

const repeat = (byte: string, n: number) => `0x${byte.repeat(n)}` as Hex;

/** An operator: a BLS signer from secret key `seed` (1 ≤ seed < 0x73) and its id, sha256(public key). */
export class Operator {
  readonly signer: BlsSigner;
  readonly id: Hex;

  constructor(seed: number) {
    this.signer = BlsSigner.fromSecretKey(new Uint8Array(32).fill(seed));
    this.id = `0x${createHash('sha256').update(this.signer.publicKey).digest('hex')}`;
  }

  entry(stake: number, quorum = 0): OperatorEntry {
    const { publicKey } = this.signer;
    return { operator_id: this.id, public_key: publicKey, proof_of_possession: this.signer.proofOfPossession(), stake: { [quorum]: stake } };
  }

  sign(message: Hex): Hex {
    return bytesToHex(this.signer.signSync(hexToBytes(message)));
  }
}

/** Operators seeded 1..n with `stakes[i]` in quorum 0, and their registry. */
export function operators(stakes: number[]): { registry: OperatorRegistry; ops: Operator[]; entries: OperatorEntry[] } {
  const ops = stakes.map((_, i) => new Operator(i + 1));
  const entries = ops.map((op, i) => op.entry(stakes[i] as number));
  return { registry: OperatorRegistry.fromJsonSync(entries), ops, entries };
}

const intent = {
  from: CALLER,
  to: repeat('b1', 20),
  value: '0x0',
  data: '0xa9059cbb' as Hex,
  chainId: `0x${CHAIN_ID.toString(16)}`,
  functionSignature: utf8Hex('transfer(address,uint256)') as Hex,
};

export function task(): NewtonTask {
  return {
    taskId: repeat('7a', 32),
    policyClient: repeat('c1', 20),
    taskCreatedBlock: 90,
    quorumThresholdPercentage: 40,
    intent,
    intentSignature: repeat('11', 65),
    wasmArgs: '0x',
    quorumNumbers: '0x00',
    initializationTimestamp: '1700000000',
  };
}

export function response(allow = true, expireAfter = 60): NewtonTaskResponse {
  const t = task();
  return {
    taskId: t.taskId,
    policyClient: t.policyClient,
    policyId: POLICY_ID,
    policyAddress: repeat('aa', 20),
    intent: t.intent,
    intentSignature: t.intentSignature,
    evaluationResult: (allow ? ABI_TRUE : ABI_FALSE) as Hex,
    policyTaskData: {
      policyId: POLICY_ID,
      policyAddress: repeat('aa', 20),
      policy: utf8Hex('package p\ndefault allow := true\n') as Hex,
      policyData: [{ wasmArgs: '0x', data: utf8Hex('{}') as Hex, policyDataAddress: repeat('dd', 20), expireBlock: 200 }],
    },
    policyConfig: { policyParams: utf8Hex('{}') as Hex, expireAfter },
    initializationTimestamp: t.initializationTimestamp,
  };
}

/** A bundle for `resp` certified (at threshold 0, so weak certificates can be built) by `signers`. */
export function bundle(registry: OperatorRegistry, signers: Operator[], resp = response()): AttestationBundle {
  const digest = consensusDigest(resp);
  const aggregator = Aggregator.forMessage(registry, digest, [0], 0);
  const certificate = aggregator.aggregateSync(signers.map((op) => ({ operatorId: op.id, signature: op.sign(digest) })));
  return attestationBundle(task(), resp, certificate, EXPIRATION);
}

/** The verifier's expectations that the fixture bundle meets. */
export function context(overrides: Partial<ValidationContext> = {}): ValidationContext {
  return { policyId: POLICY_ID, chainId: CHAIN_ID, caller: CALLER, currentBlock: CURRENT_BLOCK, ...overrides };
}
