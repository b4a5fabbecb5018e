// The sandbox pool: N worker processes each running one job at a time, a bounded FIFO queue,
// per-job wall-clock timeouts, a resident-memory watchdog, replacement of any worker that dies
// (its job fails, others carry on) and a graceful close.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Limits, PolicyDataHostOptions } from 'newton-engine';
import { SandboxError, errorFromWire } from './errors.js';
import type { WorkerConfig, WorkerMessage } from './protocol.js';
import { simulationToWire, type Simulation, type SimulationResult } from './simulation.js';
import { WorkerProcess, type WorkerExit } from './worker-process.js';

export interface SandboxPoolOptions {
  /** Worker processes (`os.availableParallelism()`). Each runs one job at a time. */
  workers?: number;
  /** Jobs that may wait for a worker (1024); past it `run` rejects with NEWTON_ERR_SANDBOX_BUSY. */
  maxQueue?: number;
  /** Wall-clock budget of a job from its dispatch, ms (15,000): past it the worker is killed. */
  jobTimeoutMs?: number;
  /** V8 heap per worker, MiB (256; `--max-old-space-size`): a worker reaching it aborts. */
  maxOldSpaceMb?: number;
  /** Resident memory per worker, MiB (1024; native allocations included): polled every 100 ms on Linux, past it the worker is killed. */
  maxRssMb?: number;
  /** Rego limits (the engine's defaults). */
  limits?: Limits;
  /** PolicyData host options: run limits, `allowHosts`, `cacheDir`, `maxInstances` (the engine's defaults). */
  policyData?: PolicyDataHostOptions;
  /** Directory of PolicyData components named `<wasm_cid>.wasm`, for `wasm_cid` entries. */
  policyDataDir?: string;
  /** Compiled policies and loaded PolicyData modules each worker keeps (LRU, 64 each). */
  cacheSize?: number;
  /** Largest job result in bytes of JSON (4 MiB); a larger one fails with NEWTON_ERR_LIMIT_SIZE. */
  maxResultBytes?: number;
  /** Modules (paths or file URLs) each worker imports at start; they may call `registerJob` from `./jobs.js`. */
  jobModules?: string[];
  /** Called when a worker exits, with its stderr tail (for the gateway's log). */
  onWorkerExit?: (exit: WorkerExit) => void;
}

export interface JobOptions {
  /** Overrides the pool's `jobTimeoutMs`. */
  timeoutMs?: number;
  /** Aborting drops a queued job, or kills the worker running it; the job rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface PoolStats {
  queued: number;
  /** Workers replaced since the pool started. */
  restarts: number;
  /** Every worker process alive; `exiting` ones were killed and are being replaced. */
  workers: Array<{ pid?: number; state: 'starting' | 'idle' | 'busy' | 'exiting' }>;
}

interface Job {
  id: number;
  kind: string;
  payload: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
  onAbort?: () => void;
  slot?: Slot;
  timer?: NodeJS.Timeout;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  process: WorkerProcess;
  ready: boolean;
  dead: boolean;
  job?: Job;
  /** Settles when the worker is ready, or rejects if it exits first. */
  started: Promise<void>;
}

const WORKER_SCRIPT = fileURLToPath(new URL('./worker.js', import.meta.url));
const RSS_POLL_MS = 100;
/** Consecutive start failures after which queued jobs are failed instead of left waiting. */
const START_FAILURES_TO_GIVE_UP = 3;
const MAX_RESPAWN_DELAY_MS = 5000;

const crashed = (exit: WorkerExit) =>
  new SandboxError(
    'NEWTON_ERR_SANDBOX_CRASHED',
    `the sandbox worker running this job exited (${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}); it was replaced`,
    { signal: exit.signal, exitCode: exit.code },
  );
const closed = () => new SandboxError('NEWTON_ERR_SANDBOX_CLOSED', 'the sandbox pool is closed');

/** A crash-contained pool of worker processes for untrusted Rego. Start it with `SandboxPool.start`. */
export class SandboxPool {
  readonly #size: number;
  readonly #maxQueue: number;
  readonly #jobTimeoutMs: number;
  readonly #maxOldSpaceMb: number;
  readonly #maxRssMb: number;
  readonly #config: WorkerConfig;
  readonly #onWorkerExit?: (exit: WorkerExit) => void;
  readonly #slots = new Set<Slot>();
  readonly #idle: Slot[] = [];
  readonly #queue: Job[] = [];
  readonly #watchdog?: NodeJS.Timeout;
  readonly #respawnTimers = new Set<NodeJS.Timeout>();
  #nextId = 1;
  #restarts = 0;
  #startFailures = 0;
  #closing?: Promise<void>;

