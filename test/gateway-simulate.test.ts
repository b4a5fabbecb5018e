// Dry runs through RPC (on SQLite and on PostgreSQL): newt_simulatePolicy and newt_simulateTask
// evaluate the caller's Rego in the sandbox's worker processes (published PolicyData run there by
// content id); missing secrets are reported as Newton reports them; bad Rego is a JSON-RPC error
// with the engine's code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER, STORES, ok, openGateway, type TestGateway } from './fixtures/gateway/harness.js';
import { CLIENT, SPEND_POLICY, publishSpendPolicy, registerClient, transferIntent } from './fixtures/gateway/registry.js';
import * as wat from './helpers/policy-data-wat.js';

describe.each(STORES)('dry runs (%s store)', (store) => {
  let t: TestGateway;
  let oracle: string;
  beforeAll(async () => {
    t = await openGateway({ sandbox: { workers: 1 }, store });
    const published = await publishSpendPolicy(t, 42);
    oracle = published.oracle;
    await registerClient(t, published.policy);
  });
  afterAll(() => t.close());

  describe('newt_simulatePolicy', () => {
    it('evaluates the given Rego on published PolicyData and reports what the policy saw', async () => {
      const intent = { ...transferIntent(5n), chainId: '0xaa36a7', chain_id: undefined };
      const r = await ok(t, 'newt_simulatePolicy', {
        policy_client: CLIENT, policy: SPEND_POLICY, intent, entrypoint: 'spend.allow',
        policy_data: [{ policy_data_address: oracle, wasm_args: null }], policy_params: { max_amount: 10 }, intent_signature: null,
      });
      expect(r.success).toBe(true);
      expect(r.evaluation_result).toMatchObject({ entrypoint: 'spend.allow', result: true, allow: true, expire_after: 0, policy_params_and_data: { params: { max_amount: 10 }, wasm: { price: 42 } } });
      expect(r.evaluation_result.parsed_intent.function.name).toBe('transfer');
      const deny = await ok(t, 'newt_simulatePolicy', { policy_client: CLIENT, policy: SPEND_POLICY, intent, entrypoint: 'spend.allow', policy_data: [{ policy_data_address: oracle }], policy_params: { max_amount: 1 } });
      expect(deny.evaluation_result.allow).toBe(false);
    });

    it('is a JSON-RPC error with the engine code for Rego that does not parse', async () => {
      const { status, body } = await t.rpc('newt_simulatePolicy', { policy_client: CLIENT, policy: 'package p\nallow if {', intent: transferIntent(1n) });
      expect(status).toBe(200);
      expect(body.error.data.code).toBe('NEWTON_ERR_POLICY_PARSE');
    });

    it('reports missing secrets of PolicyData that declare a secrets schema', async () => {
      const pd = await ok(t, 'newton_publishPolicyData', { owner: OWNER.address, wasm: Buffer.from(await wat.readingSecrets()).toString('hex'), expire_after: 5, secrets_schema: { type: 'object' } });
      const r = await ok(t, 'newt_simulatePolicy', { policy_client: CLIENT, policy: SPEND_POLICY, intent: transferIntent(1n), policy_data: [{ policy_data_address: pd.policy_data_address }] });
      expect(r).toMatchObject({ success: false, evaluation_result: null, error: 'Missing secrets for 1 PolicyData contract(s)' });
      expect(r.error_details.missing_secrets).toEqual([{ policy_data_address: pd.policy_data_address, has_secrets_schema: true }]);
    });
  });

  describe('newton_publishPolicy', () => {
    it('compiles the Rego in the sandbox: errors keep the engine code, nothing is stored', async () => {
      const bad = await t.rpc('newton_publishPolicy', { owner: OWNER.address, policy: 'package p\nallow if {', entrypoint: 'p.allow' });
      expect(bad.body.error.data).toMatchObject({ code: 'NEWTON_ERR_POLICY_PARSE', details: { line: expect.any(Number) } });
      const noRule = await t.rpc('newton_publishPolicy', { owner: OWNER.address, policy: 'package p\nimport rego.v1\ndefault allow := true\n', entrypoint: 'p.deny' });
      expect(noRule.body.error.data.code).toBe('NEWTON_ERR_POLICY_ENTRYPOINT');
    });
  });

  describe('newt_simulateTask', () => {
    it('evaluates policy_task_data as given, taking the entrypoint from the published policy', async () => {
      const policy = await ok(t, 'newton_getPolicy', { policy: (await ok(t, 'newton_getPolicyClient', { policy_client: CLIENT })).policy_address });
      const hex = (s: string) => `0x${Buffer.from(s).toString('hex')}`;
      const r = await ok(t, 'newt_simulateTask', {
        intent: transferIntent(5n),
        policy_task_data: { policyId: null, policyAddress: policy.policy_address, policy: hex(SPEND_POLICY), policyData: [{ wasmArgs: '0x', data: hex('{"price":7}'), policyDataAddress: oracle }] },
        policy_params: { max_amount: 10 },
      });
      expect(r).toMatchObject({ success: true, result: { allow: true }, error: null, details: { entrypoint: 'spend.allow' } });
      const expensive = await ok(t, 'newt_simulateTask', {
        intent: transferIntent(5n), policy_params: { max_amount: 10 },
        policy_task_data: { policyAddress: policy.policy_address, policy: hex(SPEND_POLICY).slice(2), policyData: [{ data: hex('{"price":700}') }] },
      });
      expect(expensive.result.allow).toBe(false);
    });
  });
});
