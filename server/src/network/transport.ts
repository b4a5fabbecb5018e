// The Transport interface: how the gateway reaches one operator — its identity, the policies it
// is told to serve (announced by content id), and Newton's two rounds for a task.
import type { Hex, NewtonTask, PolicyDeployment, PreparedData, SignedTaskResponse, Stakes } from 'newton-engine';

/** Who an operator is, as the registry and `operator_errors` name it. */
export interface OperatorIdentity {
  /** keccak256 of the compressed BLS public key (as EigenLayer hashes its G1 key). */
  operatorId: Hex;
  /** The operator's account (`operator_address`). */
  operatorAddress: Hex;
  /** Compressed G1 BLS public key, 48 bytes. */
  publicKey: Hex;
  /** The key's proof of possession, 96 bytes. */
  proofOfPossession: Hex;
  /** Stake per quorum number, decimal strings: `{ "0": "1000" }`. */
  stake: Stakes;
}

/**
 * A client's policy as the gateway announces it: ids and hashes only. The operator obtains the
 * Rego (`deployment.policyCid`), its params schema (`schemaCid`) and every PolicyData module
 * (`deployment.policyData[].wasmCid`) from its content source and checks them against these
 * ids before use.
 */
export interface PolicyAnnouncement {
  policyClient: Hex;
  /** What `TaskEvaluator.setPolicy` takes (ids, `policyConfig`, PolicyData sources). */
  deployment: PolicyDeployment;
  /** The rule to evaluate, e.g. `quickstart_style.allow`. */
  entrypoint: string;
  /** keccak256 of the Rego bytes (`NewtonPolicy.policyCodeHash`). */
  policyCodeHash: Hex;
  /** Content id of the params JSON Schema, when the policy has one. */
  schemaCid?: string;
}

/** Content-addressed bytes (the gateway's store, IPFS): a cid is CIDv1 raw sha2-256 of the bytes. */
export interface ContentSource {
  /** The bytes published under `cid`; unknown ids reject. Callers verify the hash. */
  get(cid: string, signal?: AbortSignal): Promise<Uint8Array>;
}

/**
 * One operator as the gateway reaches it (in process now, over the network in issue 13). Each
 * call rejects on `signal` abort when it can; the round engine stops waiting either way.
 */
export interface Transport {
  readonly identity: OperatorIdentity;
  /** Makes the operator serve `announcement.policyClient`; content is fetched by id and checked. */
  deploy(announcement: PolicyAnnouncement, signal?: AbortSignal): Promise<void>;
  /** Round one: the operator runs the policy's PolicyData for `task` (unsigned data and digests). */
  prepare(task: NewtonTask, signal: AbortSignal): Promise<PreparedData>;
  /** Round two: the operator evaluates on `agreed`, builds the TaskResponse and signs its digest. */
  commit(task: NewtonTask, agreed: PreparedData, signal: AbortSignal): Promise<SignedTaskResponse>;
}
