// PolicyData: load newton:provider WASM components once, run them in fresh instances under
// fuel/memory/stack/time/http limits, and merge their outputs into `data.wasm`.
import { call, callAsync } from './errors.js';
import { toJson as json } from './json.js';
import { native } from './native.js';
import { nativeSignal } from './signal.js';
import type * as Binding from '../binding.cjs';

/** Per-run limits (defaults in parentheses); each breach has its own NEWTON_ERR_POLICY_DATA_* code. */
export interface PolicyDataLimits {
  /** Fuel, ≈ WebAssembly instructions (100,000,000). */
  fuel?: number;
  /** Cap on each linear memory of an instance, bytes (64 MiB). */
  memoryBytes?: number;
  /** WebAssembly stack, bytes (1 MiB). */
  stackBytes?: number;
  /** Wall-clock backstop per run, ms (5,000). */
  timeoutMs?: number;
  /** http.fetch calls per run (50). */
  maxHttpCalls?: number;
  /** Bytes per http response body (1 MiB). */
  maxResponseBytes?: number;
  /** Per-call http timeout, ms (10,000; never past the run's wall clock). */
  httpTimeoutMs?: number;
  /** Bytes of a run's output (1 MiB). */
  maxOutputBytes?: number;
  /** Bytes of a module, checked before compiling (32 MiB). */
  maxModuleBytes?: number;
}

export interface PolicyDataHostOptions extends PolicyDataLimits {
  /** Hosts admitted past the SSRF guard: `127.0.0.1`, `localhost`, `127.0.0.1:8787`. */
  allowHosts?: string[];
  /** Directory (created 0700) for compiled artifacts, reused across processes. */
  cacheDir?: string;
  /** Runs executing at once (16); further runs wait for a slot. */
  maxInstances?: number;
}

export type HttpFixtureMode = 'live' | 'replay' | 'record';

export interface RunOptions {
  /** What `secrets.get` returns: the secrets JSON object for this (policy client, policy data). */
  secrets?: string | object;
  /** `replay` when `httpFixtures` are given, else `live`. `record` appends to `httpFixtures`. */
  httpMode?: HttpFixtureMode;
  /** Fixtures `{version: 1, entries: [...]}` (object or JSON text). */
  httpFixtures?: string | object;
  signal?: AbortSignal;
}

export interface RunResult {
  /** The module's output: JSON text of an object. */
  output: string;
  /** Record mode: the fixtures, this run's exchanges appended (JSON text). */
  http_recorded?: string;
  fuel_consumed: number;
  http_calls: number;
}

/** RunOptions as the JSON text the native binding takes. */
export function nativeRunOptions(options: RunOptions = {}): string {
  const { secrets, httpMode, httpFixtures } = options;
  return JSON.stringify({
    secrets: secrets === undefined ? undefined : json(secrets),
    httpMode,
    httpFixtures: httpFixtures === undefined ? undefined : json(httpFixtures),
  });
}

/** One engine, compiled-module cache and HTTP client; share it and run modules concurrently. */
export class PolicyDataHost {
  readonly #native: Binding.PolicyDataHost;

  constructor(options: PolicyDataHostOptions = {}) {
    this.#native = call(() => new native.PolicyDataHost(JSON.stringify(options)));
  }

  /** @internal the addon handle, for TaskEvaluator. */
  get native(): Binding.PolicyDataHost {
    return this.#native;
  }

  /** Checks and compiles off the event loop (a cache hit when these bytes were loaded before). */
  async load(wasm: Uint8Array): Promise<PolicyDataModule> {
    return new PolicyDataModule(await callAsync(() => this.#native.load(wasm)));
  }

  loadSync(wasm: Uint8Array): PolicyDataModule {
    return new PolicyDataModule(call(() => this.#native.loadSync(wasm)));
  }
}

/** A loaded component. Every run is a fresh instance, so runs never see each other's state. */
export class PolicyDataModule {
  readonly #native: Binding.PolicyDataModule;
  /** sha256 of the component bytes, hex. */
  readonly contentHash: string;
  readonly witVersion: '0.2.0' | '0.1.0';
  /** The component's imports, e.g. `newton:provider/http@0.2.0`. */
  readonly imports: string[];

  /** @internal Use `PolicyDataHost.load`. */
  constructor(handle: Binding.PolicyDataModule) {
    this.#native = handle;
    this.contentHash = handle.contentHash;
    this.witVersion = handle.witVersion as '0.2.0' | '0.1.0';
    this.imports = handle.imports;
  }

  /** Runs `run(args)` on the libuv pool; `args` is the task's wasm_args (`{}` by default). */
  async run(args: string | object = '{}', options?: RunOptions): Promise<RunResult> {
    const signal = nativeSignal(options?.signal);
    const text = await callAsync(() => this.#native.run(json(args), nativeRunOptions(options), signal));
    return JSON.parse(text) as RunResult;
  }

  /** Runs on the calling thread (blocks the event loop for the run). */
  runSync(args: string | object = '{}', options?: RunOptions): RunResult {
    return JSON.parse(call(() => this.#native.runSync(json(args), nativeRunOptions(options)))) as RunResult;
  }
}

/** `data.wasm`: the outputs of a policy's modules merged shallowly, in order, last wins. */
export function mergePolicyDataOutputs(outputs: Array<string | object>): Record<string, unknown> {
  return JSON.parse(call(() => native.mergePolicyDataOutputs(outputs.map(json)))) as Record<string, unknown>;
}

/** Checks a module's output against a JSON Schema; throws NEWTON_ERR_POLICY_DATA_OUTPUT_SCHEMA_VIOLATION. */
export function validatePolicyDataOutput(schema: string | object, output: string | object): void {
  call(() => native.validatePolicyDataOutput(json(schema), json(output)));
}
