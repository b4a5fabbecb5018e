// Dry runs, nothing signed: newt_simulatePolicy and newt_simulateTask evaluate the caller's Rego
// in the sandbox's worker processes; newt_simulatePolicyData(WithClient) run a published
// PolicyData module (wasmtime, under the host's limits) and return its output.
import { Type } from '@sinclair/typebox';
import type { Hex, NewtonIntent } from 'newton-engine';
import type { Gateway } from '../gateway.js';
import { invalidParams, notFound } from '../rpc/errors.js';
import { address, hexData, intent as readIntent, quantity } from '../rpc/hex.js';
import { method, type Method } from '../rpc/method.js';
import { Address, HexText, Intent, Opt, Quantity } from '../rpc/types.js';
import type { SimulationPolicyData } from '../sandbox/index.js';
import type { ApiKeyRecord } from '../store/store.js';
import { openSecrets } from '../tasks/deployment.js';
import { envelopeText } from './authorization.js';
import { ownedClient } from './secrets.js';

const JsonObject = Type.Record(Type.String(), Type.Unknown());
/** wasm_args: hex of UTF-8 JSON (with or without 0x), or the JSON object itself. */
const WasmArgs = Type.Union([HexText, JsonObject]);

function wasmArgs(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value === 'object') return value as Record<string, unknown>;
  const hex = hexData(value, field);
  if (hex === '0x') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(hex.slice(2), 'hex').toString('utf8'));
  } catch {
    throw invalidParams(`${field} must be the hex of UTF-8 JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidParams(`${field} must encode a JSON object`);
  return parsed as Record<string, unknown>;
}

/** The intent in the wire form the engine parses (snake_case). */
const wireIntent = (i: NewtonIntent) => ({ from: i.from, to: i.to, value: i.value, data: i.data, chain_id: i.chainId, function_signature: i.functionSignature });

async function runPolicyData(gateway: Gateway, pdAddress: Hex, args: Record<string, unknown>, secrets: string | undefined) {
  const record = await gateway.store.policyData(pdAddress);
  if (!record) throw notFound(`PolicyData ${pdAddress} is not published`);
  const wasm = await gateway.store.content(record.wasmCid);
  if (!wasm) throw notFound(`PolicyData ${pdAddress}: component ${record.wasmCid} is missing`);
  try {
    const module = await gateway.host.load(wasm);
    const run = await module.run(args, secrets === undefined ? {} : { secrets });
    return { success: true, policy_data: { specifier: record.wasmCid, data: JSON.parse(run.output), timestamp: Date.now() }, error: null };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (!e.code?.startsWith('NEWTON_ERR_POLICY_DATA_')) throw err;
    return { success: false, policy_data: null, error: e.message ?? String(err), error_code: e.code };
  }
}

/** newt_simulatePolicy's PolicyData: published modules, each with the client's secrets when its schema asks for them. */
async function simulationPolicyData(gateway: Gateway, key: ApiKeyRecord, client: Hex, entries: { policy_data_address: string; wasm_args?: unknown }[]) {
  const resolved: SimulationPolicyData[] = [];
  const missing: { policy_data_address: Hex; has_secrets_schema: boolean }[] = [];
  let owned = false;
  for (const [i, entry] of entries.entries()) {
    const pdAddress = address(entry.policy_data_address, `policy_data[${i}].policy_data_address`);
    const record = await gateway.store.policyData(pdAddress);
    if (!record) throw notFound(`PolicyData ${pdAddress} is not published`);
    let secrets: string | undefined;
    if (record.secretsSchema) {
      if (!owned) await ownedClient(gateway, key, client); // Newton checks ownership only when secrets are involved
      owned = true;
      secrets = await openSecrets(gateway, client, pdAddress);
      if (secrets === undefined) missing.push({ policy_data_address: pdAddress, has_secrets_schema: true });
    }
    await gateway.policyDataFile(record.wasmCid);
    resolved.push({ policy_data_address: pdAddress, wasm_cid: record.wasmCid, wasm_args: wasmArgs(entry.wasm_args, `policy_data[${i}].wasm_args`), ...(secrets !== undefined && { secrets }) });
  }
  return { resolved, missing };
}

export const simulateMethods: Method[] = [
  method(
    'newt_simulatePolicy',
    'read',
    Type.Object({
      policy_client: Address,
      policy: Type.String({ minLength: 1, maxLength: 1_048_576 }),
      intent: Intent,
      entrypoint: Opt(Type.String({ minLength: 1, maxLength: 256 })),
      policy_data: Opt(Type.Array(Type.Object({ policy_data_address: Address, wasm_args: Opt(WasmArgs) }), { maxItems: 64 })),
      policy_params: Opt(JsonObject),
      intent_signature: Opt(HexText),
    }),
    async (p, { gateway, key }) => {
      const intent = readIntent(p.intent);
      const client = address(p.policy_client, 'policy_client');
      const { resolved, missing } = await simulationPolicyData(gateway, key, client, (p.policy_data ?? []) as { policy_data_address: string; wasm_args?: unknown }[]);
      if (missing.length) {
        return {
          success: false, evaluation_result: null, error: `Missing secrets for ${missing.length} PolicyData contract(s)`,
          error_details: { missing_secrets: missing, suggested_actions: ['Store the secrets with newt_storeEncryptedSecrets for this policy_client'] },
        };
      }
      const sim = await (await gateway.sandbox()).simulatePolicy({
        policy: p.policy, entrypoint: p.entrypoint ?? undefined, intent: wireIntent(intent), policy_params: p.policy_params ?? {}, policy_data: resolved,
      });
      return {
        success: !sim.decision.error,
        evaluation_result: {
          policy: p.policy, parsed_intent: sim.parsed_intent, policy_params_and_data: sim.policy_params_and_data,
          entrypoint: sim.entrypoint, result: sim.result, allow: sim.decision.allow, reason: sim.decision.reason ?? null, expire_after: 0,
        },
        error: sim.decision.error?.message ?? null,
        error_details: sim.decision.error ?? null,
      };
    },
  ),
  method(
    'newt_simulateTask',
    'read',
    Type.Object({
      intent: Intent,
      policy_task_data: Type.Object({
        policyId: Opt(HexText),
        policyAddress: Opt(Address),
        policy: HexText,
        policyData: Opt(Type.Array(Type.Object({ wasmArgs: Opt(HexText), data: HexText, policyDataAddress: Opt(Address) }), { maxItems: 64 })),
      }),
      entrypoint: Opt(Type.String({ minLength: 1, maxLength: 256 })),
      policy_params: Opt(JsonObject),
    }),
    async (p, { gateway }) => {
      const intent = readIntent(p.intent);
      const ptd = p.policy_task_data;
      const policy = Buffer.from(hexData(ptd.policy, 'policy_task_data.policy').slice(2), 'hex').toString('utf8');
      const published = ptd.policyAddress ? await gateway.store.policy(address(ptd.policyAddress, 'policy_task_data.policyAddress')) : null;
      const policyData = (ptd.policyData ?? []).map((pd, i) => ({
        ...(pd.policyDataAddress && { policy_data_address: address(pd.policyDataAddress, `policy_task_data.policyData[${i}].policyDataAddress`) }),
        data: wasmArgs(pd.data, `policy_task_data.policyData[${i}].data`),
      }));
      const sim = await (await gateway.sandbox()).simulatePolicy({
        policy, entrypoint: p.entrypoint ?? published?.entrypoint, intent: wireIntent(intent), policy_params: p.policy_params ?? {}, policy_data: policyData,
      });
      return {
        success: !sim.decision.error,
        result: { allow: sim.decision.allow, reason: sim.decision.reason ?? null },
        error: sim.decision.error?.message ?? null,
        details: { entrypoint: sim.entrypoint, result: sim.result, parsed_intent: sim.parsed_intent, evaluation_result: sim.decision.evaluation_result },
      };
    },
  ),
  method(
    'newt_simulatePolicyData',
    'read',
    Type.Object({ policy_data_address: Address, secrets: Opt(Type.Unknown()), wasm_args: Opt(WasmArgs), chain_id: Opt(Quantity) }),
    async (p, { gateway }) => {
      if (p.chain_id !== undefined && p.chain_id !== null && quantity(p.chain_id, 'chain_id') !== BigInt(gateway.clock.chainId)) {
        throw invalidParams(`chain_id is not this gateway's chain (${gateway.clock.chainId})`);
      }
      let secrets: string | undefined;
      if (p.secrets !== undefined && p.secrets !== null) {
        const text = typeof p.secrets === 'string' && !p.secrets.trimStart().startsWith('{') ? Buffer.from(p.secrets, 'base64').toString('utf8') : envelopeText(p.secrets, 'secrets');
        secrets = Buffer.from(await gateway.secretsNode.open(text)).toString('utf8');
      }
      return runPolicyData(gateway, address(p.policy_data_address, 'policy_data_address'), wasmArgs(p.wasm_args, 'wasm_args'), secrets);
    },
  ),
  method(
    'newt_simulatePolicyDataWithClient',
    'read',
    Type.Object({ policy_data_address: Address, policy_client: Address, wasm_args: Opt(WasmArgs) }),
    async (p, { gateway, key }) => {
      const client = await ownedClient(gateway, key, p.policy_client);
      const pdAddress = address(p.policy_data_address, 'policy_data_address');
      return runPolicyData(gateway, pdAddress, wasmArgs(p.wasm_args, 'wasm_args'), await openSecrets(gateway, client.address, pdAddress));
    },
  ),
];
