// Faults in real operator processes: four operator services forked from
// test/fixtures/operator-processes/faulty-operator.mjs (the real operator app, its JSON-RPC
// replies altered by an onSend hook switched over IPC), registered with a gateway listening on
// loopback, driven through its JSON-RPC API. An operator signing the opposite decision, one
// sending corrupted signature bytes and one a signature over another message are left out of a
// certificate that still verifies (the honest answers come 500 ms late, so the bad one is among
// those counted before the quorum); PolicyData scaled past the tolerance fails the task with
// ToleranceExceeded naming the JSON path; an operator slower than the prepare timeout is reported
// as timed out while the rest attest.
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyCertificate, type Hex } from '../bindings/dist/index.js';
import { operatorKeystores } from '../server/dist/devnet/operator-processes.js';
import { OWNER, ok } from './fixtures/gateway/harness.js';
import { CLIENT, ownerAuth, publishSpendPolicy, registerClient, transferIntent } from './fixtures/gateway/registry.js';
import { alive, forkFaultyOperator, keystoreId, openLiveGateway, type FaultyOperator, type LiveGateway } from './fixtures/operator-processes/harness.js';
import { makeTempDir } from './helpers/newton.js';

const PREPARE_TIMEOUT_MS = 3_000;
const ALLOW = [...Array(31).fill(0), 1];

const dir = makeTempDir('operator-faults');
let live: LiveGateway;
let operators: FaultyOperator[] = [];

/** Operator ids in the certificate's (ascending) order. */
const ids = (...which: number[]) => which.map((i) => operators[i]!.operatorId.toLowerCase()).sort();
const lower = (xs: string[]) => xs.map((x) => x.toLowerCase());

const createTask = (amount: bigint, extra: Record<string, unknown> = {}) =>
  ok(live, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(amount), ...extra });

async function spend(taskId: Hex) {
  const authorization = await ownerAuth(live, OWNER, 'SpendAttestation', { taskId, caller: OWNER.address.toLowerCase() });
  return (await live.rpc('newton_spendAttestation', { task_id: taskId, caller: OWNER.address, authorization })).body;
}

/** Sets `faults` (by operator index; the others honest) in every process. */
const faults = (set: Record<number, string>) => Promise.all(operators.map((op, i) => op.setFault(set[i] ?? 'none')));

beforeAll(async () => {
  const keystores = await operatorKeystores(dir, 4);
  live = await openLiveGateway(dir, {
    admitOperators: keystores.files.map(keystoreId),
    networkSettings: { prepareTimeoutMs: PREPARE_TIMEOUT_MS, commitTimeoutMs: 10_000 },
  });
  const started = await Promise.allSettled(keystores.files.map((keystore) =>
    forkFaultyOperator({ keystore, password: keystores.password, gatewayUrl: live.url, gatewayAddress: live.gateway.account.address })));
  operators = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  const { policy } = await publishSpendPolicy(live);
  await registerClient(live, policy);
  // Every operator loads the policy and compiles the module once, well inside the prepare timeout.
  const warm = await createTask(5n, { quorum_threshold_percentage: 100 });
  expect(warm).toMatchObject({ status: 'success', operator_errors: [] });
}, 60_000);

afterEach(() => faults({}));

