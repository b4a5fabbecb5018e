// The gateway's storage interface: every record the gateway keeps, behind one async API so a
// PostgreSQL implementation can replace SQLite without touching callers.
import type { Hex } from 'newton-engine';

export type Permission = 'read' | 'write';

/** An API key as stored: only the sha256 of the secret. */
export interface ApiKeyRecord {
  id: string;
  hash: Hex;
  permissions: Permission[];
  /** The address the key acts for (Newton's dashboard identity): it must own a policy client to manage its secrets. */
  owner: Hex | null;
  createdAt: number;
}

/** A published PolicyData module (Newton's `NewtonPolicyData`). */
export interface PolicyDataRecord {
  address: Hex;
  owner: Hex;
  /** CIDv1 raw sha2-256 of the component bytes (kept in the content table). */
  wasmCid: string;
  /** JSON Schema the secrets of a policy client must satisfy, or null when the module takes none. */
  secretsSchema: Record<string, unknown> | null;
  secretsSchemaCid: string;
  /** Blocks: `expireBlock = taskCreatedBlock + expireAfter`. */
  expireAfter: number;
  metadataCid: string;
  publishedBlock: number;
}

/** A published policy (Newton's `NewtonPolicy`); immutable. */
export interface PolicyRecord {
  address: Hex;
  owner: Hex;
  source: string;
  policyCid: string;
  policyCodeHash: Hex;
  entrypoint: string;
  paramsSchema: Record<string, unknown> | null;
  schemaCid: string;
  /** PolicyData addresses in `getPolicyData()` order. */
  policyData: Hex[];
  metadataCid: string;
  publishedBlock: number;
}

/** One `setPolicy`: the id it minted and the config it set. */
export interface PolicyIdEntry {
  policyId: Hex;
  policyAddress: Hex;
  /** UTF-8 JSON text of the params. */
  policyParams: string;
  expireAfter: number;
  block: number;
}

/** A registered policy client (Newton's `NewtonPolicyClient` + `PolicyClientRegistry`). */
export interface PolicyClientRecord {
  address: Hex;
  owner: Hex;
  registeredBlock: number;
  /** The current policy (the last history entry). */
  current: PolicyIdEntry;
}

export type TaskStatus = 'Created' | 'Responded' | 'AttestationSpent' | 'AttestationExpired';

export interface TaskRecord {
  taskId: Hex;
  policyClient: Hex;
  status: TaskStatus;
  /** Newton's `Task` JSON. */
  task: Record<string, unknown>;
  /** The RPC result once the task finished (success or failure), else null. */
  result: Record<string, unknown> | null;
  /** The first block at which the attestation is expired; null until responded with an allow. */
  expiration: number | null;
  createdAt: number;
}

export type FailureType =
  | 'channel_error'
  | 'timeout'
  | 'quorum_not_reached'
  | 'onchain_submission_failed'
  | 'policy_evaluation_failed'
  | 'signature_verification_failed'
  | 'internal_error';

export interface WebhookRecord {
  /** The API key that registered it (one webhook per key). */
  keyId: string;
  url: string;
  secret: string | null;
  timeoutSeconds: number;
  maxRetries: number;
  /** Null: every failure type. */
  failureTypes: FailureType[] | null;
}

/** One row of the decision log (see server/src/log). */
export interface LogRecord {
  index: number;
  taskId: Hex;
  /** The canonical entry, RFC 8785 JSON text. */
  entry: string;
  leafHash: Hex;
}

export interface GatewayStore {
  /** A value of the gateway's own state (block clock, key material paths …). */
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;
  /** Sets `key` unless it is set; resolves to the value it holds (first writer wins, across gateways). */
  initMeta(key: string, value: string): Promise<string>;

  /** Content-addressed bytes (Rego, wasm, schemas) by CIDv1; putting known content is a no-op. */
  putContent(cid: string, bytes: Uint8Array): Promise<void>;
  content(cid: string): Promise<Uint8Array | null>;

