// Registry extensions (newton_*), the gateway's stand-in for Newton's factories and client
// contracts: publish PolicyData and policies (content-addressed, immutable), register a policy
// client, setPolicy / setPolicyParams (a new policyId every time, with history), and reads.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import { policyCid, policyCodeHash, policyId, type Hex, type OwnerMessageType } from 'newton-engine';
import type { CompileJob } from '../compile-job.js';
import { encodePacked, keccak256, zeroAddress } from 'viem';
import type { Gateway } from '../gateway.js';
import { checkOwner } from '../owner-auth.js';
import { RpcError, invalidParams, notFound } from '../rpc/errors.js';
import { address, hexBytes, hexData } from '../rpc/hex.js';
import { method, type Method } from '../rpc/method.js';
import { Address, HexText, Opt } from '../rpc/types.js';
import type { PolicyClientRecord, PolicyIdEntry } from '../store/store.js';
import { utf8Hex } from '../tasks/deployment.js';

/** The protocol version policies report (`version()`), part of every policyId. */
export const POLICY_VERSION = '0.5.0';

const JsonObject = Type.Record(Type.String(), Type.Unknown());
export const OwnerAuth = Type.Object({ nonce: Type.Integer({ minimum: 0 }), deadline: Type.Integer({ minimum: 0 }), signature: HexText });
const Params = Type.Union([JsonObject, Type.String({ maxLength: 1_000_000 })]);

const addressOf = (salt: Hex): Hex => `0x${salt.slice(-40)}`;
const jsonCid = (value: unknown) => policyCid(JSON.stringify(value));

/** Params as the exact UTF-8 JSON text stored (a string must be a JSON object's text). */
function paramsText(value: unknown): string {
  if (value === undefined || value === null) return '{}';
  if (typeof value !== 'string') return JSON.stringify(value);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalidParams('policy_params must be a JSON object or its text');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidParams('policy_params must be a JSON object');
  return value;
}

function wasmBytes(p: { wasm?: string | null; wasm_base64?: string | null }): Uint8Array {
  if (typeof p.wasm === 'string') return Buffer.from(hexData(p.wasm, 'wasm').slice(2), 'hex');
  if (typeof p.wasm_base64 === 'string') return Buffer.from(p.wasm_base64, 'base64');
  throw invalidParams('wasm (hex) or wasm_base64 is required');
}

/** Mines a block for the write and mints the policyId NewtonPolicy.setPolicy would. */
async function mintPolicyId(gateway: Gateway, client: Hex, policyAddress: Hex, params: string, expireAfter: number): Promise<PolicyIdEntry> {
  const policy = await gateway.store.policy(policyAddress);
  if (!policy) throw notFound(`policy ${policyAddress} is not published`);
  const block = await gateway.clock.advance(1);
  const policyConfig = { policyParams: utf8Hex(params), expireAfter };
  const info = {
    policyId: `0x${'0'.repeat(64)}`, policyAddress: policy.address, owner: policy.owner, policyCid: policy.policyCid,
    schemaCid: policy.schemaCid, entrypoint: policy.entrypoint, policyConfig, policyData: policy.policyData,
    policyCodeHash: policy.policyCodeHash, version: POLICY_VERSION,
  };
  return { policyId: policyId(client, info, gateway.clock.timestamp(block)), policyAddress: policy.address, policyParams: params, expireAfter, block };
}

async function clientOf(gateway: Gateway, value: string): Promise<PolicyClientRecord> {
  const client = await gateway.store.policyClient(address(value, 'policy_client'));
  if (!client) throw notFound(`policy client ${address(value, 'policy_client')} is not registered`);
  return client;
}

export const ownerAuth = (a: { nonce: number; deadline: number; signature: string }) => ({ ...a, signature: hexBytes(a.signature, 65, 'authorization.signature') });
const paramsHash = (text: string) => keccak256(utf8Hex(text));

/** In chain mode a client's policy lives on its contract (read at each task), never set here. */
function refuseOnChain(gateway: Gateway): void {
  if (gateway.chain) throw invalidParams("chain mode: a client's policy is set on its contract (setPolicyAddress, setPolicy) and read from it at each task");
}

