// Child processes in tests: whether a pid is still alive, and a command run until it prints its
// first stdout line (a server's "ready" line), keeping its stderr and exit for the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { repoRoot } from './paths.js';

export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export interface Started {
  child: ChildProcess;
  /** The first line it printed on stdout. */
  line: string;
  stdout(): string;
  stderr(): string;
  /** Its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

/**
 * `node script ...args` from the repository root, resolved once it has printed a whole line on
 * stdout; rejects with its exit code and stderr (`{code, stderr}`) if it exits first.
 */
export async function startUntilLine(script: string, args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<Started> {
  const child = spawn(process.execPath, [script, ...args], { cwd: repoRoot, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk;
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
    });
    void exited.then((code) => reject(Object.assign(new Error(`exited ${code} before printing a line: ${stderr}`), { code, stderr })));
  });
  return { child, line, stdout: () => stdout, stderr: () => stderr, exited };
}
