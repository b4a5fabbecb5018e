// GatewayStore on PostgreSQL (`pg`): what SqliteStore does, for gateways that share one database
// or outgrow one machine. The atomic operations are done by the database, one statement each where
// one suffices (nonces, sequences, first-writer-wins inserts), else a short transaction (policyId
// history). It keeps the attestation spent set too (spendAttestation), so gateways sharing the
// database never spend one attestation twice. The schema comes from ./migrations, applied at open.
import pg from 'pg';
import { NewtonError, type Hex } from 'newton-engine';
import { migrate } from './migrations/index.js';
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

/** Pool settings (`max` connections: default 10; `connectionTimeoutMillis`: default 10 s). */
export type PostgresStoreOptions = Omit<pg.PoolConfig, 'connectionString' | 'types'>;

const lower = (address: Hex) => address.toLowerCase() as Hex;
const jsonText = (value: unknown) => (value === null ? null : JSON.stringify(value));

/** int8 columns (blocks, nonces, times) as numbers; anything past 2^53 is an error, never a rounded value. */
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid !== pg.types.builtins.INT8) return pg.types.getTypeParser(oid, format);
    return (text: string) => {
      const n = Number(text);
      if (!Number.isSafeInteger(n)) throw new RangeError(`${text} does not fit a JavaScript number`);
      return n;
    };
  },
} as pg.CustomTypesConfig;

type Row = Record<string, any>;

