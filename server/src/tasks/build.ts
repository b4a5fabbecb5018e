// Task construction for newt_createTask / newt_sendTask: normalizes the wire params (hex with or
// without 0x, camelCase intent keys), checks the client and the intent signature, and builds
// Newton's Task with taskId = keccak256(abi.encode(policyClient, intent, initializationTimestamp,
// nonce)) and taskCreatedBlock = the block before the current one.
import { Type, type Static } from '@sinclair/typebox';
import { taskId, type Hex, type NewtonTask } from 'newton-engine';
import type { Gateway } from '../gateway.js';
import { invalidParams, notFound } from '../rpc/errors.js';
import { address, hexData, intent as readIntent } from '../rpc/hex.js';
import { Address, HexText, Intent, Opt } from '../rpc/types.js';
import type { PolicyClientRecord } from '../store/store.js';
import { verifyIntentSignature } from './intent-signature.js';

export const DEFAULT_QUORUM_THRESHOLD = 67;
export const DEFAULT_TIMEOUT_SECONDS = 30;

export const TaskParams = Type.Object({
  policy_client: Address,
  intent: Intent,
  intent_signature: Opt(HexText),
  quorum_number: Opt(HexText),
  quorum_threshold_percentage: Opt(Type.Integer({ minimum: 1, maximum: 100 })),
  wasm_args: Opt(HexText),
  /** Seconds. */
  timeout: Opt(Type.Number({ exclusiveMinimum: 0, maximum: 600 })),
  proof_cid: Opt(Type.String({ minLength: 1, maxLength: 256 })),
  // Accepted for the SDK's sake; a non-null value of an unsupported feature is refused below.
  include_validate_calldata: Opt(Type.Boolean()),
  direct_broadcast: Opt(Type.Boolean()),
  use_two_phase: Opt(Type.Boolean()),
  identity_domain: Opt(Type.String()),
  encrypted_data_refs: Opt(Type.Array(Type.String())),
  user_signature: Opt(Type.String()),
  app_signature: Opt(Type.String()),
  user_pubkey: Opt(Type.String()),
  app_pubkey: Opt(Type.String()),
});
export type TaskParams = Static<typeof TaskParams>;

export const timeoutMs = (p: TaskParams) => Math.round((p.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000);

/** wasm_args: hex of UTF-8 JSON (an object); `proof_cid` goes in as `_newton.proof_cid`. */
function wasmArgs(p: TaskParams): Hex {
  const given = p.wasm_args === undefined || p.wasm_args === null ? '0x' : hexData(p.wasm_args, 'wasm_args');
  if (p.proof_cid === undefined || p.proof_cid === null) return given;
  let args: Record<string, unknown> = {};
  if (given !== '0x') {
    try {
      args = JSON.parse(Buffer.from(given.slice(2), 'hex').toString('utf8'));
    } catch {
      throw invalidParams('wasm_args must be the hex of UTF-8 JSON');
    }
    if (typeof args !== 'object' || args === null || Array.isArray(args)) throw invalidParams('wasm_args must encode a JSON object');
  }
  const newton = typeof args._newton === 'object' && args._newton !== null ? args._newton : {};
  const json = JSON.stringify({ ...args, _newton: { ...newton, proof_cid: p.proof_cid } });
  return `0x${Buffer.from(json, 'utf8').toString('hex')}`;
}

function refuseUnsupported(p: TaskParams): void {
  if (p.include_validate_calldata === true) throw invalidParams('include_validate_calldata is not supported: this gateway submits nothing on-chain');
  const refs = [p.encrypted_data_refs?.length ? 'encrypted_data_refs' : null, p.user_signature && 'user_signature', p.app_signature && 'app_signature'].filter(Boolean);
  if (refs.length) throw invalidParams(`${refs.join(', ')}: dual-signature privacy refs are not supported; seal ephemeral data in wasm_args._newton.privacy`);
}

export async function buildTask(gateway: Gateway, p: TaskParams): Promise<{ task: NewtonTask; client: PolicyClientRecord }> {
  refuseUnsupported(p);
  const policyClient = address(p.policy_client, 'policy_client');
  // In chain mode the client is its contract: its current policy is read from it for every task.
  const client = gateway.chain ? await gateway.chain.policyClient(gateway, policyClient) : await gateway.store.policyClient(policyClient);
  if (!client) throw notFound(`policy client ${policyClient} is not registered`);
  const intent = readIntent(p.intent);
  if (BigInt(intent.chainId) !== BigInt(gateway.clock.chainId)) {
    throw invalidParams(`intent.chain_id ${BigInt(intent.chainId)} is not this gateway's chain (${gateway.clock.chainId})`);
  }
  if (intent.from === `0x${'0'.repeat(40)}` || intent.to === `0x${'0'.repeat(40)}`) throw invalidParams('intent.from and intent.to must not be the zero address');
  const signature = p.intent_signature === undefined || p.intent_signature === null ? '0x' : hexData(p.intent_signature, 'intent_signature');
  if (signature !== '0x') await verifyIntentSignature(gateway.signatures, intent, policyClient, signature);
  const quorumNumbers = p.quorum_number === undefined || p.quorum_number === null ? '0x00' : hexData(p.quorum_number, 'quorum_number');
  if (quorumNumbers === '0x') throw invalidParams('quorum_number must name at least one quorum');

  const nonce = await gateway.store.nextSequence('task');
  const initializationTimestamp = String(Math.floor(Date.now() / 1000));
  const task: NewtonTask = {
    taskId: taskId(policyClient, { ...intent }, initializationTimestamp, nonce),
    policyClient,
    taskCreatedBlock: gateway.clock.block - 1,
    quorumThresholdPercentage: p.quorum_threshold_percentage ?? DEFAULT_QUORUM_THRESHOLD,
    intent,
    intentSignature: signature,
    wasmArgs: wasmArgs(p),
    quorumNumbers,
    initializationTimestamp,
  };
  return { task, client };
}
