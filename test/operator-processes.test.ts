// Operators as their own processes, for real: a gateway app listening on 127.0.0.1 that admits
// four devnet keystores, and four operator services forked from server/dist/operator/main.js
// (OperatorProcesses: BLS keys from keystores, JSON-RPC over loopback HTTP, every request
// EIP-712-signed by the gateway). End to end through the gateway's JSON-RPC API; forged and stale
// requests refused by an operator process; an operator SIGKILLed as a task starts (3 of 4 still
// attest at 67 %); two down (a failed result, no attestation); both restarted with their
// keystores and signing again; the gateway restarted on the same port with the operators up; and
// no operator process outliving its parent — this suite's teardown, or a SIGKILLed `newton devnet`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyCertificate, type Hex } from '../bindings/dist/index.js';
import { OperatorProcesses, operatorKeystores } from '../server/dist/devnet/operator-processes.js';
import { ALL_TASKS, type RegisteredOperators, type TaskUpdate } from '../server/dist/index.js';
import { OPERATOR_METHODS, authHeaders, signRequest } from '../server/dist/operator/index.js';
import { announcement } from '../server/dist/tasks/deployment.js';
import { OWNER, ok } from './fixtures/gateway/harness.js';
import { CLIENT, ownerAuth, publishSpendPolicy, registerClient, transferIntent } from './fixtures/gateway/registry.js';
import { alive, keystoreId, openLiveGateway, type LiveGateway } from './fixtures/operator-processes/harness.js';
import { makeTempDir } from './helpers/newton.js';
import { repoRoot } from './helpers/paths.js';

const ALLOW = [...Array(31).fill(0), 1];
const DENY = Array(32).fill(0);

const dir = makeTempDir('operator-processes');
let ids: Hex[];
let live: LiveGateway;
let operators: OperatorProcesses | undefined;
/** Every operator process started, for the orphan check. */
const pids = new Set<number>();
/** The operators' stderr (their logs, level warn and up). */
let logs = '';
const stderr = new Writable({ write: (chunk, _encoding, done) => void ((logs += String(chunk)), done()) });

const lower = (xs: string[]) => xs.map((x) => x.toLowerCase());
/** Operator ids of `indexes` (1-based, as OperatorProcesses numbers them) in certificate order. */
const idsOf = (...indexes: number[]) => lower(indexes.map((i) => ids[i - 1]!)).sort();
const registry = () => live.gateway.network!.registry;
const registered = () => live.gateway.network as RegisteredOperators;

const createTask = (amount: bigint, extra: Record<string, unknown> = {}) =>
  ok(live, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(amount), ...extra });

async function spend(taskId: Hex) {
  const authorization = await ownerAuth(live, OWNER, 'SpendAttestation', { taskId, caller: OWNER.address.toLowerCase() });
  return (await live.rpc('newton_spendAttestation', { task_id: taskId, caller: OWNER.address, authorization })).body;
}

async function start(index: number) {
  const op = await operators!.start(index);
  pids.add(op.child.pid!);
  return op;
}

async function teardown() {
  await operators?.stop();
  operators = undefined;
  await live?.close();
}

beforeAll(async () => {
  const keystores = await operatorKeystores(dir, 4);
  ids = keystores.files.map(keystoreId);
  live = await openLiveGateway(dir, { admitOperators: ids, networkSettings: { prepareTimeoutMs: 10_000, commitTimeoutMs: 10_000 } });
  operators = await OperatorProcesses.start(
    { count: 4, dataDir: dir, gatewayUrl: live.url, gatewayAddress: live.gateway.account.address, logLevel: 'warn', stderr },
    (op) => pids.add(op.child.pid!),
  );
  const { policy } = await publishSpendPolicy(live);
  await registerClient(live, policy);
}, 60_000);

