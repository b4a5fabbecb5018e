// Rust PolicyData oracles → components: a wit-bindgen cdylib crate built by cargo for
// wasm32-unknown-unknown (std without WASI: no stdio, clocks or randomness to import), then wrapped
// into a component by wit-component (through jco). Only newton:provider/* imports survive.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildFailed,
  cacheKey,
  checkedImports,
  readCached,
  runTool,
  sourceTree,
  toolchainMissing,
  writeAtomic,
} from './policy-data-build-common.js';
import type { BuiltPolicyData } from './policy-data-build.js';

export const RUST_TARGET = 'wasm32-unknown-unknown';
export const RUST_INSTALL_COMMAND = `rustup target add ${RUST_TARGET}`;

/** `rustc -vV` as cargo would run it in `crateDir` (a rust-toolchain.toml there applies), or undefined. */
function rustcVersion(crateDir: string): string | undefined {
  const run = spawnSync('rustc', ['-vV'], { cwd: crateDir, encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : undefined;
}

/** False only when rustup is there and says the target is not installed. */
function targetInstalled(crateDir: string): boolean {
  const run = spawnSync('rustup', ['target', 'list', '--installed'], { cwd: crateDir, encoding: 'utf8' });
  return run.status !== 0 || run.stdout.split('\n').includes(RUST_TARGET);
}

export interface RustBuildOptions {
  cacheDir?: string;
  /** cargo's target directory (default: CARGO_TARGET_DIR, else the crate's target/). */
  cargoTargetDir?: string;
}

export async function buildRust(crateDir: string, options: RustBuildOptions): Promise<Omit<BuiltPolicyData, 'wit' | 'sha256'>> {
  const rustc = rustcVersion(crateDir);
  if (!rustc) throw toolchainMissing(crateDir, 'Rust (rustc, cargo)', `curl https://sh.rustup.rs -sSf | sh -s -- -y --target ${RUST_TARGET}`);
  if (!targetInstalled(crateDir)) throw toolchainMissing(crateDir, `the Rust target ${RUST_TARGET}`, RUST_INSTALL_COMMAND);
  const toolchain = rustc.split('\n')[0] as string;
  const parts = [rustc, RUST_TARGET, 'release', `jco ${jcoVersion()}`, ...sourceTree(crateDir, () => true)];
  const cacheFile = options.cacheDir && join(options.cacheDir, `${cacheKey(parts)}.wasm`);
  const cachedImports = cacheFile && readCached(cacheFile);
  if (cachedImports) return { wasm: readFileSync(cacheFile), imports: cachedImports, language: 'rust', toolchain, componentizeVersion: toolchain, cached: true };

  const env = { ...process.env };
  if (options.cargoTargetDir) env.CARGO_TARGET_DIR = options.cargoTargetDir;
  const args = ['build', '--release', '--target', RUST_TARGET, '--manifest-path', join(crateDir, 'Cargo.toml'), '--message-format=json-render-diagnostics'];
  if (existsSync(join(crateDir, 'Cargo.lock'))) args.push('--locked');
  const run = await runTool('cargo', args, { cwd: crateDir, env });
  if (run.status !== 0) throw buildFailed(crateDir, 'cargo build', run.error?.message ?? run.stderr);
  const artifact = coreModule(run.stdout);
  if (!artifact) throw buildFailed(crateDir, 'cargo build', 'the crate built no .wasm: its [lib] needs crate-type = ["cdylib"]');

  const { componentNew } = await import('@bytecodealliance/jco');
  let wasm: Uint8Array;
  try {
    wasm = await componentNew(readFileSync(artifact), []);
  } catch (err) {
    // e.g. a dependency importing wasm-bindgen's or WASI's functions, which no component provides
    throw buildFailed(crateDir, 'wit-component', err instanceof Error ? err.message : String(err));
  }
  const imports = await checkedImports(crateDir, wasm);
  if (cacheFile) {
    writeAtomic(cacheFile, wasm);
    writeAtomic(`${cacheFile}.imports.json`, JSON.stringify(imports));
  }
  return { wasm, imports, language: 'rust', toolchain, componentizeVersion: toolchain, cached: false };
}

/** jco's version: its wit-component wraps the module. (Its manifest sits one level above dist/api.js.) */
function jcoVersion(): string {
  const manifest = join(dirname(fileURLToPath(import.meta.resolve('@bytecodealliance/jco'))), '..', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** The cdylib's .wasm from cargo's JSON messages. */
function coreModule(messages: string): string | undefined {
  for (const line of messages.split('\n').reverse()) {
    if (!line.startsWith('{')) continue;
    const m = JSON.parse(line) as { reason: string; target?: { kind: string[] }; filenames?: string[] };
    if (m.reason !== 'compiler-artifact' || !m.target?.kind.includes('cdylib')) continue;
    const wasm = m.filenames?.find((f) => f.endsWith('.wasm'));
    if (wasm) return wasm;
  }
  return undefined;
}
