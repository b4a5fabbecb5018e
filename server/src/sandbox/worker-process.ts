// The pool's handle on one worker process: fork it (empty environment, capped V8 heap, stderr
// tail kept), send it jobs, read its resident memory, kill it, and learn how it ended.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { JobMessage, WorkerConfig, WorkerMessage } from './protocol.js';

/** How a worker ended. */
export interface WorkerExit {
  pid?: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last 4 KiB the worker wrote to stderr (for logs, never for callers). */
  stderr: string;
}

const STDERR_TAIL = 4096;

export class WorkerProcess {
  readonly #child: ChildProcess;
  #stderr = '';
  /** Settles once the process has exited and its stderr is drained. */
  readonly exited: Promise<WorkerExit>;

  constructor(script: string, config: WorkerConfig, maxOldSpaceMb: number, onMessage: (message: WorkerMessage) => void) {
    this.#child = fork(script, [JSON.stringify(config)], {
      execArgv: [`--max-old-space-size=${maxOldSpaceMb}`],
      env: {},
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.#child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_TAIL);
    });
    this.#child.on('message', (message) => onMessage(message as WorkerMessage));
    this.exited = new Promise((resolve) => {
      const pid = this.#child.pid;
      this.#child.once('close', (code, signal) => resolve({ pid, code, signal, stderr: this.#stderr }));
      // Spawn failures emit `error` and maybe no `close`; send failures to a dead child are followed by `close`.
      this.#child.on('error', (err) => {
        if (this.#child.pid === undefined) resolve({ code: null, signal: null, stderr: err.message });
      });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Sends a job; a worker that died meanwhile is reported through `exited`. */
  send(message: JobMessage): void {
    if (this.#child.connected) this.#child.send(message, () => {});
  }

  kill(): void {
    this.#child.kill('SIGKILL');
  }

  /** Resident set size in MiB (Linux: /proc/<pid>/status), or undefined where unknown. */
  rssMb(): number | undefined {
    try {
      const status = readFileSync(`/proc/${this.#child.pid}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
      return kb === undefined ? undefined : Number(kb) / 1024;
    } catch {
      return undefined;
    }
  }
}
