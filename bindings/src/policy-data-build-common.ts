// What the JavaScript, Python and Rust oracle builds share: reading sources, the build cache,
// running a toolchain, and checking a built component imports only newton:provider/*.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { NewtonError } from './errors.js';

export function readSource(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new NewtonError({ code: 'NEWTON_ERR_IO', message: `cannot read ${path}: ${reason}` });
  }
}

export function statOrThrow(path: string, what: string) {
  try {
    return statSync(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new NewtonError({ code: 'NEWTON_ERR_IO', message: `cannot read ${what} ${path}: ${reason}` });
  }
}

/** sha256 over length-prefixed parts, hex: the cache file's name. */
export function cacheKey(parts: readonly string[]): string {
  const key = createHash('sha256');
  for (const part of parts) key.update(`${part.length}:`).update(part);
  return key.digest('hex');
}

/** `path\ncontent` of every file under `dir` whose name `keep` accepts, skipping hidden and build directories. */
export function sourceTree(dir: string, keep: (name: string) => boolean): string[] {
  const skip = new Set(['target', 'node_modules', '__pycache__']);
  const files: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith('.') || skip.has(entry.name)) continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && keep(entry.name)) files.push(`${relative(dir, path)}\n${readSource(path)}`);
    }
  };
  walk(dir);
  return files;
}

/** The cached component's imports, or undefined when it is not cached (or half-written). */
export function readCached(cacheFile: string): string[] | undefined {
  try {
    statSync(cacheFile);
    return JSON.parse(readFileSync(`${cacheFile}.imports.json`, 'utf8')) as string[];
  } catch {
    return undefined;
  }
}

/** Write to a sibling temp file and rename, so concurrent builders never see a partial file. */
export function writeAtomic(file: string, data: Uint8Array | string): void {
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(temp, data);
    renameSync(temp, file);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new NewtonError({ code: 'NEWTON_ERR_IO', message: `cannot write ${file}: ${reason}` });
  }
}

export interface ToolRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started (e.g. ENOENT). */
  error?: NodeJS.ErrnoException;
}

/** Runs a toolchain program without blocking the event loop; stderr is kept to its last 64 KiB. */
export function runTool(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ToolRun> {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-64 * 1024);
    });
    child.once('error', (error) => resolvePromise({ status: null, stdout, stderr, error }));
    child.once('close', (status) => resolvePromise({ status, stdout, stderr }));
  });
}

/** A build that cannot start because a toolchain piece is missing; `command` installs it. */
export function toolchainMissing(source: string, what: string, command: string): NewtonError {
  return new NewtonError({
    code: 'NEWTON_ERR_INVALID_ARGUMENT',
    message: `cannot build ${source}: ${what} is not installed; install it with:\n  ${command}`,
    details: { source, stage: 'toolchain', command },
  });
}

export function buildFailed(source: string, tool: string, output: string): NewtonError {
  return new NewtonError({
    code: 'NEWTON_ERR_INVALID_ARGUMENT',
    message: `cannot build ${source} into a PolicyData component: ${tool} failed:\n${output.trim()}`,
    details: { source, stage: tool },
  });
}

/**
 * The interfaces a component imports (from the world jco prints for it); any outside
 * newton:provider/* is refused here, naming them, as the host would refuse them at load.
 */
export async function checkedImports(source: string, wasm: Uint8Array): Promise<string[]> {
  const { componentWit } = await import('@bytecodealliance/jco');
  const wit = await componentWit(wasm);
  const imports = [...wit.matchAll(/^\s*import ([^;\s]+);/gm)].map((m) => m[1] as string).sort();
  const forbidden = imports.filter((name) => !name.startsWith('newton:provider/'));
  if (forbidden.length > 0) {
    throw new NewtonError({
      code: 'NEWTON_ERR_POLICY_DATA_FORBIDDEN_IMPORT',
      message: `${source} built into a component that imports ${forbidden.join(', ')}; PolicyData may import only newton:provider/*`,
      details: { source, imports: forbidden },
    });
  }
  return imports;
}
