// End to end through the RPC API with four in-process operators: publish → register →
// createTask → spend → replay refused → setPolicy → old attestation refused (PolicyIdMismatch) →
// block clock past expiry → refused, with the gateway restarted in the middle; on each store.
import { describe, expect, it } from 'vitest';
import { CLIENT, ownerAuth, paramsHash, publishSpendPolicy, registerClient, transferIntent } from './fixtures/gateway/registry.js';
import { OWNER, OTHER, STORES, ok, openGateway, tempDir, type TestGateway } from './fixtures/gateway/harness.js';

describe.each(STORES)('the gateway end to end (%s store)', (store) => {
  const dir = tempDir(`e2e-${store}`);
  let t: TestGateway;

  it('publishes, registers, attests an allow and a deny, spends once, refuses replays, survives a restart, refuses after setPolicy and after expiry', async () => {
    t = await openGateway({ operators: 4, store }, dir);
    const { policy } = await publishSpendPolicy(t);
    const registered = await registerClient(t, policy);
    expect(registered.policy_id).toMatch(/^0x[0-9a-f]{64}$/);

    const allowed = await ok(t, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(5n), intent_signature: null, wasm_args: null, quorum_number: null });
    expect(allowed.status).toBe('success');
    expect(allowed.task_response.evaluation_result).toEqual([...Array(31).fill(0), 1]);
    expect(allowed.task_response.policy_id).toBe(registered.policy_id);
    expect(allowed.task.quorumThresholdPercentage).toBe(67);
    expect(allowed.aggregation_response).toBeNull();
    expect(JSON.parse(Buffer.from(allowed.signature_data.slice(2), 'hex').toString())).toEqual(allowed.certificate);
    expect(allowed.expiration).toBe(allowed.reference_block + 20);

    const denied = await ok(t, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(5000n) });
    expect(denied.status).toBe('success');
    expect(denied.task_response.evaluation_result).toEqual(Array(32).fill(0));

    const spend = async (taskId: string, caller = OWNER) =>
      t.rpc('newton_spendAttestation', { task_id: taskId, caller: caller.address, authorization: await ownerAuth(t, caller, 'SpendAttestation', { taskId, caller: caller.address.toLowerCase() }) });
    expect((await spend(denied.task_id)).body.error.data.code).toBe('NEWTON_ERR_POLICY_DENIED');
    expect((await spend(allowed.task_id, OTHER)).body.error.data.code).toBe('NEWTON_ERR_INTENT_SENDER_MISMATCH');
    // Spending in someone else's name needs their signature.
    const forged = await ownerAuth(t, OTHER, 'SpendAttestation', { taskId: allowed.task_id, caller: OWNER.address.toLowerCase() });
    const refused = await t.rpc('newton_spendAttestation', { task_id: allowed.task_id, caller: OWNER.address, authorization: forged });
    expect(refused.body.error).toMatchObject({ code: -32002, data: { code: 'NEWTON_ERR_PRIVACY_UNAUTHORIZED' } });
    const spent = (await spend(allowed.task_id)).body;
    expect(spent.result).toMatchObject({ valid: true, status: 'AttestationSpent' });
    expect((await spend(allowed.task_id)).body.error.data.code).toBe('NEWTON_ERR_ATTESTATION_ALREADY_SPENT');

    const second = await ok(t, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(7n) });
    const third = await ok(t, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(8n) });

    // Restart: keys, registry, tasks, spent attestations and the clock all persist.
    const keys = { readKey: t.readKey, writeKey: t.writeKey };
    const block = t.gateway.clock.block;
    await t.close();
    t = await openGateway({ operators: 4, store }, dir, keys);
    expect(t.gateway.clock.block).toBe(block);
    expect((await spend(allowed.task_id)).body.error.data.code).toBe('NEWTON_ERR_ATTESTATION_ALREADY_SPENT');
    expect(await ok(t, 'newton_taskStatus', { task_id: allowed.task_id })).toMatchObject({ status: 'AttestationSpent' });
    expect(await ok(t, 'newton_taskStatus', { task_id: second.task_id })).toMatchObject({ status: 'Responded' });

    // setPolicy: a new policyId; the attestation minted under the old one is refused.
    const params = JSON.stringify({ max_amount: 6 });
    const authorization = await ownerAuth(t, OWNER, 'SetPolicyParams', { policyClient: CLIENT, policyParamsHash: paramsHash(params), expireAfter: 20 });
    const set = await ok(t, 'newton_setPolicyParams', { policy_client: CLIENT, policy_params: params, authorization });
    expect(set.policy_id).not.toBe(registered.policy_id);
    expect((await spend(second.task_id)).body.error.data.code).toBe('NEWTON_ERR_POLICY_ID_MISMATCH');
    const history = await ok(t, 'newton_getPolicyClient', { policy_client: CLIENT });
    expect(history.history.map((h: { policy_id: string }) => h.policy_id)).toEqual([registered.policy_id, set.policy_id]);
    // The new params change the next decision: 8 > 6.
    const now = await ok(t, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(8n) });
    expect(now.task_response.evaluation_result.at(-1)).toBe(0);
    expect(now.task_response.policy_id).toBe(set.policy_id);
    // A replayed owner signature is refused (its nonce is spent).
    expect((await t.rpc('newton_setPolicyParams', { policy_client: CLIENT, policy_params: params, authorization })).body.error.data.code).toBe('NEWTON_ERR_PRIVACY_UNAUTHORIZED');

    // setPolicy to another published policy: another new id, and its decision.
    const open = await ok(t, 'newton_publishPolicy', { owner: OWNER.address, policy: 'package open\nimport rego.v1\ndefault allow := true\n', entrypoint: 'open.allow' });
    const switchAuth = await ownerAuth(t, OWNER, 'SetPolicy', { policyClient: CLIENT, policy: open.policy_address, policyParamsHash: paramsHash('{}'), expireAfter: 20 });
    const switched = await ok(t, 'newton_setPolicy', { policy_client: CLIENT, policy: open.policy_address.slice(2).toUpperCase(), policy_params: null, expire_after: 20, authorization: switchAuth });
    expect(switched).toMatchObject({ policy_address: open.policy_address });
    expect(switched.policy_id).not.toBe(set.policy_id);
    const big = await ok(t, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(5000n) });
    expect(big.task_response).toMatchObject({ policy_id: switched.policy_id, policy_address: open.policy_address });
    expect(big.task_response.evaluation_result.at(-1)).toBe(1);
    const foreign = await ownerAuth(t, OTHER, 'SetPolicy', { policyClient: CLIENT, policy: open.policy_address, policyParamsHash: paramsHash('{}'), expireAfter: 20 });
    expect((await t.rpc('newton_setPolicy', { policy_client: CLIENT, policy: open.policy_address, expire_after: 20, authorization: foreign })).body.error.message).toContain(`signed by ${OTHER.address}`);

    // Past expiry: refused, and the status says so.
    const fresh = await ok(t, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(1n) });
    expect(third.status).toBe('success');
    await ok(t, 'newton_advanceBlocks', { blocks: 25 });
    expect((await spend(fresh.task_id)).body.error.data.code).toBe('NEWTON_ERR_ATTESTATION_EXPIRED');
    expect(await ok(t, 'newton_taskStatus', { task_id: fresh.task_id })).toMatchObject({ status: 'AttestationExpired' });
    await t.close();
  });
});
