// Inclusion proofs checked in the browser: RFC 9162 §2.1.3.2 (verifying an inclusion proof) with
// SHA-256 from WebCrypto: a leaf hashes as SHA-256(0x00 || entry), a node as SHA-256(0x01 || left || right);
// and the signed tree head's EIP-712 signature (viem), which must recover to the gateway's address.
import { recoverTypedDataAddress } from 'viem';

export interface InclusionProof {
  index: number;
  tree_size: number;
  leaf_hash: string;
  proof: string[];
  signed_tree_head: { tree_size: number; root_hash: string; timestamp: number; signature: string; signer: string };
}

const bytes = (hex: string) => {
  const clean = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`not hex: ${hex.slice(0, 20)}`);
  return Uint8Array.from(clean.match(/../g) ?? [], (pair) => parseInt(pair, 16));
};
export const toHex = (data: Uint8Array) => `0x${Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('')}`;

async function sha256(prefix: number, ...parts: Uint8Array[]): Promise<Uint8Array> {
  const input = new Uint8Array(1 + parts.reduce((n, p) => n + p.length, 0));
  input[0] = prefix;
  let at = 1;
  for (const part of parts) (input.set(part, at), (at += part.length));
  return new Uint8Array(await crypto.subtle.digest('SHA-256', input));
}

/** The leaf hash of an entry: its RFC 8785 JSON text's UTF-8 bytes. */
export const leafHash = async (entryJson: string) => toHex(await sha256(0x00, new TextEncoder().encode(entryJson)));

/** The root the audit path leads to from `leaf_hash` at `index` in a tree of `tree_size`, or why it cannot. */
export async function rootFromProof(p: Pick<InclusionProof, 'index' | 'tree_size' | 'leaf_hash' | 'proof'>): Promise<string> {
  if (!(p.index >= 0 && p.index < p.tree_size)) throw new Error(`index ${p.index} is outside a tree of ${p.tree_size}`);
  let fn = BigInt(p.index);
  let sn = BigInt(p.tree_size - 1);
  let r: Uint8Array = bytes(p.leaf_hash);
  for (const sibling of p.proof.map(bytes)) {
    if (sn === 0n) throw new Error('the proof is longer than the tree allows');
    if ((fn & 1n) === 1n || fn === sn) {
      r = await sha256(0x01, sibling, r);
      while ((fn & 1n) === 0n && fn !== 0n) (fn >>= 1n, (sn >>= 1n));
    } else {
      r = await sha256(0x01, r, sibling);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new Error('the proof is shorter than the tree needs');
  return toHex(r);
}

/** The address whose key signed the tree head (EIP-712 `SignedTreeHead`, domain "Newton Decision Log" v1). */
export function treeHeadSigner(sth: InclusionProof['signed_tree_head']): Promise<string> {
  return recoverTypedDataAddress({
    domain: { name: 'Newton Decision Log', version: '1' },
    types: { SignedTreeHead: [{ name: 'treeSize', type: 'uint64' }, { name: 'rootHash', type: 'bytes32' }, { name: 'timestamp', type: 'uint64' }] },
    primaryType: 'SignedTreeHead',
    message: { treeSize: BigInt(sth.tree_size), rootHash: toHex(bytes(sth.root_hash)) as `0x${string}`, timestamp: BigInt(sth.timestamp) },
    signature: toHex(bytes(sth.signature)) as `0x${string}`,
  });
}

export interface Verification {
  verified: boolean;
  /** The root the audit path leads to. */
  root: string;
  /** Who signed the tree head (recovered from its signature). */
  signer: string;
  why?: string;
}

/**
 * Verified only when the entry's bytes hash to the proof's leaf, the audit path recomputes the
 * signed tree head's root for the same tree size, and the tree head's signature recovers to
 * `gateway` (the address GET /operators reports).
 */
export async function verifyInclusion(entryJson: string, p: InclusionProof, gateway: string): Promise<Verification> {
  const failed = (why: string, root = '', signer = '') => ({ verified: false, root, signer, why });
  if (!globalThis.crypto?.subtle) return failed('WebCrypto needs a secure context (https or localhost)');
  const sth = p.signed_tree_head;
  if (p.tree_size !== sth.tree_size) return failed(`the proof is for size ${p.tree_size}, the tree head for ${sth.tree_size}`);
  try {
    if ((await leafHash(entryJson)) !== toHex(bytes(p.leaf_hash))) return failed('the entry does not hash to the proof\'s leaf');
    const root = await rootFromProof(p);
    if (root.toLowerCase() !== toHex(bytes(sth.root_hash))) return failed('the audit path leads to another root', root);
    const signer = await treeHeadSigner(sth);
    if (signer.toLowerCase() !== gateway.toLowerCase()) return failed(`the tree head is signed by ${signer}, not the gateway ${gateway}`, root, signer);
    return { verified: true, root, signer };
  } catch (err) {
    return failed((err as Error).message);
  }
}
