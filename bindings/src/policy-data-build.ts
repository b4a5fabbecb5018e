// PolicyData oracles → WebAssembly components for the newton:provider world. JavaScript goes
// through componentize-js (StarlingMonkey) with every WASI feature disabled, so the component
// imports only newton:provider/* and the host accepts it; Python and Rust sources go to
// policy-data-build-py.ts and policy-data-build-rs.ts.
import { fork, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NewtonError } from './errors.js';
import type { BuildJob, BuildReply } from './policy-data-build-child.js';
import { cacheKey, readCached, readSource, statOrThrow, writeAtomic } from './policy-data-build-common.js';
import { buildPython } from './policy-data-build-py.js';
import { buildRust } from './policy-data-build-rs.js';
import { GLUE_WARMUP_VERSION, glueWarmupImport } from './policy-data-build-warmup.js';

export type WitVersion = '0.2.0' | '0.1.0';

export type OracleLanguage = 'javascript' | 'python' | 'rust';

export interface BuildPolicyDataOptions {
  /**
   * The oracle; its kind picks the toolchain. Each defines `run(input)` (the task's wasm_args
   * JSON in, a JSON object out):
   * - a `.js`/`.mjs` ES module exporting `run(input: string): string`. `export async function run`
   *   works too: componentize-js drives the returned promise to completion before `run` returns
   *   (microtasks only: no clocks, no timers). Throwing a string returns it as the `err` case;
   *   throwing anything else traps.
   * - a `.py` module defining `run(input: str) -> str`, built by componentize-py (see
   *   policy-data-build-py.ts for its virtual environment). Raising
   *   `componentize_py_types.Err(text)` returns the `err` case; any other exception traps.
   * - a directory with a Cargo.toml: a wit-bindgen `cdylib` crate exporting the world's `run`,
   *   built for wasm32-unknown-unknown. Its WIT is its own (`generate!`), so `wit` must be unset.
   */
  source: string;
  /** Also write the component to this file. */
  out?: string;
  /** `0.2.0` (default: http, secrets, tlsn), `0.1.0` (legacy, http only), or a .wit file used as is. */
  wit?: WitVersion | string;
  /**
   * Keep built components in this directory, keyed by sha256 of every source file (for JS the
   * entry and the sources it imports by relative path; for Python every .py beside it; for Rust
   * every file of the crate but target/), the WIT, and the toolchain's version and settings, and
   * reuse them (a build takes seconds to minutes; its output is not byte-reproducible).
   */
  cacheDir?: string;
  /** Rust: cargo's target directory (default: CARGO_TARGET_DIR, else the crate's target/). */
  cargoTargetDir?: string;
}

export interface BuiltPolicyData {
  /** The component (≈12 MB: it embeds SpiderMonkey). */
  wasm: Uint8Array;
  /** The interfaces it imports, e.g. `newton:provider/http@0.2.0`. */
  imports: string[];
  /** sha256 of `wasm`, hex. */
  sha256: string;
  /** The WIT file it was built against (for Rust, the crate's wit/ directory). */
  wit: string;
  language: OracleLanguage;
  /** The toolchain that built it, e.g. `componentize-js 0.23.0`, `componentize-py 0.25.1`, `rustc 1.95.0 (…)`. */
  toolchain: string;
  /** The version of componentize-js or componentize-py that built it (for Rust, `toolchain`). */
  componentizeVersion: string;
  /** True when it came from `cacheDir`. */
  cached: boolean;
}

/** componentize-js features that would make the component import WASI (refused by the host). */
export const DISABLED_FEATURES = ['random', 'stdio', 'clocks', 'http', 'fetch-event'] as const;

/** The package's copy of crates/newton-policy-data/wit (bindings/scripts/copy-wit.mjs). */
const witDir = fileURLToPath(new URL('../wit/', import.meta.url));

/** The WIT file for a version name, or the given path. */
export function witFile(wit: WitVersion | string = '0.2.0'): string {
  return wit === '0.2.0' || wit === '0.1.0' ? join(witDir, wit, 'newton-provider.wit') : resolve(wit);
}

export async function buildPolicyData(options: BuildPolicyDataOptions): Promise<BuiltPolicyData> {
  const sourcePath = resolve(options.source);
  const language = oracleLanguage(sourcePath);
  if (language === 'javascript') return componentizeOracle(options, DISABLED_FEATURES);
  let built: Omit<BuiltPolicyData, 'wit' | 'sha256'>;
  let wit: string;
  if (language === 'python') {
    wit = checkedWit(options.wit);
    built = await buildPython(sourcePath, wit, options.cacheDir);
  } else {
    if (options.wit !== undefined) {
      throw new NewtonError({
        code: 'NEWTON_ERR_INVALID_ARGUMENT',
        message: `${sourcePath} is a Rust crate: its world is the one its wit_bindgen::generate! names; drop --wit`,
      });
    }
    wit = join(sourcePath, 'wit');
    built = await buildRust(sourcePath, options);
  }
  if (options.out) writeAtomic(resolve(options.out), built.wasm);
  return { ...built, wit, sha256: createHash('sha256').update(built.wasm).digest('hex') };
}

/** The toolchain for a source: by extension for files, Rust for a directory with a Cargo.toml. */
function oracleLanguage(sourcePath: string): OracleLanguage {
  if (statOrThrow(sourcePath, 'oracle source').isDirectory()) {
    if (existsSync(join(sourcePath, 'Cargo.toml'))) return 'rust';
    throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: `${sourcePath} is a directory without a Cargo.toml (a Rust oracle is a crate directory)` });
  }
  const ext = extname(sourcePath);
  if (ext === '.js' || ext === '.mjs') return 'javascript';
  if (ext === '.py') return 'python';
  throw new NewtonError({
    code: 'NEWTON_ERR_INVALID_ARGUMENT',
    message: `${sourcePath}: an oracle is a .js/.mjs module, a .py module or a Rust crate directory`,
  });
}

