// The decision log on a real gateway with four in-process operators, on SQLite and PostgreSQL:
// allowed, denied and failed tasks are logged (hashes, no plaintext), their inclusion proofs and
// consistency proofs verify against heads whose EIP-712 signatures viem recovers to the gateway,
// bad indices are JSON-RPC errors, a restart keeps the log, entries reach a --log-sink, and
// 10,000 appends racing real tasks (from two gateways on one PostgreSQL) leave one valid log.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { recoverTypedDataAddress } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TREE_HEAD_TYPED_DATA, logLeafHash, recoverTreeHeadSigner, treeHeadMessage, verifyLogConsistency, verifyLogInclusion, type Hex, type LogOutcome, type SignedTreeHead } from '../bindings/dist/index.js';
import * as wat from './helpers/policy-data-wat.js';
import { OWNER, STORES, freshDatabase, ok, openGateway, tempDir, type TestGateway } from './fixtures/gateway/harness.js';
import { CLIENT, publishSpendPolicy, registerClient, transferIntent } from './fixtures/gateway/registry.js';

const FAILING = `0x${'c2'.repeat(20)}` as const;

async function checkHead(t: TestGateway, head: SignedTreeHead): Promise<void> {
  expect(head.signer).toBe(t.gateway.account.address);
  expect(await recoverTypedDataAddress({ ...TREE_HEAD_TYPED_DATA, message: treeHeadMessage(head), signature: head.signature })).toBe(head.signer);
  expect(await recoverTreeHeadSigner(head, head.signature)).toBe(head.signer);
}

async function proveIncluded(t: TestGateway, taskId: Hex) {
  const found = await ok(t, 'newton_getLogEntry', { task_id: taskId });
  expect(found.leaf_hash).toBe(logLeafHash(found.entry_json));
  expect(JSON.parse(found.entry_json)).toEqual(found.entry);
  const p = await ok(t, 'newton_getInclusionProof', { task_id: taskId });
  expect(p).toMatchObject({ index: found.index, leaf_hash: found.leaf_hash, tree_size: p.signed_tree_head.tree_size });
  await checkHead(t, p.signed_tree_head);
  verifyLogInclusion(found.entry_json, found.index, p.signed_tree_head, p.proof);
  return found;
}

const synthetic = (i: number): LogOutcome => ({
  task_id: `0xee${i.toString(16).padStart(62, '0')}`, policy_client: CLIENT, policy_id: `0x${'ab'.repeat(32)}`, policy_address: CLIENT,
  policy_code_hash: `0x${'cd'.repeat(32)}`, intent: { n: i }, params: '{}', decision: 'failed', error_code: 'NEWTON_ERR_OPERATOR_TIMEOUT', timestamp: i,
});

