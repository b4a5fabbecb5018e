// Newton attestations: the operator registry, the BLS signature aggregator and its quorum
// certificate, and the direct validation of an attestation bundle with a durable single-use
// (SQLite) spent store. Structs keep the JSON shapes of the Rust crate: snake_case at the top
// level, Solidity (camelCase) field names inside the Newton structs.
import { bytesToHex, type Hex } from './bls.js';
import { call, callAsync, type ErrorCode, type ErrorInfo } from './errors.js';
import { toJson as json } from './json.js';
import { native, type NativeAggregator, type NativeOperatorRegistry, type NativeValidator } from './native.js';

/** Bytes as `0x` hex or raw. */
export type BytesLike = Hex | Uint8Array;
/** Stake per quorum number, decimal strings: `{ "0": "1000" }`. */
export type Stakes = Record<string, string>;

/** One entry of an operator set file. */
export interface OperatorEntry {
  /** 32 bytes (EigenLayer's is the hash of the operator's G1 key). */
  operator_id: Hex;
  /** Compressed G1 public key, 48 bytes. */
  public_key: BytesLike;
  /** The key's proof of possession, 96 bytes. */
  proof_of_possession: BytesLike;
  /** Amounts as decimal strings, `0x` hex, numbers or bigints. */
  stake: Record<string, string | number | bigint>;
}

/** A quorum certificate: one aggregate BLS signature over `message` and the stake behind it. */
export interface Certificate {
  message: Hex;
  quorum_numbers: number[];
  /** Percentage of each quorum's total stake, 0–100. */
  threshold: number;
  /** Signing operator ids, ascending. */
  signers: Hex[];
  /** Operators with stake in a certificate quorum that did not sign, ascending. */
  non_signers: Hex[];
  /** As the registry was at aggregation; verification recomputes it and never trusts it. */
  signed_stake: Stakes;
  total_stake: Stakes;
  aggregate_public_key: Hex;
  aggregate_signature: Hex;
}

/** A signature the aggregator refused (unknown operator, repeat, malformed, did not verify). */
export interface Rejection extends ErrorInfo {
  operator_id: Hex;
}

export interface OperatorSignature {
  operatorId: BytesLike;
  signature: BytesLike;
}

/** `INewtonProverTaskManager.Intent`, Solidity field names (uint256 as hex or decimal). */
export interface NewtonIntent {
  from: Hex;
  to: Hex;
  value: string;
  data: Hex;
  chainId: string;
  functionSignature: Hex;
}

export interface NewtonTask {
  taskId: Hex;
  policyClient: Hex;
  taskCreatedBlock: number;
  quorumThresholdPercentage: number;
  intent: NewtonIntent;
  intentSignature: Hex;
  wasmArgs: Hex;
  /** One byte per quorum number, e.g. `0x00`. */
  quorumNumbers: Hex;
  initializationTimestamp: string;
}

export interface NewtonTaskResponse {
  taskId: Hex;
  policyClient: Hex;
  policyId: Hex;
  policyAddress: Hex;
  intent: NewtonIntent;
  intentSignature: Hex;
  /** `abi.encode(bool)`: an allow ends in `01`. */
  evaluationResult: Hex;
  policyTaskData: {
    policyId: Hex;
    policyAddress: Hex;
    policy: Hex;
    policyData: { wasmArgs: Hex; data: Hex; policyDataAddress: Hex; expireBlock: number }[];
  };
  policyConfig: { policyParams: Hex; expireAfter: number };
  initializationTimestamp: string;
}

export interface NewtonAttestation {
  taskId: Hex;
  policyId: Hex;
  policyClient: Hex;
  expiration: number;
  intent: NewtonIntent;
  intentSignature: Hex;
}

/** What a caller presents to have an attestation verified directly. */
export interface AttestationBundle {
  task: NewtonTask;
  task_response: NewtonTaskResponse;
  attestation: NewtonAttestation;
  /** `keccak256(abi.encode(attestation))`. */
  attestation_hash: Hex;
  certificate: Certificate;
  /** The first block at which the attestation is expired. */
  expiration: number;
}

/** Where and by whom the attestation is used: the verifier's own expectations. */
export interface ValidationContext {
  /** The policy client's current policy id (32 bytes). */
  policyId: Hex;
  /** The chain the attestation is used on. */
  chainId: number | bigint | string;
  /** The account calling the policy client (`msg.sender`). */
  caller: Hex;
  /** The current block; valid while `currentBlock < expiration`. */
  currentBlock: number | bigint;
  /** Lowest quorum threshold accepted, whatever the task asks (default 40). */
  minThreshold?: number;
}

/** The checks in the order they run; `single_use` spends the attestation. */
export type CheckName =
  | 'policy_id'
  | 'intent_sender'
  | 'chain_id'
  | 'expiration'
  | 'attestation_hash'
  | 'signature'
  | 'quorum_stake'
  | 'evaluation_result'
  | 'single_use';

