// NewtonClient: a typed JSON-RPC 2.0 client (fetch only) for a Newton gateway — Newton's fifteen
// newt_* methods and this gateway's newton_* extensions — with the EIP-712 typed data its writes
// are signed with (owner authorizations and intent signatures).
import { zeroAddress, type Hex, type LocalAccount } from 'viem';
import type { TaskIntent } from './intent.js';
import type { Authorization } from './privacy-authorization.js';

/** A JSON-RPC error: `rpcCode` is the JSON-RPC code, `code` the stable NEWTON_ERR_* one. */
export class NewtonRpcError extends Error {
  readonly rpcCode: number;
  readonly code: string;
  readonly details?: Record<string, unknown>;
  /** The HTTP status it came with. */
  readonly status: number;

  constructor(error: { code: number; message: string; data?: { code?: string; details?: Record<string, unknown> } }, status: number) {
    super(error.message);
    this.name = 'NewtonRpcError';
    this.rpcCode = error.code;
    this.code = error.data?.code ?? 'NEWTON_ERR_INTERNAL';
    this.details = error.data?.details;
    this.status = status;
  }
}

export interface NewtonClientOptions {
  /** The gateway's JSON-RPC endpoint, e.g. `http://127.0.0.1:8545/rpc`. */
  url: string;
  apiKey: string;
  /** Per call (default 60,000 ms). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** A wire intent (the gateway accepts camelCase keys and hex without 0x too). */
export type WireIntent = TaskIntent;

export interface CreateTaskParams {
  policy_client: string;
  intent: WireIntent;
  intent_signature?: string | null;
  /** Hex of the UTF-8 JSON args. */
  wasm_args?: string | null;
  quorum_number?: string | null;
  quorum_threshold_percentage?: number | null;
  /** Seconds (default 30). */
  timeout?: number | null;
  proof_cid?: string | null;
}

export interface OperatorErrorInfo {
  operator_address: Hex;
  operator_id: Hex;
  error_code: string;
  message: string;
  timestamp: number;
  retryable: boolean;
}

export interface GatewayTaskSuccess {
  task_id: Hex;
  status: 'success';
  aggregation_response: null;
  task: Record<string, unknown> & { taskId: Hex; taskCreatedBlock: number };
  task_response: {
    task_id: Hex;
    policy_client: Hex;
    policy_id: Hex;
    policy_address: Hex;
    intent: Record<string, string>;
    intent_signature: Hex;
    /** The 32 bytes of abi.encode(bool): an allow ends in 1. */
    evaluation_result: number[];
    policy_task_data: Record<string, unknown>;
    policy_config: { policyParams: Hex; expireAfter: number };
    initialization_timestamp: Hex;
  };
  /** 0x hex of the certificate's UTF-8 JSON (BLS12-381, not Newton's BN254 encoding). */
  signature_data: Hex;
  certificate: Record<string, unknown>;
  reference_block: number;
  expiration: number;
  operator_errors: OperatorErrorInfo[];
  error: null;
  timestamp: number;
}

export interface GatewayTaskFailure {
  task_id: Hex;
  status: 'failed';
  error: { code: string; message: string; details?: Record<string, unknown> };
  aggregation_response: null;
  operator_errors: OperatorErrorInfo[];
  timestamp: number;
}

export type GatewayTaskResult = GatewayTaskSuccess | GatewayTaskFailure;

export interface PublicKeyResult {
  public_key: Hex;
  key_type: 'x25519';
  encryption_suite: string;
}

/** An owner authorization of a registry write (see `signOwnerAuthorization`). */
export interface OwnerAuthorization {
  nonce: number;
  deadline: number;
  signature: Hex;
}

export type GatewayTaskStatus = 'Created' | 'Responded' | 'AttestationSpent' | 'AttestationExpired';

type Params = Record<string, unknown>;

export class NewtonClient {
  readonly #url: string;
  readonly #apiKey: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  #id = 0;

  constructor(options: NewtonClientOptions) {
    this.#url = options.url;
    this.#apiKey = options.apiKey;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#fetch = options.fetch ?? fetch;
  }

