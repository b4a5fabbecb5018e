// The GatewayStore contract, on SqliteStore and PostgresStore alike: immutable published records,
// atomic nonces and sequences, policyId history, task status, webhooks, secrets, content by id;
// reopening keeps everything; a newer schema is refused. Then PostgreSQL's own concern: several
// stores (gateways) on one database at once — nonces used once, sequences never shared, history
// appends ordered, attestations spent once, and one schema when they all migrate at open — and an
// older database brought up to date.
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { SqliteStore, type GatewayStore } from '../server/dist/index.js';
import { MIGRATIONS, migrate } from '../server/dist/store/migrations/index.js';
import { PostgresStore } from '../server/dist/store/postgres.js';
import { freshDatabase, tempDir } from './fixtures/gateway/harness.js';

const A = `0x${'aa'.repeat(20)}` as const;
const B = `0x${'BB'.repeat(20)}` as const;
const entry = (n: number) => ({ policyId: `0x${n.toString(16).padStart(64, '0')}` as const, policyAddress: A, policyParams: `{"n":${n}}`, expireAfter: 10 + n, block: 100 + n });

interface Fresh {
  store: GatewayStore;
  /** Opens the same file or database again. */
  reopen(): Promise<GatewayStore>;
  /** Marks it as written by schema `version` (the store must be closed). */
  stamp(version: number): Promise<void>;
}