export interface CheckOutcome {
  check: CheckName;
  /** `skipped`: the spend runs only when every other check passed. */
  status: 'passed' | 'failed' | 'skipped';
  code?: ErrorCode;
  message?: string;
  details?: Record<string, unknown>;
}

/** Every check's outcome; `valid` when all passed (the attestation is now spent). */
export interface ValidationReport {
  checks: CheckOutcome[];
  valid: boolean;
}

const hex = (bytes: BytesLike) => (typeof bytes === 'string' ? bytes : bytesToHex(bytes));

let nativeRegistry: (registry: OperatorRegistry) => NativeOperatorRegistry;

/**
 * Registered operators and their stakes. A key is admitted only with a valid proof of
 * possession (the rogue-key defence). Aggregators and validators keep the registry as it was
 * when they were created; a later `register` does not change them.
 */
export class OperatorRegistry {
  readonly #native: NativeOperatorRegistry;

  static {
    nativeRegistry = (registry) => registry.#native;
  }

  private constructor(registry: NativeOperatorRegistry) {
    this.#native = registry;
  }

  static empty(): OperatorRegistry {
    return new OperatorRegistry(new native.OperatorRegistry());
  }

  /** Parses an operator set file (JSON text or entries), verifying every proof off the event loop. */
  static async fromJson(operators: string | OperatorEntry[]): Promise<OperatorRegistry> {
    return new OperatorRegistry(await callAsync(() => native.OperatorRegistry.fromJson(entriesJson(operators))));
  }

  /** As `fromJson`, blocking (≈1 ms per operator). */
  static fromJsonSync(operators: string | OperatorEntry[]): OperatorRegistry {
    return new OperatorRegistry(call(() => native.OperatorRegistry.fromJsonSync(entriesJson(operators))));
  }

