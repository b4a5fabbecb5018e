// Tasks over a real loopback socket with four in-process operators, on SQLite and on PostgreSQL:
// recorded request bodies (Newton's SDK form: no id, hex without 0x, explicit nulls; the positional
// camelCase form) replayed byte for byte with plain fetch; result shapes key for key; a failed task
// as a result with operator_errors and a signed webhook; newt_sendTask with progress over the
// WebSocket.
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PolicyDataHost, sealEnvelope } from '../bindings/dist/index.js';
import * as wat from './helpers/policy-data-wat.js';
import { OWNER, STORES, ok, openGateway, tempDir, type TestGateway } from './fixtures/gateway/harness.js';
import { CLIENT, publishSpendPolicy, registerClient, transferIntent } from './fixtures/gateway/registry.js';

const requests = path.join(import.meta.dirname, 'fixtures/gateway/requests');
const body = (name: string) => fs.readFileSync(path.join(requests, `${name}.json`), 'utf8');

describe.each(STORES)('tasks (%s store)', (store) => {
  let t: TestGateway;
  let base: string;
  beforeAll(async () => {
    // A fuel budget no test module exhausts and a 2 s wall clock: the task-timeout test's endless
    // loop then always outlives the task's 0.2 s timeout (with the default fuel it could run out
    // of fuel first, a failure of another kind).
    t = await openGateway({ operators: 4, host: new PolicyDataHost({ fuel: 1e11, timeoutMs: 2_000, cacheDir: tempDir('gw-wasm') }), store });
    const { policy } = await publishSpendPolicy(t);
    await registerClient(t, policy);
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => t.close());

  const post = (payload: string, key = t.readKey) =>
    fetch(`${base}/rpc`, { method: 'POST', body: payload, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` } });

  describe('newt_createTask over HTTP', () => {
    it("answers the SDK's exact request (no id, hex without 0x, explicit nulls) with Newton's result shape", async () => {
      const res = await post(body('create-task-sdk'));
      expect(res.status).toBe(200);
      const reply = await res.json();
      expect(reply.id).toBeNull();
      const r = reply.result;
      expect(Object.keys(r).sort()).toEqual(['aggregation_response', 'certificate', 'error', 'expiration', 'operator_errors', 'reference_block', 'signature_data', 'status', 'task', 'task_id', 'task_response', 'timestamp']);
      expect(r).toMatchObject({ status: 'success', aggregation_response: null, error: null, operator_errors: [] });
      expect(Object.keys(r.task).sort()).toEqual(['initializationTimestamp', 'intent', 'intentSignature', 'policyClient', 'quorumNumbers', 'quorumThresholdPercentage', 'taskCreatedBlock', 'taskId', 'wasmArgs']);
      expect(r.task.intentSignature).toMatch(/^0x[0-9a-f]{130}$/);
      expect(Buffer.from(r.task.wasmArgs.slice(2), 'hex').toString()).toBe('{"symbol":"ETH"}');
      expect(r.task.quorumNumbers).toBe('0x00');
      expect(r.task.intent).toMatchObject({ value: '0x0', chainId: '0xaa36a7' });
      const tr = r.task_response;
      expect(Object.keys(tr).sort()).toEqual(['evaluation_result', 'initialization_timestamp', 'intent', 'intent_signature', 'policy_address', 'policy_client', 'policy_config', 'policy_id', 'policy_task_data', 'task_id']);
      expect(tr.evaluation_result).toHaveLength(32);
      expect(tr.evaluation_result.at(-1)).toBe(1);
      expect(tr.initialization_timestamp).toMatch(/^0x[0-9a-f]+$/);
      expect(Object.keys(tr.policy_task_data).sort()).toEqual(['policy', 'policyAddress', 'policyData', 'policyId']);
      expect(Object.keys(tr.policy_task_data.policyData[0]).sort()).toEqual(['data', 'expireBlock', 'policyDataAddress', 'wasmArgs']);
      expect(Object.keys(tr.policy_config).sort()).toEqual(['expireAfter', 'policyParams']);
      expect(r.signature_data).toMatch(/^0x[0-9a-f]+$/);
      expect(r.certificate.signers.length).toBeGreaterThanOrEqual(3);
    });

    it('answers the positional, camelCase, 0x form with its UUID id and the requested threshold', async () => {
      const reply = await (await post(body('create-task-positional'))).json();
      expect(reply.id).toBe('0b7c2f5e-3c1a-4c59-a7d4-2f4b8a1e9d31');
      expect(reply.result.status).toBe('success');
      expect(reply.result.task.quorumThresholdPercentage).toBe(75);
      expect(reply.result.certificate.threshold).toBe(75);
    });

    it('refuses an intent signature that does not recover intent.from, and an intent on another chain', async () => {
      const reply = await (await post(body('create-task-bad-signature'))).json();
      expect(reply).toMatchObject({ id: null, error: { code: -32602, data: { code: 'NEWTON_ERR_INVALID_ARGUMENT' } } });
      const other = await t.rpc('newt_createTask', { policy_client: CLIENT, intent: { ...transferIntent(1n), chain_id: '0x1' } });
      expect(other.body.error.message).toContain("is not this gateway's chain");
      const nullValue = await t.rpc('newt_createTask', { policy_client: CLIENT, intent: { ...transferIntent(1n), value: null } });
      expect(nullValue.body.error).toMatchObject({ code: -32602, message: 'intent.value is required' }); // null is "not set", never 0
      const unknown = await t.rpc('newt_createTask', { policy_client: `0x${'99'.repeat(20)}`, intent: transferIntent(1n) });
      expect(unknown.body.error.data.code).toBe('NEWTON_ERR_NOT_FOUND');
    });

    it('a task that fails is a result: status failed, error, operator_errors from every operator, and a signed webhook', async () => {
      const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
      const hook = http.createServer((req, res) => {
        let text = '';
        req.on('data', (c) => (text += c)).on('end', () => (received.push({ headers: req.headers, body: text }), res.end('ok')));
      });
      await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
      try {
        await ok(t, 'newt_registerWebhook', { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`, secret: 'whsec', failure_types: null });
        const pd = await ok(t, 'newton_publishPolicyData', { owner: OWNER.address, wasm: Buffer.from(await wat.trap()).toString('hex'), expire_after: 5 });
        const policy = await ok(t, 'newton_publishPolicy', { owner: OWNER.address, policy: 'package p\nimport rego.v1\ndefault allow := true\n', entrypoint: 'p.allow', policy_data: [pd.policy_data_address] });
        const client = `0x${'c2'.repeat(20)}` as const;
        await registerClient(t, policy.policy_address, { max_amount: 1 }, client);
        const r = await ok(t, 'newt_createTask', { policy_client: client, intent: transferIntent(1n) });
        expect(Object.keys(r).sort()).toEqual(['aggregation_response', 'error', 'operator_errors', 'status', 'task_id', 'timestamp']);
        expect(r).toMatchObject({ status: 'failed', aggregation_response: null });
        expect(r.error.code).toMatch(/^NEWTON_ERR_/);
        expect(r.operator_errors).toHaveLength(4);
        for (const e of r.operator_errors) {
          expect(Object.keys(e).sort()).toEqual(['error_code', 'message', 'operator_address', 'operator_id', 'retryable', 'timestamp']);
          expect(e.error_code).toBe('NEWTON_ERR_POLICY_DATA_TRAP');
        }
        await expect.poll(() => received.length).toBe(1);
        const [{ headers, body: payload }] = received;
        expect(headers['x-newton-signature']).toBe(`sha256=${createHmac('sha256', 'whsec').update(payload!).digest('hex')}`);
        expect(headers['x-idempotency-key']).toBe(r.task_id);
        expect(r.error.code).toBe('NEWTON_ERR_INSUFFICIENT_QUORUM_STAKE');
        expect(JSON.parse(payload!)).toMatchObject({ task_id: r.task_id, failure_type: 'quorum_not_reached', error_message: r.error.message });
      } finally {
        await ok(t, 'newt_unregisterWebhook', {});
        hook.close();
      }
    });
  });

  describe('task timeouts', () => {
    it('a task past its timeout is a failed result naming the silent operators', async () => {
      const pd = await ok(t, 'newton_publishPolicyData', { owner: OWNER.address, wasm: Buffer.from(await wat.infiniteLoop()).toString('hex'), expire_after: 5 });
      const policy = await ok(t, 'newton_publishPolicy', { owner: OWNER.address, policy: 'package slow\nimport rego.v1\ndefault allow := true\n', entrypoint: 'slow.allow', policy_data: [pd.policy_data_address] });
      const client = `0x${'c4'.repeat(20)}` as const;
      await registerClient(t, policy.policy_address, { max_amount: 1 }, client);
      const started = Date.now();
      const r = await ok(t, 'newt_createTask', { policy_client: client, intent: transferIntent(1n), timeout: 0.2 });
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(r).toMatchObject({ status: 'failed', aggregation_response: null });
      expect(r.error.code).toMatch(/TIMEOUT/);
      expect(r.operator_errors.length).toBeGreaterThan(0);
    });
  });

  describe('private tasks', () => {
    it('ephemeral envelopes sealed to newt_getPrivacyPublicKey in wasm_args._newton.privacy reach the policy as data.privacy', async () => {
      const policy = await ok(t, 'newton_publishPolicy', { owner: OWNER.address, policy: 'package kyc\nimport rego.v1\ndefault allow := false\nallow if data.privacy.kyc_score >= 700\n', entrypoint: 'kyc.allow' });
      const client = `0x${'c3'.repeat(20)}` as const;
      await registerClient(t, policy.policy_address, { max_amount: 1 }, client);
      const { public_key } = await ok(t, 'newt_getPrivacyPublicKey', {});
      const decide = async (score: number) => {
        const envelope = await sealEnvelope({ kyc_score: score }, { recipientPublicKey: public_key, policyClient: client, chainId: 11155111 });
        const wasmArgs = Buffer.from(JSON.stringify({ _newton: { privacy: [envelope] } })).toString('hex');
        const r = await ok(t, 'newt_createTask', { policy_client: client, intent: transferIntent(1n), wasm_args: wasmArgs });
        expect(r.status).toBe('success');
        return r.task_response.evaluation_result.at(-1);
      };
      expect(await decide(800)).toBe(1);
      expect(await decide(600)).toBe(0);
    });
  });

  describe('newt_sendTask and the WebSocket', () => {
    const open = (key: string) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`${base.replace('http', 'ws')}/ws?api_key=${key}`);
        ws.once('open', () => resolve(ws)).once('error', reject);
      });

    it('returns at once with the subscription topic; the subscriber gets updates ending in the result', async () => {
      const ws = await open(t.readKey);
      const messages: any[] = [];
      ws.on('message', (m) => messages.push(JSON.parse(m.toString())));
      const reply = await (await post(body('send-task-sdk'))).json();
      expect(Object.keys(reply.result).sort()).toEqual(['message', 'subscription_topic', 'task_id', 'timestamp']);
      expect(reply.result.subscription_topic).toBe(`newton.task.${reply.result.task_id}`);
      ws.send(JSON.stringify({ type: 'subscribe', id: 'sub-1', method: reply.result.subscription_topic, params: null }));
      await expect.poll(() => messages.at(-1)?.result?.event, { timeout: 10_000 }).toBe('aggregated');
      const updates = messages.filter((m) => m.type === 'update');
      expect(messages[0]).toEqual({ type: 'subscribed', id: 'sub-1', subscription: 'sub-1' });
      for (const u of updates) {
        expect(u.subscription).toBe('sub-1');
        expect(Object.keys(u.result).sort()).toEqual(['data', 'event', 'task_id', 'timestamp']);
        expect(Object.keys(u.result.data).sort()).toEqual(['operator_responses', 'progress', 'result', 'status']);
      }
      const last = updates.at(-1).result;
      expect(last.data.result).toMatchObject({ status: 'success', task_id: reply.result.task_id });

      ws.send(JSON.stringify({ type: 'subscribe', id: 'sub-2', method: 'newton.task.0x1234', params: null }));
      ws.send('{not json');
      await expect.poll(() => messages.filter((m) => m.type === 'error').length).toBe(2);
      expect(messages.filter((m) => m.type === 'error').map((m) => m.error.code)).toEqual([-32602, -32700]);
      ws.close();
    });

    it('a subscription to a task that already ended gets its final update at once', async () => {
      const done = await ok(t, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(2n) });
      const ws = await open(t.readKey);
      const messages: any[] = [];
      ws.on('message', (m) => messages.push(JSON.parse(m.toString())));
      ws.send(JSON.stringify({ type: 'subscribe', id: 'late', method: `newton.task.${done.task_id}`, params: null }));
      await expect.poll(() => messages.length).toBe(2);
      expect(messages[0]).toMatchObject({ type: 'subscribed', id: 'late' });
      expect(messages[1]).toMatchObject({ type: 'update', subscription: 'late', result: { event: 'aggregated', task_id: done.task_id, data: { status: 'responded', result: { status: 'success', task_id: done.task_id } } } });
      ws.send(JSON.stringify({ type: 'subscribe', id: 'none', method: `newton.task.0x${'00'.repeat(32)}`, params: null }));
      await expect.poll(() => messages.length).toBe(3);
      expect(messages[2]).toMatchObject({ type: 'error', id: 'none', error: { data: { code: 'NEWTON_ERR_NOT_FOUND' } } });
      ws.close();
    });

    it('refuses the upgrade with a JSON 401 for a missing or wrong key', async () => {
      for (const query of ['', '?api_key=nwt_wrong']) {
        const refused = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
          const ws = new WebSocket(`${base.replace('http', 'ws')}/ws${query}`);
          ws.on('unexpected-response', (_req, res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c)).on('end', () => resolve({ status: res.statusCode, body: text }));
          });
          ws.on('open', () => reject(new Error('the upgrade was accepted')));
        });
        expect(refused.status).toBe(401);
        expect(JSON.parse(refused.body)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32002, data: { code: 'NEWTON_ERR_UNAUTHORIZED' } } });
      }
    });
  });
});
