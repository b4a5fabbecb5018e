// The Ethereum BLS vectors (test/vectors/bls: bls12-381-tests v0.1.2 plus the 006855c extras) as
// checks against the public API, each call in its sync and async form, which must agree.
// Plain JS over an injected `api` (the newton-engine module), so vitest (test/bls-vectors.test.ts)
// and the packaged-addon runs (scripts/prebuilt/, also under qemu-aarch64) share one runner.
// `output: null` means the call must throw. hash_to_G2 has no API entry point (it is internal to
// signing); crates/newton-bls/tests/vectors.rs runs those vectors against the crate.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

/** Handler → case count; the extras add 3 cases each to the two deserialization handlers. */
export const HANDLER_COUNTS = {
  sign: 10, verify: 29, aggregate: 6, fast_aggregate_verify: 12, aggregate_verify: 5, batch_verify: 4,
  deserialization_G1: 13 + 3, deserialization_G2: 15 + 3,
};

/** Every check: `{ handler, name, check }`; `check()` rejects on a mismatch. */
export function blsVectorChecks(api, dir) {
  const hex = api.hexToBytes;
  const list = (values) => values.map(hex);
  const read = (handler, expected) => {
    const files = fs.readdirSync(path.join(dir, handler)).filter((f) => f.endsWith('.json')).sort();
    assert.equal(files.length, expected, `${handler}: case count`);
    return files.map((f) => ({ name: f.slice(0, -5), ...JSON.parse(fs.readFileSync(path.join(dir, handler, f), 'utf8')) }));
  };

  /** The value, or the code of the NewtonError thrown; the sync and async forms must agree. */
  const both = async (sync, async) => {
    const settle = async (fn) => {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof api.NewtonError) return err.code;
        throw err;
      }
    };
    const result = await settle(sync);
    assert.deepEqual(await settle(async), result, 'sync and async forms agree');
    return result;
  };
  /** A verification verdict: an input rejected as malformed verifies nothing. */
  const verdict = (result) => {
    if (typeof result !== 'string') return result;
    assert.ok(['NEWTON_ERR_BLS_BAD_ENCODING', 'NEWTON_ERR_BLS_KEY_INVALID'].includes(result), result);
    return false;
  };
  const asHex = (v) => (typeof v === 'string' ? v : api.bytesToHex(v));

  const checks = {
    sign: ({ input, output }) => async () => {
      const signer = () => api.BlsSigner.fromSecretKey(hex(input.privkey));
      const msg = hex(input.message);
      const sig = await both(() => signer().signSync(msg), () => signer().sign(msg));
      assert.equal(asHex(sig), output ?? 'NEWTON_ERR_BLS_KEY_INVALID');
    },
    verify: ({ input, output }) => async () => {
      const args = [hex(input.pubkey), hex(input.message), hex(input.signature)];
      assert.equal(verdict(await both(() => api.blsVerifySync(...args), () => api.blsVerify(...args))), output);
    },
    aggregate: ({ input, output }) => async () => {
      const sigs = list(input);
      const agg = await both(() => api.blsAggregateSignaturesSync(sigs), () => api.blsAggregateSignatures(sigs));
      assert.equal(asHex(agg), output ?? 'NEWTON_ERR_INVALID_ARGUMENT');
    },
    fast_aggregate_verify: ({ input, output }) => async () => {
      const args = [list(input.pubkeys), hex(input.message), hex(input.signature)];
      assert.equal(verdict(await both(() => api.blsFastAggregateVerifySync(...args), () => api.blsFastAggregateVerify(...args))), output);
    },
    aggregate_verify: ({ input, output }) => async () => {
      const args = [list(input.pubkeys), list(input.messages), hex(input.signature)];
      assert.equal(verdict(await both(() => api.blsAggregateVerifySync(...args), () => api.blsAggregateVerify(...args))), output);
    },
    batch_verify: ({ input, output }) => async () => {
      const items = input.pubkeys.map((pk, i) => ({
        publicKey: hex(pk), message: hex(input.messages[i]), signature: hex(input.signatures[i]),
      }));
      assert.equal(verdict(await both(() => api.blsBatchVerifySync(items), () => api.blsBatchVerify(items))), output);
    },
    // A point deserializes through the API when aggregating it alone gives it back. The infinity
    // public key is well-formed (`true`) but fails KeyValidate, so it is NEWTON_ERR_BLS_KEY_INVALID;
    // every `false` is NEWTON_ERR_BLS_BAD_ENCODING.
    deserialization_G1: ({ name, input, output }) => async () => {
      const pk = hex(input.pubkey);
      const parsed = await both(() => api.blsAggregatePublicKeysSync([pk]), () => api.blsAggregatePublicKeys([pk]));
      if (!output) assert.equal(parsed, 'NEWTON_ERR_BLS_BAD_ENCODING');
      else if (name.includes('infinity')) assert.equal(parsed, 'NEWTON_ERR_BLS_KEY_INVALID');
      else assert.deepEqual(parsed, pk);
    },
    deserialization_G2: ({ input, output }) => async () => {
      const sig = hex(input.signature);
      const parsed = await both(() => api.blsAggregateSignaturesSync([sig]), () => api.blsAggregateSignatures([sig]));
      assert.deepEqual(parsed, output ? sig : 'NEWTON_ERR_BLS_BAD_ENCODING');
    },
  };

  return Object.entries(checks).flatMap(([handler, make]) => {
    const extra = handler.startsWith('deserialization_') ? read(`extra_unreleased_006855c/${handler}`, 3) : [];
    const cases = [...read(handler, HANDLER_COUNTS[handler] - extra.length), ...extra];
    return cases.map((c) => ({ handler, name: c.name, check: make(c) }));
  });
}
