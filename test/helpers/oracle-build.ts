// PolicyData components for the tests and the bench: JS, Python and Rust oracles built once through
// buildPolicyData into a git-ignored cache (a build takes seconds to minutes), WAT fixtures
// assembled by jco.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from '@bytecodealliance/jco';
import { buildPolicyData, componentizeOracle } from '../../bindings/dist/policy-data-build.js';
import { repoRoot } from './paths.js';

export const fixturesDir = path.join(repoRoot, 'test/fixtures/policy-data');

/** Built components, keyed by the sha256 of their sources, WIT and componentize-js version. */
export const buildCacheDir = path.join(repoRoot, 'node_modules/.cache/newton-policy-data');

/** cargo's target directory for Rust oracles: shared by them (one dependency build), apart from the workspace's. */
export const cargoTargetDir = path.join(buildCacheDir, 'cargo-target');

/** Generous time for one componentize-js build on a busy 2-core machine. */
export const BUILD_TIMEOUT_MS = 120_000;

/** The first Rust oracle build compiles wit-bindgen and serde_json for wasm (minutes on a busy machine). */
export const RUST_BUILD_TIMEOUT_MS = 600_000;

/** An oracle (a .js/.mjs or .py file or a crate directory, relative to the repo root) as a component, built once and cached. */
export async function oracle(source: string, wit?: '0.2.0' | '0.1.0'): Promise<Uint8Array> {
  const built = await buildPolicyData({ source: path.join(repoRoot, source), wit, cacheDir: buildCacheDir, cargoTargetDir });
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
