// Newton identifiers of a policy file: what `policyCodeHash` and `policyCid` commit to.
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