export class PostgresStore implements GatewayStore {
  readonly #pool: pg.Pool;
  #closed = false;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /**
   * Connects to `connectionString` (postgres://user:password@host:port/database) and brings its
   * schema up to date; two gateways opening one database at once take turns (an advisory lock).
   */
  static async open(connectionString: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const where = describeDatabase(connectionString);
    const pool = new pg.Pool({ connectionTimeoutMillis: 10_000, ...options, connectionString, types: TYPES });
    // An idle connection the server dropped: the pool replaces it; without a listener Node would exit.
    pool.on('error', (err) => process.emitWarning(`${where}: ${err.message}`, 'NewtonStoreWarning'));
    try {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        throw new NewtonError({ code: 'NEWTON_ERR_STORE', message: `cannot connect to the gateway database ${where}: ${reason}` }, { cause: err });
      }
      try {
        await migrate(client, where);
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PostgresStore(pool);
  }

  async #rows(sql: string, values: unknown[]): Promise<Row[]> {
    return (await this.#pool.query(sql, values)).rows;
  }

  async #count(sql: string, values: unknown[]): Promise<number> {
    return (await this.#pool.query(sql, values)).rowCount ?? 0;
  }

  async #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async getMeta(key: string): Promise<string | null> {
    return (await this.#rows('SELECT value FROM meta WHERE key = $1', [key]))[0]?.value ?? null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.#pool.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  async initMeta(key: string, value: string): Promise<string> {
    await this.#pool.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value]);
    return (await this.getMeta(key))!;
  }

  async putContent(cid: string, bytes: Uint8Array): Promise<void> {
    await this.#pool.query('INSERT INTO content (cid, bytes) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [cid, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
  }

  async content(cid: string): Promise<Uint8Array | null> {
    const bytes = (await this.#rows('SELECT bytes FROM content WHERE cid = $1', [cid]))[0]?.bytes as Buffer | undefined;
    return bytes ? new Uint8Array(bytes) : null;
  }

  async nextSequence(name: string): Promise<bigint> {
    // Kept in meta as SqliteStore keeps it; the upsert holds the row lock, so callers never share a value.
    const [row] = await this.#rows(
      `INSERT INTO meta (key, value) VALUES ($1, '1') ON CONFLICT (key) DO UPDATE SET value = (meta.value::bigint + 1)::text RETURNING value`,
      [`seq.${name}`]);
    return BigInt(row!.value) - 1n;
  }

  async insertApiKey(key: ApiKeyRecord): Promise<void> {
    await this.#pool.query('INSERT INTO api_keys (id, hash, permissions, owner, created_at) VALUES ($1, $2, $3, $4, $5)',
      [key.id, key.hash, JSON.stringify(key.permissions), key.owner && lower(key.owner), key.createdAt]);
  }

  async apiKeyByHash(hash: Hex): Promise<ApiKeyRecord | null> {
    const [row] = await this.#rows('SELECT * FROM api_keys WHERE hash = $1', [hash]);
    if (!row) return null;
    return { id: row.id, hash, permissions: row.permissions, owner: row.owner, createdAt: row.created_at };
  }

  async nonce(signer: Hex): Promise<number> {
    return (await this.#rows('SELECT next FROM nonces WHERE signer = $1', [lower(signer)]))[0]?.next ?? 0;
  }

  async useNonce(signer: Hex, nonce: number): Promise<boolean> {
    if (!Number.isSafeInteger(nonce) || nonce < 0) return false;
    // A row exists once a signer's nonce 0 is used, so 0 is current exactly when there is none.
    // Concurrent uses of one nonce: the row lock makes the second UPDATE re-check `next` and miss.
    const changed = nonce === 0
      ? await this.#count('INSERT INTO nonces (signer, next) VALUES ($1, 1) ON CONFLICT DO NOTHING', [lower(signer)])
      : await this.#count('UPDATE nonces SET next = next + 1 WHERE signer = $1 AND next = $2', [lower(signer), nonce]);
    return changed === 1;
  }

  async insertPolicyData(r: PolicyDataRecord): Promise<boolean> {
    return (await this.#count(
      `INSERT INTO policy_data (address, owner, wasm_cid, secrets_schema, secrets_schema_cid, expire_after, metadata_cid, published_block)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
      [lower(r.address), lower(r.owner), r.wasmCid, jsonText(r.secretsSchema), r.secretsSchemaCid, r.expireAfter, r.metadataCid, r.publishedBlock],
    )) === 1;
  }

  async policyData(address: Hex): Promise<PolicyDataRecord | null> {
    const [row] = await this.#rows('SELECT * FROM policy_data WHERE address = $1', [lower(address)]);
    if (!row) return null;
    return {
      address: row.address, owner: row.owner, wasmCid: row.wasm_cid, secretsSchema: row.secrets_schema,
      secretsSchemaCid: row.secrets_schema_cid, expireAfter: row.expire_after, metadataCid: row.metadata_cid, publishedBlock: row.published_block,
    };
  }

  async insertPolicy(r: PolicyRecord): Promise<boolean> {
    return (await this.#count(
      `INSERT INTO policies (address, owner, source, policy_cid, policy_code_hash, entrypoint, params_schema, schema_cid, policy_data, metadata_cid, published_block)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
      [lower(r.address), lower(r.owner), r.source, r.policyCid, r.policyCodeHash, r.entrypoint, jsonText(r.paramsSchema),
        r.schemaCid, JSON.stringify(r.policyData.map(lower)), r.metadataCid, r.publishedBlock],
    )) === 1;
  }

  async policy(address: Hex): Promise<PolicyRecord | null> {
    const [row] = await this.#rows('SELECT * FROM policies WHERE address = $1', [lower(address)]);
    if (!row) return null;
    return {
      address: row.address, owner: row.owner, source: row.source, policyCid: row.policy_cid, policyCodeHash: row.policy_code_hash,
      entrypoint: row.entrypoint, paramsSchema: row.params_schema, schemaCid: row.schema_cid, policyData: row.policy_data,
      metadataCid: row.metadata_cid, publishedBlock: row.published_block,
    };
  }

  async insertPolicyClient(address: Hex, owner: Hex, registeredBlock: number, first: PolicyIdEntry): Promise<boolean> {
    // One statement: the history's first entry is written only by the insert that registered the client.
    return (await this.#count(
      `WITH registered AS (
         INSERT INTO policy_clients (address, owner, registered_block) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING address)
       INSERT INTO policy_ids (client, seq, policy_id, policy_address, policy_params, expire_after, block)
       SELECT address, (SELECT COALESCE(MAX(seq), -1) + 1 FROM policy_ids WHERE client = $1), $4, $5, $6, $7::bigint, $8::bigint FROM registered`,
      [lower(address), lower(owner), registeredBlock, first.policyId, lower(first.policyAddress), first.policyParams, first.expireAfter, first.block],
    )) === 1;
  }

  async policyClient(address: Hex): Promise<PolicyClientRecord | null> {
    const [row] = await this.#rows('SELECT * FROM policy_clients WHERE address = $1', [lower(address)]);
    if (!row) return null;
    const [last] = await this.#rows('SELECT * FROM policy_ids WHERE client = $1 ORDER BY seq DESC LIMIT 1', [lower(address)]);
    return { address: row.address, owner: row.owner, registeredBlock: row.registered_block, current: entry(last!) };
  }

