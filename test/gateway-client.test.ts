// NewtonClient against a listening gateway (on SQLite and on PostgreSQL): the registry writes
// signed with signOwnerAuthorization, a signed intent (intentTypedData), a task and its attestation
// spent once, and refusals as NewtonRpcError with the stable code and the HTTP status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NewtonClient, NewtonRpcError, intentTypedData, signOwnerAuthorization } from '../bindings/dist/index.js';
import * as wat from './helpers/policy-data-wat.js';
import { OWNER, STORES, openGateway, type TestGateway } from './fixtures/gateway/harness.js';
import { CHAIN_ID, CLIENT, SPEND_POLICY, paramsHash, transferIntent } from './fixtures/gateway/registry.js';

describe.each(STORES)('NewtonClient (%s store)', (store) => {
  let t: TestGateway;
  let client: NewtonClient;
  let url: string;
  beforeAll(async () => {
    t = await openGateway({ operators: 4, store });
    url = `${await t.app.listen({ host: '127.0.0.1', port: 0 })}/rpc`;
    client = new NewtonClient({ url, apiKey: t.writeKey });
  });
  afterAll(() => t.close());

  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.fail('expected a refusal'),
      (err: unknown) => (expect(err).toBeInstanceOf(NewtonRpcError), err as NewtonRpcError),
    );

  describe('NewtonClient', () => {
    it('publishes, registers, runs a signed task and spends its attestation once', async () => {
      const pd = await client.publishPolicyData({ owner: OWNER.address, wasm: Buffer.from(await wat.returning('{"price":1}')).toString('hex'), expire_after: 50 });
      const policy = await client.publishPolicy({ owner: OWNER.address, policy: SPEND_POLICY, entrypoint: 'spend.allow', policy_data: [pd.policy_data_address] });
      expect(policy.created).toBe(true);
      expect((await client.publishPolicy({ owner: OWNER.address, policy: SPEND_POLICY, entrypoint: 'spend.allow', policy_data: [pd.policy_data_address] })).created).toBe(false);

      const params = { max_amount: 100 };
      const { gateway_nonce: nonce } = await client.getNonce(OWNER.address);
      const message = { policyClient: CLIENT, owner: OWNER.address.toLowerCase(), policy: policy.policy_address, policyParamsHash: paramsHash(JSON.stringify(params)), expireAfter: 30 };
      const authorization = await signOwnerAuthorization(OWNER, 'RegisterPolicyClient', message, { chainId: CHAIN_ID, nonce });
      const registered = await client.registerPolicyClient({ policy_client: CLIENT, owner: OWNER.address, policy: policy.policy_address, policy_params: params, expire_after: 30, authorization });
      expect((await client.getPolicyClient(CLIENT)).policy_id).toBe(registered.policy_id);

      const wire = transferIntent(9n);
      const intent = { from: wire.from.toLowerCase() as `0x${string}`, to: wire.to.toLowerCase() as `0x${string}`, value: wire.value, data: wire.data as `0x${string}`, chainId: wire.chain_id, functionSignature: wire.function_signature };
      const signature = await OWNER.signTypedData(intentTypedData(intent, CLIENT));
      const result = await client.createTask({ policy_client: CLIENT, intent: wire, intent_signature: signature });
      expect(result.status).toBe('success');
      if (result.status !== 'success') return;
      expect(result.task.intentSignature).toBe(signature);
      const spendAuth = async () => {
        const { gateway_nonce } = await client.getNonce(OWNER.address);
        return signOwnerAuthorization(OWNER, 'SpendAttestation', { taskId: result.task_id, caller: OWNER.address.toLowerCase() }, { chainId: CHAIN_ID, nonce: gateway_nonce });
      };
      expect((await client.spendAttestation(result.task_id, OWNER.address, await spendAuth())).status).toBe('AttestationSpent');
      const again = await refusal(client.spendAttestation(result.task_id, OWNER.address, await spendAuth()));
      expect(again).toMatchObject({ code: 'NEWTON_ERR_ATTESTATION_ALREADY_SPENT', rpcCode: -32615, status: 200 });
      expect((await client.taskStatus(result.task_id)).status).toBe('AttestationSpent');
    });

    it('surfaces auth failures with their HTTP status', async () => {
      const stranger = new NewtonClient({ url, apiKey: 'nwt_nope' });
      expect(await refusal(stranger.getPrivacyPublicKey())).toMatchObject({ code: 'NEWTON_ERR_UNAUTHORIZED', status: 401, rpcCode: -32002 });
      expect((await client.blockNumber()).chain_id).toBe(CHAIN_ID);
      expect((await client.advanceBlocks(3)).block_number).toBe((await client.blockNumber()).block_number);
    });
  });
});
