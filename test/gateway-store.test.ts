// The GatewayStore contract, on SqliteStore (a PostgreSQL store must pass the same): immutable
// published records, atomic nonces and sequences, policyId history, task status, webhooks,
// secrets, content by id; reopening keeps everything; a newer schema is refused.
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteStore, type GatewayStore } from '../server/dist/index.js';
import { tempDir } from './fixtures/gateway/harness.js';

const A = `0x${'aa'.repeat(20)}` as const;
const B = `0x${'BB'.repeat(20)}` as const;
const entry = (n: number) => ({ policyId: `0x${n.toString(16).padStart(64, '0')}` as const, policyAddress: A, policyParams: `{"n":${n}}`, expireAfter: 10 + n, block: 100 + n });

function fresh(): { store: GatewayStore; file: string } {
  const file = path.join(tempDir('store'), 'gateway.db');
  return { store: new SqliteStore(file), file };
}

describe('SqliteStore', () => {
  it('nonces are consumed once, in order, case-insensitively', async () => {
    const { store } = fresh();
    expect(await store.nonce(B)).toBe(0);
    expect(await store.useNonce(B, 1)).toBe(false); // a gap
    expect(await Promise.all([store.useNonce(B, 0), store.useNonce(B.toLowerCase() as `0x${string}`, 0)])).toEqual([true, false]);
    expect(await store.nonce(B.toLowerCase() as `0x${string}`)).toBe(1);
    const seq = await Promise.all(Array.from({ length: 5 }, () => store.nextSequence('task')));
    expect(seq).toEqual([0n, 1n, 2n, 3n, 4n]);
    await store.close();
  });

  it('published records are immutable and content is kept by id', async () => {
    const { store } = fresh();
    const pd = { address: B, owner: A, wasmCid: 'bafkpd', secretsSchema: { type: 'object' }, secretsSchemaCid: 'bafks', expireAfter: 5, metadataCid: '', publishedBlock: 100 };
    expect(await store.insertPolicyData(pd)).toBe(true);
    expect(await store.insertPolicyData({ ...pd, expireAfter: 6 })).toBe(false);
    expect(await store.policyData(B)).toEqual({ ...pd, address: B.toLowerCase() });
    const policy = { address: A, owner: B, source: 'package p', policyCid: 'bafkp', policyCodeHash: `0x${'11'.repeat(32)}` as const, entrypoint: 'p.allow', paramsSchema: null, schemaCid: '', policyData: [B], metadataCid: '', publishedBlock: 101 };
    expect(await store.insertPolicy(policy)).toBe(true);
    expect(await store.insertPolicy({ ...policy, source: 'other' })).toBe(false);
    expect((await store.policy(A))?.policyData).toEqual([B.toLowerCase()]);
    await store.putContent('bafkx', new Uint8Array([1, 2, 3]));
    await store.putContent('bafkx', new Uint8Array([9]));
    expect(await store.content('bafkx')).toEqual(new Uint8Array([1, 2, 3]));
    expect(await store.content('nope')).toBeNull();
    await store.close();
  });

  it('keeps a client policyId history, tasks, webhooks and secrets across a reopen', async () => {
    const { store, file } = fresh();
    expect(await store.insertPolicyClient(B, A, 100, entry(0))).toBe(true);
    expect(await store.insertPolicyClient(B, A, 100, entry(9))).toBe(false);
    await store.appendPolicyId(B, entry(1));
    const task = { taskId: `0x${'7a'.repeat(32)}` as const, policyClient: B, status: 'Created' as const, task: { taskId: 'x' }, result: null, expiration: null, createdAt: 1 };
    await store.insertTask(task);
    await store.finishTask(task.taskId, 'Responded', { status: 'success' }, 150);
    await store.putWebhook({ keyId: 'k', url: 'http://x/', secret: null, timeoutSeconds: 10, maxRetries: 3, failureTypes: ['timeout'] });
    await store.putSecrets(B, A, '{"enc":"…"}');
    await store.setMeta('clock.advanced', '7');
    await store.close();

    const again = new SqliteStore(file);
    expect((await again.policyClient(B))?.current).toEqual(entry(1));
    expect(await again.policyIdHistory(B)).toEqual([entry(0), entry(1)]);
    expect(await again.task(task.taskId)).toMatchObject({ status: 'Responded', result: { status: 'success' }, expiration: 150 });
    await again.setTaskStatus(task.taskId, 'AttestationSpent');
    expect((await again.task(task.taskId))?.status).toBe('AttestationSpent');
    expect(await again.webhook('k')).toMatchObject({ failureTypes: ['timeout'], secret: null });
    expect(await again.deleteWebhook('k')).toBe(true);
    expect(await again.deleteWebhook('k')).toBe(false);
    expect(await again.secrets(B.toLowerCase() as `0x${string}`, A)).toBe('{"enc":"…"}');
    expect(await again.getMeta('clock.advanced')).toBe('7');
    await again.close();
  });

  it('refuses a file written by a newer schema', async () => {
    const { store, file } = fresh();
    await store.close();
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => new SqliteStore(file)).toThrow(/newer gateway \(schema 99/);
  });
});
