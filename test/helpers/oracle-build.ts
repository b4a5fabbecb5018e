// PolicyData components for the tests and the bench: JS oracles built once through
// buildPolicyData into a git-ignored cache (a build takes seconds), WAT fixtures assembled by jco.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from '@bytecodealliance/jco';
import { buildPolicyData, componentizeOracle } from '../../bindings/dist/policy-data-build.js';
import { repoRoot } from './paths.js';

export const fixturesDir = path.join(repoRoot, 'test/fixtures/policy-data');

/** Built components, keyed by the sha256 of their sources, WIT and componentize-js version. */
export const buildCacheDir = path.join(repoRoot, 'node_modules/.cache/newton-policy-data');

/** Generous time for one componentize-js build on a busy 2-core machine. */
export const BUILD_TIMEOUT_MS = 120_000;

/** A JS oracle (path relative to the repo root) as a component, built once and cached. */
export async function oracle(source: string, wit?: '0.2.0' | '0.1.0'): Promise<Uint8Array> {
  const built = await buildPolicyData({ source: path.join(repoRoot, source), wit, cacheDir: buildCacheDir });
  return built.wasm;
}

/** The same oracle built with componentize-js's WASI features left on: it imports wasi:*. */
export async function oracleWithWasi(source: string): Promise<Uint8Array> {
  const built = await componentizeOracle({ source: path.join(repoRoot, source), cacheDir: buildCacheDir }, []);
  return built.wasm;
}

/** test/fixtures/policy-data/<name>.wat assembled into a component. */
export async function wat(name: string): Promise<Uint8Array> {
  return parse(fs.readFileSync(path.join(fixturesDir, `${name}.wat`), 'utf8'));
}
