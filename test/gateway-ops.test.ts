// Operations: the logs (pino) carry requests but never API keys (header or ?api_key=), secrets'
// plaintext or envelopes; closing the app answers new requests with a JSON-RPC 503, finishes
// in-flight tasks and keeps their results.
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { sealEnvelope } from '../bindings/dist/index.js';
import * as wat from './helpers/policy-data-wat.js';
import { OWNER, ok, openGateway, type TestGateway } from './fixtures/gateway/harness.js';
import { CHAIN_ID, CLIENT, publishSpendPolicy, registerClient, transferIntent } from './fixtures/gateway/registry.js';

const open: TestGateway[] = [];
afterAll(async () => {
  for (const t of open) await t.close().catch(() => undefined);
});

describe('logs', () => {
  it('record requests without keys, secrets or envelopes', async () => {
    const lines: string[] = [];
    const t = await openGateway({ logger: { level: 'trace', stream: { write: (line: string) => lines.push(line) } } as never });
    open.push(t);
    const policy = await ok(t, 'newton_publishPolicy', { owner: OWNER.address, policy: 'package p\nimport rego.v1\ndefault allow := true\n', entrypoint: 'p.allow' });
    await registerClient(t, policy.policy_address);
    const pd = await ok(t, 'newton_publishPolicyData', { owner: OWNER.address, wasm: Buffer.from(await wat.readingSecrets()).toString('hex'), expire_after: 5, secrets_schema: { type: 'object' } });
    const { public_key } = await ok(t, 'newt_getSecretsPublicKey', {});
    const secret = 'plaintext-secret-value-1234';
    const envelope = await sealEnvelope({ api_key: secret }, { recipientPublicKey: public_key, policyClient: CLIENT, chainId: CHAIN_ID });
    await ok(t, 'newt_storeEncryptedSecrets', { policy_client: CLIENT, policy_data_address: pd.policy_data_address, envelope });
    await t.rpc('newt_getPrivacyPublicKey', {}, { key: 'nwt_presented_but_wrong_key' });

    const base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`${base.replace('http', 'ws')}/ws?api_key=${t.readKey}`);
      ws.once('open', () => (ws.close(), resolve())).once('error', reject);
    });
    await t.close();

    const log = lines.join('');
    expect(log).toContain('request completed');
    expect(log).toContain('/ws');
    for (const leak of [t.readKey, t.writeKey, 'nwt_presented_but_wrong_key', secret, JSON.parse(envelope).ciphertext]) expect(log).not.toContain(leak);
  });
});

describe('malformed HTTP', () => {
  it('gets a JSON-RPC 400 on the raw socket', async () => {
    const t = await openGateway();
    open.push(t);
    const { port } = new URL(await t.app.listen({ host: '127.0.0.1', port: 0 }));
    const text = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('GARBAGE / HTTP/1.1\r\n\r\n'));
      let out = '';
      socket.on('data', (d) => (out += d)).on('end', () => resolve(out));
    });
    expect(text.startsWith('HTTP/1.1 400 Bad Request')).toBe(true);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
  });
});

describe('shutdown', () => {
  it('requests arriving while the app closes get a JSON-RPC 503', async () => {
    const t = await openGateway();
    t.app.addHook('preClose', () => new Promise<void>((resolve) => setTimeout(resolve, 300))); // holds the close open
    const closing = t.app.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const res = await t.app.inject({ method: 'POST', url: '/rpc', payload: '{"jsonrpc":"2.0","id":1,"method":"newt_getPrivacyPublicKey"}', headers: { authorization: `Bearer ${t.readKey}` } });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000, data: { code: 'NEWTON_ERR_UNAVAILABLE' } } });
    await closing;
  });

  it('closing the app finishes in-flight tasks and keeps their results for the next start', async () => {
    const t = await openGateway({ operators: 4 });
    const { policy } = await publishSpendPolicy(t);
    await registerClient(t, policy);
    const sent = await ok(t, 'newt_sendTask', { policy_client: CLIENT, intent: transferIntent(3n) });
    await t.close();
    const again = await openGateway({ operators: 4 }, t.dir, { readKey: t.readKey, writeKey: t.writeKey });
    open.push(again);
    const task = await ok(again, 'newton_getTask', { task_id: sent.task_id });
    expect(task).toMatchObject({ status: 'Responded', failed: false, result: { status: 'success', task_id: sent.task_id } });
  });
});