  /** The next value of a named counter (0, 1, 2 …), atomically. */
  nextSequence(name: string): Promise<bigint>;

  insertApiKey(key: ApiKeyRecord): Promise<void>;
  apiKeyByHash(hash: Hex): Promise<ApiKeyRecord | null>;

  /** The nonce `signer`'s next owner authorization must carry. */
  nonce(signer: Hex): Promise<number>;
  /** Consumes `nonce` if it is `signer`'s current one; false if not (a replay or a gap). */
  useNonce(signer: Hex, nonce: number): Promise<boolean>;

  /** False when the address is taken (published records are immutable). */
  insertPolicyData(record: PolicyDataRecord): Promise<boolean>;
  policyData(address: Hex): Promise<PolicyDataRecord | null>;
  insertPolicy(record: PolicyRecord): Promise<boolean>;
  policy(address: Hex): Promise<PolicyRecord | null>;

  /** False when the client is already registered. */
  insertPolicyClient(address: Hex, owner: Hex, registeredBlock: number, first: PolicyIdEntry): Promise<boolean>;
  policyClient(address: Hex): Promise<PolicyClientRecord | null>;
  /** Appends a `setPolicy` to the client's history (it becomes current). */
  appendPolicyId(client: Hex, entry: PolicyIdEntry): Promise<void>;
  policyIdHistory(client: Hex): Promise<PolicyIdEntry[]>;

  insertTask(record: TaskRecord): Promise<void>;
  task(taskId: Hex): Promise<TaskRecord | null>;
  /**
   * Records the finished task's result (and its attestation expiration when allowed); with
   * `logEntry`, appends it to the decision log in the same transaction (as appendLog does) and
   * resolves to its row.
   */
  finishTask(taskId: Hex, status: TaskStatus, result: Record<string, unknown>, expiration: number | null, logEntry?: Omit<LogRecord, 'index'>): Promise<LogRecord | null>;
  setTaskStatus(taskId: Hex, status: TaskStatus): Promise<void>;

  putWebhook(webhook: WebhookRecord): Promise<void>;
  /** False when the key had none. */
  deleteWebhook(keyId: string): Promise<boolean>;
  webhook(keyId: string): Promise<WebhookRecord | null>;

  /** Stores (replaces) the encrypted secrets envelope of (policy client, PolicyData). */
  putSecrets(client: Hex, policyData: Hex, envelope: string): Promise<void>;
  secrets(client: Hex, policyData: Hex): Promise<string | null>;

  /** The domain name an identity or confidential envelope was uploaded under (the privacy store keys by data_ref_id only). */
  putDataRefDomain(dataRefId: Hex, domain: string): Promise<void>;
  dataRefDomain(dataRefId: Hex): Promise<string | null>;

  /**
   * A store that keeps the attestation spent set itself (PostgreSQL, shared by several
   * gateways): marks `taskId` spent with its attestation hash unless it already is — exactly
   * once, by a unique key in one transaction — and says whether this call spent it. Without it
   * the gateway spends in the validator's own SQLite file (spent.db).
   */
  spendAttestation?(taskId: Hex, attestationHash: Hex): Promise<boolean>;

  /**
   * A store shared by several gateways counts requests for the rate limit: one more request by
   * `key` in its current fixed window of `windowMs`, atomically; resolves to the window's count
   * and the ms left in it. Without it each gateway counts in memory.
   */
  countRequest?(key: string, windowMs: number): Promise<{ current: number; ttl: number }>;

  /**
   * Appends decision-log entries in one transaction at the next indices, in order, skipping tasks
   * already logged; gateways sharing the database take the indices in turns (a lock), so they
   * append to one log. Resolves to the rows written.
   */
  appendLog(entries: Omit<LogRecord, 'index'>[]): Promise<LogRecord[]>;
  /** Up to `limit` log rows from index `from` on, in index order. */
  logEntries(from: number, limit: number): Promise<LogRecord[]>;
  logEntryByTask(taskId: Hex): Promise<LogRecord | null>;

  close(): Promise<void>;
}