afterAll(async () => {
  await Promise.all(operators.map((op) => op.stop()));
  await live?.close();
  for (const op of operators) expect(alive(op.pid), `operator process ${op.pid}`).toBe(false);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('faulty operator processes', () => {
  it('leaves out an operator that signs the opposite decision; the certificate of the rest verifies and spends', async () => {
    await faults({ 0: 'slow-commit:500', 1: 'slow-commit:500', 2: 'slow-commit:500', 3: 'wrong-evaluation' });
    const task = await createTask(5n);
    expect(task.status).toBe('success');
    expect(task.task_response.evaluation_result).toEqual(ALLOW);
    expect(lower(task.certificate.signers)).toEqual(ids(0, 1, 2));
    expect(lower(task.certificate.non_signers)).toEqual(ids(3));
    await verifyCertificate(live.gateway.network!.registry, task.certificate);
    expect(task.operator_errors).toEqual([expect.objectContaining({
      operator_id: operators[3]!.operatorId,
      error_code: 'NEWTON_ERR_CONSENSUS_FAILED',
      retryable: false,
    })]);
    expect(task.operator_errors[0].message).toContain(`; the quorum signed ${task.certificate.message} (evaluation 0x${'0'.repeat(64)})`);
    expect(await spend(task.task_id)).toMatchObject({ result: { valid: true, status: 'AttestationSpent' } });
  });

  it('leaves out an operator whose signature is corrupted or does not verify; the certificate of the rest verifies', async () => {
    const slow = { 0: 'slow-commit:500', 1: 'slow-commit:500', 2: 'slow-commit:500' };
    const refused = async (fault: string) => {
      await faults({ ...slow, 3: fault });
      const task = await createTask(5n);
      expect(task.status).toBe('success');
      expect(lower(task.certificate.signers)).toEqual(ids(0, 1, 2));
      await verifyCertificate(live.gateway.network!.registry, task.certificate);
      expect(await spend(task.task_id)).toMatchObject({ result: { valid: true } });
      expect(task.operator_errors).toHaveLength(1);
      expect(task.operator_errors[0]).toMatchObject({ operator_id: operators[3]!.operatorId, retryable: false });
      return task.operator_errors[0];
    };
    const corrupted = await refused('bad-signature');
    expect(corrupted.error_code).toBe('NEWTON_ERR_BLS_BAD_ENCODING');
    expect(corrupted.message).toBe(`commit: signature of operator ${operators[3]!.operatorId}: BLS signature is malformed`);
    const foreign = await refused('foreign-signature');
    expect(foreign.error_code).toBe('NEWTON_ERR_SIGNATURE_INVALID');
    expect(foreign.message).toMatch(/^commit: signature of operator 0x[0-9a-f]{64} .*does not verify/);
  });

  it('fails with ToleranceExceeded naming the JSON path when an operator reports PolicyData far from the median', async () => {
    await faults({ 3: 'scale-policy-data:10' });
    const task = await createTask(5n);
    expect(task).toMatchObject({ status: 'failed', error: { code: 'NEWTON_ERR_CONSENSUS_TOLERANCE_EXCEEDED' } });
    expect(task).not.toHaveProperty('certificate');
    expect(task.error.message).toMatch(/^prepare: .*\$\.price/);
    expect(task.error.details).toMatchObject({ path: '$.price', median: 42 });
    expect(task.operator_errors).toEqual([expect.objectContaining({
      operator_id: operators[3]!.operatorId,
      error_code: 'NEWTON_ERR_CONSENSUS_TOLERANCE_EXCEEDED',
      message: 'prepare: $.price is 420, more than 10% from the median 42',
      retryable: true,
    })]);
    const stored = await ok(live, 'newton_getTask', { task_id: task.task_id });
    expect(stored).toMatchObject({ status: 'Created', failed: true, result: { status: 'failed', error: { code: 'NEWTON_ERR_CONSENSUS_TOLERANCE_EXCEEDED' } } });
    expect((await spend(task.task_id)).error.data.code).toBe('NEWTON_ERR_POLICY_DENIED');
  });

  it('reports an operator slower than the prepare timeout as NEWTON_ERR_OPERATOR_TIMEOUT while the rest attest', async () => {
    await faults({ 1: 'slow-prepare:60000' });
    const started = Date.now();
    const task = await createTask(5n);
    const elapsed = Date.now() - started;
    expect(task.status).toBe('success');
    expect(elapsed).toBeGreaterThanOrEqual(PREPARE_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(PREPARE_TIMEOUT_MS + 5_000);
    expect(lower(task.certificate.signers)).toEqual(ids(0, 2, 3));
    await verifyCertificate(live.gateway.network!.registry, task.certificate);
    expect(task.operator_errors).toEqual([expect.objectContaining({
      operator_id: operators[1]!.operatorId,
      error_code: 'NEWTON_ERR_OPERATOR_TIMEOUT',
      message: `prepare: no answer within ${PREPARE_TIMEOUT_MS} ms`,
      retryable: true,
    })]);
  });

  it('takes every operator back once its answers are honest: all four sign at a 100 % quorum', async () => {
    const task = await createTask(5n, { quorum_threshold_percentage: 100 });
    expect(task).toMatchObject({ status: 'success', operator_errors: [] });
    expect(lower(task.certificate.signers)).toEqual(ids(0, 1, 2, 3));
    await verifyCertificate(live.gateway.network!.registry, task.certificate);
    const denied = await createTask(5000n);
    expect(denied.task_response.evaluation_result).toEqual(Array(32).fill(0));
  });
});
