// The JSON-RPC layer through app.inject: ids (absent, string, number, null), envelopes and
// batches, params as object / positional array / {} / null, unknown keys, address casing and hex
// without 0x, explicit nulls kept as "not set", permissions, and a JSON-RPC body at every HTTP
// status (400, 401, 403, 404, 413, 429, 500); on each store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER, STORES, ok, openGateway, type TestGateway } from './fixtures/gateway/harness.js';

describe.each(STORES)('%s store', (store) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await openGateway({ store });
  });
  afterAll(() => t.close());

  const post = (payload: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/rpc', payload, headers: { 'content-type': 'application/json', authorization: `Bearer ${t.readKey}`, ...headers } });

  describe('JSON-RPC envelope', () => {
    it('answers id-less requests with id null and echoes string, number and null ids', async () => {
      for (const [id, echoed] of [[undefined, null], ['6f1c4a1e-8a43-4a59-9b8e-0c3b1d7f2a10', '6f1c4a1e-8a43-4a59-9b8e-0c3b1d7f2a10'], [7, 7], [null, null]] as const) {
        const { status, body } = await t.rpc('newt_getPrivacyPublicKey', {}, { id });
        expect(status).toBe(200);
        expect(body).toMatchObject({ jsonrpc: '2.0', id: echoed, result: { key_type: 'x25519' } });
        expect(body.result.public_key).toMatch(/^0x[0-9a-f]{64}$/);
      }
    });

    it('takes no-arg params as {}, [], [{}], null or absent', async () => {
      const keys = new Set<string>();
      for (const params of [{}, [], [{}], null, undefined]) keys.add((await ok(t, 'newt_getSecretsPublicKey', params)).public_key);
      expect(keys.size).toBe(1);
      expect([...keys][0]).not.toBe((await ok(t, 'newt_getPrivacyPublicKey', {})).public_key);
    });

    it('takes a one-element positional array, ignores unknown keys, accepts any address casing and hex without 0x', async () => {
      const lower = OWNER.address.toLowerCase();
      const forms = [{ signer: OWNER.address }, [{ signer: lower }], { signer: lower.slice(2).toUpperCase(), unknown_key: { nested: true } }];
      for (const params of forms) expect(await ok(t, 'newton_getNonce', params)).toEqual({ signer: lower, gateway_nonce: 0, privacy_nonce: 0 });
      const two = await t.rpc('newton_getNonce', [{ signer: lower }, {}]);
      expect(two.body.error).toMatchObject({ code: -32602, data: { code: 'NEWTON_ERR_INVALID_ARGUMENT' } });
    });

    it('refuses malformed envelopes with -32600 and a wrong method with -32601, with the id when there is one', async () => {
      const cases: [string, number, unknown][] = [
        ['{"jsonrpc":"1.0","id":3,"method":"newt_getPrivacyPublicKey"}', -32600, 3],
        ['{"jsonrpc":"2.0","id":{"a":1},"method":"newt_getPrivacyPublicKey"}', -32600, null],
        ['{"jsonrpc":"2.0","id":4,"method":12}', -32600, 4],
        ['"just a string"', -32600, null],
        ['[]', -32600, null],
        ['{"jsonrpc":"2.0","id":5,"method":"newt_noSuchMethod","params":{}}', -32601, 5],
      ];
      for (const [payload, code, id] of cases) {
        const res = await post(payload);
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ jsonrpc: '2.0', id, error: { code } });
        expect(res.json().error.data.code).toMatch(/^NEWTON_ERR_/);
      }
    });

    it('answers a batch in order', async () => {
      const res = await post(JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'newt_getPrivacyPublicKey', params: {} },
        { jsonrpc: '2.0', method: 'nope' },
      ]));
      const [a, b] = res.json();
      expect(a).toMatchObject({ id: 1, result: { key_type: 'x25519' } });
      expect(b).toMatchObject({ id: null, error: { code: -32601 } });
    });

    it('checks params with the method schema: wrong types are -32602 naming the field, never coerced', async () => {
      const { body } = await t.rpc('newton_advanceBlocks', { blocks: '5' });
      expect(body.error).toMatchObject({ code: -32602, data: { code: 'NEWTON_ERR_INVALID_ARGUMENT' } });
      expect(body.error.message).toContain('blocks');
      expect((await t.rpc('newton_advanceBlocks', { blocks: null })).body.error.code).toBe(-32602);
      expect((await t.rpc('newton_getNonce', { signer: '0x1234' })).body.error.code).toBe(-32602);
    });

    it('keeps explicit null optionals as "not set"', async () => {
      const result = await ok(t, 'newt_registerWebhook', { url: 'http://127.0.0.1:9/hook', secret: null, timeout_seconds: null, max_retries: null, failure_types: null });
      expect(result.success).toBe(true);
      const key = await t.gateway.store.apiKeyByHash((await import('../server/dist/index.js')).hashApiKey(t.writeKey));
      expect(await t.gateway.store.webhook(key!.id)).toMatchObject({ secret: null, timeoutSeconds: 10, maxRetries: 3, failureTypes: null });
      expect(await ok(t, 'newt_unregisterWebhook', {})).toEqual({ success: true, message: 'Webhook unregistered' });
      expect((await ok(t, 'newt_unregisterWebhook', {})).success).toBe(false);
    });

    it('reads hex ids with or without 0x, in any case', async () => {
      for (const id of ['ab'.repeat(32), `0x${'AB'.repeat(32)}`]) {
        const { body } = await t.rpc('newton_getTask', { task_id: id });
        expect(body.error).toMatchObject({ code: -32602, data: { code: 'NEWTON_ERR_NOT_FOUND' } });
        expect(body.error.message).toContain(`0x${'ab'.repeat(32)}`);
      }
    });
  });

  describe('JSON bodies at every HTTP status', () => {
    it('400 for bodies that do not parse, whatever the content type', async () => {
      for (const payload of ['{bad', '', '{"__proto__": {"x": 1}}']) {
        const res = await post(payload);
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700, data: { code: 'NEWTON_ERR_INVALID_JSON' } } });
      }
      const plain = await post('{"jsonrpc":"2.0","id":1,"method":"newt_getPrivacyPublicKey"}', { 'content-type': 'text/plain' });
      expect(plain.json().result.key_type).toBe('x25519');
    });

    it('never a 5xx for deep nesting', async () => {
      for (const payload of ['['.repeat(100_000), `${'['.repeat(5000)}${']'.repeat(5000)}`, `{"jsonrpc":"2.0","id":1,"method":"newton_getNonce","params":${'['.repeat(3000)}${']'.repeat(3000)}}`]) {
        const res = await post(payload);
        expect(res.statusCode).toBeLessThan(500);
        const body = res.json();
        expect((Array.isArray(body) ? body[0] : body).error.code).toBeLessThan(-32000); // a nested batch: one invalid request

      }
    });

    it('401 without a key or with a wrong one; 403 for a read key on a write method', async () => {
      const missing = await t.rpc('newt_getPrivacyPublicKey', {}, { key: null, id: 'x' });
      expect(missing).toMatchObject({ status: 401, body: { id: 'x', error: { code: -32002, data: { code: 'NEWTON_ERR_UNAUTHORIZED' } } } });
      const wrong = await t.rpc('newt_getPrivacyPublicKey', {}, { key: 'nwt_wrong' });
      expect(wrong).toMatchObject({ status: 401, body: { error: { message: 'Invalid API key' } } });
      const forbidden = await t.rpc('newton_advanceBlocks', { blocks: 1 }, { key: t.readKey });
      expect(forbidden).toMatchObject({ status: 403, body: { error: { code: -32002, message: 'RpcWrite permission required' } } });
    });

    it('404 for other routes', async () => {
      for (const [method, url] of [['GET', '/nothing'], ['GET', '/rpc'], ['POST', '/rpc/x']] as const) {
        const res = await t.app.inject({ method, url });
        expect(res.statusCode).toBe(404);
        expect(res.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { data: { code: 'NEWTON_ERR_NOT_FOUND' } } });
      }
    });

    it('413 past the body limit, 429 past the rate limit (per key)', async () => {
      const small = await openGateway({ bodyLimit: 1024, rateLimitMax: 3, rateLimitWindowMs: 60_000, store });
      try {
        const big = await small.app.inject({ method: 'POST', url: '/rpc', payload: JSON.stringify({ jsonrpc: '2.0', method: 'x', params: { pad: 'x'.repeat(4096) } }), headers: { 'content-type': 'application/json', authorization: `Bearer ${small.readKey}` } });
        expect(big.statusCode).toBe(413);
        expect(big.json()).toMatchObject({ id: null, error: { data: { code: 'NEWTON_ERR_LIMIT_SIZE' } } });
        const statuses = [];
        for (let i = 0; i < 3; i++) statuses.push((await small.rpc('newt_getPrivacyPublicKey', {}, { key: small.readKey })).status);
        expect(statuses).toEqual([200, 200, 429]); // the 413 counted too
        const limited = await small.rpc('newt_getPrivacyPublicKey', {}, { key: small.readKey });
        expect(limited.body).toMatchObject({ id: null, error: { data: { code: 'NEWTON_ERR_RATE_LIMITED' } } });
        expect((await small.rpc('newt_getPrivacyPublicKey', {}, { key: small.writeKey })).status).toBe(200);
      } finally {
        await small.close();
      }
    });

    it('500 with a JSON body when the gateway itself fails', async () => {
      const broken = await openGateway({ store });
      await broken.gateway.store.close();
      const { status, body } = await broken.rpc('newt_getPrivacyPublicKey', {});
      expect(status).toBe(500);
      expect(body).toMatchObject({ jsonrpc: '2.0', error: { code: -32603, data: { code: 'NEWTON_ERR_INTERNAL' } } });
    });
  });

  describe('persistence', () => {
    it('a restarted gateway keeps its keys, public keys and clock', async () => {
      const first = await openGateway({ store });
      const before = await ok(first, 'newt_getPrivacyPublicKey', {});
      await ok(first, 'newton_advanceBlocks', { blocks: 7 });
      const block = (await ok(first, 'newton_blockNumber', {})).block_number;
      await first.close();
      const again = await openGateway({ store }, first.dir, { readKey: first.readKey, writeKey: first.writeKey });
      try {
        expect(await ok(again, 'newt_getPrivacyPublicKey', {})).toEqual(before);
        expect(await ok(again, 'newton_blockNumber', {})).toMatchObject({ block_number: block, chain_id: 11155111 });
      } finally {
        await again.close();
      }
    });
  });
});
