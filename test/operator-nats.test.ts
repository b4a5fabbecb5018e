// Operators on a real NATS bus (nats-server on loopback): four operator services register on the
// announce subject and answer the gateway's signed broadcasts; tasks are attested over the bus.
// Answers and requests in others' names are refused, a silent operator is skipped at once by its
// missing heartbeat, and a restarted nats-server is survived without duplicate signatures.
import fs from 'node:fs';
import path from 'node:path';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { privateKeyToAccount, generatePrivateKey } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeystore, verifyCertificate } from '../bindings/dist/index.js';
import { startNatsServer, type NatsServer } from '../server/dist/bus/nats-server.js';
import { SUBJECTS } from '../server/dist/bus/subjects.js';
import { EVERY_OPERATOR } from '../server/dist/operator/core.js';
import { OPERATOR_METHODS, authHeaders, signRequest } from '../server/dist/operator/index.js';
import { runOperator, type RunningOperatorService } from '../server/dist/index.js';
import { ok, openGateway, tempDir, type TestGateway } from './fixtures/gateway/harness.js';
import { CHAIN_ID, CLIENT, publishSpendPolicy, registerClient, transferIntent } from './fixtures/gateway/registry.js';

const PASSWORD = 'bus operator';
let nats: NatsServer;
let t: TestGateway;
let gatewayUrl: string;
let keystores: string[];
const operators: RunningOperatorService[] = [];
let spy: NatsConnection;

async function startOperator(i: number): Promise<RunningOperatorService> {
  const running = await runOperator({
    keystore: keystores[i]!, password: PASSWORD, gatewayUrl, nats: nats.url,
    dataDir: path.join(t.dir, `operator-${i}`), logger: false, renewMs: 1_000,
  });
  await running.registration!.first;
  return running;
}

const task = (amount: bigint) => ok(t, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(amount) });

beforeAll(async () => {
  nats = await startNatsServer();
  const dir = tempDir('nats');
  keystores = await Promise.all([0, 1, 2, 3].map(async (i) => {
    const file = path.join(dir, `keystore-${i}.json`);
    fs.writeFileSync(file, (await generateKeystore(PASSWORD, 'pbkdf2')).keystoreJson);
    return file;
  }));
  t = await openGateway({ admitOperators: 'any', nats: nats.url }, dir);
  gatewayUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
  operators.push(...(await Promise.all([0, 1, 2, 3].map(startOperator))));
  const { policy } = await publishSpendPolicy(t);
  await registerClient(t, policy);
  spy = await connect({ servers: nats.url });
}, 60_000);

afterAll(async () => {
  await spy?.close();
  await Promise.all(operators.map((op) => op.close()));
  await t?.close();
  await nats?.stop();
});

