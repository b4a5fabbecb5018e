// Inclusion proofs checked in the browser: RFC 9162 §2.1.3.2 (verifying an inclusion proof) with
// SHA-256 from WebCrypto: a leaf hashes as SHA-256(0x00 || entry), a node as SHA-256(0x01 || left || right).

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

/** The leaf hash of an entry's bytes. */
export const leafHash = async (entry: string) => toHex(await sha256(0x00, bytes(entry)));

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

/** Verified only when the path recomputes the signed tree head's root for the same tree size. */
export async function verifyInclusion(p: InclusionProof): Promise<{ verified: boolean; root: string; why?: string }> {
  if (!globalThis.crypto?.subtle) return { verified: false, root: '', why: 'WebCrypto needs a secure context (https or localhost)' };
  if (p.tree_size !== p.signed_tree_head.tree_size) return { verified: false, root: '', why: `the proof is for size ${p.tree_size}, the tree head for ${p.signed_tree_head.tree_size}` };
  try {
    const root = await rootFromProof(p);
    const verified = root.toLowerCase() === toHex(bytes(p.signed_tree_head.root_hash));
    return { verified, root, ...(!verified && { why: 'the path leads to another root' }) };
  } catch (err) {
    return { verified: false, root: '', why: (err as Error).message };
  }
}
