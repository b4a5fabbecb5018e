// A finished task as the decision log takes it: the policy that was in force (with its code
// hash, looked up once per policy: policies are immutable), the intent, params and PolicyData
// output to be hashed, and the decision with its certificate or error code.
import type { Hex, LogOutcome, NewtonTask } from 'newton-engine';
import type { GatewayStore, PolicyClientRecord } from '../store/store.js';
import type { TaskOutcome } from '../tasks/network.js';

const codeHashes = new Map<string, Hex>();

async function policyCodeHash(store: GatewayStore, policy: Hex): Promise<Hex> {
  let hash = codeHashes.get(policy);
  if (!hash) {
    const record = await store.policy(policy);
    if (!record) throw new Error(`policy ${policy} is not in the store`);
    codeHashes.set(policy, (hash = record.policyCodeHash));
  }
  return hash;
}

export async function logOutcome(store: GatewayStore, task: NewtonTask, client: PolicyClientRecord, outcome: TaskOutcome): Promise<LogOutcome> {
  const common = { task_id: task.taskId, policy_client: task.policyClient, intent: task.intent, timestamp: outcome.timestamp };
  if (outcome.status === 'failed') {
    const { policyId, policyAddress, policyParams } = client.current;
    return { ...common, policy_id: policyId, policy_address: policyAddress, policy_code_hash: await policyCodeHash(store, policyAddress), params: policyParams, decision: 'failed', error_code: outcome.error.code };
  }
  const r = outcome.task_response;
  return {
    ...common,
    policy_id: r.policyId,
    policy_address: r.policyAddress,
    policy_code_hash: await policyCodeHash(store, r.policyAddress),
    params: Buffer.from(r.policyConfig.policyParams.slice(2), 'hex').toString('utf8'),
    policy_data: r.policyTaskData.policyData,
    decision: outcome.decision.allow ? 'allowed' : 'denied',
    certificate: outcome.certificate,
    response_digest: outcome.digest,
  };
}