afterAll(async () => {
  await teardown();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('four operator processes behind a gateway on loopback', () => {
  let allowedId: Hex;

  it('attest an allow and a deny end to end; the allow spends once, its replay is refused', async () => {
    const listed = await (await fetch(`${live.url}/operators`)).json();
    expect(lower(listed.operators.map((o: { operator_id: string }) => o.operator_id)).sort()).toEqual(idsOf(1, 2, 3, 4));
    expect(listed.operators.map((o: { url: string }) => o.url).sort()).toEqual(operators!.running.map((op) => op.url).sort());

    const allowed = await createTask(5n);
    expect(allowed).toMatchObject({ status: 'success', operator_errors: [] });
    expect(allowed.task_response.evaluation_result).toEqual(ALLOW);
    expect(allowed.certificate.threshold).toBe(67);
    expect(allowed.certificate.signers.length).toBeGreaterThanOrEqual(3);
    expect(idsOf(1, 2, 3, 4)).toEqual(expect.arrayContaining(lower(allowed.certificate.signers)));
    await verifyCertificate(registry(), allowed.certificate);
    allowedId = allowed.task_id;

    const denied = await createTask(5000n);
    expect(denied).toMatchObject({ status: 'success', operator_errors: [] });
    expect(denied.task_response.evaluation_result).toEqual(DENY);
    await verifyCertificate(registry(), denied.certificate);

    expect((await spend(denied.task_id)).error.data.code).toBe('NEWTON_ERR_POLICY_DENIED');
    expect(await spend(allowed.task_id)).toMatchObject({ result: { valid: true, status: 'AttestationSpent' } });
    expect((await spend(allowed.task_id)).error.data.code).toBe('NEWTON_ERR_ATTESTATION_ALREADY_SPENT');
    expect(await ok(live, 'newton_taskStatus', { task_id: allowed.task_id })).toMatchObject({ status: 'AttestationSpent' });
  });

  it('an operator process refuses requests another key signed (401 NEWTON_ERR_UNAUTHORIZED) and stale ones (NEWTON_ERR_TIMEOUT)', async () => {
    const [op] = operators!.running;
    const { task } = await ok(live, 'newton_getTask', { task_id: allowedId });
    const params = { task, announcement: await announcement(live.gateway, (await live.gateway.store.policyClient(CLIENT))!) };
    const claims = { method: OPERATOR_METHODS.prepare, taskId: task.taskId, operatorId: op!.operatorId, paramsText: JSON.stringify(params) };
    const post = async (auth: Awaited<ReturnType<typeof signRequest>>, url = op!.url) => {
      const response = await fetch(`${url}/rpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeaders(auth) },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: OPERATOR_METHODS.prepare, params }),
      });
      return { status: response.status, body: await response.json() };
    };

    const stranger = privateKeyToAccount(generatePrivateKey());
    const forged = await post(await signRequest(stranger, claims, 30_000));
    expect(forged).toMatchObject({ status: 401, body: { id: 1, error: { data: { code: 'NEWTON_ERR_UNAUTHORIZED' } } } });
    expect(forged.body.error.message).toContain(`signed by ${stranger.address}, not by the trusted gateway`);

    const expired = await post(await signRequest(live.gateway.account, claims, 5_000, Date.now() - 10_000));
    expect(expired).toMatchObject({ status: 401, body: { error: { data: { code: 'NEWTON_ERR_TIMEOUT' } } } });
    expect(expired.body.error.message).toMatch(/deadline passed/);
    const old = await post(await signRequest(live.gateway.account, claims, 600_000, Date.now() - 120_000));
    expect(old.body.error).toMatchObject({ data: { code: 'NEWTON_ERR_TIMEOUT' } });
    expect(old.body.error.message).toMatch(/issued \d+ ms ago/);

    // The same request, fresh and signed by the gateway, is answered; sent to another operator, it is refused.
    const auth = await signRequest(live.gateway.account, claims, 30_000);
    expect(await post(auth)).toMatchObject({ status: 200, body: { id: 1, result: { task_id: task.taskId } } });
    expect(await post(auth, operators!.running[1]!.url)).toMatchObject({ status: 401, body: { error: { data: { code: 'NEWTON_ERR_UNAUTHORIZED' } } } });
  });

  it('still attest at 67 % with 3 signers when an operator is SIGKILLed as a task starts', async () => {
    const victim = operators!.running.find((op) => op.index === 4)!;
    let killed: Promise<void> | undefined;
    const onUpdate = (update: TaskUpdate) => {
      if (update.event === 'created' && killed === undefined) killed = operators!.kill(4); // sends SIGKILL at once
    };
    live.gateway.events.on(ALL_TASKS, onUpdate);
    let task;
    try {
      task = await createTask(5n);
    } finally {
      live.gateway.events.off(ALL_TASKS, onUpdate);
    }
    await killed;
    expect(victim.child.signalCode).toBe('SIGKILL');
    expect(alive(victim.child.pid!)).toBe(false);

    expect(task.status).toBe('success');
    expect(task.task_response.evaluation_result).toEqual(ALLOW);
    expect(lower(task.certificate.signers)).toEqual(idsOf(1, 2, 3));
    expect(lower(task.certificate.non_signers)).toEqual(idsOf(4));
    expect(task.certificate.threshold).toBe(67);
    await verifyCertificate(registry(), task.certificate);
    expect(task.operator_errors).toEqual([expect.objectContaining({ operator_id: ids[3], error_code: 'NEWTON_ERR_OPERATOR_UNAVAILABLE', retryable: true })]);
    expect(task.operator_errors[0].message).toMatch(/^prepare: newt_fetchPolicyData: http:\/\/127\.0\.0\.1:\d+ unreachable/);
    expect(await spend(task.task_id)).toMatchObject({ result: { valid: true } });
  });

  it('fail with a quorum error and attest nothing when 2 of 4 are down: a failed result naming both', async () => {
    await operators!.kill(3);
    const task = await createTask(5n);
    expect(task).toMatchObject({
      status: 'failed',
      error: {
        code: 'NEWTON_ERR_INSUFFICIENT_QUORUM_STAKE',
        message: 'prepare: operators holding 50% of the stake answered; the quorum needs 67%',
        details: { round: 'prepare', stake_percent: 50, quorum_threshold: 67 },
      },
    });
    expect(task).not.toHaveProperty('certificate');
    expect(task).not.toHaveProperty('task_response');
    expect(task.operator_errors.map((e: { operator_id: string; error_code: string }) => [e.operator_id.toLowerCase(), e.error_code]).sort()).toEqual(
      idsOf(3, 4).map((id) => [id, 'NEWTON_ERR_OPERATOR_UNAVAILABLE']),
    );
    expect(await ok(live, 'newton_taskStatus', { task_id: task.task_id })).toMatchObject({ status: 'Created', failed: true, expiration: null });
    expect((await spend(task.task_id)).error.data.code).toBe('NEWTON_ERR_POLICY_DENIED');
  });

  it('admit operators restarted with their keystores again; they sign the next tasks', async () => {
    const earlier = new Set(pids);
    const restarted = await Promise.all([start(3), start(4)]);
    for (const op of restarted) {
      expect(lower([op.operatorId])).toEqual(idsOf(op.index)); // the same keystore, a new process
      expect(earlier.has(op.child.pid!)).toBe(false);
    }
    const now = new Map(registered().list().map((o) => [o.operator_id.toLowerCase(), o.url]));
    for (const op of restarted) expect(now.get(op.operatorId.toLowerCase())).toBe(op.url);
    expect(registered().operatorCount).toBe(4);

    // A 100 % quorum: the task attests only if every operator, the restarted ones included, signs.
    for (const amount of [5n, 6n]) {
      const task = await createTask(amount, { quorum_threshold_percentage: 100 });
      expect(task).toMatchObject({ status: 'success', operator_errors: [] });
      expect(lower(task.certificate.signers)).toEqual(idsOf(1, 2, 3, 4));
      await verifyCertificate(registry(), task.certificate);
    }
  });

  it('survive a gateway restart on the same port: operators known at once and re-registering, tasks readable, attestations spendable, spent ones still spent', async () => {
    const held = await createTask(7n);
    expect(held.status).toBe('success');
    const port = live.port;
    const keys = { readKey: live.readKey, writeKey: live.writeKey };
    await live.close();

    let atOpen: ReturnType<RegisteredOperators['list']> = [];
    const reopenedAt = Date.now();
    live = await openLiveGateway(dir, { admitOperators: ids, port, keys, onOpen: (gateway) => (atOpen = (gateway.network as RegisteredOperators).list()) });
    expect(live.url).toBe(`http://127.0.0.1:${port}`);
    // From operators.json, before any operator could reach it: every one, none seen yet.
    expect(lower(atOpen.map((o) => o.operator_id)).sort()).toEqual(idsOf(1, 2, 3, 4));
    expect(atOpen.map((o) => o.url).sort()).toEqual(operators!.running.map((op) => op.url).sort());
    expect(atOpen.map((o) => o.last_seen)).toEqual([0, 0, 0, 0]);

    const stored = await ok(live, 'newton_getTask', { task_id: held.task_id });
    expect(stored).toMatchObject({ task_id: held.task_id, status: 'Responded', failed: false, result: { status: 'success', certificate: held.certificate } });
    await verifyCertificate(registry(), stored.result.certificate);
    expect(await ok(live, 'newton_taskStatus', { task_id: held.task_id })).toMatchObject({ status: 'Responded', expiration: held.expiration });
    expect((await spend(allowedId)).error.data.code).toBe('NEWTON_ERR_ATTESTATION_ALREADY_SPENT');
    expect(await ok(live, 'newton_taskStatus', { task_id: allowedId })).toMatchObject({ status: 'AttestationSpent' });
    expect(await spend(held.task_id)).toMatchObject({ result: { valid: true, status: 'AttestationSpent' } });

    const after = await createTask(8n);
    expect(after).toMatchObject({ status: 'success', operator_errors: [] });
    await verifyCertificate(registry(), after.certificate);

    // Each renews within its 10 s period.
    await vi.waitFor(() => expect(registered().list().filter((o) => o.last_seen >= reopenedAt)).toHaveLength(4), { timeout: 15_000, interval: 250 });
  }, 30_000);

  it('leave no operator process behind after the teardown, and none logged an error', async () => {
    expect(pids.size).toBe(6); // four, and two restarted
    const running = operators!.running.map((op) => op.child.pid!);
    expect(running.every(alive)).toBe(true);
    await teardown();
    for (const pid of pids) expect(alive(pid), `operator process ${pid}`).toBe(false);
    expect(logs).not.toMatch(/"level":(50|60)/);
  });
});

describe('newton devnet', () => {
  it('leaves no operator process behind when the devnet itself is SIGKILLed', async () => {
    const dataDir = makeTempDir('operator-processes-devnet');
    const child = spawn(process.execPath, [path.join(repoRoot, 'bindings/bin/newton.js'), 'devnet', '--no-tour', '--operators', '2', '--port', '0', '--format', 'json', '--data-dir', dataDir, '--log-level', 'silent'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const exited = once(child, 'exit');
    let children: number[] = [];
    try {
      await vi.waitFor(() => expect(out).toContain('\n'), { timeout: 30_000, interval: 100 }).catch(() => {
        throw new Error(`newton devnet printed no ready line\n${out}\n${err}`);
      });
      const ready = JSON.parse(out.split('\n')[0]!) as { url: string; operators: Array<{ operator_id: Hex; pid: number }> };
      children = ready.operators.map((op) => op.pid);
      expect(children).toHaveLength(2);
      expect(children.every(alive)).toBe(true);
      const listed = await (await fetch(`${ready.url}/operators`)).json();
      expect(listed.operators).toHaveLength(2);

      child.kill('SIGKILL');
      await exited;
      // Their IPC channel closed with the parent: each closes its service and exits.
      await vi.waitFor(() => expect(children.filter(alive)).toEqual([]), { timeout: 10_000, interval: 100 });
    } finally {
      child.kill('SIGKILL');
      for (const pid of children.filter(alive)) process.kill(pid, 'SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
