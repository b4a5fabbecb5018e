// JavaScript PolicyData oracles → WebAssembly components for the newton:provider world, through
// componentize-js (StarlingMonkey), with every WASI feature disabled so the component imports only
// newton:provider/* and the host accepts it.
import { fork, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NewtonError } from './errors.js';
import type { BuildJob, BuildReply } from './policy-data-build-child.js';

export type WitVersion = '0.2.0' | '0.1.0';

export interface BuildPolicyDataOptions {
  /**
   * The oracle: an ES module exporting `run(input: string): string` (the task's wasm_args JSON in,
   * a JSON object out). `export async function run` works too: componentize-js drives the
   * returned promise to completion before `run` returns (microtasks only: no clocks, no timers).
   * Throwing a string returns it as the `err` case; throwing anything else traps.
   */
  source: string;
  /** Also write the component to this file. */
  out?: string;
  /** `0.2.0` (default: http, secrets, tlsn), `0.1.0` (legacy, http only), or a .wit file used as is. */
  wit?: WitVersion | string;
  /**
   * Keep built components in this directory, keyed by sha256 of the entry source, the sources it
   * imports by relative path, the WIT, the componentize-js version and the disabled features, and
   * reuse them (a build takes seconds; its output is not byte-reproducible).
   */
  cacheDir?: string;
}

export interface BuiltPolicyData {
  /** The component (≈12 MB: it embeds SpiderMonkey). */
  wasm: Uint8Array;
  /** The interfaces it imports, e.g. `newton:provider/http@0.2.0`. */
  imports: string[];
  /** sha256 of `wasm`, hex. */
  sha256: string;
  /** The WIT file it was built against. */
  wit: string;
  /** The componentize-js version that built it. */
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
  return componentizeOracle(options, DISABLED_FEATURES);
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
  const wit = witFile(options.wit);
  if (!statOrThrow(wit, 'WIT file').isFile()) {
    throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: `WIT path ${wit} is not a file (pass the .wit file)` });
  }
  const witWorld = readSource(wit);
  const componentizeVersion = installedComponentizeVersion();

  const key = createHash('sha256');
  for (const part of [componentizeVersion, disableFeatures.join(','), witWorld, ...relativeSources(sourcePath, source)]) {
    key.update(`${part.length}:`).update(part);
  }
  const cacheFile = options.cacheDir && join(options.cacheDir, `${key.digest('hex')}.wasm`);
  const cachedImports = cacheFile && readCached(cacheFile);

  let wasm: Uint8Array;
  let imports: string[];
  if (cachedImports) {
    wasm = readFileSync(cacheFile);
    imports = cachedImports;
  } else {
    ({ component: wasm, imports } = await runChild({ sourcePath, witWorld, disableFeatures: [...disableFeatures] }));
    if (cacheFile) {
      writeAtomic(cacheFile, wasm);
      writeAtomic(`${cacheFile}.imports.json`, JSON.stringify(imports));
    }
  }
  if (options.out) writeAtomic(resolve(options.out), wasm);
  const sha256 = createHash('sha256').update(wasm).digest('hex');
  return { wasm, imports, sha256, wit, componentizeVersion, cached: Boolean(cachedImports) };
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

function readSource(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new NewtonError({ code: 'NEWTON_ERR_IO', message: `cannot read ${path}: ${reason}` });
  }
}

function statOrThrow(path: string, what: string) {
  try {
    return statSync(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new NewtonError({ code: 'NEWTON_ERR_IO', message: `cannot read ${what} ${path}: ${reason}` });
  }
}

/** The cached component's imports, or undefined when it is not cached (or half-written). */
function readCached(cacheFile: string): string[] | undefined {
  try {
    statSync(cacheFile);
    return JSON.parse(readFileSync(`${cacheFile}.imports.json`, 'utf8')) as string[];
  } catch {
    return undefined;
  }
}

/** Write to a sibling temp file and rename, so concurrent builders never see a partial file. */
function writeAtomic(file: string, data: Uint8Array | string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(temp, data);
    renameSync(temp, file);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new NewtonError({ code: 'NEWTON_ERR_IO', message: `cannot write ${file}: ${reason}` });
  }
}

function installedComponentizeVersion(): string {
  // The package exports only an `import` entry (src/componentize.js); its manifest sits one level up.
  const entry = fileURLToPath(import.meta.resolve('@bytecodealliance/componentize-js'));
  const manifest = join(dirname(entry), '..', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}
