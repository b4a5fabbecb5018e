// newt_storeEncryptedSecrets: a policy client's owner (the API key's owner address) stores the
// secrets of one of its PolicyData, sealed to newt_getSecretsPublicKey. The gateway opens them in
// memory to check the secrets schema, stores only the envelope, and hands the plaintext to the
// operators' PolicyData runs.
import { Type } from '@sinclair/typebox';
import { NewtonError, type Hex } from 'newton-engine';
import type { Gateway } from '../gateway.js';
import { RpcError, invalidParams, notFound } from '../rpc/errors.js';
import { address, quantity } from '../rpc/hex.js';
import { method, type Method } from '../rpc/method.js';
import { Address, Opt, Quantity } from '../rpc/types.js';
import { checkSecrets } from '../secrets.js';
import type { ApiKeyRecord, PolicyClientRecord } from '../store/store.js';
import { envelopeText } from './authorization.js';

/** Newton: the client's owner must be the API key's identity. */
export async function ownedClient(gateway: Gateway, key: ApiKeyRecord, value: string): Promise<PolicyClientRecord> {
  const client = await gateway.store.policyClient(address(value, 'policy_client'));
  if (!client) throw notFound(`policy client ${address(value, 'policy_client')} is not registered`);
  if (!key.owner) throw new RpcError('NEWTON_ERR_UNAUTHORIZED', 'Authorization failed: this API key has no owner address', { httpStatus: 403 });
  if (key.owner.toLowerCase() !== client.owner.toLowerCase()) {
    throw new RpcError('NEWTON_ERR_UNAUTHORIZED', `Authorization failed: policy client ${client.address} is owned by another user`, { httpStatus: 403 });
  }
  return client;
}

async function openJson(gateway: Gateway, envelope: string): Promise<Record<string, unknown>> {
  const text = Buffer.from(await gateway.secretsNode.open(envelope)).toString('utf8');
  let secrets: unknown;
  try {
    secrets = JSON.parse(text);
  } catch {
    secrets = undefined;
  }
  if (typeof secrets !== 'object' || secrets === null || Array.isArray(secrets)) throw invalidParams('Secrets upload validation failed: the plaintext is not a JSON object');
  return secrets as Record<string, unknown>;
}

/** Secrets are sealed to (policy client, chain): an envelope bound elsewhere is refused before opening. */
function checkBinding(gateway: Gateway, envelope: string, client: Hex): void {
  let bound: { policy_client?: unknown; chain_id?: unknown };
  try {
    bound = JSON.parse(envelope);
  } catch {
    throw new NewtonError({ code: 'NEWTON_ERR_PRIVACY_ENVELOPE_INVALID', message: 'envelope is not SecureEnvelope JSON' });
  }
  if (typeof bound.policy_client !== 'string' || bound.policy_client.toLowerCase() !== client.toLowerCase()) {
    throw new NewtonError({ code: 'NEWTON_ERR_PRIVACY_POLICY_CLIENT_MISMATCH', message: `the secrets envelope is bound to ${String(bound.policy_client)}, not ${client}` });
  }
  if (String(bound.chain_id) !== String(gateway.clock.chainId)) {
    throw new NewtonError({ code: 'NEWTON_ERR_PRIVACY_AAD_MISMATCH', message: `the secrets envelope is bound to chain ${String(bound.chain_id)}, not ${gateway.clock.chainId}` });
  }
}

export const secretsMethods: Method[] = [
  method(
    'newt_storeEncryptedSecrets',
    'write',
    Type.Object({ policy_client: Address, policy_data_address: Address, envelope: Type.Unknown(), chain_id: Opt(Quantity) }),
    async (p, { gateway, key }) => {
      if (p.chain_id !== undefined && p.chain_id !== null && quantity(p.chain_id, 'chain_id') !== BigInt(gateway.clock.chainId)) {
        throw invalidParams(`chain_id is not this gateway's chain (${gateway.clock.chainId})`);
      }
      const client = await ownedClient(gateway, key, p.policy_client);
      const pdAddress: Hex = address(p.policy_data_address, 'policy_data_address');
      const policyData = await gateway.store.policyData(pdAddress);
      if (!policyData) throw notFound(`PolicyData ${pdAddress} is not published`);
      const envelope = envelopeText(p.envelope);
      checkBinding(gateway, envelope, client.address);
      const secrets = await openJson(gateway, envelope);
      if (policyData.secretsSchema) await checkSecrets(pdAddress, policyData.secretsSchema, secrets);
      await gateway.store.putSecrets(client.address, pdAddress, envelope);
      gateway.tasks.secretsChanged();
      return { success: true, schema: policyData.secretsSchema, error: null };
    },
  ),
];