async function setPolicy(gateway: Gateway, type: OwnerMessageType, client: PolicyClientRecord, policy: Hex, params: string, expireAfter: number, auth: { nonce: number; deadline: number; signature: string }) {
  refuseOnChain(gateway);
  const message = { policyClient: client.address, ...(type === 'SetPolicy' && { policy }), policyParamsHash: paramsHash(params), expireAfter };
  await checkOwner(gateway, client.owner, type, message, ownerAuth(auth));
  const entry = await mintPolicyId(gateway, client.address, policy, params, expireAfter);
  await gateway.store.appendPolicyId(client.address, entry);
  return { policy_client: client.address, policy_id: entry.policyId, policy_address: entry.policyAddress, block: entry.block };
}

export const registryMethods: Method[] = [
  method(
    'newton_publishPolicyData',
    'write',
    Type.Object({ owner: Address, wasm: Opt(HexText), wasm_base64: Opt(Type.String()), secrets_schema: Opt(JsonObject), expire_after: Type.Integer({ minimum: 1, maximum: 0xffffffff }), metadata_cid: Opt(Type.String({ maxLength: 256 })) }),
    async (p, { gateway }) => {
      const owner = address(p.owner, 'owner');
      const wasm = wasmBytes(p);
      await gateway.host.load(wasm); // a valid newton:provider component, or its NEWTON_ERR_POLICY_DATA_* error
      const wasmCid = policyCid(wasm);
      const secretsSchema = p.secrets_schema ?? null;
      const secretsSchemaCid = secretsSchema ? jsonCid(secretsSchema) : '';
      const metadataCid = p.metadata_cid ?? '';
      const salt = keccak256(encodePacked(['address', 'string', 'string', 'uint32', 'string', 'address'], [zeroAddress, wasmCid, secretsSchemaCid, p.expire_after, metadataCid, owner]));
      const record = { address: addressOf(salt), owner, wasmCid, secretsSchema, secretsSchemaCid, expireAfter: p.expire_after, metadataCid, publishedBlock: gateway.clock.block };
      await gateway.store.putContent(wasmCid, wasm);
      await writeFile(path.join(gateway.policyDataDir, `${wasmCid}.wasm`), wasm);
      if (secretsSchema) await gateway.store.putContent(secretsSchemaCid, Buffer.from(JSON.stringify(secretsSchema)));
      const created = await gateway.store.insertPolicyData(record);
      return { policy_data_address: record.address, wasm_cid: wasmCid, secrets_schema_cid: secretsSchemaCid, expire_after: p.expire_after, created };
    },
  ),
  method(
    'newton_publishPolicy',
    'write',
    Type.Object({ owner: Address, policy: Type.String({ minLength: 1, maxLength: 1_048_576 }), entrypoint: Type.String({ minLength: 1, maxLength: 256 }), params_schema: Opt(JsonObject), policy_data: Opt(Type.Array(Address, { maxItems: 64 })), metadata_cid: Opt(Type.String({ maxLength: 256 })) }),
    async (p, { gateway }) => {
      const owner = address(p.owner, 'owner');
      const policyData = (p.policy_data ?? []).map((a, i) => address(a, `policy_data[${i}]`));
      for (const pd of policyData) if (!(await gateway.store.policyData(pd))) throw notFound(`PolicyData ${pd} is not published`);
      const entrypoint = p.entrypoint.replace(/^data\./, '');
      const job: CompileJob = { policy: p.policy, entrypoint, ...(p.params_schema && { params_schema: p.params_schema }) };
      await (await gateway.sandbox()).run('compilePolicy', job); // untrusted Rego: compiled in a worker process
      const cid = policyCid(p.policy);
      const codeHash = policyCodeHash(p.policy);
      const paramsSchema = p.params_schema ?? null;
      const schemaCid = paramsSchema ? jsonCid(paramsSchema) : '';
      const metadataCid = p.metadata_cid ?? '';
      const salt = keccak256(encodePacked(['address', 'string', 'string', 'string', 'address[]', 'string', 'address', 'bytes32'], [zeroAddress, entrypoint, cid, schemaCid, policyData, metadataCid, owner, codeHash]));
      const record = { address: addressOf(salt), owner, source: p.policy, policyCid: cid, policyCodeHash: codeHash, entrypoint, paramsSchema, schemaCid, policyData, metadataCid, publishedBlock: gateway.clock.block };
      await gateway.store.putContent(cid, Buffer.from(p.policy, 'utf8'));
      if (paramsSchema) await gateway.store.putContent(schemaCid, Buffer.from(JSON.stringify(paramsSchema)));
      const created = await gateway.store.insertPolicy(record);
      return { policy_address: record.address, policy_cid: cid, policy_code_hash: codeHash, schema_cid: schemaCid, entrypoint, created };
    },
  ),
  method(
    'newton_registerPolicyClient',
    'write',
    Type.Object({ policy_client: Address, owner: Address, policy: Address, policy_params: Opt(Params), expire_after: Type.Integer({ minimum: 1, maximum: 0xffffffff }), authorization: OwnerAuth }),
    async (p, { gateway }) => {
      refuseOnChain(gateway);
      const client = address(p.policy_client, 'policy_client');
      const owner = address(p.owner, 'owner');
      const policy = address(p.policy, 'policy');
      if (await gateway.store.policyClient(client)) throw new RpcError('NEWTON_ERR_CONFLICT', `policy client ${client} is already registered`);
      const params = paramsText(p.policy_params);
      await checkOwner(gateway, owner, 'RegisterPolicyClient', { policyClient: client, owner, policy, policyParamsHash: paramsHash(params), expireAfter: p.expire_after }, ownerAuth(p.authorization));
      const entry = await mintPolicyId(gateway, client, policy, params, p.expire_after);
      if (!(await gateway.store.insertPolicyClient(client, owner, entry.block, entry))) throw new RpcError('NEWTON_ERR_CONFLICT', `policy client ${client} is already registered`);
      await gateway.privacyStore.setPolicyClientOwner(client, owner);
      return { policy_client: client, owner, policy_id: entry.policyId, policy_address: entry.policyAddress, block: entry.block };
    },
  ),
  method(
    'newton_setPolicy',
    'write',
    Type.Object({ policy_client: Address, policy: Address, policy_params: Opt(Params), expire_after: Type.Integer({ minimum: 1, maximum: 0xffffffff }), authorization: OwnerAuth }),
    async (p, { gateway }) => setPolicy(gateway, 'SetPolicy', await clientOf(gateway, p.policy_client), address(p.policy, 'policy'), paramsText(p.policy_params), p.expire_after, p.authorization),
  ),
  method(
    'newton_setPolicyParams',
    'write',
    Type.Object({ policy_client: Address, policy_params: Opt(Params), expire_after: Opt(Type.Integer({ minimum: 1, maximum: 0xffffffff })), authorization: OwnerAuth }),
    async (p, { gateway }) => {
      const client = await clientOf(gateway, p.policy_client);
      return setPolicy(gateway, 'SetPolicyParams', client, client.current.policyAddress, paramsText(p.policy_params), p.expire_after ?? client.current.expireAfter, p.authorization);
    },
  ),
  method('newton_getPolicyClient', 'read', Type.Object({ policy_client: Address }), async (p, { gateway }) => {
    const client = await clientOf(gateway, p.policy_client);
    const history = await gateway.store.policyIdHistory(client.address);
    const view = (e: PolicyIdEntry) => ({ policy_id: e.policyId, policy_address: e.policyAddress, policy_config: { policyParams: utf8Hex(e.policyParams), expireAfter: e.expireAfter }, block: e.block });
    return { policy_client: client.address, owner: client.owner, registered_block: client.registeredBlock, ...view(client.current), history: history.map(view) };
  }),
  method('newton_getPolicy', 'read', Type.Object({ policy: Address }), async (p, { gateway }) => {
    const policy = await gateway.store.policy(address(p.policy, 'policy'));
    if (!policy) throw notFound(`policy ${address(p.policy, 'policy')} is not published`);
    return {
      policy_address: policy.address, owner: policy.owner, policy: policy.source, policy_cid: policy.policyCid, policy_code_hash: policy.policyCodeHash,
      entrypoint: policy.entrypoint, params_schema: policy.paramsSchema, schema_cid: policy.schemaCid, policy_data: policy.policyData, metadata_cid: policy.metadataCid,
    };
  }),
  method('newton_getPolicyData', 'read', Type.Object({ policy_data_address: Address }), async (p, { gateway }) => {
    const pd = await gateway.store.policyData(address(p.policy_data_address, 'policy_data_address'));
    if (!pd) throw notFound(`PolicyData ${address(p.policy_data_address, 'policy_data_address')} is not published`);
    return { policy_data_address: pd.address, owner: pd.owner, wasm_cid: pd.wasmCid, secrets_schema: pd.secretsSchema, secrets_schema_cid: pd.secretsSchemaCid, expire_after: pd.expireAfter, metadata_cid: pd.metadataCid };
  }),
  method('newton_getNonce', 'read', Type.Object({ signer: Address }), async (p, { gateway }) => {
    const signer = address(p.signer, 'signer');
    return { signer, gateway_nonce: await gateway.store.nonce(signer), privacy_nonce: await gateway.privacyStore.nonce(signer) };
  }),
];