  /** Registers an operator after verifying its proof (NEWTON_ERR_BLS_POP_INVALID otherwise). */
  register(entry: OperatorEntry): void {
    call(() => this.#native.register(JSON.stringify(entryObject(entry))));
  }

  /** The total stake registered in `quorum`. */
  totalStake(quorum: number): bigint {
    return BigInt(this.#native.totalStake(quorum));
  }

  get size(): number {
    return this.#native.size;
  }

  /** The registry as an operator set file (bytes as hex, stakes as decimal strings). */
  toJson(): string {
    return call(() => this.#native.toJson());
  }
}

const entryObject = (e: OperatorEntry) => ({
  ...e,
  public_key: hex(e.public_key),
  proof_of_possession: hex(e.proof_of_possession),
  stake: Object.fromEntries(Object.entries(e.stake).map(([quorum, amount]) => [quorum, String(amount)])),
});

const entriesJson = (operators: string | OperatorEntry[]) =>
  typeof operators === 'string' ? operators : JSON.stringify(operators.map(entryObject));

/**
 * Collects operator signatures over one message and issues a Certificate once every quorum's
 * signed stake reaches the threshold. Signatures are checked together, with one fast aggregate
 * verification when the stake suffices; a bad one is isolated by bisection, dropped and listed
 * in `rejected()`. Calls on one aggregator are serialized.
 */
export class Aggregator {
  readonly #native: NativeAggregator;

  private constructor(aggregator: NativeAggregator) {
    this.#native = aggregator;
  }

  /** For a 32-byte `message` over `quorumNumbers` at `threshold` percent (default 40). */
  static forMessage(registry: OperatorRegistry, message: BytesLike, quorumNumbers: number[], threshold = 40): Aggregator {
    return new Aggregator(call(() => new native.Aggregator(nativeRegistry(registry), message, quorumNumbers, threshold)));
  }

  /** For a Newton task: the message is the response's consensus digest, quorums and threshold the task's. */
  static forTask(registry: OperatorRegistry, task: NewtonTask | string, response: NewtonTaskResponse | string): Aggregator {
    return new Aggregator(call(() => native.Aggregator.forTask(nativeRegistry(registry), json(task), json(response))));
  }

  /** The message being signed. */
  get message(): Hex {
    return this.#native.message as Hex;
  }

  /**
   * Accepts one signature; returns the certificate the first time the quorum is reached, else
   * null. Throws (and records the refusal) for an unknown operator (NEWTON_ERR_OPERATOR_UNKNOWN),
   * a repeat (NEWTON_ERR_INVALID_ARGUMENT) or malformed bytes (NEWTON_ERR_BLS_BAD_ENCODING). Cheap
   * until the quorum is reached, then one aggregate verification (≈1 ms): see `addAsync`.
   */
  add(operatorId: BytesLike, signature: BytesLike): Certificate | null {
    return certificateOrNull(call(() => this.#native.add(operatorId, signature)));
  }

  /** As `add`, on the libuv pool. */
  async addAsync(operatorId: BytesLike, signature: BytesLike): Promise<Certificate | null> {
    return certificateOrNull(await callAsync(() => this.#native.addAsync(operatorId, signature)));
  }

  /**
   * Accepts every signature (refusals are recorded, not thrown) and certifies all valid ones so
   * far, on the libuv pool. Below the threshold: NEWTON_ERR_INSUFFICIENT_QUORUM_STAKE.
   */
  async aggregate(signatures: OperatorSignature[] = []): Promise<Certificate> {
    return JSON.parse(await callAsync(() => this.#native.aggregate(signatures))) as Certificate;
  }

  aggregateSync(signatures: OperatorSignature[] = []): Certificate {
    return JSON.parse(call(() => this.#native.aggregateSync(signatures))) as Certificate;
  }

  /** Every signature refused so far, and why. */
  rejected(): Rejection[] {
    return JSON.parse(call(() => this.#native.rejected())) as Rejection[];
  }
}

const certificateOrNull = (text: string | null) => (text === null ? null : (JSON.parse(text) as Certificate));

/**
 * Verifies a certificate against `registry`: the signers' keys sum to its aggregate key, the
 * aggregate signature verifies (NEWTON_ERR_SIGNATURE_INVALID, NEWTON_ERR_OPERATOR_UNKNOWN) and
 * the signers' registered stake meets its threshold (NEWTON_ERR_INSUFFICIENT_QUORUM_STAKE).
 */
export function verifyCertificate(registry: OperatorRegistry, certificate: Certificate | string): Promise<void> {
  return callAsync(() => native.verifyCertificate(nativeRegistry(registry), json(certificate)));
}

export function verifyCertificateSync(registry: OperatorRegistry, certificate: Certificate | string): void {
  call(() => native.verifyCertificateSync(nativeRegistry(registry), json(certificate)));
}

/** `keccak256(abi.encode(taskResponse))`: the message operators sign. */
export function consensusDigest(response: NewtonTaskResponse | string): Hex {
  return call(() => native.consensusDigest(json(response))) as Hex;
}

/** A consistent bundle: the attestation derived from the task and response, and its hash. */
export function attestationBundle(
  task: NewtonTask | string,
  response: NewtonTaskResponse | string,
  certificate: Certificate | string,
  expiration: number,
): AttestationBundle {
  const text = call(() => native.attestationBundle(json(task), json(response), json(certificate), expiration));
  return JSON.parse(text) as AttestationBundle;
}

/**
 * Validates attestation bundles as `NewtonPolicyClient` and `AttestationValidator` do, against
 * one registry and one spent store: a SQLite file (WAL, fsync'd), opened once, created if
 * missing. Every check runs and is reported; a bundle that passes them all is marked spent, so
 * of concurrent validations of one attestation — on any thread, validator or process sharing
 * the file — exactly one is valid.
 */
export class AttestationValidator {
  readonly #native: NativeValidator;

  /** Opens the store at `spentDbPath` (NEWTON_ERR_STORE if it cannot). */
  constructor(registry: OperatorRegistry, spentDbPath: string) {
    this.#native = call(() => new native.Validator(nativeRegistry(registry), spentDbPath));
  }

  /** Validates on the libuv pool. Malformed bundle or context JSON throws NEWTON_ERR_INVALID_JSON. */
  async validate(bundle: AttestationBundle | string, ctx: ValidationContext): Promise<ValidationReport> {
    const report = await callAsync(() => this.#native.validate(json(bundle), contextJson(ctx)));
    return JSON.parse(report) as ValidationReport;
  }

  validateSync(bundle: AttestationBundle | string, ctx: ValidationContext): ValidationReport {
    return JSON.parse(call(() => this.#native.validateSync(json(bundle), contextJson(ctx)))) as ValidationReport;
  }
}

/**
 * Every check of `AttestationValidator.validate` but the spend, reported `skipped` (so `valid` is
 * false): for a caller that keeps the spent set elsewhere — a database shared by several
 * gateways — and spends there, by task id, only when no check failed. Runs on the libuv pool.
 */
export async function checkAttestation(registry: OperatorRegistry, bundle: AttestationBundle | string, ctx: ValidationContext): Promise<ValidationReport> {
  const report = await callAsync(() => native.checkAttestation(nativeRegistry(registry), json(bundle), contextJson(ctx)));
  return JSON.parse(report) as ValidationReport;
}

function contextJson(ctx: ValidationContext): string {
  const fields = [
    `"policy_id":${JSON.stringify(ctx.policyId)}`,
    `"chain_id":${JSON.stringify(String(ctx.chainId))}`,
    `"caller":${JSON.stringify(ctx.caller)}`,
    `"current_block":${BigInt(ctx.currentBlock)}`,
  ];
  if (ctx.minThreshold !== undefined) fields.push(`"min_threshold":${JSON.stringify(ctx.minThreshold)}`);
  return `{${fields.join(',')}}`;
}
