// The network page's proof check (server/ui/src/proof.ts, run here on Node's WebCrypto as the
// browser runs it) against the decision log itself (newton-engine's DecisionLog, ct-merkle): every
// inclusion proof of trees of 1…300 entries verifies, and the page says "verified" for nothing else —
// an edited entry, another index, a flipped or missing audit-path hash, a tree head of another
// size or root, or one signed by a key that is not the gateway's.
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { beforeAll, describe, expect, it } from 'vitest';
import { DecisionLog, buildLogEntry, signTreeHead, type Hex, type LogOutcome } from '../bindings/dist/index.js';
import { rootFromProof, verifyInclusion, type InclusionProof } from '../server/ui/src/proof.js';

const ENTRIES = 300;
const SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 255, 256, 257, 300];

const gatewayKey = generatePrivateKey();
const gateway = privateKeyToAccount(gatewayKey).address;
const log = new DecisionLog();
const entries: string[] = [];
const leaves: Hex[] = [];

const word = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
function outcome(i: number): LogOutcome {
  return {
    task_id: word(i + 1), policy_client: `0x${'c1'.repeat(20)}`, policy_id: word(0xabc), policy_address: `0x${'0d'.repeat(20)}`,
    policy_code_hash: word(0xdef), intent: { from: `0x${'11'.repeat(20)}`, value: `0x${i.toString(16)}` }, params: '{"max_amount":1000}',
    decision: i % 3 === 0 ? 'denied' : 'allowed', certificate: { signers: [word(i)] }, response_digest: word(i + 7), timestamp: 1_700_000_000_000 + i,
  };
}

async function proofOf(index: number, size: number, key: Hex = gatewayKey): Promise<InclusionProof> {
  const head = { tree_size: size, root_hash: await log.root(size), timestamp: Date.now() };
  const signed_tree_head = { ...head, signature: await signTreeHead(key, head), signer: privateKeyToAccount(key).address };
  const proof = await log.inclusionProof(index, size);
  return { index, tree_size: size, leaf_hash: leaves[index]!, proof, signed_tree_head };
}

beforeAll(() => {
  for (let i = 0; i < ENTRIES; i++) entries.push(buildLogEntry(outcome(i)).entry);
  leaves.push(...log.append(entries));
});

describe('the page verifies the decision log’s proofs', () => {
  it(`every entry of trees of ${SIZES.join(', ')} entries`, async () => {
    let checked = 0;
    for (const size of SIZES) {
      const root = await log.root(size);
      // Every index of the small trees, a spread of the large ones.
      const indices = size <= 33 ? [...Array(size).keys()] : [0, 1, size >> 1, size - 2, size - 1];
      for (const index of indices) {
        const p = await proofOf(index, size);
        expect(await rootFromProof(p)).toBe(root);
        expect(await verifyInclusion(entries[index]!, p, gateway)).toMatchObject({ verified: true, root, signer: gateway });
        checked++;
      }
    }
    expect(checked).toBe(187);
  });

  it('and nothing else', async () => {
    const size = 100;
    const p = await proofOf(37, size);
    const refused = async (entry: string, proof: InclusionProof, signer = gateway) => {
      const result = await verifyInclusion(entry, proof, signer);
      expect(result.verified).toBe(false);
      return result.why;
    };
    const edited = entries[37]!.replace('"decision":"allowed"', '"decision":"denied"');
    expect(edited).not.toBe(entries[37]);
    expect(await refused(edited, p)).toMatch(/does not hash to the proof's leaf/);
    expect(await refused(entries[38]!, { ...p, leaf_hash: leaves[38]! })).toMatch(/another root/); // another index's entry at 37
    expect(await refused(entries[37]!, { ...p, index: 36 })).toMatch(/another root/);
    const flipped = [...p.proof];
    flipped[2] = `${flipped[2]!.slice(0, -1)}${flipped[2]!.endsWith('0') ? '1' : '0'}` as Hex;
    expect(await refused(entries[37]!, { ...p, proof: flipped })).toMatch(/another root/);
    expect(await refused(entries[37]!, { ...p, proof: p.proof.slice(0, -1) })).toMatch(/shorter/);
    expect(await refused(entries[37]!, { ...p, proof: [...p.proof, p.proof[0]!] })).toMatch(/longer|another root/);
    const other = await proofOf(37, 99);
    expect(await refused(entries[37]!, { ...p, signed_tree_head: other.signed_tree_head })).toMatch(/size 100, the tree head for 99/);
    expect(await refused(entries[37]!, { ...p, signed_tree_head: { ...p.signed_tree_head, root_hash: other.signed_tree_head.root_hash } })).toMatch(/another root/);
    const forged = await proofOf(37, size, generatePrivateKey());
    expect(await refused(entries[37]!, forged)).toMatch(/not the gateway/);
    expect(await refused(entries[37]!, { ...p, signed_tree_head: { ...p.signed_tree_head, timestamp: p.signed_tree_head.timestamp + 1 } })).toMatch(/not the gateway/);
    expect(await refused(entries[37]!, { ...p, index: size })).toMatch(/outside a tree of 100/);
  });
});
