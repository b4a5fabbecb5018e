// The operator service over real loopback sockets: four operator apps (server/src/operator) on
// 127.0.0.1, a content server standing in for the gateway's GET /content/:cid, and an
// OperatorNetwork over HttpTransport signing with the gateway's key (gateway-keys.json). Allowed
// and denied tasks to certificates the registry verifies; forged, unsigned, tampered and stale
// requests refused with their codes; an operator closed between tasks (3 of 4 still reach 67 %);
// content with a wrong hash refused; timeouts and refused connections mapped to network codes.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { privateKeyToAccount, generatePrivateKey } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperatorRegistry, PolicyDataHost, policyCid, policyCodeHash, verifyCertificate, type Hex, type NewtonTask } from '../bindings/dist/index.js';
import { loadKeyMaterial } from '../server/dist/key-material.js';
import {
  HttpTransport,
  MemoryContentSource,
  OperatorNetwork,
  registryEntry,
  type ContentSource,
  type FailedOutcome,
  type PolicyAnnouncement,
  type RespondedOutcome,
} from '../server/dist/network/index.js';
import { OPERATOR_METHODS, authHeaders, contentRoute, gatewayContent, signRequest, startOperator, verifyRequest } from '../server/dist/operator/index.js';
import { quickstartAnnouncement, quickstartTask, signer } from './fixtures/gateway-network/network.js';
import { makeTempDir, utf8Hex } from './helpers/newton.js';

const dir = makeTempDir('operator-service');
const gatewayAccount = privateKeyToAccount(loadKeyMaterial(dir).gatewayPrivateKey);
const stranger = privateKeyToAccount(generatePrivateKey());

const content = new MemoryContentSource();
/** Content ids the "gateway" answers with other bytes (a corrupted store or a lying mirror). */
const tampered = new Set<string>();
/** How often each id was fetched through the content server. */
const fetches = new Map<string, number>();
const served: ContentSource = {
  async get(cid) {
    fetches.set(cid, (fetches.get(cid) ?? 0) + 1);
    const bytes = await content.get(cid);
    return tampered.has(cid) ? new Uint8Array([...bytes, 0x20]) : bytes;
  },
};

let contentServer: FastifyInstance;
let contentUrl: string;
const host = new PolicyDataHost();
const apps: FastifyInstance[] = [];
let urls: string[];
let transports: HttpTransport[];
let registry: OperatorRegistry;
let network: OperatorNetwork;
let announcement: PolicyAnnouncement;

async function operators(seeds: number[]) {
  const started = await Promise.all(seeds.map((seed) =>
    startOperator({ signer: signer(seed), gatewayAddress: gatewayAccount.address, content: gatewayContent(contentUrl), host })));
  apps.push(...started.map((s) => s.app));
  const transports = started.map(({ identity, url }) => new HttpTransport({ url, identity, account: gatewayAccount }));
  const registry = await OperatorRegistry.fromJson(transports.map((t) => registryEntry(t.identity)));
  return { started, transports, registry };
}

beforeAll(async () => {
  contentServer = Fastify();
  contentRoute(contentServer, served);
  contentUrl = await contentServer.listen({ host: '127.0.0.1', port: 0 });
  const built = await operators([1, 2, 3, 4]);
  urls = built.started.map((s) => s.url);
  transports = built.transports;
  registry = built.registry;
  network = new OperatorNetwork(registry, transports, { prepareTimeoutMs: 10_000, commitTimeoutMs: 10_000 });
  announcement = await quickstartAnnouncement(content);
  expect(await network.deploy(announcement)).toEqual([]);
});

