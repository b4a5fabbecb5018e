// The operator: Newton's two rounds for one task — `prepare` (run the policy's PolicyData) and
// `commit` (evaluate on the agreed data, build the TaskResponse, BLS-sign its digest) — and
// `evaluateAndSign` for both with the operator's own data, and `simulate`, a dry run with nothing
// signed. Each call crosses into Rust once, off the event loop. Tasks and responses use Newton's JSON (Solidity field names, 0x-hex).
import type { BlsSigner, Hex } from './bls.js';
import { call, callAsync } from './errors.js';
import { native } from './native.js';
import { nativeSignal } from './signal.js';
import type { NewtonTask } from './attestation.js';
import type { TaskIntent } from './intent.js';
import { toNativeCompileOptions, type CompileOptions, type Decision, type EvaluationRequest, type Policy } from './policy.js';
import { nativeRunOptions, type PolicyDataHost, type RunOptions } from './policy-data.js';
import type { PrivacyNode } from './privacy.js';
import { toJson } from './json.js';
import type * as Binding from '../binding.cjs';

/** A client's current policy, as the operator reads it from the chain. */
export interface PolicyDeployment {
  policyId: Hex;
  /** The `NewtonPolicy` contract. */
  policyAddress: Hex;
  /** `policyCid` of the Rego source, as returned by `addPolicy`. */
  policyCid: string;
  /** Newton's `PolicyConfig`: params as 0x-hex UTF-8 JSON bytes, attestation lifetime in blocks. */
  policyConfig: { policyParams: Hex; expireAfter: number };
  /** The policy's PolicyData contracts in `getPolicyData()` order (later outputs win a key). */
  policyData?: Array<{
    address: Hex;
    /** `wasmCid` of the module, as returned by `addPolicyData`. */
    wasmCid: string;
    /** Blocks: `expireBlock = taskCreatedBlock + expireAfter`. */
    expireAfter: number;
    runOptions?: Omit<RunOptions, 'signal'>;
  }>;
}

/** One PolicyData module's output for a task, with the keccak256 of its RFC 8785 JSON. */
export interface PolicyDataOutput {
  policy_data_address: Hex;
  data: Record<string, unknown>;
  digest: Hex;
}

/** A prepare result, or the agreed data of several (see `operatorConsensus`). */
export interface PreparedData {
  task_id: Hex;
  policy_data: PolicyDataOutput[];
}

/** An operator's signed answer: Newton's TaskResponse, the decision, the digest and signature. */
export interface SignedTaskResponse {
  /** Newton's `TaskResponse` (Solidity field names). */
  task_response: Record<string, unknown>;
  decision: Decision;
  /** `keccak256(abi.encode(task_response))`: the signed message. */
  digest: Hex;
  /** BLS12-381 signature over `digest` (uncompressed G2, 192 bytes: the aggregator takes no square root). */
  signature: Hex;
  /** The signer's public key (compressed G1, 48 bytes). */
  public_key: Hex;
}

/** A task: Newton's `Task` (Solidity field names), as an object or its JSON text. */
export type TaskJson = string | NewtonTask | Record<string, unknown>;

/**
 * A dry run of a policy: the evaluation request (`intent` or `input`, `params`, …) plus the
 * PolicyData to run, the task's `wasm_args`, and `policy_client` for a private task.
 */
export interface Simulation extends Omit<EvaluationRequest, 'intent'> {
  intent?: TaskIntent | Record<string, unknown>;
  /** Modules added with `addPolicyData`, run concurrently on `wasm_args` and merged in order into `data.wasm` (not with `wasm`). */
  policy_data?: Array<{ wasm_cid: string; run_options?: Omit<RunOptions, 'signal'> }>;
  /** The task's wasm_args: an object, or JSON text (kept byte for byte). Default `{}`. */
  wasm_args?: string | Record<string, unknown>;
  /**
   * Whose task this is. Given, the evaluator's privacy node attaches the private data as at
   * commit (`wasm_args._newton.privacy` envelopes, identity, granted confidential data).
   */
  policy_client?: string;
}

/** What a simulation saw and decided. */
export interface SimulationResult {
  decision: Decision;
  /** Rego `input`: the parsed intent (or the raw input given). */
  input: unknown;
  /** `data.params`. */
  params: Record<string, unknown>;
  /** `data.wasm`: the merged PolicyData output (or the data given). */
  wasm: Record<string, unknown>;
  /** Each module's output, in order; `http_recorded` (fixtures JSON text) in record mode. */
  policy_data: Array<{ wasm_cid: string; data: Record<string, unknown>; http_recorded?: string }>;
}