  async appendPolicyId(client: Hex, e: PolicyIdEntry): Promise<void> {
    // The client's row lock orders concurrent appends; each then reads the history as committed.
    await this.#transaction(async (tx) => {
      await tx.query('SELECT 1 FROM policy_clients WHERE address = $1 FOR UPDATE', [lower(client)]);
      await tx.query(
        `INSERT INTO policy_ids (client, seq, policy_id, policy_address, policy_params, expire_after, block)
         VALUES ($1, (SELECT COALESCE(MAX(seq), -1) + 1 FROM policy_ids WHERE client = $1), $2, $3, $4, $5, $6)`,
        [lower(client), e.policyId, lower(e.policyAddress), e.policyParams, e.expireAfter, e.block]);
    });
  }

  async policyIdHistory(client: Hex): Promise<PolicyIdEntry[]> {
    return (await this.#rows('SELECT * FROM policy_ids WHERE client = $1 ORDER BY seq', [lower(client)])).map(entry);
  }

  async insertTask(r: TaskRecord): Promise<void> {
    await this.#pool.query('INSERT INTO tasks (task_id, policy_client, status, task, result, expiration, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [r.taskId.toLowerCase(), lower(r.policyClient), r.status, JSON.stringify(r.task), jsonText(r.result), r.expiration, r.createdAt]);
  }

  async task(taskId: Hex): Promise<TaskRecord | null> {
    const [row] = await this.#rows('SELECT * FROM tasks WHERE task_id = $1', [taskId.toLowerCase()]);
    if (!row) return null;
    return {
      taskId: row.task_id, policyClient: row.policy_client, status: row.status as TaskStatus, task: row.task, result: row.result,
      expiration: row.expiration, createdAt: row.created_at,
    };
  }

  async finishTask(taskId: Hex, status: TaskStatus, result: Record<string, unknown>, expiration: number | null, logEntry?: Omit<LogRecord, 'index'>): Promise<LogRecord | null> {
    const values = [status, JSON.stringify(result), expiration, taskId.toLowerCase()];
    if (!logEntry) {
      await this.#pool.query('UPDATE tasks SET status = $1, result = $2, expiration = $3 WHERE task_id = $4', values);
      return null;
    }
    // One statement: the update runs to completion whatever the select reads.
    const { rows } = await this.#pool.query(`WITH finished AS (UPDATE tasks SET status = $1, result = $2, expiration = $3 WHERE task_id = $4)
      SELECT log_index, log_task_id FROM decision_log_append($5, $6, $7)`, [...values, ...appendArgs([logEntry])]);
    return written([logEntry], rows)[0] ?? null;
  }

  async setTaskStatus(taskId: Hex, status: TaskStatus): Promise<void> {
    await this.#pool.query('UPDATE tasks SET status = $1 WHERE task_id = $2', [status, taskId.toLowerCase()]);
  }

  async putWebhook(w: WebhookRecord): Promise<void> {
    await this.#pool.query(
      `INSERT INTO webhooks (key_id, url, secret, timeout_seconds, max_retries, failure_types) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (key_id) DO UPDATE SET url = excluded.url, secret = excluded.secret, timeout_seconds = excluded.timeout_seconds,
       max_retries = excluded.max_retries, failure_types = excluded.failure_types`,
      [w.keyId, w.url, w.secret, w.timeoutSeconds, w.maxRetries, jsonText(w.failureTypes)]);
  }

  async deleteWebhook(keyId: string): Promise<boolean> {
    return (await this.#count('DELETE FROM webhooks WHERE key_id = $1', [keyId])) === 1;
  }

  async webhook(keyId: string): Promise<WebhookRecord | null> {
    const [row] = await this.#rows('SELECT * FROM webhooks WHERE key_id = $1', [keyId]);
    if (!row) return null;
    return { keyId, url: row.url, secret: row.secret, timeoutSeconds: row.timeout_seconds, maxRetries: row.max_retries, failureTypes: row.failure_types };
  }

  async putSecrets(client: Hex, policyData: Hex, envelope: string): Promise<void> {
    await this.#pool.query(
      'INSERT INTO secrets (client, policy_data, envelope) VALUES ($1, $2, $3) ON CONFLICT (client, policy_data) DO UPDATE SET envelope = excluded.envelope',
      [lower(client), lower(policyData), envelope]);
  }

  async secrets(client: Hex, policyData: Hex): Promise<string | null> {
    return (await this.#rows('SELECT envelope FROM secrets WHERE client = $1 AND policy_data = $2', [lower(client), lower(policyData)]))[0]?.envelope ?? null;
  }

  async putDataRefDomain(dataRefId: Hex, domain: string): Promise<void> {
    await this.#pool.query('INSERT INTO data_ref_domains (data_ref_id, domain) VALUES ($1, $2) ON CONFLICT DO NOTHING', [dataRefId.toLowerCase(), domain]);
  }

  async dataRefDomain(dataRefId: Hex): Promise<string | null> {
    return (await this.#rows('SELECT domain FROM data_ref_domains WHERE data_ref_id = $1', [dataRefId.toLowerCase()]))[0]?.domain ?? null;
  }

  /** Exactly once across every gateway on this database: the primary key decides, in one statement. */
  async countRequest(key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
    const now = Date.now();
    const [row] = await this.#rows(
      `INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN rate_limits.window_start + $3 <= $2 THEN 1 ELSE rate_limits.count + 1 END,
         window_start = CASE WHEN rate_limits.window_start + $3 <= $2 THEN $2 ELSE rate_limits.window_start END
       RETURNING count, window_start`,
      [key, now, windowMs],
    );
    return { current: Number(row!.count), ttl: Math.max(0, Number(row!.window_start) + windowMs - now) };
  }

  async spendAttestation(taskId: Hex, attestationHash: Hex): Promise<boolean> {
    return (await this.#count('INSERT INTO spent_attestations (task_id, attestation_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [taskId.toLowerCase(), attestationHash.toLowerCase()])) === 1;
  }

  async appendLog(entries: Omit<LogRecord, 'index'>[]): Promise<LogRecord[]> {
    if (entries.length === 0) return [];
    const { rows } = await this.#pool.query('SELECT log_index, log_task_id FROM decision_log_append($1, $2, $3)', appendArgs(entries));
    return written(entries, rows);
  }

  async logEntries(from: number, limit: number): Promise<LogRecord[]> {
    return (await this.#rows('SELECT idx, task_id, entry, leaf_hash FROM decision_log WHERE idx >= $1 ORDER BY idx LIMIT $2', [from, limit])).map(logRecord);
  }

  async logEntryByTask(taskId: Hex): Promise<LogRecord | null> {
    const [row] = await this.#rows('SELECT idx, task_id, entry, leaf_hash FROM decision_log WHERE task_id = $1', [lower(taskId)]);
    return row ? logRecord(row) : null;
  }

  /** Ends the pool (once; later calls are no-ops, later queries fail). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}

/** decision_log_append's arrays (migration 4): task ids, entries, leaf hashes. */
const appendArgs = (entries: Omit<LogRecord, 'index'>[]) => [entries.map((e) => lower(e.taskId)), entries.map((e) => e.entry), entries.map((e) => e.leafHash)];

/** The rows decision_log_append wrote, as records. */
function written(entries: Omit<LogRecord, 'index'>[], rows: Row[]): LogRecord[] {
  const byTask = new Map(entries.map((e) => [lower(e.taskId), e]));
  return rows.map((r) => ({ index: Number(r.log_index), taskId: r.log_task_id, entry: byTask.get(r.log_task_id)!.entry, leafHash: byTask.get(r.log_task_id)!.leafHash }));
}

const logRecord = (r: Row): LogRecord => ({ index: r.idx, taskId: r.task_id, entry: r.entry, leafHash: r.leaf_hash });

function entry(row: Row): PolicyIdEntry {
  return { policyId: row.policy_id, policyAddress: row.policy_address, policyParams: row.policy_params, expireAfter: row.expire_after, block: row.block };
}

/** `postgres://host:port/database` (no credentials) for messages; anything but a postgres URL is refused. */
function describeDatabase(connectionString: string): string {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: 'the gateway database must be a postgres://user:password@host:port/database URL' });
  }
  return `postgres://${url.host}${url.pathname}`;
}