afterAll(async () => {
  await Promise.all([...apps, contentServer].map((app) => app?.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

const responded = (outcome: unknown) => {
  expect(outcome).toMatchObject({ status: 'responded' });
  return outcome as RespondedOutcome;
};

/** A raw POST to an operator, signed by `account` (or not at all). */
async function post(url: string, method: string, params: unknown, auth?: Record<string, string>) {
  const response = await fetch(`${url}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method, params }),
  });
  return { status: response.status, body: (await response.json()) as { id: unknown; result?: unknown; error?: { code: number; message: string; data: { code: string } } } };
}

const prepareParams = (task: NewtonTask) => ({ task, announcement });

async function signed(account: typeof gatewayAccount, task: NewtonTask, options: { issuedAt?: number; ttlMs?: number; operator?: number } = {}) {
  const params = prepareParams(task);
  const operatorId = transports[options.operator ?? 0]!.identity.operatorId;
  const auth = await signRequest(account, { method: OPERATOR_METHODS.prepare, taskId: task.taskId, operatorId, paramsText: JSON.stringify(params) }, options.ttlMs ?? 30_000, options.issuedAt);
  return { params, headers: authHeaders(auth) };
}

describe('the gateway request signature', () => {
  it('is the same natively (the gateway) and through viem, and recovers natively either way', async () => {
    const secretKey = generatePrivateKey();
    const viemAccount = privateKeyToAccount(secretKey);
    const claims = { method: OPERATOR_METHODS.commit, taskId: `0x${'ab'.repeat(32)}` as Hex, operatorId: `0x${'01'.repeat(32)}` as Hex, paramsText: JSON.stringify({ task: { n: 1 }, agreed: [1.5, 'x'] }) };
    const native = await signRequest({ address: viemAccount.address, secretKey }, claims, 30_000, 1_700_000_000_000);
    const viem = await signRequest(viemAccount, claims, 30_000, 1_700_000_000_000);
    expect(native).toEqual(viem); // RFC 6979 nonces: the same bytes
    const at = { gateway: viemAccount.address, maxAgeMs: 60_000, clockSkewMs: 5_000, now: 1_700_000_000_500 };
    await verifyRequest(authHeaders(native), claims, at);
    await expect(verifyRequest(authHeaders(native), { ...claims, paramsText: '{}' }, at)).rejects.toMatchObject({ code: 'NEWTON_ERR_UNAUTHORIZED' });
    await expect(verifyRequest(authHeaders({ ...native, signature: `0x${'00'.repeat(65)}` }), claims, at)).rejects.toMatchObject({ code: 'NEWTON_ERR_UNAUTHORIZED' });
  });
});

describe('four operator services over HTTP', () => {
  it('certify an allow: every operator prepares and signs; the certificate verifies against their registry', async () => {
    const outcome = responded(await network.run(quickstartTask(1)));
    expect(outcome.decision.allow).toBe(true);
    expect(outcome.operator_errors).toEqual([]);
    expect(outcome.certificate.threshold).toBe(67);
    expect(outcome.certificate.signers.length).toBeGreaterThanOrEqual(3);
    const ids = new Set(transports.map((t) => t.identity.operatorId));
    expect(outcome.certificate.signers.every((id) => ids.has(id))).toBe(true);
    await verifyCertificate(registry, outcome.certificate);

    // Each operator fetched the policy, its schema and the module once, over HTTP; a second task reuses them.
    const cids = [announcement.deployment.policyCid, announcement.schemaCid!, announcement.deployment.policyData![0]!.wasmCid];
    expect(cids.map((id) => fetches.get(id))).toEqual([4, 4, 4]);
    responded(await network.run(quickstartTask(11)));
    expect(cids.map((id) => fetches.get(id))).toEqual([4, 4, 4]);
  });

  it('certify a deny (all-zero evaluation result) for a client whose policy params are strict', async () => {
    const strict: PolicyAnnouncement = {
      ...announcement,
      policyClient: `0x${'c3'.repeat(20)}`,
      deployment: {
        ...announcement.deployment,
        policyConfig: { ...announcement.deployment.policyConfig, policyParams: utf8Hex('{"check_kyc":true,"check_ofac":true,"check_fraud":true,"max_risk_score":1}') as Hex },
      },
    };
    expect(await network.deploy(strict)).toEqual([]);
    const outcome = responded(await network.run({ ...quickstartTask(2), policyClient: strict.policyClient }));
    expect(outcome.decision.allow).toBe(false);
    expect(outcome.task_response.evaluationResult).toBe(`0x${'0'.repeat(64)}`);
    await verifyCertificate(registry, outcome.certificate);
  });

  it('answer a request the gateway signed, directly over HTTP', async () => {
    const { params, headers } = await signed(gatewayAccount, quickstartTask(3));
    const { status, body } = await post(urls[0]!, OPERATOR_METHODS.prepare, params, headers);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: 7, result: { task_id: quickstartTask(3).taskId } });
    expect((body.result as { policy_data: unknown[] }).policy_data).toHaveLength(1);
  });

  it('refuse unsigned, forged, tampered and misaddressed requests with NEWTON_ERR_UNAUTHORIZED', async () => {
    const task = quickstartTask(4);
    const unauthorized = { status: 401, body: { id: 7, error: { data: { code: 'NEWTON_ERR_UNAUTHORIZED' } } } };
    expect(await post(urls[0]!, OPERATOR_METHODS.prepare, prepareParams(task))).toMatchObject(unauthorized);

    const forged = await signed(stranger, task);
    const refused = await post(urls[0]!, OPERATOR_METHODS.prepare, forged.params, forged.headers);
    expect(refused).toMatchObject(unauthorized);
    expect(refused.body.error!.message).toContain(`signed by ${stranger.address}`);

    const genuine = await signed(gatewayAccount, task);
    const otherTask = { ...genuine.params, task: { ...task, taskId: quickstartTask(5).taskId } };
    expect(await post(urls[0]!, OPERATOR_METHODS.prepare, otherTask, genuine.headers)).toMatchObject(unauthorized);
    const otherParams = { ...genuine.params, task: { ...task, wasmArgs: utf8Hex('{"amount":1}') } };
    expect(await post(urls[0]!, OPERATOR_METHODS.prepare, otherParams, genuine.headers)).toMatchObject(unauthorized);
    expect(await post(urls[0]!, OPERATOR_METHODS.commit, genuine.params, genuine.headers)).toMatchObject(unauthorized);
    expect(await post(urls[1]!, OPERATOR_METHODS.prepare, genuine.params, genuine.headers)).toMatchObject(unauthorized); // for operator 0
    expect(await post(urls[0]!, OPERATOR_METHODS.prepare, genuine.params, { ...genuine.headers, 'x-newton-signature': '0x1234' })).toMatchObject(unauthorized);

    // A network whose gateway key is not the trusted one: every operator refuses, the task fails.
    const impostor = transports.map((t, i) => new HttpTransport({ url: urls[i]!, identity: t.identity, account: stranger }));
    const rogue = new OperatorNetwork(registry, impostor, { prepareTimeoutMs: 10_000 });
    await rogue.deploy(announcement);
    const outcome = (await rogue.run(quickstartTask(6))) as FailedOutcome;
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'NEWTON_ERR_INSUFFICIENT_QUORUM_STAKE' } });
    expect(outcome.operator_errors.map((e) => e.error_code)).toEqual(Array(4).fill('NEWTON_ERR_UNAUTHORIZED'));
  });

  it('refuse stale requests (past their deadline, or issued too long ago) with NEWTON_ERR_TIMEOUT', async () => {
    const task = quickstartTask(7);
    const expired = await signed(gatewayAccount, task, { issuedAt: Date.now() - 10_000, ttlMs: 5_000 });
    const late = await post(urls[0]!, OPERATOR_METHODS.prepare, expired.params, expired.headers);
    expect(late).toMatchObject({ status: 401, body: { error: { data: { code: 'NEWTON_ERR_TIMEOUT' } } } });
    expect(late.body.error!.message).toMatch(/deadline passed/);

    const old = await signed(gatewayAccount, task, { issuedAt: Date.now() - 120_000, ttlMs: 600_000 });
    const tooOld = await post(urls[0]!, OPERATOR_METHODS.prepare, old.params, old.headers);
    expect(tooOld.body.error).toMatchObject({ data: { code: 'NEWTON_ERR_TIMEOUT' } });
    expect(tooOld.body.error!.message).toMatch(/issued \d+ ms ago/);

    const future = await signed(gatewayAccount, task, { issuedAt: Date.now() + 60_000 });
    expect((await post(urls[0]!, OPERATOR_METHODS.prepare, future.params, future.headers)).body.error).toMatchObject({ data: { code: 'NEWTON_ERR_TIMEOUT' } });
  });

  it('refuse content whose bytes do not match its id, and a policy whose code hash does not match', async () => {
    const source = `package tampered\n\nallow := true\n`;
    const cid = content.put(source);
    tampered.add(cid);
    const base = { ...announcement, entrypoint: 'tampered.allow', policyCodeHash: policyCodeHash(source), schemaCid: undefined };
    const corrupt: PolicyAnnouncement = { ...base, policyClient: `0x${'c4'.repeat(20)}`, deployment: { ...announcement.deployment, policyCid: cid } };
    await network.deploy(corrupt);
    const outcome = (await network.run({ ...quickstartTask(8), policyClient: corrupt.policyClient })) as FailedOutcome;
    expect(outcome.status).toBe('failed');
    expect(outcome.operator_errors).toHaveLength(4);
    for (const e of outcome.operator_errors) {
      expect(e.error_code).toBe('NEWTON_ERR_INVALID_ARGUMENT');
      expect(e.message).toMatch(new RegExp(`^prepare: content fetched for ${cid} hashes to ${policyCid(new Uint8Array([...Buffer.from(source), 0x20]))}`));
    }

    const other = `package other\n\nallow := false\n`;
    const otherCid = content.put(other);
    const mislabelled: PolicyAnnouncement = { ...base, entrypoint: 'other.allow', policyClient: `0x${'c5'.repeat(20)}`, deployment: { ...announcement.deployment, policyCid: otherCid } };
    await network.deploy(mislabelled);
    const refused = (await network.run({ ...quickstartTask(9), policyClient: mislabelled.policyClient })) as FailedOutcome;
    expect(refused.status).toBe('failed');
    expect(refused.operator_errors.map((e) => e.error_code)).toEqual(Array(4).fill('NEWTON_ERR_INVALID_ARGUMENT'));
    expect(refused.operator_errors[0]!.message).toMatch(/has code hash 0x[0-9a-f]{64}, announced/);
  });
});

describe('network failures through HttpTransport', () => {
  it('maps an operator that never answers to NEWTON_ERR_OPERATOR_TIMEOUT (per-round timeout)', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => void sockets.add(socket)); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as net.AddressInfo;
      const transport = new HttpTransport({ url: `http://127.0.0.1:${port}`, identity: transports[0]!.identity, account: gatewayAccount, timeouts: { prepareMs: 200 } });
      await transport.deploy(announcement);
      const started = Date.now();
      await expect(transport.prepare(quickstartTask(10), new AbortController().signal)).rejects.toMatchObject({ code: 'NEWTON_ERR_OPERATOR_TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('still reaches 67 % with 3 of 4 when one operator is closed; the closed one is NEWTON_ERR_OPERATOR_UNAVAILABLE', async () => {
    const own = await operators([11, 12, 13, 14]);
    const fleet = new OperatorNetwork(own.registry, own.transports, { prepareTimeoutMs: 10_000, commitTimeoutMs: 10_000 });
    expect(await fleet.deploy(announcement)).toEqual([]);
    responded(await fleet.run(quickstartTask(20))); // all four up, connections kept alive

    await own.started[3]!.app.close();
    const outcome = responded(await fleet.run(quickstartTask(21)));
    expect(outcome.decision.allow).toBe(true);
    expect(outcome.certificate.signers).toHaveLength(3);
    expect(outcome.certificate.signers).not.toContain(own.transports[3]!.identity.operatorId);
    expect(outcome.operator_errors).toHaveLength(1);
    expect(outcome.operator_errors[0]).toMatchObject({
      operator_id: own.transports[3]!.identity.operatorId,
      error_code: 'NEWTON_ERR_OPERATOR_UNAVAILABLE',
      retryable: true,
    });
    expect(outcome.operator_errors[0]!.message).toMatch(/^prepare: newt_fetchPolicyData: http:\/\/127\.0\.0\.1:\d+ unreachable/);
    await verifyCertificate(own.registry, outcome.certificate);
  });

  it('serves content by id to operators, 404 for unknown ids', async () => {
    const source = gatewayContent(contentUrl);
    const cid = content.put('{"hello":"operator"}');
    expect(Buffer.from(await source.get(cid)).toString()).toBe('{"hello":"operator"}');
    await expect(source.get(policyCid(new TextEncoder().encode('nobody published this')))).rejects.toMatchObject({ code: 'NEWTON_ERR_NOT_FOUND' });
    await expect(source.get('../etc/passwd')).rejects.toMatchObject({ code: 'NEWTON_ERR_INVALID_ARGUMENT' });
  });
});