describe.each(STORES)('decision log (%s store)', (store) => {
  let t: TestGateway;
  let database: string | undefined;
  const sunk: { signed_tree_head: SignedTreeHead; entries: { index: number; task_id: Hex; entry: string; leaf_hash: Hex }[] }[] = [];
  const sink = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c)).on('end', () => (sunk.push(JSON.parse(text)), res.end()));
  });
  const tasks: Record<'allowed' | 'denied' | 'failed', Hex> = {} as never;

  beforeAll(async () => {
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const logSink = { url: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/log`, flushMs: 20 };
    database = store === 'postgres' ? await freshDatabase() : undefined;
    t = await openGateway({ operators: 4, store, database, logSink });
    const { policy } = await publishSpendPolicy(t);
    await registerClient(t, policy);
    const pd = await ok(t, 'newton_publishPolicyData', { owner: OWNER.address, wasm: Buffer.from(await wat.trap()).toString('hex'), expire_after: 5 });
    const trapping = await ok(t, 'newton_publishPolicy', { owner: OWNER.address, policy: 'package p\nimport rego.v1\ndefault allow := true\n', entrypoint: 'p.allow', policy_data: [pd.policy_data_address] });
    await registerClient(t, trapping.policy_address, { max_amount: 1 }, FAILING);
  });
  afterAll(async () => {
    await t.close();
    sink.close();
  });

  it('logs allowed, denied and failed tasks with hashes, not the intent or params, each provably included', async () => {
    const allowed = await ok(t, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(1n) });
    const denied = await ok(t, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(5000n) });
    const failed = await ok(t, 'newt_createTask', { policy_client: FAILING, intent: transferIntent(1n) });
    expect([allowed.status, denied.status, failed.status]).toEqual(['success', 'success', 'failed']);
    Object.assign(tasks, { allowed: allowed.task_id, denied: denied.task_id, failed: failed.task_id });
    for (const [decision, taskId] of Object.entries(tasks)) {
      const { entry, entry_json: text } = await proveIncluded(t, taskId);
      expect(entry).toMatchObject({ version: 1, task_id: taskId, decision, policy_client: expect.any(String) });
      expect(text).not.toMatch(/a9059cbb|max_amount/);
      if (decision === 'failed') expect(entry).toMatchObject({ error_code: 'NEWTON_ERR_INSUFFICIENT_QUORUM_STAKE', certificate_hash: null });
      else expect(entry.certificate_hash).toMatch(/^0x[0-9a-f]{64}$/);
    }
    const byIndex = await ok(t, 'newton_getLogEntry', { index: 0 });
    expect(byIndex.entry.task_id).toBe(tasks.allowed);
  });

  it('proves consistency between heads, and answers bad indices and sizes with JSON-RPC errors', async () => {
    const head = await ok(t, 'newton_getSignedTreeHead', {});
    expect(head.tree_size).toBe(3);
    await checkHead(t, head);
    for (const first of [1, 2, 3]) {
      const { proof } = await ok(t, 'newton_getConsistencyProof', { first, second: 3 });
      const older = await ok(t, 'newton_getInclusionProof', { index: 0, tree_size: first });
      await checkHead(t, older.signed_tree_head);
      verifyLogConsistency(older.signed_tree_head, head, proof);
    }
    const errors: [string, unknown, string][] = [
      ['newton_getLogEntry', { index: 3 }, 'NEWTON_ERR_NOT_FOUND'],
      ['newton_getLogEntry', { task_id: `0x${'00'.repeat(32)}` }, 'NEWTON_ERR_NOT_FOUND'],
      ['newton_getLogEntry', { index: -1 }, 'NEWTON_ERR_INVALID_ARGUMENT'],
      ['newton_getLogEntry', { index: 1.5 }, 'NEWTON_ERR_INVALID_ARGUMENT'],
      ['newton_getInclusionProof', { index: 0, tree_size: 4 }, 'NEWTON_ERR_NOT_FOUND'],
      ['newton_getInclusionProof', { index: 2, tree_size: 2 }, 'NEWTON_ERR_NOT_FOUND'],
      ['newton_getConsistencyProof', { first: 3, second: 1 }, 'NEWTON_ERR_INVALID_ARGUMENT'],
      ['newton_getConsistencyProof', { first: 1, second: 1e15 }, 'NEWTON_ERR_NOT_FOUND'],
    ];
    for (const [method, params, code] of errors) {
      const { status, body } = await t.rpc(method, params, { key: t.readKey });
      expect(status, `${method} ${JSON.stringify(params)}`).toBe(200);
      expect(body.error.data.code, `${method} ${JSON.stringify(params)}`).toBe(code);
    }
    expect((await t.rpc('newton_getSignedTreeHead', {}, { key: null })).status).toBe(401);
  });

  it('ships entries to the log sink with a signed head covering them', async () => {
    await expect.poll(() => sunk.flatMap((b) => b.entries).length, { timeout: 5_000 }).toBe(3);
    for (const batch of sunk) {
      await checkHead(t, batch.signed_tree_head);
      for (const e of batch.entries) {
        expect(e.leaf_hash).toBe(logLeafHash(e.entry));
        const { proof } = await ok(t, 'newton_getInclusionProof', { index: e.index, tree_size: batch.signed_tree_head.tree_size });
        verifyLogInclusion(e.entry, e.index, batch.signed_tree_head, proof);
      }
    }
    expect(sunk.flatMap((b) => b.entries.map((e) => e.task_id)).sort()).toEqual(Object.values(tasks).sort());
  });

  it('keeps the log across a restart', async () => {
    const before = await ok(t, 'newton_getSignedTreeHead', {});
    await t.close();
    t = await openGateway({ operators: 4, store, database }, t.dir, t);
    const after = await ok(t, 'newton_getSignedTreeHead', {});
    expect(after).toMatchObject({ tree_size: before.tree_size, root_hash: before.root_hash, signer: before.signer });
    const next = await ok(t, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(2n) });
    const found = await proveIncluded(t, next.task_id);
    expect(found.index).toBe(before.tree_size);
    const grown = await ok(t, 'newton_getSignedTreeHead', {});
    verifyLogConsistency(before, grown, (await ok(t, 'newton_getConsistencyProof', { first: before.tree_size, second: grown.tree_size })).proof);
  });

  it('10,000 appends racing real tasks leave one dense log whose proofs verify', async () => {
    // On PostgreSQL a second gateway on the same database appends half of them.
    const other = database ? await openGateway({ store, database }, tempDir('gw2')) : t;
    const start = t.gateway.log.size;
    const appends = Array.from({ length: 10_000 }, (_, i) => (i % 2 && other !== t ? other : t).gateway.log.append(synthetic(i)));
    const running = Array.from({ length: 8 }, (_, i) => ok(t, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(BigInt(10 + i)) }));
    const [rows, results] = await Promise.all([Promise.all(appends), Promise.all(running)]);
    expect(results.every((r) => r.status === 'success')).toBe(true);
    const head = await ok(t, 'newton_getSignedTreeHead', {});
    expect(head.tree_size).toBe(start + 10_008);
    const indices = rows.map((r) => r!.index).sort((a, b) => a - b);
    expect(new Set(indices).size).toBe(10_000);
    for (let index = 0; index < head.tree_size; index += 487) {
      const found = await ok(t, 'newton_getLogEntry', { index });
      const { proof } = await ok(t, 'newton_getInclusionProof', { index, tree_size: head.tree_size });
      verifyLogInclusion(found.entry_json, index, head, proof);
    }
    for (const r of results) await proveIncluded(t, r.task_id);
    if (other !== t) {
      const seen = await ok(other, 'newton_getSignedTreeHead', {});
      expect(seen).toMatchObject({ tree_size: head.tree_size, root_hash: head.root_hash });
      await other.close();
    }
  }, 50_000);
});
