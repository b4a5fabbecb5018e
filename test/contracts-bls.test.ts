// The Solidity BLS library (contracts/src/Bls.sol) on a real Prague EVM (anvil) against the
// Ethereum vectors: hash_to_G2 gives the RFC 9380 points, and verify / fast_aggregate_verify
// give the crate's answers. Points reach the contract in EIP-2537 form; an input that does not
// decompress is answered false without the contract, as the crate answers malformed input.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringToHex, type Hex } from 'viem';
import {
  BlsSigner,
  NewtonError,
  blsFastAggregateVerifySync,
  blsVerifySync,
  bytesToHex,
  g1ToEip2537,
  g2ToEip2537,
  hexToBytes,
} from '../bindings/dist/index.js';
import { startAnvil } from '../contracts/anvil.mjs';
import { compileContracts } from '../contracts/build.mjs';
import { clients, deploy } from '../contracts/chain.mjs';
import { blsVectorsDir } from './helpers/paths.js';

const HASH_DST = 'QUUX-V01-CS02-with-BLS12381G2_XMD:SHA-256_SSWU_RO_';

let anvil: { rpcUrl: string; stop: () => Promise<void> };
let harness: { address: Hex; abi: unknown[] };
let read: (functionName: string, args: unknown[]) => Promise<unknown>;

beforeAll(async () => {
  anvil = await startAnvil();
  const chain = clients(anvil.rpcUrl);
  harness = { address: await deploy(chain, 'BlsHarness'), abi: compileContracts().BlsHarness.abi };
  read = (functionName, args) => chain.publicClient.readContract({ ...harness, functionName, args } as never);
}, 120_000);
afterAll(() => anvil?.stop());

const vectors = (handler: string) =>
  fs.readdirSync(path.join(blsVectorsDir, handler)).filter((f) => f.endsWith('.json')).sort()
    .map((f) => ({ name: f.slice(0, -5), ...JSON.parse(fs.readFileSync(path.join(blsVectorsDir, handler, f), 'utf8')) }));

/** EIP-2537 form, or null when the bytes are not a valid point (the crate rejects those too). */
const eip = (toEip: (b: Hex) => Hex, value: Hex): Hex | null => {
  try {
    return toEip(value);
  } catch (err) {
    expect((err as NewtonError).code).toBe('NEWTON_ERR_BLS_BAD_ENCODING');
    return null;
  }
};
/** The crate's verdict; malformed input counts as false. */
const crate = (fn: () => boolean) => {
  try {
    return fn();
  } catch (err) {
    if (err instanceof NewtonError) return false;
    throw err;
  }
};

describe('hash_to_G2 (RFC 9380 vectors, QUUX DST)', () => {
  it.each(vectors('hash_to_G2'))('$name', async ({ input, output }) => {
    const point = await read('hashToG2', [stringToHex(input.msg), stringToHex(HASH_DST)]);
    const [x0, x1] = output.x.split(',');
    const [y0, y1] = output.y.split(',');
    const fp = (v: string) => BigInt(v).toString(16).padStart(128, '0');
    expect(point).toBe(`0x${fp(x0)}${fp(x1)}${fp(y0)}${fp(y1)}`);
  });
});

describe('verify through the contract equals the crate', () => {
  const cases = vectors('verify');
  it.each(cases)('$name', async ({ input, output }) => {
    const expected = crate(() => blsVerifySync(hexToBytes(input.pubkey), hexToBytes(input.message), hexToBytes(input.signature)));
    expect(expected).toBe(output);
    const pk = eip(g1ToEip2537, input.pubkey);
    const sig = eip(g2ToEip2537, input.signature);
    const onChain = pk !== null && sig !== null && (await read('verify', [pk, input.message, sig]));
    expect(onChain).toBe(expected);
  });
  it('sends most cases to the contract (they are not all rejected by decompression)', () => {
    const decodable = cases.filter((c) => {
      try {
        g1ToEip2537(c.input.pubkey);
        g2ToEip2537(c.input.signature);
        return true;
      } catch {
        return false;
      }
    });
    expect(decodable.length).toBeGreaterThanOrEqual(19);
  });
});

describe('fast_aggregate_verify through the contract equals the crate', () => {
  it.each(vectors('fast_aggregate_verify'))('$name', async ({ input, output }) => {
    const keys = input.pubkeys.map(hexToBytes);
    const expected = crate(() => blsFastAggregateVerifySync(keys, hexToBytes(input.message), hexToBytes(input.signature)));
    expect(expected).toBe(output);
    const pks = input.pubkeys.map((k: Hex) => eip(g1ToEip2537, k));
    const sig = eip(g2ToEip2537, input.signature);
    const onChain = !pks.includes(null) && sig !== null && (await read('fastAggregateVerify', [pks, input.message, sig]));
    expect(onChain).toBe(expected);
  });
});

describe('compressed ↔ EIP-2537 G1 consistency (no square root)', () => {
  const signers = [1, 2, 3, 0x42].map((seed) => BlsSigner.fromSecretKey(new Uint8Array(32).fill(seed)));
  it('accepts each key with its own point, whichever the sign of y', async () => {
    const signs = new Set<number>();
    for (const { publicKey } of signers) {
      signs.add(publicKey[0]! & 0x20);
      expect(await read('isCompressedG1', [bytesToHex(publicKey), g1ToEip2537(publicKey)])).toBe(true);
    }
    expect(signs.size).toBe(2);
  });
  it('refuses the negated point, another key, and a missing compression flag', async () => {
    const [a, b] = signers.map((s) => s.publicKey);
    const negated = Uint8Array.from(a!, (v, i) => (i === 0 ? v ^ 0x20 : v));
    const uncompressedFlag = Uint8Array.from(a!, (v, i) => (i === 0 ? v & 0x7f : v));
    for (const compressed of [negated, b!, uncompressedFlag]) {
      expect(await read('isCompressedG1', [bytesToHex(compressed), g1ToEip2537(a!)])).toBe(false);
    }
  });
});
