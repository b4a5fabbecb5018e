// A client's current policy as the operators are told it (PolicyAnnouncement): ids, config and
// content ids from the store, and the client's secrets for each PolicyData, opened here.
import type { Hex } from 'newton-engine';
import type { Gateway } from '../gateway.js';
import { RpcError } from '../rpc/errors.js';
import type { PolicyClientRecord } from '../store/store.js';
import type { PolicyAnnouncement } from './network.js';

export const utf8Hex = (text: string): Hex => `0x${Buffer.from(text, 'utf8').toString('hex')}`;

/** The client's secrets for a PolicyData as JSON text, or undefined when none are stored. */
export async function openSecrets(gateway: Gateway, client: Hex, policyData: Hex): Promise<string | undefined> {
  const envelope = await gateway.store.secrets(client, policyData);
  if (envelope === null) return undefined;
  return Buffer.from(await gateway.secretsNode.open(envelope)).toString('utf8');
}

export async function announcement(gateway: Gateway, client: PolicyClientRecord): Promise<PolicyAnnouncement> {
  const { current } = client;
  const policy = await gateway.store.policy(current.policyAddress);
  if (!policy) throw new RpcError('NEWTON_ERR_INTERNAL', `policy ${current.policyAddress} of client ${client.address} is missing`, { httpStatus: 500 });
  const policyData = await Promise.all(
    policy.policyData.map(async (address) => {
      const record = await gateway.store.policyData(address);
      if (!record) throw new RpcError('NEWTON_ERR_INTERNAL', `PolicyData ${address} is missing`, { httpStatus: 500 });
      const secrets = await openSecrets(gateway, client.address, address);
      return { address, wasmCid: record.wasmCid, expireAfter: record.expireAfter, ...(secrets !== undefined && { runOptions: { secrets } }) };
    }),
  );
  return {
    policyClient: client.address,
    deployment: {
      policyId: current.policyId,
      policyAddress: policy.address,
      policyCid: policy.policyCid,
      policyConfig: { policyParams: utf8Hex(current.policyParams), expireAfter: current.expireAfter },
      policyData,
    },
    entrypoint: policy.entrypoint,
    policyCodeHash: policy.policyCodeHash,
    ...(policy.paramsSchema && { schemaCid: policy.schemaCid }),
  };
}
