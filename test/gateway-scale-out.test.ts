// Several gateways serving one network (real PostgreSQL, real nats-server, real processes): an
// in-process gateway and a `newton gateway start` process share one database, one keys file and
// one bus, with four operators on the bus. A task made on one is readable and spendable on the
// other and its replay refused there; progress reaches a WebSocket on the other gateway; a spent
// set shared by both spends an attestation once of 100 concurrent tries; a rate limit holds
// across gateways; and kill -9 of one gateway mid-run loses no committed task or spend.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { attestationBundle, checkAttestation, generateKeystore, verifyCertificate, type Hex } from '../bindings/dist/index.js';
import { startNatsServer, type NatsServer } from '../server/dist/bus/nats-server.js';
import { PostgresStore, createApiKey, runOperator, type RunningOperatorService } from '../server/dist/index.js';
import { OWNER, ok, openGateway, tempDir, type TestGateway } from './fixtures/gateway/harness.js';
import { CLIENT, ownerAuth, publishSpendPolicy, registerClient, transferIntent } from './fixtures/gateway/registry.js';
import { freshDatabase } from './fixtures/gateway/harness.js';
import { taskResponseOf } from '../server/dist/tasks/results.js';
import { cliScript } from './helpers/cli.js';
import { startFixtureServer, type FixtureServer } from './helpers/fixture-server.js';
import { startUntilLine } from './helpers/processes.js';
import * as wat from './helpers/policy-data-wat.js';

const PASSWORD = 'scale out';
let nats: NatsServer;
let database: string;
let keysFile: string;
let one: TestGateway;
let oneUrl: string;
let two: { child: ChildProcess; url: string; exited: Promise<number | null> };
const operators: RunningOperatorService[] = [];
/** Answers the slow client's PolicyData after 800 ms, so its tasks are still running when a WebSocket subscribes. */
let slowFacts: FixtureServer;
const SLOW_CLIENT: Hex = '0x5105105105105105105105105105105105105105';

/** `newton gateway start` on the shared database, keys and bus, as a process. */
async function startGatewayProcess(dataDir: string): Promise<typeof two> {
  const started = await startUntilLine(cliScript, ['gateway', 'start', '--data-dir', dataDir, '--database', database, '--keys-file', keysFile,
    '--admit-operators', 'any', '--nats', nats.url, '--port', '0', '--log-level', 'warn', '--format', 'json']);
  return { child: started.child, url: JSON.parse(started.line).url, exited: started.exited };
}

