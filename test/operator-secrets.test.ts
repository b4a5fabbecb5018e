// Clients' PolicyData secrets on the way to an operator service over loopback: sealed by the
// gateway's HttpTransport to the key the operator registered, never in the clear on the wire,
// opened by the operator for its module; plaintext secrets, secrets sealed for another client and
// secrets sealed to another operator are refused, and an operator without a secrets key cannot be
// sent a client's secrets at all.
import Fastify, { type FastifyInstance } from 'fastify';
import { privateKeyToAccount, generatePrivateKey } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyDataHost, generatePrivacyKey, type NewtonTask, type PolicyDeployment } from '../bindings/dist/index.js';
import { HttpTransport, MemoryContentSource, type PolicyAnnouncement } from '../server/dist/network/index.js';
import { sealSecrets } from '../server/dist/network/sealed-secrets.js';
import { OPERATOR_METHODS, authHeaders, contentRoute, gatewayContent, signRequest, startOperator, type OperatorApp } from '../server/dist/operator/index.js';
import { announce, quickstartTask, signer } from './fixtures/gateway-network/network.js';
import * as wat from './helpers/policy-data-wat.js';

const gatewayAccount = privateKeyToAccount(generatePrivateKey());
const SECRET = `s3cr3t-${Date.now()}`;
const SECRETS = JSON.stringify({ api_key: SECRET });
const CHAIN_ID = 11_155_111;

const content = new MemoryContentSource();
let contentServer: FastifyInstance;
let operator: OperatorApp & { url: string };
let announcement: PolicyAnnouncement;
/** Every request body HttpTransport sent (fetch is wrapped for this file). */
const wire: string[] = [];
const realFetch = globalThis.fetch;

const withSecrets = (a: PolicyAnnouncement, secrets: string): PolicyAnnouncement => ({
  ...a,
  deployment: { ...a.deployment, policyData: a.deployment.policyData!.map((s) => ({ ...s, runOptions: { secrets } })) as PolicyDeployment['policyData'] },
});

beforeAll(async () => {
  globalThis.fetch = (input, init) => {
    if (typeof init?.body === 'string') wire.push(init.body);
    return realFetch(input, init);
  };
  contentServer = Fastify();
  contentRoute(contentServer, content);
  const contentUrl = await contentServer.listen({ host: '127.0.0.1', port: 0 });
  operator = await startOperator({ signer: signer(1), gatewayAddress: gatewayAccount.address, content: gatewayContent(contentUrl), host: new PolicyDataHost() });
  const policy = { source: 'package sec\n\nallow := true\n', entrypoint: 'sec.allow', params: '{}' };
  announcement = withSecrets(announce(content, policy, [await wat.readingSecrets()]), SECRETS);
});

afterAll(async () => {
  globalThis.fetch = realFetch;
  await Promise.all([operator?.app.close(), contentServer?.close()]);
});

const transport = (secretsPublicKey = operator.secretsPublicKey) =>
  new HttpTransport({ url: operator.url, identity: operator.identity, account: gatewayAccount, secretsPublicKey, chainId: CHAIN_ID });

/** A prepare request signed by the gateway with `sent` as its announcement, bypassing HttpTransport. */
async function prepareWith(sent: PolicyAnnouncement, task: NewtonTask) {
  const params = { task, announcement: sent };
  const auth = await signRequest(gatewayAccount, { method: OPERATOR_METHODS.prepare, taskId: task.taskId, operatorId: operator.identity.operatorId, paramsText: JSON.stringify(params) }, 30_000);
  const response = await realFetch(`${operator.url}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeaders(auth) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: OPERATOR_METHODS.prepare, params }),
  });
  return (await response.json()) as { result?: unknown; error?: { message: string; data: { code: string } } };
}

describe('secrets to an operator service', () => {
  it('travel sealed to its key and reach its module opened', async () => {
    const http = transport();
    await http.deploy(announcement);
    const prepared = await http.prepare(quickstartTask(1), AbortSignal.timeout(10_000));
    expect(prepared.policy_data.map((p) => p.data)).toEqual([{ api_key: SECRET }]);
    expect(wire.length).toBeGreaterThan(0);
    for (const body of wire) {
      expect(body).not.toContain(SECRET);
      expect(body).toContain('"sealedSecrets"');
    }
    const sent = JSON.parse(wire.at(-1)!).params.announcement.deployment.policyData[0];
    expect(sent.runOptions).toBeUndefined();
    const envelope = JSON.parse(sent.sealedSecrets);
    expect(envelope).toMatchObject({ chain_id: CHAIN_ID, recipient_pubkey: operator.secretsPublicKey.slice(2) });
    expect(envelope.policy_client.toLowerCase()).toBe(announcement.policyClient.toLowerCase());
  });

  it('cannot be sent to an operator that registered no secrets key', async () => {
    const keyless = new HttpTransport({ url: operator.url, identity: operator.identity, account: gatewayAccount });
    await expect(keyless.deploy(announcement)).rejects.toMatchObject({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: expect.stringContaining('registered no secrets key') });
    await expect(keyless.prepare(quickstartTask(2), AbortSignal.timeout(10_000))).rejects.toMatchObject({ code: 'NEWTON_ERR_INVALID_ARGUMENT' });
  });

  it('are refused in the clear, sealed for another client, or sealed to another operator', async () => {
    const client2 = `0x${'c2'.repeat(20)}` as const;
    const recipient = { publicKey: operator.secretsPublicKey, chainId: CHAIN_ID, operator: operator.identity.operatorId };
    const cases: Array<[string, PolicyAnnouncement, string, RegExp]> = [
      ['plaintext', { ...announcement, policyClient: `0x${'c4'.repeat(20)}` }, 'NEWTON_ERR_INVALID_ARGUMENT', /must arrive sealed/],
      ['for another client', { ...(await sealSecrets({ ...announcement, policyClient: client2 }, recipient)), policyClient: `0x${'c5'.repeat(20)}` }, 'NEWTON_ERR_INVALID_ARGUMENT', /sealed for client 0xc2c2/i],
      ['to another operator', await sealSecrets({ ...announcement, policyClient: `0x${'c6'.repeat(20)}` }, { ...recipient, publicKey: generatePrivacyKey().publicKey }), 'NEWTON_ERR_PRIVACY_WRONG_RECIPIENT', /./],
    ];
    for (const [what, sent, code, message] of cases) {
      const reply = await prepareWith(sent, { ...quickstartTask(3), policyClient: sent.policyClient });
      expect(reply.error?.data.code, what).toBe(code);
      expect(reply.error?.message, what).toMatch(message);
    }
  });
});
