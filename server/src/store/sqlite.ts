// GatewayStore on SQLite (better-sqlite3): one file in the data directory, WAL, synchronous=FULL
// (nonces and task status guard against replays, so no acknowledged write may be lost).
import Database from 'better-sqlite3';
import type { Hex } from 'newton-engine';
import type {
  ApiKeyRecord,
  GatewayStore,
  PolicyClientRecord,
  PolicyDataRecord,
  PolicyIdEntry,
  PolicyRecord,
  LogRecord,
  TaskRecord,
  TaskStatus,
  WebhookRecord,
} from './store.js';

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS content (cid TEXT PRIMARY KEY, bytes BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, permissions TEXT NOT NULL, owner TEXT, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS nonces (signer TEXT PRIMARY KEY, next INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS policy_data (address TEXT PRIMARY KEY, owner TEXT NOT NULL, wasm_cid TEXT NOT NULL,
  secrets_schema TEXT, secrets_schema_cid TEXT NOT NULL, expire_after INTEGER NOT NULL, metadata_cid TEXT NOT NULL, published_block INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS policies (address TEXT PRIMARY KEY, owner TEXT NOT NULL, source TEXT NOT NULL, policy_cid TEXT NOT NULL,
  policy_code_hash TEXT NOT NULL, entrypoint TEXT NOT NULL, params_schema TEXT, schema_cid TEXT NOT NULL, policy_data TEXT NOT NULL,
  metadata_cid TEXT NOT NULL, published_block INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS policy_clients (address TEXT PRIMARY KEY, owner TEXT NOT NULL, registered_block INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS policy_ids (client TEXT NOT NULL, seq INTEGER NOT NULL, policy_id TEXT NOT NULL, policy_address TEXT NOT NULL,
  policy_params TEXT NOT NULL, expire_after INTEGER NOT NULL, block INTEGER NOT NULL, PRIMARY KEY (client, seq));
CREATE TABLE IF NOT EXISTS tasks (task_id TEXT PRIMARY KEY, policy_client TEXT NOT NULL, status TEXT NOT NULL, task TEXT NOT NULL,
  result TEXT, expiration INTEGER, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS webhooks (key_id TEXT PRIMARY KEY, url TEXT NOT NULL, secret TEXT, timeout_seconds INTEGER NOT NULL,
  max_retries INTEGER NOT NULL, failure_types TEXT);
CREATE TABLE IF NOT EXISTS data_ref_domains (data_ref_id TEXT PRIMARY KEY, domain TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS secrets (client TEXT NOT NULL, policy_data TEXT NOT NULL, envelope TEXT NOT NULL, PRIMARY KEY (client, policy_data));
CREATE TABLE IF NOT EXISTS decision_log (idx INTEGER PRIMARY KEY, task_id TEXT NOT NULL UNIQUE, entry TEXT NOT NULL, leaf_hash TEXT NOT NULL);
`;

const lower = (address: Hex) => address.toLowerCase() as Hex;
const json = (text: string | null) => (text === null ? null : JSON.parse(text));

type Row = Record<string, unknown>;

export class SqliteStore implements GatewayStore {
  readonly #db: Database.Database;
  readonly #stmts = new Map<string, Database.Statement>();

  constructor(file: string) {
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      db.close();
      throw new Error(`${file} was written by a newer gateway (schema ${version}, this one reads ${SCHEMA_VERSION})`);
    }
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    this.#db = db;
  }

  #stmt(sql: string): Database.Statement {
    let stmt = this.#stmts.get(sql);
    if (!stmt) this.#stmts.set(sql, (stmt = this.#db.prepare(sql)));
    return stmt;
  }

  #get(sql: string, ...args: unknown[]): Row | undefined {
    return this.#stmt(sql).get(...args) as Row | undefined;
  }

  async getMeta(key: string): Promise<string | null> {
    return (this.#get('SELECT value FROM meta WHERE key = ?', key)?.value as string | undefined) ?? null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.#stmt('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  async initMeta(key: string, value: string): Promise<string> {
    this.#stmt('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, value);
    return (await this.getMeta(key))!;
  }

  async putContent(cid: string, bytes: Uint8Array): Promise<void> {
    this.#stmt('INSERT INTO content (cid, bytes) VALUES (?, ?) ON CONFLICT DO NOTHING').run(cid, Buffer.from(bytes));
  }

  async content(cid: string): Promise<Uint8Array | null> {
    const bytes = this.#get('SELECT bytes FROM content WHERE cid = ?', cid)?.bytes as Buffer | undefined;
    return bytes ? new Uint8Array(bytes) : null;
  }

  async nextSequence(name: string): Promise<bigint> {
    const row = this.#stmt(
      `INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) RETURNING value`,
    ).get(`seq.${name}`) as { value: string };
    return BigInt(row.value) - 1n;
  }

  async insertApiKey(key: ApiKeyRecord): Promise<void> {
    this.#stmt('INSERT INTO api_keys (id, hash, permissions, owner, created_at) VALUES (?, ?, ?, ?, ?)').run(
      key.id, key.hash, JSON.stringify(key.permissions), key.owner && lower(key.owner), key.createdAt);
  }

  async apiKeyByHash(hash: Hex): Promise<ApiKeyRecord | null> {
    const row = this.#get('SELECT * FROM api_keys WHERE hash = ?', hash);
    if (!row) return null;
    return { id: row.id as string, hash, permissions: JSON.parse(row.permissions as string), owner: row.owner as Hex | null, createdAt: row.created_at as number };
  }

  async nonce(signer: Hex): Promise<number> {
    return (this.#get('SELECT next FROM nonces WHERE signer = ?', lower(signer))?.next as number | undefined) ?? 0;
  }

  async useNonce(signer: Hex, nonce: number): Promise<boolean> {
    const use = this.#db.transaction(() => {
      const current = (this.#get('SELECT next FROM nonces WHERE signer = ?', lower(signer))?.next as number | undefined) ?? 0;
      if (current !== nonce) return false;
      this.#stmt('INSERT INTO nonces (signer, next) VALUES (?, ?) ON CONFLICT (signer) DO UPDATE SET next = excluded.next').run(lower(signer), nonce + 1);
      return true;
    });
    return use.immediate();
  }

  async insertPolicyData(r: PolicyDataRecord): Promise<boolean> {
    const { changes } = this.#stmt(
      `INSERT INTO policy_data (address, owner, wasm_cid, secrets_schema, secrets_schema_cid, expire_after, metadata_cid, published_block)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ).run(lower(r.address), lower(r.owner), r.wasmCid, r.secretsSchema && JSON.stringify(r.secretsSchema),
      r.secretsSchemaCid, r.expireAfter, r.metadataCid, r.publishedBlock);
    return changes === 1;
  }

  async policyData(address: Hex): Promise<PolicyDataRecord | null> {
    const row = this.#get('SELECT * FROM policy_data WHERE address = ?', lower(address));
    if (!row) return null;
    return {
      address: row.address as Hex, owner: row.owner as Hex, wasmCid: row.wasm_cid as string,
      secretsSchema: json(row.secrets_schema as string | null),
      secretsSchemaCid: row.secrets_schema_cid as string, expireAfter: row.expire_after as number,
      metadataCid: row.metadata_cid as string, publishedBlock: row.published_block as number,
    };
  }

  async insertPolicy(r: PolicyRecord): Promise<boolean> {
    const { changes } = this.#stmt(
      `INSERT INTO policies (address, owner, source, policy_cid, policy_code_hash, entrypoint, params_schema, schema_cid, policy_data, metadata_cid, published_block)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ).run(lower(r.address), lower(r.owner), r.source, r.policyCid, r.policyCodeHash, r.entrypoint, r.paramsSchema && JSON.stringify(r.paramsSchema),
      r.schemaCid, JSON.stringify(r.policyData.map(lower)), r.metadataCid, r.publishedBlock);
    return changes === 1;
  }

  async policy(address: Hex): Promise<PolicyRecord | null> {
    const row = this.#get('SELECT * FROM policies WHERE address = ?', lower(address));
    if (!row) return null;
    return {
      address: row.address as Hex, owner: row.owner as Hex, source: row.source as string, policyCid: row.policy_cid as string,
      policyCodeHash: row.policy_code_hash as Hex, entrypoint: row.entrypoint as string,
      paramsSchema: json(row.params_schema as string | null), schemaCid: row.schema_cid as string,
      policyData: JSON.parse(row.policy_data as string), metadataCid: row.metadata_cid as string,
      publishedBlock: row.published_block as number,
    };
  }

  async insertPolicyClient(address: Hex, owner: Hex, registeredBlock: number, first: PolicyIdEntry): Promise<boolean> {
    const insert = this.#db.transaction(() => {
      const { changes } = this.#stmt('INSERT INTO policy_clients (address, owner, registered_block) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
        .run(lower(address), lower(owner), registeredBlock);
      if (changes === 1) this.#append(address, first);
      return changes === 1;
    });
    return insert.immediate();
  }

  #append(client: Hex, e: PolicyIdEntry): void {
    this.#stmt(
      `INSERT INTO policy_ids (client, seq, policy_id, policy_address, policy_params, expire_after, block)
       VALUES (?, (SELECT COALESCE(MAX(seq), -1) + 1 FROM policy_ids WHERE client = ?), ?, ?, ?, ?, ?)`,
    ).run(lower(client), lower(client), e.policyId, lower(e.policyAddress), e.policyParams, e.expireAfter, e.block);
  }

  async policyClient(address: Hex): Promise<PolicyClientRecord | null> {
    const row = this.#get('SELECT * FROM policy_clients WHERE address = ?', lower(address));
    if (!row) return null;
    const last = this.#get('SELECT * FROM policy_ids WHERE client = ? ORDER BY seq DESC LIMIT 1', lower(address));
    return { address: row.address as Hex, owner: row.owner as Hex, registeredBlock: row.registered_block as number, current: entry(last!) };
  }

  async appendPolicyId(client: Hex, e: PolicyIdEntry): Promise<void> {
    this.#db.transaction(() => this.#append(client, e)).immediate();
  }

  async policyIdHistory(client: Hex): Promise<PolicyIdEntry[]> {
    return (this.#stmt('SELECT * FROM policy_ids WHERE client = ? ORDER BY seq').all(lower(client)) as Row[]).map(entry);
  }

  async insertTask(r: TaskRecord): Promise<void> {
    this.#stmt('INSERT INTO tasks (task_id, policy_client, status, task, result, expiration, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      r.taskId.toLowerCase(), lower(r.policyClient), r.status, JSON.stringify(r.task), r.result && JSON.stringify(r.result), r.expiration, r.createdAt);
  }

  async task(taskId: Hex): Promise<TaskRecord | null> {
    const row = this.#get('SELECT * FROM tasks WHERE task_id = ?', taskId.toLowerCase());
    if (!row) return null;
    return {
      taskId: row.task_id as Hex, policyClient: row.policy_client as Hex, status: row.status as TaskStatus,
      task: JSON.parse(row.task as string), result: json(row.result as string | null),
      expiration: row.expiration as number | null, createdAt: row.created_at as number,
    };
  }

  async finishTask(taskId: Hex, status: TaskStatus, result: Record<string, unknown>, expiration: number | null, logEntry?: Omit<LogRecord, 'index'>): Promise<LogRecord | null> {
    const finish = this.#db.transaction(() => {
      this.#stmt('UPDATE tasks SET status = ?, result = ?, expiration = ? WHERE task_id = ?').run(status, JSON.stringify(result), expiration, taskId.toLowerCase());
      return logEntry ? (this.#appendLog([logEntry])[0] ?? null) : null;
    });
    return finish.immediate();
  }

  async setTaskStatus(taskId: Hex, status: TaskStatus): Promise<void> {
    this.#stmt('UPDATE tasks SET status = ? WHERE task_id = ?').run(status, taskId.toLowerCase());
  }

  async putWebhook(w: WebhookRecord): Promise<void> {
    this.#stmt(
      `INSERT INTO webhooks (key_id, url, secret, timeout_seconds, max_retries, failure_types) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (key_id) DO UPDATE SET url = excluded.url, secret = excluded.secret, timeout_seconds = excluded.timeout_seconds,
       max_retries = excluded.max_retries, failure_types = excluded.failure_types`,
    ).run(w.keyId, w.url, w.secret, w.timeoutSeconds, w.maxRetries, w.failureTypes && JSON.stringify(w.failureTypes));
  }

  async deleteWebhook(keyId: string): Promise<boolean> {
    return this.#stmt('DELETE FROM webhooks WHERE key_id = ?').run(keyId).changes === 1;
  }

  async webhook(keyId: string): Promise<WebhookRecord | null> {
    const row = this.#get('SELECT * FROM webhooks WHERE key_id = ?', keyId);
    if (!row) return null;
    return {
      keyId, url: row.url as string, secret: row.secret as string | null, timeoutSeconds: row.timeout_seconds as number,
      maxRetries: row.max_retries as number, failureTypes: json(row.failure_types as string | null),
    };
  }

  async putSecrets(client: Hex, policyData: Hex, envelope: string): Promise<void> {
    this.#stmt('INSERT INTO secrets (client, policy_data, envelope) VALUES (?, ?, ?) ON CONFLICT (client, policy_data) DO UPDATE SET envelope = excluded.envelope')
      .run(lower(client), lower(policyData), envelope);
  }

  async secrets(client: Hex, policyData: Hex): Promise<string | null> {
    return (this.#get('SELECT envelope FROM secrets WHERE client = ? AND policy_data = ?', lower(client), lower(policyData))?.envelope as string | undefined) ?? null;
  }

  async putDataRefDomain(dataRefId: Hex, domain: string): Promise<void> {
    this.#stmt('INSERT INTO data_ref_domains (data_ref_id, domain) VALUES (?, ?) ON CONFLICT DO NOTHING').run(dataRefId.toLowerCase(), domain);
  }

  async dataRefDomain(dataRefId: Hex): Promise<string | null> {
    return (this.#get('SELECT domain FROM data_ref_domains WHERE data_ref_id = ?', dataRefId.toLowerCase())?.domain as string | undefined) ?? null;
  }

  async appendLog(entries: Omit<LogRecord, 'index'>[]): Promise<LogRecord[]> {
    return this.#db.transaction(() => this.#appendLog(entries)).immediate();
  }

  /** Inside a transaction: the entries at the next indices, skipping tasks already logged. */
  #appendLog(entries: Omit<LogRecord, 'index'>[]): LogRecord[] {
    let next = this.#get('SELECT COALESCE(MAX(idx) + 1, 0) AS next FROM decision_log')!.next as number;
    const written: LogRecord[] = [];
    for (const e of entries) {
      const row = { index: next, taskId: lower(e.taskId), entry: e.entry, leafHash: e.leafHash };
      const { changes } = this.#stmt('INSERT INTO decision_log (idx, task_id, entry, leaf_hash) VALUES (?, ?, ?, ?) ON CONFLICT (task_id) DO NOTHING')
        .run(row.index, row.taskId, row.entry, row.leafHash);
      if (changes === 0) continue; // already logged
      written.push(row);
      next += 1;
    }
    return written;
  }

  async logEntries(from: number, limit: number): Promise<LogRecord[]> {
    return (this.#stmt('SELECT idx, task_id, entry, leaf_hash FROM decision_log WHERE idx >= ? ORDER BY idx LIMIT ?').all(from, limit) as Row[]).map(logRecord);
  }

  async logEntryByTask(taskId: Hex): Promise<LogRecord | null> {
    const row = this.#get('SELECT idx, task_id, entry, leaf_hash FROM decision_log WHERE task_id = ?', lower(taskId));
    return row ? logRecord(row) : null;
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}

function entry(row: Row): PolicyIdEntry {
  return {
    policyId: row.policy_id as Hex, policyAddress: row.policy_address as Hex, policyParams: row.policy_params as string,
    expireAfter: row.expire_after as number, block: row.block as number,
  };
}

const logRecord = (r: Row): LogRecord => ({ index: r.idx as number, taskId: r.task_id as Hex, entry: r.entry as string, leafHash: r.leaf_hash as Hex });