  /** Calls `method`; resolves to its result or rejects with a NewtonRpcError. */
  async call<T = unknown>(method: string, params: Params = {}): Promise<T> {
    const res = await this.#fetch(this.#url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.#apiKey}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++this.#id, method, params }),
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    const reply = (await res.json()) as { result?: T; error?: ConstructorParameters<typeof NewtonRpcError>[0] };
    if (reply.error) throw new NewtonRpcError(reply.error, res.status);
    return reply.result as T;
  }

  // Newton's methods.
  createTask(params: CreateTaskParams): Promise<GatewayTaskResult> {
    return this.call('newt_createTask', { ...params });
  }
  sendTask(params: CreateTaskParams): Promise<{ task_id: Hex; subscription_topic: string; message: string; timestamp: number }> {
    return this.call('newt_sendTask', { ...params });
  }
  simulateTask(params: { intent: WireIntent; policy_task_data: Params; entrypoint?: string; policy_params?: Params }): Promise<{ success: boolean; result: { allow: boolean; reason: string | null }; error: string | null; details: Params }> {
    return this.call('newt_simulateTask', params);
  }
  simulatePolicy(params: { policy_client: string; policy: string; intent: WireIntent; entrypoint?: string; policy_data?: { policy_data_address: string; wasm_args?: string | Params }[]; policy_params?: Params }): Promise<{ success: boolean; evaluation_result: Params | null; error: string | null; error_details: Params | null }> {
    return this.call('newt_simulatePolicy', params);
  }
  simulatePolicyData(params: { policy_data_address: string; secrets?: string; wasm_args?: string | Params; chain_id?: string | number }): Promise<{ success: boolean; policy_data: { specifier: string; data: Params; timestamp: number } | null; error: string | null }> {
    return this.call('newt_simulatePolicyData', params);
  }
  simulatePolicyDataWithClient(params: { policy_data_address: string; policy_client: string; wasm_args?: string | Params }): Promise<{ success: boolean; policy_data: { specifier: string; data: Params; timestamp: number } | null; error: string | null }> {
    return this.call('newt_simulatePolicyDataWithClient', params);
  }
  getPrivacyPublicKey(): Promise<PublicKeyResult> {
    return this.call('newt_getPrivacyPublicKey');
  }
  getSecretsPublicKey(): Promise<PublicKeyResult> {
    return this.call('newt_getSecretsPublicKey');
  }
  storeEncryptedSecrets(params: { policy_client: string; policy_data_address: string; envelope: string; chain_id?: string | number }): Promise<{ success: boolean; schema: Params | null; error: string | null }> {
    return this.call('newt_storeEncryptedSecrets', params);
  }
  /** `identity_owner_sig` is the owner's UploadIdentity authorization signature; `deadline` (and `nonce`) are the ones it signed. */
  uploadIdentityEncrypted(params: { identity_owner: string; identity_owner_sig: string; envelope: string; identity_domain: string; chain_id?: string | number; deadline: number; nonce?: number }): Promise<{ data_ref_id: Hex; gateway_signature: Hex; deadline: number }> {
    return this.call('newt_uploadIdentityEncrypted', params);
  }
  getIdentityEncrypted(dataRefId: string): Promise<{ envelope: string; identity_domain: Hex | null; identity_domain_name: string | null; identity_owner: Hex }> {
    return this.call('newt_getIdentityEncrypted', { data_ref_id: dataRefId });
  }
  /** `signature` is the provider's PublishData authorization signature. */
  uploadConfidentialData(params: { provider: string; domain: string; envelope: string; chain_id?: string | number; signature: string; deadline: number; nonce?: number }): Promise<{ success: boolean; data_ref_id: Hex; version: number; error: null }> {
    return this.call('newt_uploadConfidentialData', params);
  }
  getConfidentialData(dataRefId: string): Promise<{ envelope: string; domain: Hex | null; domain_name: string | null; provider: Hex; data_type: 'confidential' }> {
    return this.call('newt_getConfidentialData', { data_ref_id: dataRefId });
  }
  registerWebhook(params: { url: string; secret?: string; timeout_seconds?: number; max_retries?: number; failure_types?: string[] }): Promise<{ success: boolean; message: string }> {
    return this.call('newt_registerWebhook', params);
  }
  unregisterWebhook(): Promise<{ success: boolean; message: string }> {
    return this.call('newt_unregisterWebhook');
  }