/** JSON-RPC to a gateway over HTTP with the shared write key. */
async function rpc(url: string, method: string, params: unknown): Promise<{ result?: any; error?: any }> {
  const res = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${one.writeKey}` }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return res.json();
}

const listed = async (url: string) => ((await (await fetch(`${url}/operators`)).json()).operators as unknown[]).length;

async function until(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  slowFacts = await startFixtureServer({ 'GET /facts': { body: { ok: true }, delayMs: 800 } });
  nats = await startNatsServer();
  database = await freshDatabase();
  const dir = tempDir('scale');
  keysFile = path.join(dir, 'gateway-keys.json');
  one = await openGateway({ database, keysFile, admitOperators: 'any', nats: nats.url, autoMine: true }, path.join(dir, 'one'));
  oneUrl = await one.app.listen({ host: '127.0.0.1', port: 0 });
  two = await startGatewayProcess(path.join(dir, 'two'));
  const keystores = await Promise.all([0, 1, 2, 3].map(async (i) => {
    const file = path.join(dir, `keystore-${i}.json`);
    fs.writeFileSync(file, (await generateKeystore(PASSWORD, 'pbkdf2')).keystoreJson);
    return file;
  }));
  operators.push(...(await Promise.all(keystores.map(async (keystore, i) => {
    const op = await runOperator({ keystore, password: PASSWORD, gatewayUrl: oneUrl, nats: nats.url, dataDir: path.join(dir, `op-${i}`), allowHosts: [slowFacts.hostPort], logger: false, renewMs: 1_000 });
    await op.registration!.first;
    return op;
  }))));
  // Both gateways admit every operator from the bus (the announce subject reaches both).
  await until(async () => (await listed(oneUrl)) === 4 && (await listed(two.url)) === 4);
  const { policy } = await publishSpendPolicy(one);
  await registerClient(one, policy);
  const slow = await ok(one, 'newton_publishPolicyData', { owner: OWNER.address, wasm: Buffer.from(await wat.fetching(`${slowFacts.origin}/facts`)).toString('hex'), expire_after: 100 });
  const slowPolicy = await ok(one, 'newton_publishPolicy', { owner: OWNER.address, policy: 'package slow\nimport rego.v1\ndefault allow := true\n', entrypoint: 'slow.allow', policy_data: [slow.policy_data_address] });
  await registerClient(one, slowPolicy.policy_address, { max_amount: 1 }, SLOW_CLIENT);
}, 90_000);

afterAll(async () => {
  if (two?.child.exitCode === null) two.child.kill('SIGKILL');
  await Promise.all(operators.map((op) => op.close()));
  await one?.close();
  await nats?.stop();
  await slowFacts?.close();
});

describe('two gateways on one database and one bus', () => {
  it('a task made on one is read and spent on the other, and its replay refused on the first', async () => {
    const made = await rpc(two.url, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(100n) });
    expect(made.result?.status).toBe('success');
    const taskId = made.result.task_id as Hex;
    await verifyCertificate(one.gateway.network!.registry, made.result.certificate);
    const read = await ok(one, 'newton_getTask', { task_id: taskId });
    expect(read).toMatchObject({ task_id: taskId, status: 'Responded', result: { status: 'success' } });

    const authorization = await ownerAuth(one, OWNER, 'SpendAttestation', { taskId, caller: OWNER.address.toLowerCase() });
    const spent = await rpc(oneUrl, 'newton_spendAttestation', { task_id: taskId, caller: OWNER.address, authorization });
    expect(spent.result).toMatchObject({ valid: true, status: 'AttestationSpent' });
    const replay = await rpc(two.url, 'newton_spendAttestation', { task_id: taskId, caller: OWNER.address, authorization: await ownerAuth(one, OWNER, 'SpendAttestation', { taskId, caller: OWNER.address.toLowerCase() }) });
    expect(replay.error?.data.code).toBe('NEWTON_ERR_ATTESTATION_ALREADY_SPENT');
    expect((await rpc(two.url, 'newton_taskStatus', { task_id: taskId })).result.status).toBe('AttestationSpent');
  });

  it('shows progress of a task sent to one gateway on a WebSocket of the other', async () => {
    const ws = new WebSocket(`${oneUrl.replace('http', 'ws')}/ws?api_key=${one.readKey}`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const updates: Array<{ event: string; data: { operator_responses: unknown[] } }> = [];
    const done = new Promise<void>((resolve) => ws.on('message', (raw) => {
      const message = JSON.parse(String(raw));
      if (message.type !== 'update') return;
      updates.push(message.result);
      if (message.result.event === 'aggregated' || message.result.event === 'failed') resolve();
    }));
    // The slow client's PolicyData waits 800 ms for its facts: the task is still running on the
    // other gateway when this one subscribes.
    const sent = await rpc(two.url, 'newt_sendTask', { policy_client: SLOW_CLIENT, intent: transferIntent(1n) });
    ws.send(JSON.stringify({ type: 'subscribe', id: 'sub-1', method: `newton.task.${sent.result.task_id}`, params: null }));
    await done;
    ws.close();
    expect(updates.map((u) => u.event)).toContain('prepared');
    expect(updates.at(-1)).toMatchObject({ event: 'aggregated', data: { result: { status: 'success' } } });
    expect(updates.at(-1)!.data.operator_responses.length).toBeGreaterThanOrEqual(6); // both rounds
  });

  it('spends one attestation exactly once of 100 concurrent tries through both gateways’ stores', async () => {
    const made = await ok(one, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(100n) });
    const registry = one.gateway.network!.registry;
    const client = await one.gateway.store.policyClient(CLIENT);
    // What newton_spendAttestation does on each gateway after its nonce check: the checks, then
    // the shared spent set — here from both gateways' connections at once.
    const theirs = await PostgresStore.open(database);
    const bundle = attestationBundle(made.task, taskResponseOf(made), made.certificate, made.expiration);
    const context = { policyId: client!.current.policyId, chainId: one.gateway.clock.chainId, caller: OWNER.address, currentBlock: one.gateway.clock.block };
    const tries = await Promise.all(Array.from({ length: 100 }, async (_, i) => {
      const report = await checkAttestation(registry, bundle, context);
      expect(report.checks.filter((c) => c.status === 'failed')).toEqual([]);
      return (i % 2 ? one.gateway.store : theirs).spendAttestation!(bundle.attestation.taskId, bundle.attestation_hash);
    }));
    expect(tries.filter(Boolean)).toHaveLength(1);
    await theirs.close();
  });

  it('holds one rate limit for a key across gateways', async () => {
    const limited = [await openGateway({ database, keysFile, rateLimitMax: 6 }, tempDir('rl-a')), await openGateway({ database, keysFile, rateLimitMax: 6 }, tempDir('rl-b'))];
    const { key } = await createApiKey(one.gateway.store, { permissions: ['read'] }); // unused so far in this window
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await limited[i % 2]!.rpc('newton_blockNumber', {}, { key })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(6);
    expect(statuses.slice(6)).toEqual([429, 429, 429, 429]);
    await Promise.all(limited.map((g) => g.close()));
  });

  it('loses no committed task or spend when one gateway is killed (-9) mid-run', async () => {
    // A spend committed on the gateway about to die.
    const made = await rpc(two.url, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(100n) });
    const taskId = made.result.task_id as Hex;
    const spend = async (url: string) => rpc(url, 'newton_spendAttestation', { task_id: taskId, caller: OWNER.address, authorization: await ownerAuth(one, OWNER, 'SpendAttestation', { taskId, caller: OWNER.address.toLowerCase() }) });
    expect((await spend(two.url)).result).toMatchObject({ valid: true });
    // Tasks in flight on it; it dies as soon as the first of them is answered.
    const inFlight = Array.from({ length: 12 }, () => rpc(two.url, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(100n) }).catch(() => undefined));
    await Promise.race(inFlight);
    two.child.kill('SIGKILL');
    expect(await two.exited).toBeNull();
    const answered = (await Promise.all(inFlight)).flatMap((r) => (r?.result?.status === 'success' ? [r.result] : []));
    expect(answered.length).toBeGreaterThanOrEqual(1);
    for (const task of answered) {
      const read = await ok(one, 'newton_getTask', { task_id: task.task_id });
      expect(read).toMatchObject({ status: 'Responded', result: { status: 'success', task_id: task.task_id } });
    }
    expect((await spend(oneUrl)).error?.data.code).toBe('NEWTON_ERR_ATTESTATION_ALREADY_SPENT');
    // The gateway that lived on still serves tasks.
    expect((await ok(one, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(100n) })).status).toBe('success');
  });
});
