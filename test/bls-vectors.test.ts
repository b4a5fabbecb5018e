// Every Ethereum BLS vector (ethereum/bls12-381-tests v0.1.2 plus the 006855c extras, in
// test/vectors/bls) through the TS API, each in its sync and its async form, which must agree.
// `output: null` means the call must throw. hash_to_G2 has no TS entry point (it is internal to
// signing); crates/newton-bls/tests/vectors.rs runs those vectors against the crate.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BlsSigner,
  NewtonError,
  blsAggregatePublicKeys,
  blsAggregatePublicKeysSync,
  blsAggregateSignatures,
  blsAggregateSignaturesSync,
  blsAggregateVerify,
  blsAggregateVerifySync,
  blsBatchVerify,
  blsBatchVerifySync,
  blsFastAggregateVerify,
  blsFastAggregateVerifySync,
  blsVerify,
  blsVerifySync,
  bytesToHex,
  hexToBytes as hex,
} from '../bindings/dist/index.js';
import { blsVectorsDir } from './helpers/paths.js';

/** One vector file; `input` and `output` are shaped per handler (see test/vectors/bls/formats). */
type Case = { name: string; input: any; output: any };

function cases(handler: string, expected: number): Case[] {
  const dir = path.join(blsVectorsDir, handler);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  expect(files, `${handler}: case count`).toHaveLength(expected);
  return files.map((f) => ({ name: f.slice(0, -5), ...JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) }));
}

const list = (values: string[]) => values.map(hex);

/** The value, or the code of the NewtonError thrown; the sync and async forms must agree. */
async function both<T>(sync: () => T, async: () => Promise<T>): Promise<T | string> {
  const settle = async (fn: () => T | Promise<T>) => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof NewtonError) return err.code;
      throw err;
    }
  };
  const result = await settle(sync);
  expect(await settle(async)).toEqual(result);
  return result;
}

/** A verification verdict: an input rejected as malformed verifies nothing. */
function verdict(result: boolean | string): boolean {
  if (typeof result === 'string') {
    expect(['NEWTON_ERR_BLS_BAD_ENCODING', 'NEWTON_ERR_BLS_KEY_INVALID']).toContain(result);
    return false;
  }
  return result;
}

it('runs every handler except hash_to_G2 (crate-tested) and formats (docs)', () => {
  const handlers = fs.readdirSync(blsVectorsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  expect(handlers.sort()).toEqual([
    'aggregate', 'aggregate_verify', 'batch_verify', 'deserialization_G1', 'deserialization_G2',
    'extra_unreleased_006855c', 'fast_aggregate_verify', 'formats', 'hash_to_G2', 'sign', 'verify',
  ]);
});

describe('sign', () => {
  it.each(cases('sign', 10))('$name', async ({ input, output }) => {
    const signer = () => BlsSigner.fromSecretKey(hex(input.privkey));
    const msg = hex(input.message);
    const sig = await both(() => signer().signSync(msg), () => signer().sign(msg));
    expect(typeof sig === 'string' ? sig : bytesToHex(sig)).toBe(output ?? 'NEWTON_ERR_BLS_KEY_INVALID');
  });
});

describe('verify', () => {
  it.each(cases('verify', 29))('$name', async ({ input, output }) => {
    const args = [hex(input.pubkey), hex(input.message), hex(input.signature)] as const;
    expect(verdict(await both(() => blsVerifySync(...args), () => blsVerify(...args)))).toBe(output);
  });
});

describe('aggregate', () => {
  it.each(cases('aggregate', 6))('$name', async ({ input, output }) => {
    const sigs = list(input);
    const agg = await both(() => blsAggregateSignaturesSync(sigs), () => blsAggregateSignatures(sigs));
    expect(typeof agg === 'string' ? agg : bytesToHex(agg)).toBe(output ?? 'NEWTON_ERR_INVALID_ARGUMENT');
  });
});

describe('fast_aggregate_verify', () => {
  it.each(cases('fast_aggregate_verify', 12))('$name', async ({ input, output }) => {
    const args = [list(input.pubkeys), hex(input.message), hex(input.signature)] as const;
    expect(verdict(await both(() => blsFastAggregateVerifySync(...args), () => blsFastAggregateVerify(...args)))).toBe(output);
  });
});

describe('aggregate_verify', () => {
  it.each(cases('aggregate_verify', 5))('$name', async ({ input, output }) => {
    const args = [list(input.pubkeys), list(input.messages), hex(input.signature)] as const;
    expect(verdict(await both(() => blsAggregateVerifySync(...args), () => blsAggregateVerify(...args)))).toBe(output);
  });
});

describe('batch_verify', () => {
  it.each(cases('batch_verify', 4))('$name', async ({ input, output }) => {
    const items = (input.pubkeys as string[]).map((pk, i) => ({
      publicKey: hex(pk),
      message: hex(input.messages[i]),
      signature: hex(input.signatures[i]),
    }));
    expect(verdict(await both(() => blsBatchVerifySync(items), () => blsBatchVerify(items)))).toBe(output);
  });
});

// A point deserializes through the API when aggregating it alone gives it back. The infinity
// public key is well-formed (`true`) but fails KeyValidate, so it is NEWTON_ERR_BLS_KEY_INVALID;
// every `false` is NEWTON_ERR_BLS_BAD_ENCODING.
describe('deserialization_G1', () => {
  const all = [...cases('deserialization_G1', 13), ...cases('extra_unreleased_006855c/deserialization_G1', 3)];
  it.each(all)('$name', async ({ name, input, output }) => {
    const pk = hex(input.pubkey);
    const parsed = await both(() => blsAggregatePublicKeysSync([pk]), () => blsAggregatePublicKeys([pk]));
    if (!output) expect(parsed).toBe('NEWTON_ERR_BLS_BAD_ENCODING');
    else if (name.includes('infinity')) expect(parsed).toBe('NEWTON_ERR_BLS_KEY_INVALID');
    else expect(parsed).toEqual(pk);
  });
});

describe('deserialization_G2', () => {
  const all = [...cases('deserialization_G2', 15), ...cases('extra_unreleased_006855c/deserialization_G2', 3)];
  it.each(all)('$name', async ({ input, output }) => {
    const sig = hex(input.signature);
    const parsed = await both(() => blsAggregateSignaturesSync([sig]), () => blsAggregateSignatures([sig]));
    expect(parsed).toEqual(output ? sig : 'NEWTON_ERR_BLS_BAD_ENCODING');
  });
});