  private constructor(options: SandboxPoolOptions) {
    this.#size = Math.max(1, options.workers ?? os.availableParallelism());
    this.#maxQueue = options.maxQueue ?? 1024;
    this.#jobTimeoutMs = options.jobTimeoutMs ?? 15_000;
    this.#maxOldSpaceMb = options.maxOldSpaceMb ?? 256;
    this.#maxRssMb = options.maxRssMb ?? 1024;
    this.#onWorkerExit = options.onWorkerExit;
    this.#config = {
      limits: options.limits,
      policyData: options.policyData,
      policyDataDir: options.policyDataDir && path.resolve(options.policyDataDir),
      cacheSize: options.cacheSize ?? 64,
      maxResultBytes: options.maxResultBytes ?? 4 * 1024 * 1024,
      jobModules: (options.jobModules ?? []).map((m) => (m.startsWith('file:') ? m : pathToFileURL(path.resolve(m)).href)),
    };
    for (let i = 0; i < this.#size; i++) this.#spawn();
    if (process.platform === 'linux') this.#watchdog = setInterval(() => this.#checkMemory(), RSS_POLL_MS).unref();
  }

  /** Starts the workers and resolves once all are ready (rejects, leaving nothing running, if one cannot start). */
  static async start(options: SandboxPoolOptions = {}): Promise<SandboxPool> {
    const pool = new SandboxPool(options);
    try {
      await Promise.all([...pool.#slots].map((slot) => slot.started));
    } catch (err) {
      await pool.close({ graceMs: 0 });
      throw err;
    }
    return pool;
  }

  /**
   * Simulates an untrusted policy in a worker. Rejects with a NewtonError (its engine code: a
   * bad intent, a compile error, a PolicyData failure, a too-deep document) or a SandboxError.
   * An evaluation error or limit inside Rego is a deny in `decision`, as in the engine.
   */
  async simulatePolicy(simulation: Simulation, options?: JobOptions): Promise<SimulationResult> {
    return (await this.run('simulatePolicy', simulationToWire(simulation), options)) as SimulationResult;
  }

  /** Runs a job of a registered kind with a JSON payload; resolves to its JSON result. */
  run(kind: string, payload: unknown, options: JobOptions = {}): Promise<unknown> {
    const { timeoutMs = this.#jobTimeoutMs, signal } = options;
    if (this.#closing) return Promise.reject(closed());
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#idle.length === 0 && this.#queue.length >= this.#maxQueue) {
      return Promise.reject(
        new SandboxError('NEWTON_ERR_SANDBOX_BUSY', `the sandbox queue is full (${this.#maxQueue} jobs waiting)`, { maxQueue: this.#maxQueue }),
      );
    }
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.#nextId++, kind, payload, timeoutMs, signal, resolve, reject };
      if (signal) {
        job.onAbort = () => this.#abort(job);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.#queue.push(job);
      this.#pump();
    });
  }

  stats(): PoolStats {
    return {
      queued: this.#queue.length,
      restarts: this.#restarts,
      workers: [...this.#slots].map((s) => ({ pid: s.process.pid, state: s.dead ? 'exiting' : !s.ready ? 'starting' : s.job ? 'busy' : 'idle' })),
    };
  }

  /**
   * Stops taking jobs: queued ones fail with NEWTON_ERR_SANDBOX_CLOSED, running ones get `graceMs`
   * (5,000) to finish before their workers are killed (they fail the same way). Resolves once
   * every worker process has exited.
   */
  close(options: { graceMs?: number } = {}): Promise<void> {
    this.#closing ??= this.#close(options.graceMs ?? 5000);
    return this.#closing;
  }

  async #close(graceMs: number): Promise<void> {
    clearInterval(this.#watchdog);
    for (const timer of this.#respawnTimers) clearTimeout(timer);
    for (const job of this.#queue.splice(0)) this.#settle(job, closed());
    const slots = [...this.#slots];
    for (const slot of slots) if (!slot.job) this.#kill(slot);
    const deadline = setTimeout(() => {
      for (const slot of slots) this.#kill(slot, new SandboxError('NEWTON_ERR_SANDBOX_CLOSED', `the sandbox pool closed before this job finished (${graceMs} ms grace)`));
    }, graceMs);
    await Promise.all(slots.map((slot) => slot.process.exited));
    clearTimeout(deadline);
  }

  #spawn(): void {
    let ready!: () => void;
    let failed!: (err: unknown) => void;
    const started = new Promise<void>((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    started.catch(() => {});
    // The message handler runs only after the constructor returns, so `slot` is set by then.
    let slot: Slot;
    const worker = new WorkerProcess(WORKER_SCRIPT, this.#config, this.#maxOldSpaceMb, (message) => this.#onMessage(slot, message, ready));
    slot = { process: worker, ready: false, dead: false, started };
    this.#slots.add(slot);
    slot.process.exited.then((exit) => {
      if (!slot.ready) failed(new SandboxError('NEWTON_ERR_SANDBOX_CRASHED', `a sandbox worker failed to start: ${exit.stderr.trim() || `code ${exit.code}, signal ${exit.signal}`}`));
      this.#onExit(slot, exit);
    });
  }

  #onMessage(slot: Slot, message: WorkerMessage, ready: () => void): void {
    if (slot.dead) return;
    if (message.type === 'ready') {
      slot.ready = true;
      this.#startFailures = 0;
      ready();
      if (this.#closing) return this.#kill(slot);
      this.#idle.push(slot);
      return this.#pump();
    }
    const job = slot.job;
    if (!job || job.id !== message.id) return;
    slot.job = undefined;
    this.#settle(job, message.type === 'error' ? errorFromWire(message.error) : undefined, message.type === 'result' ? message.value : undefined);
    if (this.#closing) return this.#kill(slot);
    this.#idle.push(slot);
    this.#pump();
  }

  #onExit(slot: Slot, exit: WorkerExit): void {
    this.#slots.delete(slot);
    this.#removeIdle(slot);
    slot.dead = true;
    if (slot.job) this.#settle(slot.job, crashed(exit));
    slot.job = undefined;
    this.#onWorkerExit?.(exit);
    if (this.#closing) return;
    if (!slot.ready) this.#startFailures++;
    if (this.#startFailures >= START_FAILURES_TO_GIVE_UP && ![...this.#slots].some((s) => s.ready)) {
      const error = new SandboxError('NEWTON_ERR_SANDBOX_CRASHED', 'sandbox workers fail to start');
      for (const job of this.#queue.splice(0)) this.#settle(job, error);
    }
    const delay = this.#startFailures === 0 ? 0 : Math.min(100 * 2 ** (this.#startFailures - 1), MAX_RESPAWN_DELAY_MS);
    this.#restarts++;
    if (delay === 0) return this.#spawn();
    const timer = setTimeout(() => {
      this.#respawnTimers.delete(timer);
      this.#spawn();
    }, delay);
    this.#respawnTimers.add(timer);
  }

  #pump(): void {
    while (this.#idle.length > 0 && this.#queue.length > 0) {
      const slot = this.#idle.shift()!;
      const job = this.#queue.shift()!;
      slot.job = job;
      job.slot = slot;
      job.timer = setTimeout(
        () => this.#kill(slot, new SandboxError('NEWTON_ERR_SANDBOX_TIMEOUT', `the sandbox job ran past its ${job.timeoutMs} ms timeout; its worker was killed`, { timeoutMs: job.timeoutMs })),
        job.timeoutMs,
      );
      slot.process.send({ id: job.id, kind: job.kind, payload: job.payload });
    }
  }

  /** Kills a worker; its job (if any) fails with `error` now rather than when the exit is seen. */
  #kill(slot: Slot, error?: unknown): void {
    if (slot.job && error !== undefined) this.#settle(slot.job, error);
    if (error !== undefined) slot.job = undefined;
    this.#removeIdle(slot);
    if (!slot.dead) {
      slot.dead = true;
      slot.process.kill();
    }
  }

  #abort(job: Job): void {
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      this.#settle(job, job.signal?.reason);
    } else if (job.slot?.job === job) {
      this.#kill(job.slot, job.signal?.reason);
    }
  }

  #checkMemory(): void {
    for (const slot of this.#slots) {
      if (slot.dead || !slot.ready) continue;
      const rss = slot.process.rssMb();
      if (rss === undefined || rss <= this.#maxRssMb) continue;
      this.#kill(slot, new SandboxError('NEWTON_ERR_SANDBOX_MEMORY', `the sandbox worker passed its ${this.#maxRssMb} MiB memory cap; it was killed`, { maxRssMb: this.#maxRssMb, rssMb: Math.round(rss) }));
    }
  }

  #removeIdle(slot: Slot): void {
    const i = this.#idle.indexOf(slot);
    if (i >= 0) this.#idle.splice(i, 1);
  }

  #settle(job: Job, error: unknown, value?: unknown): void {
    clearTimeout(job.timer);
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    if (error !== undefined) job.reject(error);
    else job.resolve(value);
  }
}
