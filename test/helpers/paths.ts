// Paths shared by the test suites.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (/work/main here, the checkout in CI). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** OPA's YAML conformance cases, kept beside the repository. */
export const opaVectorsDir = path.resolve(repoRoot, '../shared/vectors/opa');

/** Ethereum's BLS12-381 signature vectors (bls12-381-tests), kept beside the repository. */
export const blsVectorsDir = path.resolve(repoRoot, '../shared/vectors/bls');