const KINDS: [string, () => Promise<Fresh>][] = [
  ['SqliteStore', async () => {
    const file = path.join(tempDir('store'), 'gateway.db');
    return {
      store: new SqliteStore(file),
      reopen: async () => new SqliteStore(file),
      async stamp(version) {
        const db = new Database(file);
        db.pragma(`user_version = ${version}`);
        db.close();
      },
    };
  }],
  ['PostgresStore', async () => {
    const url = await freshDatabase();
    return {
      store: await PostgresStore.open(url),
      reopen: () => PostgresStore.open(url),
      stamp: async (version) => void (await sql(url, 'INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [version, 'from the future'])),
    };
  }],
];

async function connected<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const sql = (url: string, text: string, values: unknown[] = []) => connected(url, (client) => client.query(text, values));
const applied = async (url: string) => (await sql(url, 'SELECT version, name FROM schema_migrations ORDER BY version')).rows;
const ALL = MIGRATIONS.map(({ version, name }) => ({ version, name }));

describe.each(KINDS)('%s', (_name, fresh) => {
  it('nonces are consumed once, in order, case-insensitively', async () => {
    const { store } = await fresh();
    expect(await store.nonce(B)).toBe(0);
    expect(await store.useNonce(B, 1)).toBe(false); // a gap
    expect(await Promise.all([store.useNonce(B, 0), store.useNonce(B.toLowerCase() as `0x${string}`, 0)])).toEqual([true, false]);
    expect(await store.nonce(B.toLowerCase() as `0x${string}`)).toBe(1);
    expect(await store.useNonce(B, 2)).toBe(false);
    expect(await store.useNonce(B, 1.5)).toBe(false);
    expect(await store.useNonce(B, 1)).toBe(true);
    const seq = await Promise.all(Array.from({ length: 5 }, () => store.nextSequence('task')));
    expect(seq.sort()).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(await store.nextSequence('other')).toBe(0n);
    await store.close();
  });

  it('published records are immutable and content is kept by id', async () => {
    const { store } = await fresh();
    const pd = { address: B, owner: A, wasmCid: 'bafkpd', secretsSchema: { type: 'object' }, secretsSchemaCid: 'bafks', expireAfter: 5, metadataCid: '', publishedBlock: 100 };
    expect(await store.insertPolicyData(pd)).toBe(true);
    expect(await store.insertPolicyData({ ...pd, expireAfter: 6 })).toBe(false);
    expect(await store.policyData(B)).toEqual({ ...pd, address: B.toLowerCase() });
    const policy = { address: A, owner: B, source: 'package p', policyCid: 'bafkp', policyCodeHash: `0x${'11'.repeat(32)}` as const, entrypoint: 'p.allow', paramsSchema: null, schemaCid: '', policyData: [B], metadataCid: '', publishedBlock: 101 };
    expect(await store.insertPolicy(policy)).toBe(true);
    expect(await store.insertPolicy({ ...policy, source: 'other' })).toBe(false);
    expect(await store.policy(A)).toEqual({ ...policy, owner: B.toLowerCase(), policyData: [B.toLowerCase()] });
    expect(await store.policy(B)).toBeNull();
    await store.putContent('bafkx', new Uint8Array([1, 2, 3]));
    await store.putContent('bafkx', new Uint8Array([9]));
    expect(await store.content('bafkx')).toEqual(new Uint8Array([1, 2, 3]));
    await store.putContent('bafky', new Uint8Array([0, 7, 8, 255]).subarray(1, 3));
    expect(await store.content('bafky')).toEqual(new Uint8Array([7, 8]));
    expect(await store.content('nope')).toBeNull();
    await store.close();
  });

  it('keeps a client policyId history, tasks, webhooks, keys and secrets across a reopen', async () => {
    const { store, reopen } = await fresh();
    expect(await store.insertPolicyClient(B, A, 100, entry(0))).toBe(true);
    expect(await store.insertPolicyClient(B, A, 100, entry(9))).toBe(false);
    await store.appendPolicyId(B, entry(1));
    // Key order and "\u0000" survive as written; numbers stay numbers.
    const task = { taskId: `0x${'7A'.repeat(32)}` as const, policyClient: B, status: 'Created' as const, task: { z: 1, a: 'x\u0000y', n: [1.5, -2] }, result: null, expiration: null, createdAt: 1_700_000_000_123 };
    await store.insertTask(task);
    await store.finishTask(task.taskId, 'Responded', { status: 'success' }, 150);
    await store.putWebhook({ keyId: 'k', url: 'http://x/', secret: null, timeoutSeconds: 10, maxRetries: 3, failureTypes: ['timeout'] });
    await store.putWebhook({ keyId: 'k', url: 'http://y/', secret: null, timeoutSeconds: 10, maxRetries: 3, failureTypes: ['timeout'] });
    await store.putSecrets(B, A, '{"enc":"old"}');
    await store.putSecrets(B, A, '{"enc":"…"}');
    await store.putDataRefDomain(`0x${'cd'.repeat(32)}`, 'identity');
    await store.putDataRefDomain(`0x${'CD'.repeat(32)}`, 'other');
    await store.insertApiKey({ id: 'key1', hash: `0x${'ee'.repeat(32)}`, permissions: ['read', 'write'], owner: B, createdAt: 1_700_000_000_000 });
    await store.setMeta('clock.advanced', '6');
    await store.setMeta('clock.advanced', '7');
    expect(await store.initMeta('clock.genesis_ms', '1')).toBe('1');
    expect(await store.initMeta('clock.genesis_ms', '2')).toBe('1');
    await store.close();

    const again = await reopen();
    expect(await again.policyClient(B)).toEqual({ address: B.toLowerCase(), owner: A, registeredBlock: 100, current: entry(1) });
    expect(await again.policyClient(A)).toBeNull();
    expect(await again.policyIdHistory(B)).toEqual([entry(0), entry(1)]);
    const stored = await again.task(task.taskId.toLowerCase() as `0x${string}`);
    expect(stored).toEqual({ ...task, taskId: task.taskId.toLowerCase(), policyClient: B.toLowerCase(), status: 'Responded', result: { status: 'success' }, expiration: 150 });
    expect(Object.keys(stored!.task)).toEqual(['z', 'a', 'n']);
    await again.setTaskStatus(task.taskId, 'AttestationSpent');
    expect((await again.task(task.taskId))?.status).toBe('AttestationSpent');
    expect(await again.task(`0x${'00'.repeat(32)}`)).toBeNull();
    expect(await again.webhook('k')).toEqual({ keyId: 'k', url: 'http://y/', secret: null, timeoutSeconds: 10, maxRetries: 3, failureTypes: ['timeout'] });
    expect(await again.deleteWebhook('k')).toBe(true);
    expect(await again.deleteWebhook('k')).toBe(false);
    expect(await again.webhook('k')).toBeNull();
    expect(await again.secrets(B.toLowerCase() as `0x${string}`, A)).toBe('{"enc":"…"}');
    expect(await again.secrets(A, B)).toBeNull();
    expect(await again.dataRefDomain(`0x${'CD'.repeat(32)}`)).toBe('identity');
    expect(await again.apiKeyByHash(`0x${'ee'.repeat(32)}`)).toEqual({ id: 'key1', hash: `0x${'ee'.repeat(32)}`, permissions: ['read', 'write'], owner: B.toLowerCase(), createdAt: 1_700_000_000_000 });
    expect(await again.apiKeyByHash(`0x${'ff'.repeat(32)}`)).toBeNull();
    expect(await again.getMeta('clock.advanced')).toBe('7');
    expect(await again.getMeta('nope')).toBeNull();
    await again.close();
  });

  it('refuses a store written by a newer schema', async () => {
    const { store, reopen, stamp } = await fresh();
    await store.close();
    await stamp(99);
    await expect(reopen()).rejects.toThrow(/newer gateway \(schema 99, this one reads \d+\)/);
  });
});

describe('PostgresStore: several gateways on one database', () => {
  it('migrate at once to one schema, then use each nonce once, never share a sequence value, keep the history in order and spend once', async () => {
    const url = await freshDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.open(url)));
    expect(await applied(url)).toEqual(ALL);
    const [one, two] = stores as [PostgresStore, PostgresStore];
    await Promise.all(stores.slice(2).map((s) => s.close()));

    for (let nonce = 0; nonce < 5; nonce++) {
      const used = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? one : two).useNonce(B, nonce)));
      expect(used.filter(Boolean)).toHaveLength(1);
    }
    expect(await one.nonce(B)).toBe(5);

    const values = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? one : two).nextSequence('task')));
    expect(new Set(values).size).toBe(40);
    expect(values.reduce((max, v) => (v > max ? v : max))).toBe(39n);

    const inserted = await Promise.all([one, two, one, two].map((s, i) => s.insertPolicyClient(A, B, 100 + i, entry(0))));
    expect(inserted.filter(Boolean)).toHaveLength(1);
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? one : two).appendPolicyId(A, entry(i + 1))));
    const history = await one.policyIdHistory(A);
    expect(history).toHaveLength(11);
    expect(new Set(history.map((e) => e.block)).size).toBe(11);
    expect((await sql(url, 'SELECT seq FROM policy_ids ORDER BY seq')).rows.map((r) => r.seq)).toEqual(Array.from({ length: 11 }, (_, i) => i));

    const taskId = `0x${'5E'.repeat(32)}` as const;
    const spends = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? one : two).spendAttestation(i % 3 ? taskId : (taskId.toLowerCase() as `0x${string}`), `0x${'ab'.repeat(32)}`)));
    expect(spends.filter(Boolean)).toHaveLength(1);
    expect(await one.spendAttestation(`0x${'5f'.repeat(32)}`, `0x${'ab'.repeat(32)}`)).toBe(true);

    // The chain's genesis is set once: the first writer's value is every gateway's.
    const genesis = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? one : two).initMeta('clock.genesis_ms', String(i))));
    expect(new Set(genesis).size).toBe(1);
    expect(await one.getMeta('clock.genesis_ms')).toBe(genesis[0]);
    await Promise.all([one.close(), two.close()]);
  });

  it('brings a database an older gateway migrated up to date, keeping its records', async () => {
    const url = await freshDatabase();
    await connected(url, (client) => migrate(client, url, MIGRATIONS.slice(0, 1)));
    await sql(url, "INSERT INTO meta (key, value) VALUES ('clock.advanced', '3')");
    expect(await applied(url)).toEqual(ALL.slice(0, 1));
    const store = await PostgresStore.open(url);
    expect(await applied(url)).toEqual(ALL);
    expect(await store.getMeta('clock.advanced')).toBe('3');
    expect(await store.spendAttestation(`0x${'5e'.repeat(32)}`, `0x${'ab'.repeat(32)}`)).toBe(true);
    await store.close();
  });

  it('names the database when it cannot connect, and refuses what is not a postgres URL', async () => {
    const url = new URL(await freshDatabase());
    url.port = '1';
    await expect(PostgresStore.open(url.href)).rejects.toMatchObject({ code: 'NEWTON_ERR_STORE', message: expect.stringContaining(`cannot connect to the gateway database postgres://127.0.0.1:1${url.pathname}: ECONNREFUSED`) });
    await expect(PostgresStore.open('mysql://localhost/x')).rejects.toMatchObject({ code: 'NEWTON_ERR_INVALID_ARGUMENT' });
  });
});
