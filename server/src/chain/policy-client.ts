// A policy client in chain mode is its contract (Newton's NewtonPolicyClient): its policy address,
// policy id, config and owner are read from it for every task, as Newton's gateway reads them, so
// a task carries exactly the policy id the contract will check. The store mirrors what was read
// (the client's record and its policy-id history) for the registry reads, privacy and the log.
import type { Hex } from 'newton-engine';
import { BaseError, ContractFunctionZeroDataError, hexToString, zeroHash, type PublicClient } from 'viem';
import type { Gateway } from '../gateway.js';
import { RpcError, notFound } from '../rpc/errors.js';
import type { PolicyClientRecord, PolicyIdEntry } from '../store/store.js';
import { POLICY_CLIENT_ABI } from './abi.js';
import { chainError } from './errors.js';

/** The client contract's current policy, as a store entry at `block`. */
async function readPolicy(client: PublicClient, address: Hex, block: number): Promise<{ owner: Hex; entry: PolicyIdEntry }> {
  const call = <F extends 'getPolicyId' | 'getPolicyAddress' | 'getPolicyConfig' | 'getOwner'>(functionName: F) =>
    client.readContract({ address, abi: POLICY_CLIENT_ABI, functionName });
  let read;
  try {
    read = await Promise.all([call('getPolicyId'), call('getPolicyAddress'), call('getPolicyConfig'), call('getOwner')]);
  } catch (err) {
    if (err instanceof BaseError && err.walk((e) => e instanceof ContractFunctionZeroDataError)) {
      throw notFound(`policy client ${address} is not a NewtonPolicyClient contract on this chain`);
    }
    throw chainError(`reading policy client ${address}`, err);
  }
  const [policyId, policyAddress, config, owner] = read;
  if (policyId === zeroHash) throw notFound(`policy client ${address} has no policy set on chain (PolicyNotSet): its owner calls setPolicyAddress and setPolicy`);
  const policyParams = config.policyParams === '0x' ? '{}' : hexToString(config.policyParams);
  let params: unknown;
  try {
    params = JSON.parse(policyParams);
  } catch {
    params = undefined;
  }
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new RpcError('NEWTON_ERR_INVALID_ARGUMENT', `policy client ${address}: its on-chain policyParams are not the UTF-8 text of a JSON object`);
  }
  const lower = (a: Hex) => a.toLowerCase() as Hex;
  return { owner: lower(owner), entry: { policyId, policyAddress: lower(policyAddress), policyParams, expireAfter: config.expireAfter, block } };
}

/**
 * The client's record with its contract's current policy: recorded on its first task (owner from
 * getOwner()), a new policy id appended to its history. The policy must be published here.
 */
export async function mirrorPolicyClient(gateway: Gateway, client: PublicClient, address: Hex): Promise<PolicyClientRecord> {
  const block = gateway.clock.block;
  const { owner, entry } = await readPolicy(client, address, block);
  if (!(await gateway.store.policy(entry.policyAddress))) {
    throw notFound(`policy ${entry.policyAddress} of client ${address} is not published at this gateway (newton_publishPolicy)`);
  }
  const stored = await gateway.store.policyClient(address);
  if (!stored) {
    if (await gateway.store.insertPolicyClient(address, owner, block, entry)) await gateway.privacyStore.setPolicyClientOwner(address, owner);
    return (await gateway.store.policyClient(address))!;
  }
  if (stored.current.policyId !== entry.policyId) await gateway.store.appendPolicyId(address, entry);
  return { ...stored, current: stored.current.policyId === entry.policyId ? stored.current : entry };
}
