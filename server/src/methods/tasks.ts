// Task methods: newt_createTask (waits for the result), newt_sendTask (returns at once; progress
// over the WebSocket), and the extensions newton_getTask / newton_taskStatus,
// newton_spendAttestation (validate-and-spend, signed by the caller) and the block clock's newton_blockNumber /
// newton_advanceBlocks.
import { Type } from '@sinclair/typebox';
import { attestationBundle, checkAttestation, type AttestationBundle, type Hex, type NewtonTask, type ValidationContext, type ValidationReport } from 'newton-engine';
import type { Gateway } from '../gateway.js';
import { RpcError, invalidParams, notFound } from '../rpc/errors.js';
import { address, bytes32 } from '../rpc/hex.js';
import { method, type Method } from '../rpc/method.js';
import { checkOwner } from '../owner-auth.js';
import { Address, Bytes32, NoParams } from '../rpc/types.js';
import { OwnerAuth, ownerAuth } from './registry.js';
import type { TaskRecord, TaskStatus } from '../store/store.js';
import { TaskParams, buildTask, timeoutMs } from '../tasks/build.js';
import { taskResponseOf, type TaskSuccess } from '../tasks/results.js';
import { subscriptionTopic } from '../tasks/service.js';

/** A little longer than the task's own timeout, so the task reports its timeout itself. */
const rpcTimeout = (p: TaskParams) => timeoutMs(p) + 5_000;

async function taskRecord(gateway: Gateway, id: string): Promise<TaskRecord> {
  const taskId = bytes32(id, 'task_id');
  const record = await gateway.store.task(taskId);
  if (!record) throw notFound(`no task ${taskId}`);
  // In chain mode the client contract spends attestations: the handler says which are spent.
  if (record.status === 'Responded' && gateway.chain && (await gateway.chain.attestationSpent(taskId))) {
    await gateway.store.setTaskStatus(taskId, 'AttestationSpent');
    return { ...record, status: 'AttestationSpent' };
  }
  if (record.status === 'Responded' && record.expiration !== null && gateway.clock.block >= record.expiration) {
    await gateway.store.setTaskStatus(taskId, 'AttestationExpired');
    return { ...record, status: 'AttestationExpired' };
  }
  return record;
}

const statusResult = (r: TaskRecord) => ({ task_id: r.taskId, status: r.status, expiration: r.expiration, failed: r.result?.status === 'failed' });

/** Validates the task's attestation as the client contract would for `caller`, spending it when valid. */
async function spend(gateway: Gateway, record: TaskRecord, caller: Hex) {
  if (record.result?.status !== 'success') throw new RpcError('NEWTON_ERR_POLICY_DENIED', `task ${record.taskId} has no attestation (it has not responded)`);
  const result = record.result as unknown as TaskSuccess;
  const client = await gateway.store.policyClient(record.policyClient);
  if (!client) throw notFound(`policy client ${record.policyClient} is not registered`);
  const bundle = attestationBundle(record.task as unknown as NewtonTask, taskResponseOf(result), result.certificate, result.expiration);
  const context = { policyId: client.current.policyId, chainId: gateway.clock.chainId, caller, currentBlock: gateway.clock.block };
  const report = gateway.store.spendAttestation ? await spendInStore(gateway, bundle, context) : await gateway.validator().validate(bundle, context);
  const failed = report.checks.find((c) => c.status === 'failed');
  const status: TaskStatus | null = report.valid ? 'AttestationSpent' : failed?.code === 'NEWTON_ERR_ATTESTATION_EXPIRED' ? 'AttestationExpired' : null;
  if (status) await gateway.store.setTaskStatus(record.taskId, status);
  if (!report.valid) {
    throw new RpcError(failed?.code ?? 'NEWTON_ERR_INTERNAL', failed?.message ?? 'attestation refused', { details: { checks: report.checks } });
  }
  return { valid: true, task_id: record.taskId, status: 'AttestationSpent', attestation: bundle.attestation, attestation_hash: bundle.attestation_hash, checks: report.checks };
}

/** The validator's checks, then the spend in the gateway's store (one shared by several gateways). */
async function spendInStore(gateway: Gateway, bundle: AttestationBundle, context: ValidationContext): Promise<ValidationReport> {
  const report = await checkAttestation(gateway.requireNetwork().registry, bundle, context);
  if (report.checks.some((c) => c.status === 'failed')) return report;
  const checks = report.checks.slice(0, -1);
  const taskId = bundle.attestation.taskId;
  if (await gateway.store.spendAttestation!(taskId, bundle.attestation_hash)) {
    return { checks: [...checks, { check: 'single_use', status: 'passed' }], valid: true };
  }
  const spent = { check: 'single_use' as const, status: 'failed' as const, code: 'NEWTON_ERR_ATTESTATION_ALREADY_SPENT' as const, message: `attestation for task ${taskId} was already spent` };
  return { checks: [...checks, spent], valid: false };
}

export const taskMethods: Method[] = [
  method('newt_createTask', 'read', TaskParams, async (p, { gateway, key }) => {
    const { task, client } = await buildTask(gateway, p);
    const { done } = await gateway.tasks.start(task, client, { timeoutMs: timeoutMs(p), keyId: key.id });
    return done;
  }, rpcTimeout),
  method('newt_sendTask', 'read', TaskParams, async (p, { gateway, key }) => {
    const { task, client } = await buildTask(gateway, p);
    await gateway.tasks.start(task, client, { timeoutMs: timeoutMs(p), keyId: key.id });
    return { task_id: task.taskId, subscription_topic: subscriptionTopic(task.taskId), message: 'Task submitted; subscribe to subscription_topic on /ws for progress', timestamp: Date.now() };
  }),
  method('newton_getTask', 'read', Type.Object({ task_id: Bytes32 }), async (p, { gateway }) => {
    const r = await taskRecord(gateway, p.task_id);
    return { ...statusResult(r), task: r.task, result: r.result };
  }),
  method('newton_taskStatus', 'read', Type.Object({ task_id: Bytes32 }), async (p, { gateway }) => statusResult(await taskRecord(gateway, p.task_id))),
  method('newton_spendAttestation', 'write', Type.Object({ task_id: Bytes32, caller: Address, authorization: OwnerAuth }), async (p, { gateway }) => {
    if (gateway.chain) throw invalidParams('chain mode: an attestation is spent on chain, by the policy client contract (_validateAttestation)');
    const record = await taskRecord(gateway, p.task_id);
    const caller = address(p.caller, 'caller');
    // The caller is msg.sender of Newton's validateAttestation: only they may spend in their name.
    await checkOwner(gateway, caller, 'SpendAttestation', { taskId: record.taskId, caller }, ownerAuth(p.authorization));
    return spend(gateway, record, caller);
  }),
  method('newton_blockNumber', 'read', NoParams, async (_, { gateway }) => ({
    block_number: gateway.clock.block, timestamp: gateway.clock.timestamp(), chain_id: gateway.clock.chainId,
  })),
  method('newton_advanceBlocks', 'write', Type.Object({ blocks: Type.Integer({ minimum: 0, maximum: 1_000_000 }) }), async (p, { gateway }) => ({
    block_number: await gateway.clock.advance(p.blocks),
  })),
];