describe('operators on NATS', () => {
  it('register on the bus and attest an allow and a deny; the certificate verifies', async () => {
    expect(operators.map((op) => op.url)).toEqual(operators.map((op) => `nats:${op.identity.operatorId.toLowerCase()}`));
    expect(t.gateway.network!.operatorCount).toBe(4);
    const allowed = await task(100n);
    expect(allowed.status).toBe('success');
    expect(allowed.task_response.evaluation_result.at(-1)).toBe(1);
    expect(allowed.certificate.signers.length).toBeGreaterThanOrEqual(3);
    await verifyCertificate(t.gateway.network!.registry, allowed.certificate);
    const denied = await task(5_000n);
    expect(denied.task_response.evaluation_result.at(-1)).toBe(0);
    expect(denied.operator_errors).toEqual([]);
  });

  it('ignore answers published in an operator’s name without its signature', async () => {
    // A peer on the bus answers every prepare request first, for every operator named, with other data.
    const forger = await connect({ servers: nats.url });
    const sub = forger.subscribe(SUBJECTS.request(CHAIN_ID, 'prepare'), {
      callback: (_err, msg) => {
        const params = JSON.parse(msg.string());
        for (const id of params.operators as string[]) {
          const forged = { policy_data: [{ policy_data_address: params.announcement.deployment.policyData[0].address, data: { price: 1 }, digest: `0x${'11'.repeat(32)}` }] };
          forger.publish(SUBJECTS.response(params.task.taskId, 'prepare'), JSON.stringify({ operator_id: id, result: forged }));
        }
      },
    });
    const warnings: string[] = [];
    const onWarning = (w: Error) => w.name === 'NewtonBusWarning' && warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const r = await task(100n);
      expect(r.status).toBe('success');
      expect(r.task_response.policy_task_data.policyData[0].data).not.toContain('"price":1}');
      await verifyCertificate(t.gateway.network!.registry, r.certificate);
      expect(warnings.some((w) => /not signed by it: ignored/.test(w))).toBe(true);
    } finally {
      process.off('warning', onWarning);
      sub.unsubscribe();
      await forger.close();
    }
  });

  it('refuse a request not signed by the trusted gateway, answering with NEWTON_ERR_UNAUTHORIZED', async () => {
    const stranger = privateKeyToAccount(generatePrivateKey());
    const errors: Array<{ operator_id: string; error: { code: string } }> = [];
    const answers: string[] = [];
    const taskId = `0x${'ab'.repeat(32)}` as const;
    const errorSub = spy.subscribe(SUBJECTS.errors, { callback: (_e, msg) => errors.push(JSON.parse(msg.string())) });
    const answerSub = spy.subscribe(SUBJECTS.response(taskId, 'prepare'), { callback: (_e, msg) => answers.push(msg.string()) });
    const params = { task: { taskId, policyClient: CLIENT }, announcement: {}, operators: operators.map((op) => op.identity.operatorId.toLowerCase()) };
    const paramsText = JSON.stringify(params);
    const auth = await signRequest(stranger, { method: OPERATOR_METHODS.prepare, taskId, operatorId: EVERY_OPERATOR, paramsText }, 30_000);
    const h = natsHeaders();
    for (const [name, value] of Object.entries(authHeaders(auth))) h.set(name, value);
    spy.publish(SUBJECTS.request(CHAIN_ID, 'prepare'), paramsText, { headers: h });
    spy.publish(SUBJECTS.request(CHAIN_ID, 'prepare'), paramsText); // unsigned
    await waitFor(() => errors.length >= 8);
    expect(new Set(errors.map((e) => e.operator_id))).toEqual(new Set(params.operators));
    expect(errors.every((e) => e.error.code === 'NEWTON_ERR_UNAUTHORIZED')).toBe(true);
    expect(answers).toEqual([]);
    errorSub.unsubscribe();
    answerSub.unsubscribe();
  });

  it('skip an operator whose heartbeat stopped at once, well before the round timeout', async () => {
    const gone = operators.pop()!;
    await gone.close();
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    const started = Date.now();
    const r = await task(100n);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(r.status).toBe('success');
    expect(r.certificate.signers).not.toContain(gone.identity.operatorId.toLowerCase());
    expect(r.operator_errors).toEqual([expect.objectContaining({ operator_id: gone.identity.operatorId, error_code: 'NEWTON_ERR_OPERATOR_UNAVAILABLE', message: expect.stringMatching(/no heartbeat/) })]);
    operators.push(await startOperator(3));
  }, 30_000);

  it('survive a nats-server restart: tasks resume after reconnect, each operator signs once', async () => {
    await nats.restart();
    const r = await eventually(async () => {
      const attempt = await task(100n);
      if (attempt.status !== 'success') throw new Error(JSON.stringify(attempt.operator_errors ?? attempt.error));
      return attempt;
    }, 20_000);
    expect(new Set(r.certificate.signers).size).toBe(r.certificate.signers.length);
    await verifyCertificate(t.gateway.network!.registry, r.certificate);
  }, 40_000);
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function eventually<T>(attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
