// The messages between the pool and a worker process (JSON over the fork IPC channel) and the
// configuration a worker starts with.
import type { ErrorInfo, Limits, PolicyDataHostOptions } from 'newton-engine';

/** What a worker is started with (its argv[2], as JSON). */
export interface WorkerConfig {
  /** Rego limits for every compile and evaluation. */
  limits?: Limits;
  /** PolicyData host options: run limits, `allowHosts`, `cacheDir`, `maxInstances`. */
  policyData?: PolicyDataHostOptions;
  /** Where `<wasm_cid>.wasm` files are read from. */
  policyDataDir?: string;
  /** Compiled policies and loaded PolicyData modules kept per worker (LRU). */
  cacheSize: number;
  /** Largest result, in bytes of JSON, a worker sends back. */
  maxResultBytes: number;
  /** Absolute paths or file URLs of modules imported at start, which may `registerJob`. */
  jobModules: string[];
}

/** Pool → worker: run one job. */
export interface JobMessage {
  id: number;
  kind: string;
  payload: unknown;
}

/** Worker → pool: the worker is ready for jobs, or a job's outcome. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: ErrorInfo };
