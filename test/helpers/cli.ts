// Runs the `newton` CLI: in this process through run() (most tests), or as a separate node process
// through the bin where the process itself is the point (exit status, the installed bin link).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { run } from '../../bindings/dist/cli/app.js';
import { repoRoot } from './paths.js';

/** The package's bin script (`bin.newton`). */
export const cliScript = path.join(repoRoot, 'bindings/bin/newton.js');

/** The workspace-installed bin link (`npx newton` resolves to it). */
export const cliBin = path.join(repoRoot, 'node_modules/.bin/newton');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

type Env = Record<string, string | undefined>;

/** `newton ...args` in this process; `env` adds to (or, undefined, unsets in) process.env for the run. */
export async function newton(args: string[], options: { env?: Env } = {}): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  const restore = setEnv(options.env ?? {});
  try {
    const status = await run(args, { stdout, stderr });
    return { status, stdout: stdout.text, stderr: stderr.text };
  } finally {
    restore();
  }
}

/** `node bindings/bin/newton.js ...args` (or `bin`) as a process, from the repository root. */
export function newtonProcess(args: string[], options: { timeoutMs?: number; bin?: string; env?: Env } = {}): CliResult {
  const [cmd, argv] = options.bin ? [options.bin, args] : [process.execPath, [cliScript, ...args]];
  const r = spawnSync(cmd, argv, {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 20_000,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

class Capture {
  text = '';

  write(chunk: string | Uint8Array): boolean {
    this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }
}

/** Sets `env` in process.env and returns what undoes it. */
function setEnv(env: Env): () => void {
  const saved = Object.keys(env).map((name) => [name, process.env[name]] as const);
  const assign = ([name, value]: readonly [string, string | undefined]) => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  Object.entries(env).forEach(assign);
  return () => saved.forEach(assign);
}