  // The gateway's extensions.
  publishPolicyData(params: { owner: string; wasm?: string; wasm_base64?: string; secrets_schema?: Params | null; expire_after: number; metadata_cid?: string }): Promise<{ policy_data_address: Hex; wasm_cid: string; secrets_schema_cid: string; expire_after: number; created: boolean }> {
    return this.call('newton_publishPolicyData', params);
  }
  publishPolicy(params: { owner: string; policy: string; entrypoint: string; params_schema?: Params | null; policy_data?: string[]; metadata_cid?: string }): Promise<{ policy_address: Hex; policy_cid: string; policy_code_hash: Hex; schema_cid: string; entrypoint: string; created: boolean }> {
    return this.call('newton_publishPolicy', params);
  }
  registerPolicyClient(params: { policy_client: string; owner: string; policy: string; policy_params?: Params | string; expire_after: number; authorization: OwnerAuthorization }): Promise<{ policy_client: Hex; owner: Hex; policy_id: Hex; policy_address: Hex; block: number }> {
    return this.call('newton_registerPolicyClient', params);
  }
  setPolicy(params: { policy_client: string; policy: string; policy_params?: Params | string; expire_after: number; authorization: OwnerAuthorization }): Promise<{ policy_client: Hex; policy_id: Hex; policy_address: Hex; block: number }> {
    return this.call('newton_setPolicy', params);
  }
  setPolicyParams(params: { policy_client: string; policy_params?: Params | string; expire_after?: number; authorization: OwnerAuthorization }): Promise<{ policy_client: Hex; policy_id: Hex; policy_address: Hex; block: number }> {
    return this.call('newton_setPolicyParams', params);
  }
  getPolicyClient(policyClient: string): Promise<Params & { policy_id: Hex; policy_address: Hex; owner: Hex; history: Params[] }> {
    return this.call('newton_getPolicyClient', { policy_client: policyClient });
  }
  getPolicy(policy: string): Promise<Params & { policy_address: Hex; entrypoint: string; policy: string }> {
    return this.call('newton_getPolicy', { policy });
  }
  getPolicyData(policyData: string): Promise<Params & { policy_data_address: Hex; wasm_cid: string }> {
    return this.call('newton_getPolicyData', { policy_data_address: policyData });
  }
  /** The next nonces of `signer`: for owner authorizations (`gateway_nonce`) and privacy authorizations (`privacy_nonce`). */
  getNonce(signer: string): Promise<{ signer: Hex; gateway_nonce: number; privacy_nonce: number }> {
    return this.call('newton_getNonce', { signer });
  }
  getTask(taskId: string): Promise<{ task_id: Hex; status: GatewayTaskStatus; expiration: number | null; failed: boolean; task: Params; result: GatewayTaskResult | null }> {
    return this.call('newton_getTask', { task_id: taskId });
  }
  taskStatus(taskId: string): Promise<{ task_id: Hex; status: GatewayTaskStatus; expiration: number | null; failed: boolean }> {
    return this.call('newton_taskStatus', { task_id: taskId });
  }
  /**
   * Validates the task's attestation for `caller` and spends it; `authorization` is the caller's
   * SpendAttestation signature. A refusal rejects with the failed check's code.
   */
  spendAttestation(taskId: string, caller: string, authorization: OwnerAuthorization): Promise<{ valid: true; task_id: Hex; status: 'AttestationSpent'; attestation: Params; attestation_hash: Hex; checks: Params[] }> {
    return this.call('newton_spendAttestation', { task_id: taskId, caller, authorization });
  }
  linkIdentity(params: { identity_owner: string; policy_client: string; client_user: string; domains: string[]; owner_authorization: Authorization; user_authorization?: Authorization }): Promise<{ success: true }> {
    return this.call('newton_linkIdentity', params);
  }
  unlinkIdentity(params: { identity_owner: string; policy_client: string; client_user: string; domains: string[]; authorization: Authorization }): Promise<{ success: true }> {
    return this.call('newton_unlinkIdentity', params);
  }
  proposeGrant(params: GrantParams): Promise<{ success: true; state: 'pending' }> {
    return this.call('newton_proposeGrant', { ...params });
  }
  acceptGrant(params: GrantParams): Promise<{ success: true; state: 'active' }> {
    return this.call('newton_acceptGrant', { ...params });
  }
  revokeGrant(params: GrantParams): Promise<{ success: true; state: 'revoked' }> {
    return this.call('newton_revokeGrant', { ...params });
  }
  blockNumber(): Promise<{ block_number: number; timestamp: number; chain_id: number }> {
    return this.call('newton_blockNumber');
  }
  advanceBlocks(blocks: number): Promise<{ block_number: number }> {
    return this.call('newton_advanceBlocks', { blocks });
  }
}

export interface GrantParams {
  provider: string;
  /** The domain's name (e.g. `newton.privacy.blacklist`). */
  domain: string;
  policy_client: string;
  authorization: Authorization;
}

const configFields = [
  { name: 'policyParamsHash', type: 'bytes32' },
  { name: 'expireAfter', type: 'uint32' },
  { name: 'nonce', type: 'uint256' },
  { name: 'deadline', type: 'uint256' },
] as const;

/**
 * The gateway's owner authorizations (writes Newton's contracts gate on msg.sender), domain
 * {name: "NewtonGateway", version: "1", chainId, verifyingContract: 0x0}. `policyParamsHash` is
 * keccak256 of the params' UTF-8 JSON text as sent (an object: its JSON.stringify).
 */
export const OWNER_EIP712_TYPES = {
  RegisterPolicyClient: [{ name: 'policyClient', type: 'address' }, { name: 'owner', type: 'address' }, { name: 'policy', type: 'address' }, ...configFields],
  SetPolicy: [{ name: 'policyClient', type: 'address' }, { name: 'policy', type: 'address' }, ...configFields],
  SetPolicyParams: [{ name: 'policyClient', type: 'address' }, ...configFields],
  /** Signed by the caller (the intent's sender, msg.sender of Newton's validateAttestation). */
  SpendAttestation: [
    { name: 'taskId', type: 'bytes32' },
    { name: 'caller', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const;

export type OwnerMessageType = keyof typeof OWNER_EIP712_TYPES;

/** The typed data an owner signs for a registry write (addresses lowercase, as the gateway stores them). */
export function ownerTypedData(chainId: number | bigint, primaryType: OwnerMessageType, message: Record<string, unknown>, nonce: number, deadline: number) {
  return {
    domain: { name: 'NewtonGateway', version: '1', chainId: BigInt(chainId), verifyingContract: zeroAddress },
    types: OWNER_EIP712_TYPES,
    primaryType,
    message: { ...message, nonce: BigInt(nonce), deadline: BigInt(deadline) },
  } as const;
}

/** Signs a registry write as `account` with its next gateway nonce; deadline defaults to one hour. */
export async function signOwnerAuthorization(
  account: LocalAccount,
  primaryType: OwnerMessageType,
  message: Record<string, unknown>,
  options: { chainId: number | bigint; nonce: number; deadline?: number },
): Promise<OwnerAuthorization> {
  const deadline = options.deadline ?? Math.floor(Date.now() / 1000) + 3600;
  if (!account.signTypedData) throw new TypeError('the account cannot sign typed data');
  const signature = await account.signTypedData(ownerTypedData(options.chainId, primaryType, message, options.nonce, deadline) as never);
  return { nonce: options.nonce, deadline, signature };
}

/**
 * The intent's EIP-712 typed data (primary type `Intent`), domain {name: "NewtonPolicyClient",
 * version: "1", chainId: intent.chainId, verifyingContract: the policy client}: what
 * `intent_signature` signs. Addresses must be lowercase or checksummed.
 */
export function intentTypedData(intent: { from: Hex; to: Hex; value: string; data: Hex; chainId: string; functionSignature: Hex }, policyClient: Hex) {
  return {
    domain: { name: 'NewtonPolicyClient', version: '1', chainId: BigInt(intent.chainId), verifyingContract: policyClient },
    types: {
      Intent: [
        { name: 'from', type: 'address' },
        { name: 'to', type: 'address' },
        { name: 'value', type: 'uint256' },
        { name: 'data', type: 'bytes' },
        { name: 'chainId', type: 'uint256' },
        { name: 'functionSignature', type: 'bytes' },
      ],
    },
    primaryType: 'Intent' as const,
    message: {
      from: intent.from,
      to: intent.to,
      value: BigInt(intent.value),
      data: intent.data,
      chainId: BigInt(intent.chainId),
      functionSignature: intent.functionSignature,
    },
  };
}