function checkedWit(version: WitVersion | string | undefined): string {
  const wit = witFile(version);
  if (!statOrThrow(wit, 'WIT file').isFile()) {
    throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: `WIT path ${wit} is not a file (pass the .wit file)` });
  }
  return wit;
}

/**
 * buildPolicyData with an explicit feature list. Not exported from the package: the test suite
 * uses it to build components that import WASI, which the host must refuse. `imports` lists only
 * the WIT world's interfaces (what componentize-js reports), not the WASI ones enabled features add.
 */
export async function componentizeOracle(
  options: BuildPolicyDataOptions,
  disableFeatures: readonly string[],
): Promise<BuiltPolicyData> {
  const sourcePath = resolve(options.source);
  const source = readSource(sourcePath);
  const wit = checkedWit(options.wit);
  const witWorld = readSource(wit);
  const componentizeVersion = installedComponentizeVersion();
  const warmupImport = glueWarmupImport(witWorld);
  const warmup = warmupImport ? GLUE_WARMUP_VERSION : 'no-warmup';
  const key = cacheKey([componentizeVersion, warmup, disableFeatures.join(','), witWorld, ...relativeSources(sourcePath, source)]);
  const cacheFile = options.cacheDir && join(options.cacheDir, `${key}.wasm`);
  const cachedImports = cacheFile && readCached(cacheFile);

  let wasm: Uint8Array;
  let imports: string[];
  if (cachedImports) {
    wasm = readFileSync(cacheFile);
    imports = cachedImports;
  } else {
    ({ component: wasm, imports } = await runChild({ sourcePath, witWorld, disableFeatures: [...disableFeatures], warmupImport }));
    if (cacheFile) {
      writeAtomic(cacheFile, wasm);
      writeAtomic(`${cacheFile}.imports.json`, JSON.stringify(imports));
    }
  }
  if (options.out) writeAtomic(resolve(options.out), wasm);
  const sha256 = createHash('sha256').update(wasm).digest('hex');
  const toolchain = `componentize-js ${componentizeVersion}`;
  return { wasm, imports, sha256, wit, language: 'javascript', toolchain, componentizeVersion, cached: Boolean(cachedImports) };
}

function runChild(job: BuildJob): Promise<{ component: Uint8Array; imports: string[] }> {
  const child = fork(fileURLToPath(new URL('./policy-data-build-child.js', import.meta.url)), {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    if (output.length < 64 * 1024) output += chunk.toString('utf8');
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  child.send(job);
  return new Promise((resolvePromise, reject) => {
    let reply: BuildReply | undefined;
    child.once('message', (message: BuildReply) => {
      reply = message;
    });
    child.once('error', (err) => reject(buildError(job.sourcePath, err.message)));
    child.once('close', (code, signal) => {
      if (reply?.ok) resolvePromise({ component: reply.component, imports: reply.imports });
      else if (reply) reject(buildError(job.sourcePath, reply.message));
      else reject(buildError(job.sourcePath, `componentize-js exited (${signal ?? `code ${code}`}): ${output.trim()}`));
    });
  });
}

/** A failed build, with node's own syntax error (file:line and a caret) when the source does not parse. */
function buildError(sourcePath: string, message: string): NewtonError {
  const syntax = message.startsWith('failed to parse JS source') ? syntaxError(sourcePath) : undefined;
  return new NewtonError({
    code: 'NEWTON_ERR_INVALID_ARGUMENT',
    message: `cannot build ${sourcePath} into a PolicyData component: ${syntax ?? message.replaceAll('"source.js"', `"${basename(sourcePath)}"`)}`,
    details: { source: sourcePath, stage: syntax ? 'parse' : 'componentize' },
  });
}

/** `node --check` on a .mjs copy of the source (componentize-js reports only an error count). */
function syntaxError(sourcePath: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'newton-check-'));
  try {
    const copy = join(dir, 'source.mjs');
    writeFileSync(copy, readFileSync(sourcePath));
    const check = spawnSync(process.execPath, ['--check', copy], { encoding: 'utf8' });
    if (check.status === 0) return undefined;
    return check.stderr
      .replaceAll(copy, sourcePath)
      .split('\n')
      .filter((line) => line.trim() !== '' && !/^\s+at |^Node\.js v/.test(line))
      .join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The entry source and, recursively, the sources it imports by relative path, for the cache key. */
function relativeSources(entry: string, entrySource: string): string[] {
  const seen = new Map<string, string>([[entry, entrySource]]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const text = seen.get(file) as string;
    for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const dep = resolve(dirname(file), spec as string);
      if (seen.has(dep)) continue;
      try {
        seen.set(dep, readFileSync(dep, 'utf8'));
        queue.push(dep);
      } catch {
        // Not a file (e.g. an import inside a comment); a real one fails the build itself.
      }
    }
  }
  return [...seen].map(([file, text]) => `${file}\n${text}`);
}

function installedComponentizeVersion(): string {
  // The package exports only an `import` entry (src/componentize.js); its manifest sits one level up.
  const entry = fileURLToPath(import.meta.resolve('@bytecodealliance/componentize-js'));
  const manifest = join(dirname(entry), '..', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}
