// Every Ethereum BLS vector (ethereum/bls12-381-tests v0.1.2 plus the 006855c extras, in
// test/vectors/bls) through the TS API, each in its sync and its async form, which must agree.
// The checks live in helpers/bls-vectors.mjs, which the packaged-addon runs (scripts/prebuilt/)
// share; hash_to_G2 is crate-tested (crates/newton-bls/tests/vectors.rs).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../bindings/dist/index.js';
import { HANDLER_COUNTS, blsVectorChecks } from './helpers/bls-vectors.mjs';
import { blsVectorsDir } from './helpers/paths.js';

it('runs every handler except hash_to_G2 (crate-tested) and formats (docs)', () => {
  const handlers = fs.readdirSync(blsVectorsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  expect(handlers.sort()).toEqual([
    'aggregate', 'aggregate_verify', 'batch_verify', 'deserialization_G1', 'deserialization_G2',
    'extra_unreleased_006855c', 'fast_aggregate_verify', 'formats', 'hash_to_G2', 'sign', 'verify',
  ]);
});

const checks = blsVectorChecks(api, blsVectorsDir);

for (const [handler, count] of Object.entries(HANDLER_COUNTS)) {
  describe(handler, () => {
    const cases = checks.filter((c) => c.handler === handler);
    it('has every case', () => expect(cases).toHaveLength(count));
    it.each(cases)('$name', ({ check }) => check());
  });
}
