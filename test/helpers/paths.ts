// Paths shared by the test suites.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (/work/main here, the checkout in CI). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Conformance data copied into the repository (sources and licences in its README.md). */
export const vectorsDir = path.join(repoRoot, 'test/vectors');

/** OPA's YAML conformance cases. */
export const opaVectorsDir = path.join(vectorsDir, 'opa');

/** Ethereum's BLS12-381 signature vectors (bls12-381-tests). */
export const blsVectorsDir = path.join(vectorsDir, 'bls');
