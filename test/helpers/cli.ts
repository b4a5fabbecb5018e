// Runs the `newton` CLI as a user would: a separate node process, from the repository root.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './paths.js';

/** The built CLI entry (the package's `bin.newton`). */
export const cliMain = path.join(repoRoot, 'bindings/dist/cli/main.js');

/** The workspace-installed bin link (`npx newton` resolves to it). */
export const cliBin = path.join(repoRoot, 'node_modules/.bin/newton');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `node bindings/dist/cli/main.js ...args` with cwd = repo root; `env` adds to (or, undefined, unsets in) process.env. */
export function newton(
  args: string[],
  options: { timeoutMs?: number; bin?: string; env?: Record<string, string | undefined> } = {},
): CliResult {
  const [cmd, argv] = options.bin ? [options.bin, args] : [process.execPath, [cliMain, ...args]];
  const r = spawnSync(cmd, argv, {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 20_000,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