export interface TaskEvaluatorOptions {
  host: PolicyDataHost;
  /** Signs responses; without one the evaluator only simulates. */
  signer?: BlsSigner;
  /** Opens private data (`wasmArgs._newton.privacy`); tasks carrying it fail without one. */
  privacy?: PrivacyNode;
}

export class TaskEvaluator {
  readonly #native: Binding.TaskEvaluator;

  constructor(options: TaskEvaluatorOptions) {
    const { signer, host, privacy } = options;
    this.#native = call(() => new native.TaskEvaluator(host.native, signer?.native, privacy?.native));
  }

  /** The operator's BLS public key (compressed G1, 0x-hex); null without a signer. */
  get publicKey(): Hex | null {
    return this.#native.publicKey as Hex | null;
  }

  /** Compiles a policy (published as one `policy.rego`); resolves to its `policyCid`. */
  addPolicy(source: string, entrypoint: string, options?: CompileOptions): Promise<string> {
    return callAsync(() => this.#native.addPolicy(source, entrypoint, toNativeCompileOptions(options)));
  }

  /** Loads a PolicyData component; resolves to its `wasmCid`. */
  addPolicyData(wasm: Uint8Array): Promise<string> {
    return callAsync(() => this.#native.addPolicyData(wasm));
  }

  /** Sets (or replaces) the policy `policyClient` uses; its policy and modules must be added. */
  setPolicy(policyClient: Hex, deployment: PolicyDeployment): Promise<void> {
    return callAsync(() => this.#native.setPolicy(policyClient, JSON.stringify(deployment)));
  }

  /** Round one: every PolicyData module of the task's policy, run concurrently. */
  async prepare(task: TaskJson): Promise<PreparedData> {
    return JSON.parse(await callAsync(() => this.#native.prepare(toJson(task)))) as PreparedData;
  }

  /** Round two: evaluate on the agreed data and sign. */
  async commit(task: TaskJson, agreed: PreparedData | string): Promise<SignedTaskResponse> {
    const signed = await callAsync(() => this.#native.commit(toJson(task), toJson(agreed)));
    return JSON.parse(signed) as SignedTaskResponse;
  }

  /** Both rounds with this operator's own data (a single operator). */
  async evaluateAndSign(task: TaskJson): Promise<SignedTaskResponse> {
    return JSON.parse(await callAsync(() => this.#native.evaluateAndSign(toJson(task)))) as SignedTaskResponse;
  }

  /** Evaluates `policy` as `simulation` describes; nothing is signed, no deployment needed. */
  async simulate(policy: Policy, simulation: Simulation, options?: { signal?: AbortSignal }): Promise<SimulationResult> {
    const signal = nativeSignal(options?.signal);
    const policyData = simulation.policy_data?.map(({ wasm_cid, run_options }) => ({
      wasm_cid,
      run_options: run_options && (JSON.parse(nativeRunOptions(run_options)) as object),
    }));
    const text = JSON.stringify({ ...simulation, policy_data: policyData });
    return JSON.parse(await callAsync(() => this.#native.simulate(policy.native, text, signal))) as SimulationResult;
  }
}

/**
 * The agreed data of several operators' prepare results: identical data as is; numeric leaves
 * normalised to the median when all are within `tolerance` (default 0.1) of it; anything else
 * fails with NEWTON_ERR_CONSENSUS_TOLERANCE_EXCEEDED / _FAILED naming the JSON path.
 */
export function operatorConsensus(results: Array<PreparedData | string>, tolerance?: number): PreparedData {
  return JSON.parse(call(() => native.operatorConsensus(results.map(toJson), tolerance))) as PreparedData;
}

/** What a gateway signs about one request to an operator (EIP-712 `OperatorRequest`); unix ms. */
export interface OperatorRequestClaims {
  method: string;
  taskId: Hex;
  /** The operator it is addressed to; zero for a broadcast. */
  operatorId: Hex;
  /** The params JSON exactly as sent (its keccak256 is signed). */
  paramsText: string;
  issuedAt: number;
  deadline: number;
}

/**
 * The gateway's 65-byte EIP-712 signature (0x-hex) of `claims` with its secp256k1 secret key —
 * the same as viem's `signTypedData` over domain `{name: "Newton Operator Request", version: "1"}`,
 * computed natively on the libuv pool.
 */
export function signOperatorRequest(secretKey: Hex, claims: OperatorRequestClaims): Promise<Hex> {
  return callAsync(() => native.signOperatorRequest(secretKey, claims)) as Promise<Hex>;
}

/** The address that signed `claims` (checksummed); NEWTON_ERR_UNAUTHORIZED for a malformed signature. */
export function recoverOperatorRequestSigner(claims: OperatorRequestClaims, signature: Hex): Promise<Hex> {
  return callAsync(() => native.recoverOperatorRequestSigner(claims, signature)) as Promise<Hex>;
}
