// Paths shared by the test suites.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (/work/main here, the checkout in CI). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** OPA's YAML conformance cases, kept beside the repository. */
export const opaVectorsDir = path.resolve(repoRoot, '../shared/vectors/opa');
