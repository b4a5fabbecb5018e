// Compile once, evaluate many: the policy engine's public API.
import { call, callAsync, type ErrorInfo } from './errors.js';
import type { TaskIntent } from './intent.js';
import { toJson } from './json.js';
import { native, type NativePolicy } from './native.js';
import { nativeSignal } from './signal.js';

export interface PolicyModule {
  /** File name used in error locations, e.g. `policy.rego`. */
  path: string;
  source: string;
}

/** Limits (defaults in parentheses). A breach is a `NEWTON_ERR_LIMIT_*` error, never a hang. */
export interface Limits {
  /** Largest Rego module in bytes (1 MiB). */
  maxModuleBytes?: number;
  /** Most modules per policy (256). */
  maxModules?: number;
  /** Largest evaluation request JSON in bytes (8 MiB). */
  maxRequestBytes?: number;
  /** Wall-clock budget per evaluation in ms, honoured inside builtins too (1000). */
  evalTimeoutMs?: number;
  /** Deepest bracket nesting in Rego source (64). */
  maxNesting?: number;
  /** Deepest nesting of rule/function evaluations and of the values they build (256). */
  maxEvalDepth?: number;
  /** Most collection elements one evaluation creates (1,000,000). */
  maxEvalElements?: number;
  /** Most string bytes one evaluation creates (16 MiB). */
  maxEvalStringBytes?: number;
  /** Largest integer, in bits (4096). */
  maxIntegerBits?: number;
  /** Distinct params values whose params-only work a policy caches, LRU; 0 turns it off (64). */
  paramsCacheEntries?: number;
}

export interface CompileOptions {
  /** Accept Rego v0 syntax. Off: policies are Rego v1 (OPA 1.x), as Newton's are. */
  regoV0?: boolean;
  /** JSON Schema that `data.params` must satisfy (object or JSON text). */
  paramsSchema?: object | string;
  /** Static base data compiled into the policy (must not define params/wasm/data/privacy). */
  data?: Record<string, unknown>;
  /**
   * A builtin error (e.g. `count(null)`) is an evaluation error, so the decision denies with its
   * message (default `true`, as in Newton's engine). `false` is OPA's non-strict semantics: the
   * failing expression is undefined, which can turn a deny into an allow on bad oracle data.
   */
  strictBuiltinErrors?: boolean;
  limits?: Limits;
  signal?: AbortSignal;
}

/** Everything one evaluation sees. Give `intent` (parsed as Newton does) or a raw `input`. */
export interface EvaluationRequest {
  intent?: TaskIntent;
  input?: unknown;
  /** `data.params`: the client's policy params. */
  params?: Record<string, unknown>;
  /** `data.wasm` (alias `data.data`): merged PolicyData output. */
  wasm?: Record<string, unknown>;
  /** `data.privacy`: decrypted ephemeral data. */
  privacy?: unknown;
  /** Identity data by domain, read by `newton.identity.*`: `{ kyc: { status, birthdate, … } }`. */
  identity?: Record<string, Record<string, unknown>>;
  /** Confidential data by domain, read by `newton.confidential.*`: `{ blacklist: { addresses } }`. */
  confidential?: Record<string, { addresses?: string[] } & Record<string, unknown>>;
  /** `YYYY-MM-DD`: the date identity checks measure against (never the wall clock). */
  reference_date?: string;
}

/** The outcome. `allow` is true only when the entrypoint is exactly `true`. */
export interface Decision {
  allow: boolean;
  /** The raw entrypoint value; absent when undefined or on error. */
  result?: unknown;
  /** `abi.encode(allow)`, 32 bytes 0x-hex: TaskResponse.evaluationResult. */
  evaluation_result: `0x${string}`;
  /** Why this is a deny. */
  reason?: string;
  /** The evaluation error behind a deny (e.g. NEWTON_ERR_LIMIT_TIME). */
  error?: ErrorInfo;
}

export interface ModuleIdentifiers {
  path: string;
  policyCodeHash: `0x${string}`;
  policyCid: string;
}

export interface CheckedModule extends ModuleIdentifiers {
  package: string;
  rules: string[];
}

type Request = EvaluationRequest | string;

/** CompileOptions as the JSON text the native binding takes (`signal` stays here). */
export function toNativeCompileOptions(options: CompileOptions = {}): string {
  const { signal: _signal, ...rest } = options;
  return JSON.stringify(rest);
}

/** A compiled policy. Thread-safe: evaluate it concurrently as often as you like. */
export class Policy {
  readonly #native: NativePolicy;

  private constructor(native: NativePolicy) {
    this.#native = native;
  }

  /** Compiles off the event loop. `entrypoint` is `package.rule` (evaluated as `data.package.rule`). */
  static async compile(modules: PolicyModule[], entrypoint: string, options?: CompileOptions): Promise<Policy> {
    const signal = nativeSignal(options?.signal);
    const compiled = await callAsync(() =>
      native.Policy.compile(modules, entrypoint, toNativeCompileOptions(options), signal),
    );
    return new Policy(compiled);
  }

  static compileSync(modules: PolicyModule[], entrypoint: string, options?: CompileOptions): Policy {
    return new Policy(call(() => native.Policy.compileSync(modules, entrypoint, toNativeCompileOptions(options))));
  }

  /** The evaluated path, e.g. `data.newton_quickstart.allow`. */
  get entrypoint(): string {
    return this.#native.entrypoint;
  }

  /** `policyCodeHash` and `policyCid` of each module. */
  get modules(): ModuleIdentifiers[] {
    return JSON.parse(this.#native.modulesJson) as ModuleIdentifiers[];
  }

  /**
   * Evaluates on the libuv pool. Pass a JSON string to skip serialization on hot paths. A task's
   * private data (envelopes, identity, confidential) is an operator's to open:
   * `TaskEvaluator.simulate` with a privacy node evaluates with it attached.
   */
  async evaluate(request: Request, options?: { signal?: AbortSignal }): Promise<Decision> {
    const signal = nativeSignal(options?.signal);
    return JSON.parse(await callAsync(() => this.#native.evaluate(toJson(request), signal))) as Decision;
  }

  /** Evaluates on the calling thread (blocks the event loop for the evaluation's duration). */
  evaluateSync(request: Request): Decision {
    return JSON.parse(call(() => this.#native.evaluateSync(toJson(request)))) as Decision;
  }

  /** @internal the addon handle, for TaskEvaluator.simulate. */
  get native(): NativePolicy {
    return this.#native;
  }
}

/** Parses, determinism-checks and compiles modules together without an entrypoint. */
export function checkPolicy(modules: PolicyModule[], options?: Omit<CompileOptions, 'signal'>): CheckedModule[] {
  return JSON.parse(call(() => native.checkPolicySync(modules, toNativeCompileOptions(options)))) as CheckedModule[];
}
