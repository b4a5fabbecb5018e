// Newton identifiers and hashes: of a policy file (`policyCodeHash`, `policyCid`) and of the
// structs the network passes around (task, policy, response, attestation).
import type { Hex } from './bls.js';
import { call } from './errors.js';
import { toJson } from './json.js';
import { native } from './native.js';

const bytes = (source: string | Uint8Array) =>
  typeof source === 'string' ? new TextEncoder().encode(source) : source;

/** keccak256 of the exact Rego bytes, 0x-hex. */
export function policyCodeHash(source: string | Uint8Array): `0x${string}` {
  return native.policyCodeHash(bytes(source)) as `0x${string}`;
}

/** CIDv1 (raw codec, sha2-256, base32 `bafkrei…`) of the exact bytes. */
export function policyCid(source: string | Uint8Array): string {
  return native.policyCid(bytes(source));
}

type Json = string | Record<string, unknown>;
type Uint = bigint | number | string;

/** `taskId`: keccak256(abi.encode(policyClient, intent, initializationTimestamp, nonce)). */
export function taskId(policyClient: Hex, intent: Json, initializationTimestamp: Uint, nonce: Uint): Hex {
  return call(() => native.taskId(policyClient, toJson(intent), String(initializationTimestamp), String(nonce))) as Hex;
}

/** `taskHash` of a Task (Newton's JSON). */
export function taskHash(task: Json): Hex {
  return call(() => native.taskHash(toJson(task))) as Hex;
}

/** The `policyId` `NewtonPolicy.setPolicy` assigns, from the `PolicySet` event's info. */
export function policyId(policyClient: Hex, setPolicyInfo: Json, blockTimestamp: Uint): Hex {
  return call(() => native.policyId(policyClient, toJson(setPolicyInfo), String(blockTimestamp))) as Hex;
}

/** `taskResponseHash`: keccak256(abi.encode(taskResponse, responseCertificate)). */
export function taskResponseHash(taskResponse: Json, responseCertificate: Json): Hex {
  return call(() => native.taskResponseHash(toJson(taskResponse), toJson(responseCertificate))) as Hex;
}

/** keccak256(abi.encode(attestation)), as `AttestationValidator` stores it. */
export function attestationHash(attestation: Json): Hex {
  return call(() => native.attestationHash(toJson(attestation))) as Hex;
}
